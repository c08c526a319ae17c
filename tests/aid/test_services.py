"""Proposals regency → province → centre: maker-checker, freezing, budget, refused steps."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from sinergi.accounts.models import User
from sinergi.aid import services
from sinergi.aid.models import (
    AidGrant,
    AmountRule,
    Cycle,
    CycleStatus,
    Programme,
    Proposal,
    ProposalStatus,
)
from sinergi.core.errors import Forbidden, InvalidInput
from sinergi.core.models import AuditEvent
from sinergi.kube.models import Kube
from sinergi.kube.services import membership_end
from tests import samples
from tests.aid.conftest import JUTA, approved
from tests.kube.test_services import _form, _heads

pytestmark = pytest.mark.django_db


def _approved(kube: Kube, cycle: Cycle, regency: User, province: User, centre: User) -> Proposal:
    return approved(kube, cycle, regency, province, centre)


def test_the_whole_flow_and_the_budget(
    active_kube: Kube,
    cycle: Cycle,
    officer_bandung: User,
    officer_jabar: User,
    admin_user: User,
) -> None:
    proposal = services.proposal_create(
        actor=officer_bandung, cycle_id=cycle.pk, kube_id=active_kube.pk
    )
    assert (proposal.member_count, proposal.amount) == (6, 12 * JUTA)
    services.proposal_recommend(actor=officer_jabar, proposal_id=proposal.pk)
    services.cycle_approve(actor=admin_user, cycle_id=cycle.pk)
    proposal.refresh_from_db()
    cycle.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED and cycle.status == CycleStatus.APPROVED
    assert services.budget_remaining(cycle.programme) == 38 * JUTA
    events = list(
        AuditEvent.objects.filter(event_type__startswith="aid.")
        .values_list("event_type", flat=True)
        .order_by("id")
    )
    assert events == ["aid.proposal.proposed", "aid.proposal.recommended", "aid.cycle.approved"]


def test_an_approved_cycle_is_frozen(
    active_kube: Kube,
    cycle: Cycle,
    officer_bandung: User,
    officer_jabar: User,
    admin_user: User,
) -> None:
    proposal = _approved(active_kube, cycle, officer_bandung, officer_jabar, admin_user)
    person = active_kube.memberships.filter(role="anggota").first().person_id  # type: ignore[union-attr]
    membership_end(actor=officer_bandung, kube_id=active_kube.pk, person_id=person, reason="pindah")
    proposal.refresh_from_db()
    assert (proposal.member_count, proposal.amount) == (6, 12 * JUTA)
    with pytest.raises(InvalidInput):  # a second approver arriving late
        services.cycle_approve(actor=admin_user, cycle_id=cycle.pk)
    with pytest.raises(InvalidInput):
        services.proposal_create(actor=officer_bandung, cycle_id=cycle.pk, kube_id=active_kube.pk)
    with pytest.raises(InvalidInput):
        services.proposal_reject(actor=officer_jabar, proposal_id=proposal.pk, reason="x")


def test_maker_checker(
    active_kube: Kube,
    cycle: Cycle,
    officer_bandung: User,
    admin_user: User,
    make_user: Callable[..., User],
) -> None:
    proposal = services.proposal_create(
        actor=officer_bandung, cycle_id=cycle.pk, kube_id=active_kube.pk
    )
    with pytest.raises(Forbidden):  # a regency office cannot recommend
        services.proposal_recommend(actor=officer_bandung, proposal_id=proposal.pk)
    services.proposal_recommend(actor=admin_user, proposal_id=proposal.pk)
    with pytest.raises(Forbidden):  # who recommended cannot approve: a refusal of the person
        services.cycle_approve(actor=admin_user, cycle_id=cycle.pk)
    other_admin = make_user("national_admin", None)
    services.cycle_approve(actor=other_admin, cycle_id=cycle.pk)
    assert Proposal.objects.get().status == ProposalStatus.APPROVED


def test_the_budget_ceiling_cannot_be_exceeded(
    active_kube: Kube,
    cycle: Cycle,
    officer_bandung: User,
    officer_jabar: User,
    admin_user: User,
) -> None:
    Programme.objects.filter(pk=cycle.programme_id).update(budget_ceiling=10 * JUTA)
    proposal = services.proposal_create(
        actor=officer_bandung, cycle_id=cycle.pk, kube_id=active_kube.pk
    )
    services.proposal_recommend(actor=officer_jabar, proposal_id=proposal.pk)
    with pytest.raises(InvalidInput) as info:
        services.cycle_approve(actor=admin_user, cycle_id=cycle.pk)
    assert "Rp12.000.000" in info.value.message and "Rp10.000.000" in info.value.message
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN
    assert Proposal.objects.get().status == ProposalStatus.RECOMMENDED


def test_only_ready_groups_in_area_can_be_proposed(
    cycle: Cycle,
    officer_bandung: User,
    officer_bogor: User,
    active_kube: Kube,
) -> None:
    draft, _ = _form(officer_bandung, _heads(officer_bandung, 5, start=40), name="Draf")
    with pytest.raises(InvalidInput):
        services.proposal_create(actor=officer_bandung, cycle_id=cycle.pk, kube_id=draft.pk)
    with pytest.raises(Http404):
        services.proposal_create(actor=officer_bogor, cycle_id=cycle.pk, kube_id=active_kube.pk)
    services.proposal_create(actor=officer_bandung, cycle_id=cycle.pk, kube_id=active_kube.pk)
    with pytest.raises(InvalidInput):
        services.proposal_create(actor=officer_bandung, cycle_id=cycle.pk, kube_id=active_kube.pk)
    assert Proposal.objects.count() == 1


# Pure arithmetic: a busy machine (parallel runs) must not fail it for slow input generation.
@hypothesis_settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.integers(1, 50_000_000), st.integers(0, 40), st.one_of(st.none(), st.integers(1, 10**9)))
def test_amounts_are_integer_rupiah(amount: int, members: int, cap: int | None) -> None:
    per_member = Programme(
        amount_rule=AmountRule.PER_MEMBER, amount=amount, cap=cap, budget_ceiling=1
    )
    expected = amount * members if cap is None else min(amount * members, cap)
    assert per_member.amount_for(members) == expected and isinstance(expected, int)
    per_group = Programme(amount_rule=AmountRule.PER_GROUP, amount=amount, budget_ceiling=1)
    assert per_group.amount_for(members) == amount


def test_the_flow_through_the_api(
    client_for: Callable[..., object],
    active_kube: Kube,
    cycle: Cycle,
    officer_bandung: User,
    officer_jabar: User,
    admin_user: User,
    officer_bogor: User,
) -> None:
    regency, province, centre = (
        client_for(u) for u in (officer_bandung, officer_jabar, admin_user)
    )
    made = regency.post(
        "/api/v1/aid/proposals",  # type: ignore[attr-defined]
        {"cycle_id": cycle.pk, "kube_id": active_kube.pk},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["amount"] == 12 * JUTA
    proposal_id = made.json()["id"]
    assert (
        client_for(officer_bogor)
        .get(  # type: ignore[attr-defined]
            "/api/v1/aid/proposals"
        )
        .json()["count"]
        == 0
    )
    early = centre.post(f"/api/v1/aid/cycles/{cycle.pk}/approve")  # type: ignore[attr-defined]
    assert early.status_code == 400
    assert (
        province.post(  # type: ignore[attr-defined]
            f"/api/v1/aid/proposals/{proposal_id}/recommend"
        ).json()["status"]
        == "recommended"
    )
    approved = centre.post(f"/api/v1/aid/cycles/{cycle.pk}/approve")  # type: ignore[attr-defined]
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    programmes = province.get("/api/v1/aid/programmes").json()["items"]  # type: ignore[attr-defined]
    assert programmes[0]["budget_remaining"] == 38 * JUTA


def test_disbursement_and_reconciliation(
    client_for: Callable[..., object],
    active_kube: Kube,
    cycle: Cycle,
    officer_bandung: User,
    officer_jabar: User,
    admin_user: User,
    officer_bogor: User,
) -> None:
    from datetime import date

    proposal = services.proposal_create(
        actor=officer_bandung, cycle_id=cycle.pk, kube_id=active_kube.pk
    )
    with pytest.raises(InvalidInput):  # not approved yet
        services.disbursement_record(
            actor=officer_bandung,
            proposal_id=proposal.pk,
            amount=JUTA,
            day=date(2026, 11, 2),
            reference="TRX0",
        )
    services.proposal_recommend(actor=officer_jabar, proposal_id=proposal.pk)
    services.cycle_approve(actor=admin_user, cycle_id=cycle.pk)
    Kube.objects.filter(pk=active_kube.pk).update(bank_account="0123-01-000001-50-1")
    client = client_for(officer_bandung)
    first = client.post(
        f"/api/v1/aid/proposals/{proposal.pk}/disbursements",  # type: ignore[attr-defined]
        {"amount": 10 * JUTA, "day": "2026-11-02", "reference": "TRX1"},
        content_type="application/json",
    )
    assert first.status_code == 201 and first.json()["account"] == "0123-01-000001-50-1"
    over = client.post(
        f"/api/v1/aid/proposals/{proposal.pk}/disbursements",  # type: ignore[attr-defined]
        {"amount": 3 * JUTA, "day": "2026-11-03", "reference": "TRX2"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert over.status_code == 400 and "Rp2.000.000 is left" in over.json()["detail"]
    twice = client.post(
        f"/api/v1/aid/proposals/{proposal.pk}/disbursements",  # type: ignore[attr-defined]
        {"amount": JUTA, "day": "2026-11-03", "reference": "TRX1"},
        content_type="application/json",
    )
    assert twice.status_code == 400 and twice.json()["field"] == "reference"
    services.disbursement_record(
        actor=officer_bandung,
        proposal_id=proposal.pk,
        amount=2 * JUTA,
        day=date(2026, 11, 4),
        reference="TRX3",
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    statement = SimpleUploadedFile(
        "rekening.csv",
        (
            b"reference,account,amount,date\n"
            b"TRX1,012301000001501,10000000,2026-11-02\n"
            b"TRX9,012301000001501,500000,2026-11-05\n"
            b"TRX3,012301000001501,1500000,2026-11-04\n"
            b"TRX4,012301000001501,abc,2026-11-04\n"
        ),
    )
    result = client.post("/api/v1/aid/reconcile", {"file": statement}).json()  # type: ignore[attr-defined]
    assert result["matched"] == ["TRX1"]
    assert result["mismatched"] == [
        {
            "reference": "TRX3",
            "differences": ["amount"],
            "details": [
                {
                    "field": "amount",
                    "label": "Jumlah",
                    "expected": "Rp2.000.000",
                    "actual": "Rp1.500.000",
                }
            ],
        }
    ]
    assert [u["reference"] for u in result["unknown"]] == ["TRX9"]
    assert result["missing"] == []
    assert result["problems"] == [
        {
            "line": 5,
            "problem": "amount",
            "label": "jumlahnya bukan bilangan bulat rupiah: “abc” "
            "(yang diharapkan seperti 1.234.567,00)",
            "value": "abc",
            "expected": "1.234.567,00",
        }
    ]
    assert result["profile"] == "sinergi" and result["skipped"] == 0
    other = client_for(officer_bogor).post(  # type: ignore[attr-defined]
        "/api/v1/aid/reconcile", {"file": SimpleUploadedFile("r.csv", statement.open().read())}
    )
    assert other.json()["matched"] == []  # Bogor sees none of Bandung's transfers


def test_lpj_reconciles_with_the_disbursement(
    client_for: Callable[..., object],
    active_kube: Kube,
    cycle: Cycle,
    officer_bandung: User,
    officer_jabar: User,
    admin_user: User,
    facilitator_bandung: User,
    make_user: Callable[..., User],
    tmp_path: object,
    settings: object,
) -> None:
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    proposal = _approved(active_kube, cycle, officer_bandung, officer_jabar, admin_user)
    Kube.objects.filter(pk=active_kube.pk).update(bank_account="0123")
    services.disbursement_record(
        actor=officer_bandung,
        proposal_id=proposal.pk,
        amount=12 * JUTA,
        day=date(2026, 11, 2),
        reference="TRX1",
    )
    ketua = client_for(make_user("kube_officer", "32.73"))
    photo = samples.jpeg()

    def add(description: str, amount: int, content: bytes = photo) -> object:
        return ketua.post(
            f"/api/v1/aid/proposals/{proposal.pk}/lpj/items",
            {  # type: ignore[attr-defined]
                "description": description,
                "amount": amount,
                "day": "2026-11-05",
                "receipt": SimpleUploadedFile("nota.jpg", content),
            },
        )

    assert add("Mesin jahit", 8 * JUTA).status_code == 201  # type: ignore[attr-defined]
    bad = add("Kain", JUTA, b"not an image")
    assert bad.status_code == 400 and bad.json()["field"] == "receipt"  # type: ignore[attr-defined]
    body = add("Kain batik", 3 * JUTA).json()  # type: ignore[attr-defined]
    assert (body["spent"], body["received"], body["difference"]) == (11 * JUTA, 12 * JUTA, JUTA)
    ketua.post(f"/api/v1/aid/proposals/{proposal.pk}/lpj/submit")  # type: ignore[attr-defined]
    checker = client_for(facilitator_bandung)
    refused = checker.post(
        f"/api/v1/aid/proposals/{proposal.pk}/lpj/check",  # type: ignore[attr-defined]
        {"accept": True},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400 and "Rp1.000.000" in refused.json()["detail"]
    returned = checker.post(
        f"/api/v1/aid/proposals/{proposal.pk}/lpj/check",  # type: ignore[attr-defined]
        {"accept": False, "note": "Nota Rp1 juta kurang"},
        content_type="application/json",
    ).json()
    assert returned["status"] == "returned"
    add("Benang dan jarum", JUTA)
    ketua.post(f"/api/v1/aid/proposals/{proposal.pk}/lpj/submit")  # type: ignore[attr-defined]
    accepted = checker.post(
        f"/api/v1/aid/proposals/{proposal.pk}/lpj/check",  # type: ignore[attr-defined]
        {"accept": True},
        content_type="application/json",
    ).json()
    assert accepted["status"] == "accepted" and accepted["difference"] == 0
    assert len(accepted["items"]) == 3
    receipt = accepted["items"][0]["receipt_url"]
    got = checker.get(receipt)  # type: ignore[attr-defined]
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"\xff\xd8")
    outsider = client_for(make_user("social_officer", "32.01"))
    assert outsider.get(receipt).status_code == 404  # type: ignore[attr-defined]
    assert client_for(None).get(receipt).status_code == 401  # type: ignore[attr-defined]


def test_cycle_exports_in_both_formats(
    client_for: Callable[..., object],
    active_kube: Kube,
    cycle: Cycle,
    officer_bandung: User,
    officer_jabar: User,
    admin_user: User,
    officer_bogor: User,
) -> None:
    import csv
    import io
    from datetime import date

    from openpyxl import load_workbook

    proposal = _approved(active_kube, cycle, officer_bandung, officer_jabar, admin_user)
    Kube.objects.filter(pk=active_kube.pk).update(bank_account="0123-01", bank_name="BRI")
    services.disbursement_record(
        actor=officer_bandung,
        proposal_id=proposal.pk,
        amount=5 * JUTA,
        day=date(2026, 11, 2),
        reference="TRX1",
    )
    client = client_for(officer_jabar)
    sheet = client.get(
        f"/api/v1/aid/cycles/{cycle.pk}/export",  # type: ignore[attr-defined]
        {"sheet": "disbursement", "fmt": "csv"},
    )
    rows = list(csv.reader(io.StringIO(sheet.content.decode())))
    assert rows[0][-3:] == ["disetujui_rp", "disalurkan_rp", "sisa_rp"]
    assert rows[1][3] == "0123-01" and rows[1][-3:] == ["12000000", "5000000", "7000000"]
    xlsx = client.get(
        f"/api/v1/aid/cycles/{cycle.pk}/export",  # type: ignore[attr-defined]
        {"sheet": "approved", "fmt": "xlsx"},
    )
    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    values = list(book.worksheets[0].iter_rows(values_only=True))
    assert values[1][0] == "KUBE Mawar" and values[1][-1] == 12 * JUTA  # an integer cell
    elsewhere = client_for(officer_bogor).get(  # type: ignore[attr-defined]
        f"/api/v1/aid/cycles/{cycle.pk}/export", {"sheet": "approved", "fmt": "csv"}
    )
    assert elsewhere.content.decode().strip().count("\n") == 0  # header only
    assert AuditEvent.objects.filter(event_type__startswith="aid.cycle.exported").count() == 3
    bad = client.get(f"/api/v1/aid/cycles/{cycle.pk}/export", {"sheet": "x"})  # type: ignore[attr-defined]
    assert bad.status_code == 400


def test_a_programme_can_set_its_own_decile_threshold(
    active_kube: Kube, cycle: Cycle, officer_bandung: User
) -> None:
    Programme.objects.filter(pk=cycle.programme_id).update(max_desil=1)  # members are desil 2
    with pytest.raises(InvalidInput):
        services.proposal_create(actor=officer_bandung, cycle_id=cycle.pk, kube_id=active_kube.pk)
    Programme.objects.filter(pk=cycle.programme_id).update(max_desil=2)
    assert (
        services.proposal_create(
            actor=officer_bandung, cycle_id=cycle.pk, kube_id=active_kube.pk
        ).amount
        == 12 * JUTA
    )


def test_aid_is_once_per_group_across_cycles(
    active_kube: Kube,
    cycle: Cycle,
    officer_bandung: User,
    officer_jabar: User,
    admin_user: User,
) -> None:
    _approved(active_kube, cycle, officer_bandung, officer_jabar, admin_user)
    second = Cycle.objects.create(programme=cycle.programme, number=2)
    with pytest.raises(InvalidInput) as info:
        services.proposal_create(actor=officer_bandung, cycle_id=second.pk, kube_id=active_kube.pk)
    assert info.value.field == "kube"
    Programme.objects.filter(pk=cycle.programme_id).update(allow_previously_aided=True)
    assert (
        services.proposal_create(
            actor=officer_bandung, cycle_id=second.pk, kube_id=active_kube.pk
        ).cycle_id
        == second.pk
    )


def _proposed(kube: Kube, cycle: Cycle, regency: User, province: User) -> Proposal:
    proposal = services.proposal_create(actor=regency, cycle_id=cycle.pk, kube_id=kube.pk)
    return services.proposal_recommend(actor=province, proposal_id=proposal.pk)


def test_a_group_proposed_in_two_cycles_is_approved_once(
    active_kube: Kube,
    cycle: Cycle,
    officer_bandung: User,
    officer_jabar: User,
    admin_user: User,
) -> None:
    """Both proposals pass the proposal-time check; the second approval must still refuse."""
    second = Cycle.objects.create(programme=cycle.programme, number=2)
    first_proposal = _proposed(active_kube, cycle, officer_bandung, officer_jabar)
    late = _proposed(active_kube, second, officer_bandung, officer_jabar)
    services.cycle_approve(actor=admin_user, cycle_id=cycle.pk)
    with translation.override("en"), pytest.raises(InvalidInput) as info:
        services.cycle_approve(actor=admin_user, cycle_id=second.pk)
    assert active_kube.name in info.value.message
    assert "does not allow previously aided groups" in info.value.message
    second.refresh_from_db()
    late.refresh_from_db()
    assert (second.status, late.status) == (CycleStatus.OPEN, ProposalStatus.RECOMMENDED)
    assert list(AidGrant.objects.values_list("proposal_id", "number", "first_only")) == [
        (first_proposal.pk, 1, True)
    ]
    assert services.budget_remaining(cycle.programme) == 38 * JUTA


def test_a_programme_for_aided_groups_may_aid_again_but_not_the_reverse(
    active_kube: Kube,
    cycle: Cycle,
    officer_bandung: User,
    officer_jabar: User,
    admin_user: User,
) -> None:
    """An allowing programme may follow any aid; a first-only one may not follow its grant."""
    follow_up = Programme.objects.create(
        name="Penguatan KUBE", year=2026, funding_source="apbd_province",
        amount_rule=AmountRule.PER_GROUP, amount=5 * JUTA, budget_ceiling=50 * JUTA,
        allow_previously_aided=True,
    )  # fmt: skip
    later = Cycle.objects.create(programme=follow_up, number=1)
    _proposed(active_kube, later, officer_bandung, officer_jabar)
    _proposed(active_kube, cycle, officer_bandung, officer_jabar)
    services.cycle_approve(actor=admin_user, cycle_id=later.pk)
    with pytest.raises(InvalidInput):  # aided by the follow-up first: a first-only one refuses
        services.cycle_approve(actor=admin_user, cycle_id=cycle.pk)
    again = Cycle.objects.create(programme=follow_up, number=2)
    _proposed(active_kube, again, officer_bandung, officer_jabar)
    services.cycle_approve(actor=admin_user, cycle_id=again.pk)
    assert list(AidGrant.objects.values_list("programme_id", "number", "first_only")) == [
        (follow_up.pk, 1, False),
        (follow_up.pk, 2, False),
    ]


def test_the_database_refuses_a_second_first_grant(
    active_kube: Kube,
    cycle: Cycle,
    officer_bandung: User,
    officer_jabar: User,
    admin_user: User,
) -> None:
    """A path that skips the service (admin, script, a future bug) meets the constraints."""
    approved = _approved(active_kube, cycle, officer_bandung, officer_jabar, admin_user)
    second = Cycle.objects.create(programme=cycle.programme, number=2)
    sneaked = Proposal.objects.create(
        cycle=second, kube=active_kube, area_code=active_kube.area_code, member_count=6,
        amount=12 * JUTA, status=ProposalStatus.APPROVED,
    )  # fmt: skip
    for number, first_only in [(1, True), (1, False), (2, True), (0, False)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            AidGrant.objects.create(
                proposal=sneaked, kube=active_kube, programme=cycle.programme,
                number=number, first_only=first_only,
            )  # fmt: skip
    assert AidGrant.objects.get().proposal_id == approved.pk
