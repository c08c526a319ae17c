"""Monitoring exports: the tables behind each dashboard, and the large lists as background jobs.

One writer for both paths: a small export is written in the request, a large one by the task
worker into a file the requester downloads from the exports page, with progress shown while it
runs. Every export of personal data is written to the audit trail with its row count.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files import File
from django.utils import translation
from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.accounts.services import audit_export
from sinergi.core import jobs
from sinergi.core.events import EventType
from sinergi.core.exports import write_table
from sinergi.core.models import Job
from sinergi.kube.models import Kube
from sinergi.monitoring import events, selectors
from sinergi.monitoring.jobs import EXPORT
from sinergi.monitoring.services import reveal_income

Rows = Iterator[Sequence[object]]


@dataclass(frozen=True)
class Kind:
    header: Callable[[], list[str]]
    count: Callable[[Any, str], int]
    rows: Callable[[Any, str], Rows]
    permission: str
    # The audit event of an export of personal data; None when it holds none.
    audit_as: EventType | None = None

    @property
    def personal(self) -> bool:
        return self.audit_as is not None


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
        kube.business_type.label,
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
        audit_as=events.MEMBER_INCOME_EXPORTED,
    ),
}


def inline_limit() -> int:
    return int(settings.SINERGI_EXPORT_INLINE_MAX)


def audit(actor: Any, kind: str, code: str, rows: int) -> None:
    what = KINDS[kind].audit_as
    if what is not None:
        audit_export(actor=actor, what=what, rows=rows, area_code=code)


def start_export(*, actor: Any, kind: str, fmt: str, area_code: str, rows: int) -> Job:
    """Queue a large export; the worker writes its file into the default storage."""
    return jobs.start(
        EXPORT.code,
        actor=actor,
        area_code=area_code,
        total=rows,
        params={
            "export": kind,
            "fmt": fmt,
            "language": translation.get_language() or "",
            "personal": KINDS[kind].personal,
        },
    )


def run_export(job: Job) -> None:
    """Write a job's file (progress every 1,000 rows) to an unnamed temporary file, then hand
    it to the storage: nothing of it sits under a path, and the web machine that serves the
    download reads it from the storage, wherever the worker ran."""
    actor: User | None = job.created_by
    if actor is None:
        raise jobs.JobError(_("The person who asked for this export no longer exists."))
    kind_code, fmt = job.params["export"], job.params["fmt"]
    kind = KINDS[kind_code]
    jobs.progress(job, 0, kind.count(actor, job.area_code))
    with (
        translation.override(job.params.get("language") or settings.LANGUAGE_CODE),
        tempfile.TemporaryFile() as fh,
    ):
        done = write_table(
            fh,
            kind.header(),
            kind.rows(actor, job.area_code),
            fmt,
            sheet_name=kind_code,
            progress=lambda rows: jobs.progress(job, rows),
        )
        fh.seek(0)
        name = f"{kind_code}-{job.area_code or 'ID'}.{fmt}"
        jobs.save_result(job, File(fh), download_name=name)
    jobs.progress(job, done, done)
    audit(actor, kind_code, job.area_code, done)
    jobs.succeed(job, result={"rows": done})


def audit_download(actor: Any, job: Job) -> None:
    audit(actor, job.params["export"], job.area_code, job.progress_done)


def my_exports(actor: Any, limit: int = 30) -> list[Job]:
    return list(jobs.visible(actor).filter(kind=EXPORT.code, created_by=actor)[:limit])
