"""Erasure: the person's identifying data is nowhere in the database afterwards (every table,
history and audit payloads included), totals stay, legal holds refuse with a date."""

from __future__ import annotations

import datetime
from typing import Any, cast

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from sinergi.accounts.models import User
from sinergi.aid.models import CycleStatus, Disbursement, Lpj, LpjStatus, ProposalStatus
from sinergi.core import jobs
from sinergi.core.errors import Forbidden
from sinergi.core.models import AuditEvent, Job
from sinergi.kube.models import Kube, Membership
from sinergi.market.models import Sale
from sinergi.monitoring.models import GroupReport
from sinergi.monitoring.services import INCOME_FIELD
from sinergi.pdp import erasure, services
from sinergi.pdp.erasure import ErasureRefused
from sinergi.pdp.models import RequestKind, RequestStatus
from sinergi.registry import services as registry
from sinergi.registry.models import Household, Person
from tests.factories import KubeFactory, ProposalFactory
from tests.pdp.conftest import BIRTH, NAME, kk_of, nik_of, occurrences

pytestmark = pytest.mark.django_db


def _group_life(person: Person, officer: User) -> dict[str, Any]:
    """The person in a group with sales, an income report and a bank account in their name."""
    from sinergi.core.crypto import encrypt
    from sinergi.monitoring.models import MemberIncome

    kube = cast(Kube, KubeFactory(bank_account_holder=NAME))
    Membership.objects.create(kube=kube, person=person, start_date=datetime.date(2026, 1, 1))
    for n in range(3):
        Sale.objects.create(
            kube=kube,
            description=f"Keripik {n}",
            quantity=10,
            price=5_000,
            buyer_type="individual",
            day=datetime.date(2026, 2, 1 + n),
        )
    report = GroupReport.objects.create(
        kube=kube, period=datetime.date(2026, 2, 1), turnover=150_000, problems=f"{NAME} sakit"
    )
    MemberIncome.objects.create(
        report=report,
        person=person,
        household=person.household,
        household_size=4,
        income_cipher=encrypt("1200000", field=INCOME_FIELD),
        per_capita_cipher=encrypt("300000", field=INCOME_FIELD),
        line_amount=550_000,
        line_label="Jawa Barat 2026",
        above_line=False,
    )
    return {"kube": kube, "report": report}


def test_after_erasure_the_person_is_nowhere_in_the_database(
    subject: Person, officer_bandung: User, officer_jabar: User, tmp_path: Any, settings: Any
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    nik, kk = nik_of(subject), kk_of(subject)
    old_hashes = [subject.nik_hash, subject.household.kk_hash]
    # History and audit payloads with the data: a change, a reveal, a request about them.
    registry.person_update(
        actor=officer_bandung,
        person_id=subject.pk,
        name=NAME,
        sex="L",
        birth_place="Garut",
        birth_date=BIRTH,
        relation="kepala",
        is_head=True,
        phone="081299887700",
    )
    registry.identifier_reveal(
        actor=officer_bandung, kind="nik", object_id=subject.pk, reason="verifikasi data"
    )
    life = _group_life(subject, officer_bandung)
    request = services.request_create(
        actor=officer_bandung,
        kind=RequestKind.ERASURE,
        nik=nik,
        channel="in_person",
        received_on=datetime.date.today(),
        details=f"{NAME} (NIK {nik}, KK {kk}) minta datanya dihapus",
    )
    # An export of the area on storage, which may list the person.
    job = jobs.create("monitoring.export", actor=officer_jabar, area_code="32", status="succeeded")
    jobs.save_result(job, ContentFile(f"{NAME};{nik}".encode()), download_name="x.csv")
    stored = str(Job.objects.get(pk=job.pk).result_file.name)
    assert occurrences([NAME, nik, kk]), "the set-up holds the data"
    turnover = sum(s.amount for s in Sale.objects.filter(kube=life["kube"]))

    with transaction.atomic():
        # on_commit runs inside the test's transaction only when asked to
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            services.person_erase(
                actor=officer_bandung, request_id=request.pk, reason="permintaan subjek data"
            )

    hits = occurrences([NAME, nik, kk, *old_hashes, "Purbawisesa"], BIRTH)
    assert hits == [], "\n".join(hits)
    assert occurrences([BIRTH.isoformat()]) == []
    person = Person.objects.get(pk=subject.pk)
    assert person.name == erasure.ERASED and erasure.is_erased(person)
    # Totals others rely on stay: members, turnover, incomes.
    assert Membership.objects.filter(kube=life["kube"]).count() == 1
    assert sum(s.amount for s in Sale.objects.filter(kube=life["kube"])) == turnover == 150_000
    assert GroupReport.objects.get(pk=life["report"].pk).turnover == 150_000
    assert life["report"].incomes.count() == 1
    # The request is closed with what was done; the export file is gone.
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE and request.result["erasure"]["export_files"] == 1
    from django.core.files.storage import default_storage

    assert not default_storage.exists(stored)
    event = AuditEvent.objects.get(event_type="pdp.person.erased")
    assert event.actor == officer_bandung and event.object_id == str(subject.pk)


def test_an_erasure_that_fails_halfway_leaves_nothing_half_done(
    subject: Person, officer_bandung: User, monkeypatch: Any
) -> None:
    nik = nik_of(subject)

    def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(erasure, "_drop_exports", broken)
    with pytest.raises(RuntimeError):
        services.person_erase(actor=officer_bandung, nik=nik, reason="permintaan subjek data")
    person = Person.objects.get(pk=subject.pk)
    assert person.name == NAME and person.birth_date == BIRTH
    assert nik_of(person) == nik
    assert person.history.filter(name=NAME).exists()
    assert not AuditEvent.objects.filter(event_type="pdp.person.erased").exists()


def test_other_members_keep_the_family_card(subject: Person, officer_bandung: User) -> None:
    kk = kk_of(subject)
    registry.person_create(
        actor=officer_bandung,
        household_id=subject.household_id,
        nik="3273014505750002",
        name="Siti Rahmawati",
        sex="P",
        birth_place="Bandung",
        birth_date=datetime.date(1975, 5, 5),
        relation="istri",
        is_head=False,
    )
    nik = nik_of(subject)
    services.person_erase(actor=officer_bandung, nik=nik, reason="permintaan subjek")
    household = Household.objects.get(pk=subject.household_id)
    # The KK number is also the other member's data: it stays; the erased person's does not.
    assert kk_of(Person.objects.get(pk=subject.pk)) == kk
    assert household.members.filter(name="Siti Rahmawati").exists()
    assert occurrences([NAME, nik], BIRTH) == []


def _member_of_aided_group(person: Person, **proposal: Any) -> Any:
    kube = cast(Kube, KubeFactory())
    Membership.objects.create(kube=kube, person=person, start_date=datetime.date(2026, 1, 1))
    return ProposalFactory(kube=kube, **proposal)


def test_aid_under_an_open_cycle_holds_the_data(subject: Person, officer_bandung: User) -> None:
    _member_of_aided_group(subject)
    with pytest.raises(ErasureRefused) as refused:
        services.person_erase(actor=officer_bandung, nik=nik_of(subject), reason="permintaan")
    assert refused.value.status == 409 and refused.value.code == "legal_hold"
    assert [h.code for h in refused.value.holds] == ["open_cycle"]
    assert "open" in refused.value.message or "terbuka" in refused.value.message
    assert Person.objects.get(pk=subject.pk).name == NAME
    event = AuditEvent.objects.get(event_type="pdp.person.erasure_refused")
    assert event.data["holds"][0]["code"] == "open_cycle"


def test_an_lpj_not_accepted_and_the_retention_period_hold_with_a_date(
    subject: Person, officer_bandung: User
) -> None:
    proposal = _member_of_aided_group(subject, status=ProposalStatus.APPROVED)
    proposal.cycle.status = CycleStatus.APPROVED
    proposal.cycle.save()
    paid = datetime.date.today() - datetime.timedelta(days=10)
    Disbursement.objects.create(
        proposal=proposal, amount=1_000_000, day=paid, reference="TRF-1", account="123"
    )
    with pytest.raises(ErasureRefused) as refused:
        services.person_erase(actor=officer_bandung, nik=nik_of(subject), reason="permintaan")
    holds = {h.code: h for h in refused.value.holds}
    assert set(holds) == {"lpj_open", "retention"}
    assert holds["retention"].until == paid + datetime.timedelta(days=3650)
    assert holds["retention"].until.isoformat() in refused.value.message

    Lpj.objects.create(proposal=proposal, status=LpjStatus.ACCEPTED)
    with pytest.raises(ErasureRefused) as refused:
        services.person_erase(actor=officer_bandung, nik=nik_of(subject), reason="permintaan")
    assert [h.code for h in refused.value.holds] == ["retention"]
    assert refused.value.earliest == paid + datetime.timedelta(days=3650)


def test_erasure_needs_the_permission_and_the_area(
    subject: Person, facilitator_bandung: User, officer_bogor: User
) -> None:
    from sinergi.core.errors import NotFound

    with pytest.raises(Forbidden):
        services.person_erase(actor=facilitator_bandung, nik=nik_of(subject), reason="permintaan")
    with pytest.raises(NotFound):
        services.person_erase(actor=officer_bogor, nik=nik_of(subject), reason="permintaan")
    assert Person.objects.get(pk=subject.pk).name == NAME
