"""Aid fixtures: an active group of Bandung, an open cycle, and the steps up to a payment."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from sinergi.accounts.models import User
from sinergi.aid import services
from sinergi.aid.models import AmountRule, Cycle, Programme, Proposal
from sinergi.kube.models import Kube, Status
from sinergi.kube.services import kube_transition
from tests.kube.test_services import _form, _heads

JUTA = 1_000_000


@pytest.fixture
def active_kube(officer_bandung: User, officer_jabar: User) -> Kube:
    kube, _ = _form(officer_bandung, _heads(officer_bandung, 6))
    # Four eyes: the province verifies what Bandung submitted; Bandung activates.
    for step, actor in (
        (Status.SUBMITTED, officer_bandung),
        (Status.VERIFIED, officer_jabar),
        (Status.ACTIVE, officer_bandung),
    ):
        kube_transition(actor=actor, kube_id=kube.pk, to_status=step)
    Kube.objects.filter(pk=kube.pk).update(bank_account="0123-01-000001-50-1", bank_name="BRI")
    kube.refresh_from_db()
    return kube


@pytest.fixture
def cycle() -> Cycle:
    programme = Programme.objects.create(
        name="Bantuan Stimulan UEP KUBE",
        year=2026,
        funding_source="apbn",
        amount_rule=AmountRule.PER_MEMBER,
        amount=2 * JUTA,
        cap=20 * JUTA,
        budget_ceiling=50 * JUTA,
    )
    return Cycle.objects.create(programme=programme, number=1)


def approved(kube: Kube, cycle: Cycle, regency: User, province: User, centre: User) -> Proposal:
    """Propose, recommend and approve one group: the common start of the payment tests."""
    proposal = services.proposal_create(actor=regency, cycle_id=cycle.pk, kube_id=kube.pk)
    services.proposal_recommend(actor=province, proposal_id=proposal.pk)
    services.cycle_approve(actor=centre, cycle_id=cycle.pk)
    proposal.refresh_from_db()
    return proposal


@pytest.fixture
def paid_proposal(
    active_kube: Kube, cycle: Cycle, officer_bandung: User, officer_jabar: User, admin_user: User
) -> Proposal:
    """Approved for Rp12.000.000 and paid in full: ready for its fund-use report."""
    proposal = approved(active_kube, cycle, officer_bandung, officer_jabar, admin_user)
    services.disbursement_record(
        actor=officer_bandung,
        proposal_id=proposal.pk,
        amount=12 * JUTA,
        day=date(2026, 11, 2),
        reference="TRX1",
    )
    return proposal


@pytest.fixture
def media(tmp_path: object, settings: object) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]


@pytest.fixture
def ketua(make_user: object) -> User:
    """The KUBE officer who writes the group's report (Bandung)."""
    return make_user("kube_officer", "32.73", first_name="Siti")  # type: ignore[operator]


def opened(client: Any, url: str) -> dict[str, str]:
    """The hidden fields a page's report form carries (its version stamp), as a browser
    sends them back."""
    import re

    page = client.get(url).content.decode()
    found = re.search(r'name="record_version" value="([^"]*)"', page)
    return {"record_version": found[1]} if found else {}
