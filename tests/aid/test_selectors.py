"""Scoped reads: child rows (purchases, grants) are as visible as their parent, whoever asks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from sinergi.accounts.models import User
from sinergi.aid import selectors, services
from sinergi.aid.models import AidGrant, Cycle, LpjItem, Proposal
from sinergi.kube.models import Kube, Status
from tests import samples
from tests.aid.conftest import JUTA

pytestmark = pytest.mark.django_db


def test_purchases_and_grants_scope_through_their_parent(
    paid_proposal: Proposal,
    ketua: User,
    media: None,
    officer_bandung: User,
    officer_bogor: User,
    officer_jabar: User,
    make_user: Callable[..., User],
) -> None:
    item = services.lpj_add_item(
        actor=ketua, proposal_id=paid_proposal.pk, description="Mesin jahit", amount=JUTA,
        day=date(2026, 11, 5), receipt=SimpleUploadedFile("n.png", samples.png()),
    )  # fmt: skip
    seen = {
        "regency": officer_bandung,
        "province": officer_jabar,
        "other regency": officer_bogor,
        "mentor": make_user("mentor", "32.73"),
    }
    visible = {
        who: LpjItem.objects.for_user(user, permission="aid.view_lpj").filter(pk=item.pk).exists()
        for who, user in seen.items()
    }
    assert visible == {
        "regency": True,
        "province": True,
        "other regency": False,
        "mentor": False,
    }
    assert AidGrant.objects.for_user(officer_bandung, permission="aid.view_proposal").count() == 1
    assert AidGrant.objects.for_user(officer_bogor, permission="aid.view_proposal").count() == 0
    assert (
        selectors.lpj_item_get(actor=officer_jabar, proposal_id=paid_proposal.pk, item_id=item.pk)
        == item
    )
    with pytest.raises(Http404):
        selectors.lpj_item_get(actor=officer_bogor, proposal_id=paid_proposal.pk, item_id=item.pk)
    with pytest.raises(Http404):  # right item, wrong proposal in the path
        selectors.lpj_item_get(
            actor=officer_jabar, proposal_id=paid_proposal.pk + 1, item_id=item.pk
        )


def test_a_group_officer_sees_only_its_own_group(
    paid_proposal: Proposal, make_user: Callable[..., User]
) -> None:
    own = make_user("kube_officer", "32.73")
    own.kube_id = paid_proposal.kube_id  # the account of the proposal's group
    other = make_user("kube_officer", "32.73")
    assert list(selectors.proposal_list(actor=own)) == [paid_proposal]
    other.kube_id = paid_proposal.kube_id + 1000  # bound to another group
    assert list(selectors.proposal_list(actor=other)) == []
    assert list(selectors.disbursement_list(actor=other)) == []


def test_candidates_are_active_groups_for_a_regency_only(
    cycle: Cycle, active_kube: Kube, officer_bandung: User, officer_jabar: User
) -> None:
    assert list(selectors.proposal_candidates(actor=officer_bandung, cycle=cycle)) == [active_kube]
    assert not selectors.proposal_candidates(actor=officer_jabar, cycle=cycle).exists()
    Kube.objects.filter(pk=active_kube.pk).update(status=Status.VERIFIED)
    assert not selectors.proposal_candidates(actor=officer_bandung, cycle=cycle).exists()


def test_steps_follow_role_and_level(
    cycle: Cycle,
    officer_bandung: User,
    officer_jabar: User,
    admin_user: User,
    facilitator_bandung: User,
) -> None:
    def steps(user: User) -> set[str]:
        return {k for k, v in selectors.cycle_steps(actor=user, cycle=cycle).items() if v}

    assert steps(officer_bandung) == {"propose", "disburse"}
    assert steps(officer_jabar) == {"recommend", "reject", "disburse"}
    assert steps(admin_user) == {"recommend", "reject", "approve", "disburse"}
    assert steps(facilitator_bandung) == set()
