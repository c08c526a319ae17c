"""Data-subject requests: recording (a NIK not in the registry too), the task inbox, the access
file (JSON and PDF, audited), four-eyes correction, the command line, partner roles."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from django.test import Client

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.cli import main
from sinergi.core import jobs
from sinergi.core.errors import Forbidden, InvalidInput
from sinergi.core.inbox import providers
from sinergi.core.models import AuditEvent, Job
from sinergi.kube.models import Kube, Membership
from sinergi.market.models import Sale
from sinergi.pdp import access, services
from sinergi.pdp.models import CorrectionStatus, DataSubjectRequest, RequestKind, RequestStatus
from sinergi.registry import services as registry
from sinergi.registry.models import AccessLog, ConsentRecord, Person
from tests.factories import KubeFactory, ProposalFactory
from tests.pdp.conftest import BIRTH, NAME, nik_of

pytestmark = pytest.mark.django_db
UNKNOWN_NIK = "3273015506800009"


def _request(officer: User, person: Person, kind: str = RequestKind.ACCESS) -> DataSubjectRequest:
    return services.request_create(
        actor=officer,
        kind=kind,
        nik=nik_of(person),
        channel="letter",
        received_on=datetime.date(2026, 11, 2),
    )


def test_a_request_has_a_due_date_and_waits_in_the_officers_inbox(
    subject: Person, officer_bandung: User, officer_bogor: User
) -> None:
    request = _request(officer_bandung, subject)
    assert request.person == subject and request.area_code == subject.area_code
    assert request.due_on == datetime.date(2026, 11, 5)  # 3×24 hours
    items = list(providers()["pdp.requests"](officer_bandung))
    assert [i.url for i in items] == [f"/pdp/permintaan/{request.pk}/"]
    assert items[0].due == request.due_on
    assert list(providers()["pdp.requests"](officer_bogor)) == []
    services.request_close(actor=officer_bandung, request_id=request.pk, outcome="Dijawab lisan")
    assert list(providers()["pdp.requests"](officer_bandung)) == []
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE and request.outcome == "Dijawab lisan"
    assert AuditEvent.objects.filter(event_type="pdp.request.closed").count() == 1


def test_the_days_to_answer_are_a_setting(
    subject: Person, officer_bandung: User, settings: Any
) -> None:
    settings.SINERGI_PDP_DUE_DAYS = {"erasure": 7}
    assert _request(officer_bandung, subject, RequestKind.ERASURE).due_on == datetime.date(
        2026, 11, 9
    )
    assert _request(officer_bandung, subject).due_on == datetime.date(2026, 11, 5)


def test_a_nik_not_in_the_registry_is_answered_clearly_and_still_recorded(
    officer_bandung: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(officer_bandung)
    response = client.post(
        "/api/v1/pdp/requests",
        {
            "kind": "access",
            "nik": UNKNOWN_NIK,
            "channel": "email",
            "received_on": "2026-11-02",
        },
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["found"] is False and "not in the registry" in body["message"]
    request = DataSubjectRequest.objects.get(pk=body["id"])
    assert request.person is None and request.area_code == "32.73"
    assert UNKNOWN_NIK not in json.dumps(list(DataSubjectRequest.objects.values()), default=str)
    # The page says it too, in Indonesian by default.
    page = client.get(f"/pdp/permintaan/{request.pk}/")
    assert page.status_code == 200 and "tidak ada" in page.content.decode().lower()


def test_bad_input_is_refused_with_a_reason(officer_bandung: User) -> None:
    with pytest.raises(InvalidInput) as bad:
        services.request_create(
            actor=officer_bandung,
            kind="access",
            nik="1234",
            channel="email",
            received_on=datetime.date(2026, 11, 2),
        )
    assert bad.value.field == "nik"
    assert not DataSubjectRequest.objects.exists()


def test_the_access_file_holds_everything_about_the_person(
    subject: Person, officer_bandung: User, tmp_path: Any, settings: Any
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    kube = cast(Kube, KubeFactory(name="KUBE Melati"))
    Membership.objects.create(
        kube=kube, person=subject, role="ketua", start_date=datetime.date(2026, 1, 1)
    )
    ProposalFactory(kube=kube, amount=12_000_000)
    Sale.objects.create(
        kube=kube,
        description="Keripik pisang",
        quantity=4,
        price=10_000,
        buyer_type="individual",
        day=datetime.date(2026, 2, 1),
    )
    ConsentRecord.objects.create(
        person=subject,
        category="contact",
        purpose="Nomor telepon untuk pembeli",
        notice_version="v1",
        given_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
    )
    registry.identifier_reveal(
        actor=officer_bandung, kind="nik", object_id=subject.pk, reason="cek bantuan"
    )
    request = _request(officer_bandung, subject)
    job = services.access_start(actor=officer_bandung, request_id=request.pk)
    assert jobs.execute(job.pk) == "succeeded"
    job = Job.objects.get(pk=job.pk)
    data = json.loads(job.result_file.open("rb").read())
    assert data["person"]["name"] == NAME and data["person"]["nik"] == nik_of(subject)
    assert data["person"]["birth_date"] == BIRTH.isoformat()
    assert data["household"]["kk"] == "3273010101719901"
    assert data["memberships"][0]["group"] == "KUBE Melati"
    assert data["memberships"][0]["role"] == "ketua"
    assert data["aid"][0]["amount"] == 12_000_000
    assert data["sales"][0]["amount"] == 40_000
    assert data["consents"][0]["purpose"] == "Nomor telepon untuk pembeli"
    assert data["record_history"][0]["name"] == NAME
    assert data["record_history"][0]["change"] == "+"  # created
    assert [r["kind"] for r in data["requests"]] == ["access"]
    reveals = [e for e in data["access_log"] if e["what"] == "registry.nik.revealed"]
    assert reveals and reveals[0]["why"] == "cek bantuan"
    assert reveals[0]["who"] == officer_bandung.username
    assert AuditEvent.objects.filter(
        event_type="pdp.access.produced", object_id=str(subject.pk)
    ).exists()
    request.refresh_from_db()
    assert request.result["access_job"] == job.pk
    # The access file is itself a read of the person's data, in the read log.
    assert AccessLog.objects.filter(person=subject, purpose="access_file").count() == 1
    # The readable PDF, for the requester only; its download is audited.
    client = Client()
    client.force_login(officer_bandung)
    pdf = client.get(f"/pdp/permintaan/{request.pk}/akses.pdf")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(event_type="pdp.access.downloaded").count() == 1
    assert access.pdf(data).startswith(b"%PDF")


def test_a_correction_needs_a_second_officer(
    subject: Person, officer_bandung: User, make_user: Callable[..., User]
) -> None:
    other = make_user(Role.SOCIAL_OFFICER, "32.73")
    request = _request(officer_bandung, subject, RequestKind.CORRECTION)
    correction = services.correction_propose(
        actor=officer_bandung,
        request_id=request.pk,
        changes={"name": "Zulkarnain Purbawisesa", "birth_place": "Tasikmalaya"},
    )
    assert correction.before == {"name": NAME, "birth_place": "Garut"}
    with pytest.raises(Forbidden):
        services.correction_decide(actor=officer_bandung, correction_id=correction.pk, approve=True)
    assert Person.objects.get(pk=subject.pk).name == NAME
    assert [i.kind for i in providers()["pdp.requests"](other)] == ["pdp.correction"]
    services.correction_decide(actor=other, correction_id=correction.pk, approve=True, note="KTP")
    person = Person.objects.get(pk=subject.pk)
    assert person.name == "Zulkarnain Purbawisesa" and person.birth_place == "Tasikmalaya"
    names = list(person.history.order_by("history_date").values_list("name", flat=True))
    assert names[-2:] == [NAME, "Zulkarnain Purbawisesa"]  # before and after in the history
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.APPROVED and correction.decided_by == other
    event = AuditEvent.objects.get(event_type="pdp.correction.decided")
    assert event.changes["name"] == [NAME, "Zulkarnain Purbawisesa"]


def test_the_command_line_exports_and_erases_with_exit_codes(
    subject: Person, officer_bandung: User, tmp_path: Path, capsys: Any
) -> None:
    nik = nik_of(subject)
    out = tmp_path / "akses.json"
    assert main(["pdp", "export", "--nik", nik, "--out", str(out)]) == 0
    capsys.readouterr()
    assert json.loads(out.read_text())["person"]["name"] == NAME
    assert AuditEvent.objects.get(event_type="pdp.access.produced").data["cli"] is True

    assert main(["pdp", "export", "--nik", UNKNOWN_NIK, "--out", str(out)]) == 1
    assert capsys.readouterr().err.startswith("sinergi pdp export: NIK ini tidak ada")

    kube = cast(Kube, KubeFactory())
    Membership.objects.create(kube=kube, person=subject, start_date=datetime.date(2026, 1, 1))
    ProposalFactory(kube=kube)  # an open cycle: a legal hold
    assert main(["pdp", "erase", "--nik", nik, "--reason", "permintaan subjek"]) == 1
    err = capsys.readouterr().err
    assert "KUBE" in err and Person.objects.get(pk=subject.pk).name == NAME
    assert AuditEvent.objects.filter(event_type="pdp.person.erasure_refused").count() == 1

    Membership.objects.filter(person=subject).delete()
    assert main(["pdp", "erase", "--nik", nik, "--reason", "permintaan subjek"]) == 0
    assert Person.objects.get(pk=subject.pk).name == "[dihapus]"
    assert AuditEvent.objects.get(event_type="pdp.person.erased").data["cli"] is True
    assert main(["pdp", "erase", "--nik", nik, "--reason", "sekali lagi"]) == 1  # no such NIK now
    assert main(["pdp", "erase", "--nik", nik, "--reason", "x"]) == 2  # bad input
    assert main(["pdp", "erase", "--nik", nik, "--reason", "x", "--user", "nobody"]) == 2


@pytest.mark.parametrize("role", [Role.PARTNER_COORDINATOR, Role.MENTOR, Role.BUYER])
def test_partner_roles_get_nothing(
    role: str,
    subject: Person,
    officer_bandung: User,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    request = _request(officer_bandung, subject)
    partner = make_user(role, "32.73" if role != Role.BUYER else None)
    client = client_for(partner)
    for url in ("/pdp/permintaan/", f"/pdp/permintaan/{request.pk}/", "/pdp/retensi/"):
        assert client.get(url).status_code == 403, url
    for url in ("/api/v1/pdp/requests", f"/api/v1/pdp/requests/{request.pk}"):
        assert client.get(url).status_code == 403, url
    assert list(providers()["pdp.requests"](partner)) == []
    with pytest.raises(Forbidden):
        services.access_start(actor=partner, request_id=request.pk)
