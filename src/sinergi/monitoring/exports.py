"""Monitoring exports: the tables behind each dashboard, and the large lists as background jobs.

One writer for both paths: a small export is written in the request, a large one by the task
worker into a file the requester downloads from the exports page, with progress shown while it
runs. Every export of personal data is written to the audit trail with its row count.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.accounts.services import audit_export
from sinergi.core.exports import write_table
from sinergi.kube.models import Kube
from sinergi.monitoring import selectors
from sinergi.monitoring.models import ExportJob, ExportStatus
from sinergi.monitoring.services import reveal_income

Rows = Iterator[Sequence[object]]


@dataclass(frozen=True)
class Kind:
    header: Callable[[], list[str]]
    count: Callable[[Any, str], int]
    rows: Callable[[Any, str], Rows]
    permission: str
    # The audit-trail name of an export of personal data; empty when it holds none.
    audit_as: str = ""

    @property
    def personal(self) -> bool:
        return bool(self.audit_as)


def group_header() -> list[str]:
    return [
        _("Area code"),
        _("Name"),
        _("Business type"),
        _("Status"),
        _("Class"),
    ]


def group_row(kube: Kube) -> list[object]:
    return [
        kube.area_code,
        kube.name,
        kube.business_type.name,
        kube.get_status_display(),
        kube.get_klass_display() if kube.klass else "",
    ]


def _group_rows(actor: Any, code: str) -> Rows:
    for kube in selectors.group_rows(actor, code).iterator(chunk_size=2000):
        yield group_row(kube)


def _income_header() -> list[str]:
    return [
        _("Area code"),
        _("KUBE"),
        _("Month"),
        _("Member"),
        _("NIK"),
        _("Household size"),
        _("Household income (Rp)"),
        _("Per capita (Rp)"),
        _("Poverty line (Rp)"),
        _("Line used"),
        _("Above the line"),
    ]


def _income_rows(actor: Any, code: str) -> Rows:
    for row in selectors.income_rows(actor, code).iterator(chunk_size=2000):
        income, per_capita = reveal_income(row)
        yield [
            row.report.kube.area_code,
            row.report.kube.name,
            f"{row.report.period:%Y-%m}",
            row.person.name,
            row.person.nik_mask,  # masked: an export never carries a full NIK
            row.household_size,
            income,
            per_capita,
            row.line_amount,
            row.line_label,
            _("yes") if row.above_line else _("no"),
        ]


KINDS: dict[str, Kind] = {
    "kelompok": Kind(
        group_header,
        lambda actor, code: selectors.group_rows(actor, code).count(),
        _group_rows,
        permission="monitoring.view_regencyfigures",
    ),
    "pendapatan": Kind(
        _income_header,
        lambda actor, code: selectors.income_rows(actor, code).count(),
        _income_rows,
        permission="monitoring.export_memberincome",
        audit_as="member_income",
    ),
}


def inline_limit() -> int:
    return int(settings.SINERGI_EXPORT_INLINE_MAX)


def audit(actor: Any, kind: str, code: str, rows: int) -> None:
    if KINDS[kind].personal:
        audit_export(actor=actor, what=KINDS[kind].audit_as, rows=rows, area_code=code)


def export_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_job(job_id: int) -> None:
    """Write a job's file, saving progress every 1,000 rows; a failure is recorded, not raised."""
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    actor: User = job.requested_by
    kind = KINDS[job.kind]
    job.status = ExportStatus.RUNNING
    job.rows_total = kind.count(actor, job.area_code)
    job.save(update_fields=["status", "rows_total", "updated_at"])
    name = f"{uuid.uuid4().hex}.{job.fmt}"
    path = export_dir() / name
    partial = path.with_suffix(".part")
    done = 0

    def progress(rows: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=rows)

    try:
        with (
            translation.override(job.language or settings.LANGUAGE_CODE),
            partial.open("wb") as fh,
        ):
            done = write_table(
                fh,
                kind.header(),
                kind.rows(actor, job.area_code),
                job.fmt,
                sheet_name=job.kind,
                progress=progress,
            )
        partial.replace(path)
    except Exception as exc:
        partial.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, error=str(exc)[:300], updated_at=timezone.now()
        )
        return
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE, rows_done=done, file_path=name, updated_at=timezone.now()
    )
    audit(actor, job.kind, job.area_code, done)


def prune(days: int = 7) -> int:
    """Delete export jobs (and their files) finished more than ``days`` ago: personal data is
    not kept longer than the people who asked for it need it."""
    cutoff = timezone.now() - timedelta(days=days)
    old = ExportJob.objects.filter(updated_at__lt=cutoff).exclude(
        status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]
    )
    for name in old.exclude(file_path="").values_list("file_path", flat=True):
        (export_dir() / name).unlink(missing_ok=True)
    count, _rows = old.delete()
    return count
