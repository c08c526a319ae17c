"""The background side of notifications: an event heard, its fan-out queued as a task."""

from __future__ import annotations

import datetime
from typing import Any

from django_tasks import task

from sinergi.core.tasks import recordable_failure
from sinergi.notifications import delivery, services


@task()
@recordable_failure
def fan_out(event_id: int) -> int:
    """Find who must act on the event and queue their messages (one task each)."""
    return services.fan_out(event_id)


@task()
@recordable_failure
def send_digests() -> dict[str, int]:
    """The day's digests, for a scheduler that runs tasks (cron runs the command instead)."""
    return services.send_digests()


@task()
@recordable_failure
def digest_batch(user_ids: list[int], day: str) -> dict[str, int]:
    """One batch of the day's digests (``sinergi manage send_digests --queue``)."""
    return services.send_digests(day=datetime.date.fromisoformat(day), user_ids=user_ids)


def queue_digests(day: datetime.date) -> int:
    """Queue the day's digests as batches of users, for the task workers to share; returns
    how many batches were queued."""
    batches = services.digest_batches(day)
    for ids in batches:
        digest_batch.enqueue(ids, day.isoformat())
    return len(batches)


@task()
@recordable_failure
def send_due() -> dict[str, int]:
    return delivery.send_due()


def on_event(event: Any) -> None:
    """core.events subscriber: hand the event to a task so the action that caused it waits
    for nothing (the subscriber runs after its transaction committed)."""
    fan_out.enqueue(event.pk)
