"""An officer's steps on an import (upload, save, resume, cancel): the one write path for the
web pages and the API alike, each step one transaction with its declared audit event.

The work itself (checking, saving in chunks, leases) lives in ``imports``; this module is what a
person asks for. It is separate from ``services`` because ``imports`` uses the number
protection of ``services``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sinergi.core.errors import InvalidInput, require_permission
from sinergi.core.events import snapshot
from sinergi.core.models import AuditEvent
from sinergi.core.scoping import access
from sinergi.engines.tabular import TabularError, open_table
from sinergi.registry import events, imports, profiles
from sinergi.registry.mapping import Spec
from sinergi.registry.models import ImportBatch, ImportProfile, ImportStatus

_ADD = "registry.add_importbatch"


def _locked(actor: Any, batch_id: Any) -> ImportBatch:
    # Locked until the step's transaction ends: of two clicks on "Save", the second waits and
    # then finds the batch already saving, so a file is never committed twice.
    require_permission(actor, _ADD)
    return access(ImportBatch.objects, actor=actor, lock=True, pk=batch_id)


def import_upload(
    *, actor: Any, upload: Any, file_name: str, all_or_nothing: bool, profile: str = ""
) -> ImportBatch:
    """Seal the upload, create its batch and queue its check.

    ``profile`` names the layout the file is in: empty for Sinergi's own fixed format (as
    before layouts existed), a layout's name (checked against the file before anything is
    stored: ``profiles.LayoutRefused``), or ``auto``: a file whose columns match a known
    layout is read in it, any other waits for its columns to be mapped (status ``mapping``).
    """
    require_permission(actor, _ADD)
    layout: tuple[str, Spec] | None = None
    waits = False
    if profile and profile != profiles.AUTO:
        chosen = profiles.layout_get(actor=actor, name=profile)
        profiles.require_readable(profiles.upload_opener(upload), chosen.spec)
        layout = (chosen.name, chosen.spec)
    elif profile == profiles.AUTO:
        layout, waits = _recognised(actor, upload)
    # No transaction around it: the upload streams into its sealed file first, and a
    # transaction held open for the minutes a large file takes would pin the connection.
    batch = imports.import_create(
        actor=actor,
        source=upload,
        file_name=file_name,
        all_or_nothing=all_or_nothing,
        layout=layout,
        awaiting_mapping=waits,
    )
    if not waits:
        imports.enqueue(batch, "check")
    return batch


def _recognised(actor: Any, upload: Any) -> tuple[tuple[str, Spec] | None, bool]:
    """(the known layout an upload is in, when one reads the whole file; whether its columns
    wait to be mapped). A file that cannot be read at all is neither: its check reports it."""
    opener = profiles.upload_opener(upload)
    try:
        header = open_table(opener).header
    except TabularError:
        return None, False
    found = profiles.layout_for_header(actor=actor, header=header)
    if found is None:
        return None, True
    try:
        profiles.require_readable(opener, found.spec)
    except profiles.LayoutRefused:
        return None, True  # codes it cannot read: the officer maps them
    return (found.name, found.spec), False


@transaction.atomic
def import_map(
    *, actor: Any, batch_id: Any, spec: Spec, save_as: str = "", header: list[str] | None = None
) -> ImportBatch:
    """Read a batch waiting for its mapping in ``spec`` and queue its check; with ``save_as``
    the layout is also saved for the office, so the next file in it needs no mapping.

    Refused (``profiles.LayoutRefused``, every problem named) before anything changes when
    the spec cannot read the file: a required field unmapped, two columns on one field, a
    code without a mapping.
    """
    batch = _locked(actor, batch_id)
    if batch.status != ImportStatus.MAPPING:
        raise InvalidInput(_("This file's columns are already mapped."))
    file_header = profiles.require_readable(imports.file_opener(batch), spec)
    saved: ImportProfile | None = None
    if save_as.strip():
        saved = profiles.profile_save(
            actor=actor, name=save_as, spec=spec, header=header or file_header
        )
    before = snapshot(batch, "status")
    imports.import_set_layout(batch=batch, name=saved.name if saved else "", spec=spec)
    AuditEvent.record(
        events.IMPORT_MAPPED,
        actor=actor,
        obj=batch,
        area_code=batch.area_code,
        data={"columns": len(spec.mapped()), "profile": saved.pk if saved else None},
        before=before,
        after=snapshot(batch, "status"),
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
