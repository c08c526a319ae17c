"""Scoped reads: child rows (purchases, grants) are as visible as their parent, whoever asks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import translation

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


def test_choices_grey_out_groups_that_cannot_be_proposed_with_the_reason(
    cycle: Cycle,
    active_kube: Kube,
    officer_bandung: User,
    officer_jabar: User,
    client_for: Callable[..., Any],
) -> None:
    def choices(user: User = officer_bandung) -> list[tuple[str, str]]:
        with translation.override("en"):
            return [(k.name, why) for k, why in selectors.proposal_choices(actor=user, cycle=cycle)]

    assert choices() == [("KUBE Mawar", "")]
    assert choices(officer_jabar) == []  # only a regency proposes
    Kube.objects.filter(pk=active_kube.pk).update(status=Status.VERIFIED)
    assert choices() == [("KUBE Mawar", "not active yet (status: Verified)")]
    Kube.objects.filter(pk=active_kube.pk).update(status=Status.ACTIVE)
    services.proposal_create(actor=officer_bandung, cycle_id=cycle.pk, kube_id=active_kube.pk)
    assert choices() == [("KUBE Mawar", "already proposed in this cycle")]
    # The same through the picker's own address, as the page's search asks it.
    found = client_for(officer_bandung).get(
        "/pilih/aid_candidate/", {"cycle": cycle.pk, "q": "mawar", "format": "json"}
    )
    assert found.status_code == 200 and "KUBE Mawar" in found.content.decode()
    assert "sudah diusulkan pada tahap ini" in found.content.decode()


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
