"""A group that closes ends its mentoring through the kube "group closed" hook, not a signal."""

from __future__ import annotations

import pytest
from django.db.models.signals import post_save

from sinergi.accounts.models import User
from sinergi.kube import hooks
from sinergi.kube.models import Kube, Status, Transition
from sinergi.kube.services import kube_transition
from sinergi.mentoring import services
from sinergi.mentoring.models import Assignment, AssignmentStatus, EndReason
from tests.mentoring.conftest import offer_and_accept

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("closing", [Status.GRADUATED, Status.DISSOLVED])
def test_closing_a_group_ends_its_assignment_with_the_reason(
    closing: str, group_in, make_mentor, coordinator: User, account_for, officer_bandung: User
) -> None:
    kube = group_in("32.73.01.1001")
    other = group_in("32.73.01.1001")
    rina = make_mentor("Rina", "32.73", ["makanan_minuman"], capacity=2)
    offer_and_accept(coordinator, account_for)
    kube_transition(
        actor=officer_bandung, kube_id=kube.pk, to_status=closing, reason="Usaha sudah mandiri"
    )
    row = Assignment.objects.get(kube=kube, mentor=rina)
    assert (row.status, row.end_reason, row.end_note) == (
        AssignmentStatus.ENDED,
        EndReason.GROUP_CLOSED,
        "Usaha sudah mandiri",
    )
    assert row.end_date is not None
    # The other group of the same mentor keeps her.
    assert Assignment.objects.get(kube=other, mentor=rina).status == AssignmentStatus.ACCEPTED
    mentor_account = User.objects.filter(mentor=rina).first()
    assert list(services.mentoring_groups(mentor_account)) == [other]


def test_a_pending_offer_is_withdrawn_when_the_group_dissolves(
    group_in, make_mentor, coordinator: User, officer_bandung: User
) -> None:
    kube = group_in("32.73.01.1001")
    make_mentor("Rina", "32.73", ["makanan_minuman"])
    run = services.match_run(actor=coordinator)
    services.run_send(actor=coordinator, run_id=run.pk)
    kube_transition(
        actor=officer_bandung, kube_id=kube.pk, to_status=Status.DISSOLVED, reason="Bubar"
    )
    row = Assignment.objects.get(kube=kube, run=run)
    assert (row.status, row.end_note) == (AssignmentStatus.ENDED, "Bubar")


def test_a_failing_hook_keeps_the_group_open(
    group_in, make_mentor, coordinator: User, account_for, officer_bandung: User
) -> None:
    """The hooks run inside the transition's transaction: all or nothing."""
    kube = group_in("32.73.01.1001")
    make_mentor("Rina", "32.73", ["makanan_minuman"])
    offer_and_accept(coordinator, account_for)

    def broken(kube: Kube, *, reason: str, actor: object) -> None:
        raise RuntimeError("boom")

    hooks.on_group_closed(broken)
    try:
        with pytest.raises(RuntimeError):
            kube_transition(
                actor=officer_bandung, kube_id=kube.pk, to_status=Status.GRADUATED, reason="x"
            )
    finally:
        hooks._HANDLERS.remove(broken)
    kube.refresh_from_db()
    assert kube.status == Status.ACTIVE
    assert Assignment.objects.get(kube=kube).status == AssignmentStatus.ACCEPTED


def test_mentoring_registers_its_hook_and_no_signal() -> None:
    assert services.end_for_closed_group in hooks.handlers()
    assert not post_save.has_listeners(Transition)
