"""An officer's steps on an import (upload, save, resume, cancel): the one write path for the
web pages and the API alike, each step one transaction with its declared audit event.

The work itself (checking, saving in chunks, leases) lives in ``imports``; this module is what a
person asks for. It is separate from ``services`` because ``imports`` uses the number
protection of ``services``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from sinergi.core.errors import require_permission
from sinergi.core.events import snapshot
from sinergi.core.models import AuditEvent
from sinergi.core.scoping import access
from sinergi.registry import events, imports
from sinergi.registry.models import ImportBatch, ImportStatus

_ADD = "registry.add_importbatch"


def _locked(actor: Any, batch_id: Any) -> ImportBatch:
    # Locked until the step's transaction ends: of two clicks on "Save", the second waits and
    # then finds the batch already saving, so a file is never committed twice.
    require_permission(actor, _ADD)
    return access(ImportBatch.objects, actor=actor, lock=True, pk=batch_id)


def import_upload(*, actor: Any, upload: Any, file_name: str, all_or_nothing: bool) -> ImportBatch:
    """Seal the upload, create its batch and queue its check."""
    require_permission(actor, _ADD)
    # No transaction around it: the upload streams into its sealed file first, and a
    # transaction held open for the minutes a large file takes would pin the connection.
    batch = imports.import_create(
        actor=actor, source=upload, file_name=file_name, all_or_nothing=all_or_nothing
    )
    imports.enqueue(batch, "check")
    return batch


@transaction.atomic
def import_commit(*, actor: Any, batch_id: Any) -> ImportBatch:
    """Start saving the valid rows of a checked batch (refused unless it is checked)."""
    batch = _locked(actor, batch_id)
    before = snapshot(batch, "status")
    batch = imports.import_start_commit(actor=actor, batch=batch)
    AuditEvent.record(
        events.IMPORT_COMMIT_STARTED,
        actor=actor,
        obj=batch,
        area_code=batch.area_code,
        data={"valid": batch.rows_valid},
        before=before,
        after=snapshot(batch, "status"),
    )
    return batch


@transaction.atomic
def import_resume(*, actor: Any, batch_id: Any) -> ImportBatch:
    """Resume a batch whose worker stopped (the resume is audited where it happens)."""
    batch = _locked(actor, batch_id)
    imports.import_resume(actor=actor, batch=batch)
    batch.refresh_from_db()
    return batch


@transaction.atomic
def import_cancel(*, actor: Any, batch_id: Any) -> ImportBatch:
    """Stop a batch for good; its file is deleted, rows already saved stay."""
    batch = _locked(actor, batch_id)
    before = snapshot(batch, "status", "rows_committed")
    batch = imports.import_cancel(actor=actor, batch=batch)
    AuditEvent.record(
        events.IMPORT_CANCELLED,
        actor=actor,
        obj=batch,
        area_code=batch.area_code,
        before=before,
        after=snapshot(batch, "status", "rows_committed"),
    )
    return batch


def is_running(batch: ImportBatch) -> bool:
    return batch.status in (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.COMMITTING)
