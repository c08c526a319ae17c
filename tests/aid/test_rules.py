"""Aid only for active groups, four eyes on every decision, and every step in the audit trail
with words and old/new values."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation

from sinergi.accounts.models import User
from sinergi.aid import events, services
from sinergi.aid.models import Cycle, CycleStatus, Disbursement, Proposal, ProposalStatus
from sinergi.core.errors import Forbidden, InvalidInput
from sinergi.core.events import label_of
from sinergi.core.models import AuditEvent
from sinergi.kube.models import Kube, Status
from sinergi.kube.services import kube_transition
from tests.aid.conftest import JUTA, approved

pytestmark = pytest.mark.django_db


def test_a_verified_group_cannot_be_proposed(
    cycle: Cycle, active_kube: Kube, officer_bandung: User
) -> None:
    Kube.objects.filter(pk=active_kube.pk).update(status=Status.VERIFIED)
    with translation.override("en"), pytest.raises(InvalidInput) as info:
        services.proposal_create(actor=officer_bandung, cycle_id=cycle.pk, kube_id=active_kube.pk)
    assert info.value.field == "kube"
    assert info.value.message == (
        "Aid is only for active groups: KUBE Mawar (status: Verified) is not active."
    )
    assert not Proposal.objects.exists()


def test_a_group_no_longer_active_is_not_approved(
    cycle: Cycle,
    active_kube: Kube,
    officer_bandung: User,
    officer_jabar: User,
    admin_user: User,
) -> None:
    proposal = services.proposal_create(
        actor=officer_bandung, cycle_id=cycle.pk, kube_id=active_kube.pk
    )
    services.proposal_recommend(actor=officer_jabar, proposal_id=proposal.pk)
    kube_transition(
        actor=officer_bandung, kube_id=active_kube.pk, to_status=Status.DISSOLVED, reason="bubar"
    )
    with translation.override("en"), pytest.raises(InvalidInput) as info:
        services.cycle_approve(actor=admin_user, cycle_id=cycle.pk)
    assert "not active: KUBE Mawar (status: Dissolved)." in info.value.message
    cycle.refresh_from_db()
    proposal.refresh_from_db()
    assert (cycle.status, proposal.status) == (CycleStatus.OPEN, ProposalStatus.RECOMMENDED)
    assert not proposal.cycle.programme.grants.exists()


def test_money_goes_only_to_an_active_group(
    cycle: Cycle,
    active_kube: Kube,
    officer_bandung: User,
    officer_jabar: User,
    admin_user: User,
    client_for: Callable[..., object],
) -> None:
    proposal = approved(active_kube, cycle, officer_bandung, officer_jabar, admin_user)
    Kube.objects.filter(pk=active_kube.pk).update(status=Status.VERIFIED)
    refused = client_for(officer_bandung).post(  # type: ignore[attr-defined]
        f"/api/v1/aid/proposals/{proposal.pk}/disbursements",
        {"amount": JUTA, "day": "2026-11-02", "reference": "TRX1"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400
    assert refused.json()["field"] == "proposal"
    assert "KUBE Mawar (status: Verified) is not active" in refused.json()["detail"]
    assert not Disbursement.objects.exists()
    Kube.objects.filter(pk=active_kube.pk).update(status=Status.ACTIVE)
    services.disbursement_record(
        actor=officer_bandung, proposal_id=proposal.pk, amount=JUTA, day=date(2026, 11, 2),
        reference="TRX1",
    )  # fmt: skip
    assert Disbursement.objects.count() == 1


def test_who_proposed_or_recommended_cannot_decide(
    cycle: Cycle,
    active_kube: Kube,
    officer_bandung: User,
    admin_user: User,
    make_user: Callable[..., User],
    client_for: Callable[..., object],
) -> None:
    proposal = services.proposal_create(
        actor=officer_bandung, cycle_id=cycle.pk, kube_id=active_kube.pk
    )
    services.proposal_recommend(actor=admin_user, proposal_id=proposal.pk)
    refused = client_for(admin_user).post(f"/api/v1/aid/cycles/{cycle.pk}/approve")  # type: ignore[attr-defined]
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    # The page says so instead of offering a button that would be refused.
    page = client_for(admin_user).get(f"/bantuan/tahap/{cycle.pk}/setujui/").content.decode()  # type: ignore[attr-defined]
    assert "orang lain yang harus menyetujuinya" in page and 'name="confirm"' not in page
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN
    services.cycle_approve(actor=make_user("national_admin", None), cycle_id=cycle.pk)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.APPROVED


def test_who_submitted_a_report_cannot_check_it(
    paid_proposal: Proposal,
    media: None,
    make_user: Callable[..., User],
    client_for: Callable[..., Any],
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests import samples

    both = make_user("facilitator", "32.73")
    both.user_permissions.add(Permission.objects.get(codename="add_lpjitem"))
    both = User.objects.get(pk=both.pk)  # permissions are cached per object
    services.lpj_add_item(
        actor=both, proposal_id=paid_proposal.pk, description="Mesin jahit", amount=12 * JUTA,
        day=date(2026, 11, 5), receipt=SimpleUploadedFile("n.png", samples.png()),
    )  # fmt: skip
    services.lpj_submit(actor=both, proposal_id=paid_proposal.pk)
    page = client_for(both).get(f"/bantuan/usulan/{paid_proposal.pk}/lpj/").content.decode()
    assert "orang lain yang harus memeriksanya" in page and "/lpj/terima/" not in page
    with pytest.raises(Forbidden):
        services.lpj_accept(actor=both, proposal_id=paid_proposal.pk)
    with pytest.raises(Forbidden):
        services.lpj_return(actor=both, proposal_id=paid_proposal.pk, reason="nota kurang")
    services.lpj_accept(actor=make_user("facilitator", "32.73"), proposal_id=paid_proposal.pk)
    assert Proposal.objects.get(pk=paid_proposal.pk).lpj.status == "accepted"


def test_a_regency_cannot_reject_a_proposal(
    cycle: Cycle, active_kube: Kube, officer_bandung: User, make_user: Callable[..., User]
) -> None:
    proposal = services.proposal_create(
        actor=officer_bandung, cycle_id=cycle.pk, kube_id=active_kube.pk
    )
    colleague = make_user("social_officer", "32.73")
    with pytest.raises(Forbidden):
        services.proposal_reject(actor=colleague, proposal_id=proposal.pk, reason="tidak layak")
    assert Proposal.objects.get().status == ProposalStatus.PROPOSED


def test_every_step_is_declared_and_keeps_old_and_new_status(
    paid_proposal: Proposal, media: None, ketua: User, facilitator_bandung: User
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests import samples

    services.lpj_add_item(
        actor=ketua, proposal_id=paid_proposal.pk, description="Mesin jahit", amount=11 * JUTA,
        day=date(2026, 11, 5), receipt=SimpleUploadedFile("n.png", samples.png()),
    )  # fmt: skip
    services.lpj_submit(actor=ketua, proposal_id=paid_proposal.pk)
    services.lpj_return(actor=facilitator_bandung, proposal_id=paid_proposal.pk, reason="Kurang")
    changes = {
        e.event_type: e.changes for e in AuditEvent.objects.filter(event_type__startswith="aid.")
    }
    assert changes["aid.proposal.proposed"] == {"status": [None, "proposed"]}
    assert changes["aid.proposal.recommended"]["status"] == ["proposed", "recommended"]
    assert changes["aid.cycle.approved"] == {"status": ["open", "approved"]}
    assert changes["aid.lpj.submitted"] == {"status": ["draft", "submitted"]}
    assert changes["aid.lpj.returned"] == {"status": ["submitted", "returned"]}
    # Every code written has a label in both languages, never the code itself.
    for code in changes:
        with translation.override("en"):
            english = label_of(code)
        with translation.override("id"):
            indonesian = label_of(code)
        assert english != code and indonesian != code and english != indonesian
    assert events.CYCLE_EXPORTED["approved"].code == "aid.cycle.exported_approved"
