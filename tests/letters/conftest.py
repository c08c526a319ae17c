"""Letters fixtures: a record at the step of each kind of letter, in Kota Bandung."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.aid.models import Disbursement, Proposal
from sinergi.kube.models import Kube
from sinergi.letters.models import Kind
from sinergi.mentoring.models import Assignment
from sinergi.monitoring.models import Graduation
from tests.aid.conftest import active_kube, cycle, paid_proposal  # noqa: F401 - fixtures
from tests.factories import MentorFactory
from tests.letters.helpers import sign


@pytest.fixture(autouse=True)
def media(tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def signed(db: Any) -> None:
    """Kota Bandung's and Jawa Barat's templates carry a signatory."""
    sign("32.73")
    sign("32")


@pytest.fixture
def mentor_user(make_user: Any) -> User:
    return bound(make_user("mentor", "32.73"), mentor=MentorFactory(name="Ibu Ratna Sari"))


def bound(user: User, **link: Any) -> User:
    """A mentor's or a group officer's account tied to its record (as the admin does)."""
    for name, value in link.items():
        setattr(user, name, value)
    user.save(update_fields=list(link))
    return user


@pytest.fixture
def records(
    paid_proposal: Proposal,  # noqa: F811 - the fixture imported above
    mentor_user: User,
    officer_bandung: User,
) -> dict[str, Any]:
    """One record per kind of letter, each at the step its letter decides."""
    kube: Kube = paid_proposal.kube
    assignment = Assignment.objects.create(
        kube=kube,
        mentor=mentor_user.mentor,
        status="accepted",
        start_date=date(2026, 11, 3),
    )
    member = kube.memberships.select_related("person").order_by("id").last()
    assert member is not None
    graduation = Graduation.objects.create(
        household=member.person.household,
        kube=kube,
        person=member.person,
        area_code=member.person.area_code,
        months=["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"],
        status="confirmed",
        decided_by=officer_bandung,
        decided_at=timezone.now() - timedelta(days=1),
    )
    disbursement = Disbursement.objects.get(proposal=paid_proposal)
    return {
        "kube": kube,
        "member": member.person,
        "mentor": mentor_user,
        Kind.KUBE_DECREE: kube.pk,
        Kind.PROPOSAL_PROVINCE: paid_proposal.cycle_id,
        Kind.PROPOSAL_CENTRE: paid_proposal.cycle_id,
        Kind.HANDOVER: disbursement.pk,
        Kind.MENTORING: assignment.pk,
        Kind.GRADUATION: graduation.pk,
    }
