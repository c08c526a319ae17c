"""The matcher page's "groups waiting" count is kept between requests, never past a change."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sinergi.accounts.models import User
from sinergi.kube.models import Kube, Status
from sinergi.kube.services import kube_transition
from sinergi.mentoring import selectors, services
from sinergi.mentoring.models import Mentor

pytestmark = pytest.mark.django_db


def _counted(actor: User) -> tuple[int, bool]:
    """The count, and whether it was counted now (not the kept figure)."""
    with CaptureQueriesContext(connection) as queries:
        n = selectors.waiting_count(actor)
    counted = any('"kube_kube"' in q["sql"] and "COUNT" in q["sql"] for q in queries)
    return n, counted


def test_the_count_is_kept_until_an_assignment_or_a_group_changes(
    world: dict,
    coordinator: User,
    admin_user: User,
    officer_bogor: User,
    make_mentor: Callable[..., Mentor],
    group_in: Callable[..., Kube],
) -> None:
    assert _counted(coordinator) == (1, True)
    assert _counted(coordinator) == (1, False)  # kept: nothing changed
    assert _counted(admin_user) == (1, True)  # each user's own scope

    # A match sent: the group has a pending offer, so it no longer waits.
    make_mentor("Lilis", "32.01", ["kerajinan"], capacity=1)
    run = services.match_run(actor=coordinator)
    assert _counted(coordinator) == (1, True)  # a proposal changes nothing yet
    services.run_send(actor=coordinator, run_id=run.pk)
    assert _counted(coordinator) == (0, True)
    assert _counted(coordinator) == (0, False)

    # A new group activated: it waits.
    group_in("32.01.01.1001", name="KUBE Anggrek")
    assert _counted(coordinator) == (1, True)
    # A group's status changed (dissolved): it no longer waits.
    kube = Kube.objects.get(name="KUBE Anggrek")
    kube_transition(actor=officer_bogor, kube_id=kube.pk, to_status=Status.DISSOLVED, reason="x")
    assert _counted(coordinator)[0] == selectors.waiting_groups(coordinator, None).count() == 0
