"""Background work for the registry: checking and committing imports, duplicate scans.

Every task re-raises its failure as storable text (core.tasks), so no file can make the
worker fail to record a failure and exit.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from sinergi.core.tasks import recordable_failure


@task()
@recordable_failure
def check_import(batch_id: str, token: str = "") -> dict[str, Any]:
    from sinergi.registry.imports import import_check

    batch = import_check(batch_id, token=token)
    return {"status": batch.status, "valid": batch.rows_valid, "rejected": batch.rows_rejected}


@task()
@recordable_failure
def commit_import(batch_id: str, token: str = "") -> dict[str, Any]:
    """Cut a checked batch into chunks and deal them out as ``commit_chunk`` tasks."""
    from sinergi.registry.imports import import_commit

    batch = import_commit(batch_id, token=token, deal_out=True)
    return {"status": batch.status, "step": batch.step, "chunks": batch.chunks.count()}


@task()
@recordable_failure
def commit_chunk(batch_id: str, number: int, token: str) -> str:
    """Commit one chunk of a batch; any number of workers run these side by side."""
    from sinergi.registry.imports import import_commit_chunk

    return import_commit_chunk(batch_id, number, token)


@task()
@recordable_failure
def after_import(batch_id: str) -> dict[str, Any]:
    """The duplicate check once a batch is saved, queued once by the chunk that closed it."""
    from sinergi.registry.dedupe import dedupe_new_rows
    from sinergi.registry.models import ImportBatch

    batch = ImportBatch.objects.get(pk=batch_id)
    found = dedupe_new_rows(batch).created if batch.rows_committed else 0
    return {"status": batch.status, "committed": batch.rows_committed, "candidates": found}


@task()
@recordable_failure
def watch_import(batch_id: str) -> str:
    """Resume the batch (or its chunks) if a worker died; look again later while it runs."""
    from django.conf import settings
    from django.utils import timezone

    from sinergi.registry import deferred_indexes
    from sinergi.registry.imports import RUNNING, resume_if_stale, watch_later
    from sinergi.registry.models import ImportBatch, ImportStatus

    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status not in (ImportStatus.QUEUED, *RUNNING):
        # Its end put back any indexes a first load left out; should that end have died
        # between saving and building, the watch is what comes after it.
        deferred_indexes.ensure()
        return "done"
    if batch.step == "chunks":
        # The chunks hold their own leases: reset the dead ones, keep watching the batch.
        resumed = resume_if_stale(batch)
        watch_later(batch_id)
        return "resumed chunks" if resumed else "running"
    if resume_if_stale(batch):
        return "resumed"  # the resumed run comes with a watch of its own
    lease = settings.SINERGI_IMPORT_LEASE_SECONDS
    beat = batch.heartbeat_at or timezone.now()
    watch_later(batch_id, max(1.0, lease + 1 - (timezone.now() - beat).total_seconds()))
    return "running"


@task()
@recordable_failure
def scan_duplicates(area_code: str | None = None) -> int:
    """The full duplicate scan of an area: one ``scan_district`` task per district, so each
    task holds one district and the districts run on every worker there is."""
    from sinergi.registry.dedupe import districts

    found = districts(area_code)
    for district in found:
        scan_district.enqueue(district)
    return len(found)


@task()
@recordable_failure
def scan_district(district: str) -> int:
    from sinergi.registry.dedupe import dedupe_district

    return dedupe_district(district)
