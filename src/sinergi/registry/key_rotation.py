"""Re-encrypting every stored personal value under the active key (``rotate_pii_key``).

The work is ``core.crypto.rotate_batch`` over each column of ``crypto.ENCRYPTED_COLUMNS`` (NIK,
KK number, member incomes, authenticator secrets), in primary-key order. Its progress is one
``core.Job`` (kind ``registry.key_rotation``) whose result holds a cursor per column; each
batch and its cursor commit together, so a run killed at any point continues, when started
again, from the last committed batch (a batch redone finds its rows already under the new key
and skips them). The site keeps running meanwhile: reads accept every key of the ring, new
writes use the active key, and a row the site rewrites during the run is never overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from sinergi.core import crypto, jobs
from sinergi.core.models import AuditEvent, Job, JobStatus
from sinergi.registry import events
from sinergi.registry.jobs import KEY_ROTATION

DEFAULT_BATCH = 5000


def open_rotation(target: str) -> Job | None:
    """The unfinished rotation to ``target`` (a rerun continues it), if any."""
    return (
        Job.objects.filter(
            kind=KEY_ROTATION.code,
            params__target=target,
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED],
        )
        .order_by("-created_at", "-id")
        .first()
    )


def _total() -> int:
    from django.apps import apps

    return sum(
        apps.get_model(app, model)._default_manager.count()
        for app, model, _field in crypto.ENCRYPTED_COLUMNS
    )


def rotate(
    *,
    actor: Any = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[str, int, int], None] | None = None,
) -> Job:
    """Re-encrypt every value not under the active key; returns the finished Job, whose result
    says per column how many values were re-encrypted and how many remain under another key
    (values the site wrote with an old key during the run, from a server not yet restarted:
    run again)."""
    target = crypto.keyring().active
    job = open_rotation(target)
    if job is None:
        with transaction.atomic():
            job = jobs.create(
                KEY_ROTATION.code,
                actor=actor,
                params={"target": target},
                total=_total(),
                status=JobStatus.RUNNING,
                result={"columns": {}},
            )
            AuditEvent.record(
                events.KEY_ROTATION_STARTED, actor=actor, obj=job, data={"target": target}
            )
    else:
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, error="")
    columns: dict[str, Any] = dict((job.result or {}).get("columns", {}))
    done = job.progress_done
    for column in crypto.ENCRYPTED_COLUMNS:
        label = crypto.column_label(column)
        state = dict(columns.get(label) or {"after": 0, "rotated": 0, "done": False})
        while not state["done"]:
            with transaction.atomic():
                batch = crypto.rotate_batch(column, after=state["after"], size=batch_size)
                state = {
                    "after": batch.last_pk,
                    "rotated": state["rotated"] + batch.rotated,
                    "done": batch.done,
                }
                columns[label] = state
                done += batch.scanned
                Job.objects.filter(pk=job.pk).update(
                    result={"columns": columns}, progress_done=done
                )
            if progress is not None:
                progress(label, done, job.progress_total)
    usage = crypto.key_usage()
    left = {
        label: sum(n for kid, n in counts.items() if kid != target)
        for label, counts in usage.items()
    }
    result = {"columns": columns, "left": left, "usage": usage}
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.SUCCEEDED,
            result=result,
            progress_done=max(done, job.progress_total),
            finished_at=timezone.now(),
        )
        AuditEvent.record(
            events.KEY_ROTATION_FINISHED,
            actor=actor,
            obj=job,
            data={
                "target": target,
                "rotated": sum(s["rotated"] for s in columns.values()),
                "left": sum(left.values()),
            },
        )
    job.refresh_from_db()
    return job
