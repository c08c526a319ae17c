"""Summary tables behind the dashboards, rebuilt by a task from the raw records.

Dashboards never aggregate millions of rows on a page view: they add up at most 514 regency rows
(and 514 × 24 monthly rows), which costs the same for the nation as for one regency. The price
is freshness, so every dashboard shows when the figures were last rebuilt.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone

from sinergi.aid.models import Disbursement, Proposal, ProposalStatus
from sinergi.core import jobs
from sinergi.core.models import JOB_OPEN, Job, JobStatus
from sinergi.kube.models import Kube, Membership, Status
from sinergi.market.models import SALE_AMOUNT, Sale
from sinergi.mentoring.models import (
    ActionItem,
    ActionStatus,
    Agreement,
    Assignment,
    AssignmentStatus,
    Session,
)
from sinergi.mentoring.selectors import agreement_progress
from sinergi.monitoring.jobs import EXPORT, SUMMARY
from sinergi.monitoring.models import (
    Graduation,
    GroupReport,
    RegencyFigures,
    RegencyMonth,
    ReportStatus,
)
from sinergi.monitoring.models import (
    ProposalStatus as GraduationStatus,
)
from sinergi.monitoring.services import add_months, classify_groups, propose_graduations
from sinergi.registry.jobs import EXPORT as REGISTRY_EXPORT

logger = logging.getLogger(__name__)

SERIES_MONTHS = 24
# A rebuild takes minutes at national size; one still open after this lost its worker.
STALE_AFTER = timedelta(hours=2)


def _regency(field: str) -> Substr:
    return Substr(field, 1, 5)


def _month_key(value: date | datetime) -> date:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def _standing(today: date) -> dict[str, dict[str, int]]:
    figures: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for code, status, klass, n in (
        Kube.objects.values_list(_regency("area_code"), "status", "klass")
        .annotate(n=Count("id"))
        .order_by()
    ):
        figures[code][f"groups_{status}"] += n
        if status == Status.ACTIVE and klass:
            figures[code][f"class_{klass}"] += n

    def add(name: str, rows: Any) -> None:
        for code, value in rows:
            figures[code][name] += int(value or 0)

    add(
        "members",
        Membership.objects.filter(end_date__isnull=True, kube__status=Status.ACTIVE)
        .values_list(_regency("kube__area_code"))
        .annotate(n=Count("id"))
        .order_by(),
    )
    add(
        "groups_mentored",
        Assignment.objects.filter(status=AssignmentStatus.ACCEPTED, kube__status=Status.ACTIVE)
        .values_list(_regency("kube__area_code"))
        .annotate(n=Count("kube_id", distinct=True))
        .order_by(),
    )
    add(
        "overdue_actions",
        ActionItem.objects.filter(status=ActionStatus.OPEN, due_on__lt=today)
        .values_list(_regency("kube__area_code"))
        .annotate(n=Count("id"))
        .order_by(),
    )
    add(
        "aid_approved",
        Proposal.objects.filter(status=ProposalStatus.APPROVED)
        .values_list(_regency("area_code"))
        .annotate(s=Sum("amount"))
        .order_by(),
    )
    add(
        "aid_disbursed",
        Disbursement.objects.values_list(_regency("area_code"))
        .annotate(s=Sum("amount"))
        .order_by(),
    )
    for name, status in (
        ("households_graduated", GraduationStatus.CONFIRMED),
        ("graduations_open", GraduationStatus.PROPOSED),
    ):
        add(
            name,
            Graduation.objects.filter(status=status)
            .values_list(_regency("area_code"))
            .annotate(n=Count("id"))
            .order_by(),
        )
    return figures


def _series(start: date) -> dict[tuple[str, date], dict[str, int]]:
    months: dict[tuple[str, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(name: str, rows: Any) -> None:
        for code, month, value in rows:
            months[(code, _month_key(month))][name] += int(value or 0)

    add(
        "sessions",
        Session.objects.filter(held_on__gte=start)
        .values_list(_regency("kube__area_code"), TruncMonth("held_on"))
        .annotate(n=Count("id"))
        .order_by(),
    )
    add(
        "sales",
        Sale.objects.filter(day__gte=start)
        .values_list(_regency("kube__area_code"), TruncMonth("day"))
        .annotate(s=Sum(SALE_AMOUNT))
        .order_by(),
    )
    submitted = GroupReport.objects.filter(period__gte=start, status=ReportStatus.SUBMITTED)
    add(
        "turnover",
        submitted.values_list(_regency("kube__area_code"), "period")
        .annotate(s=Sum("turnover"))
        .order_by(),
    )
    add(
        "reports",
        submitted.values_list(_regency("kube__area_code"), "period")
        .annotate(n=Count("id"))
        .order_by(),
    )
    add(
        "graduations",
        Graduation.objects.filter(status=GraduationStatus.CONFIRMED, decided_at__date__gte=start)
        .values_list(_regency("area_code"), TruncMonth("decided_at"))
        .annotate(n=Count("id"))
        .order_by(),
    )
    return months


def _kpis(today: date) -> list[dict[str, Any]]:
    out = []
    agreements = Agreement.objects.filter(valid_until__gte=today.replace(year=today.year - 1))
    for agreement in agreements.select_related("organisation").prefetch_related("kpis"):
        for progress in agreement_progress(agreement):
            out.append(
                {
                    "agreement": agreement.pk,
                    "number": agreement.number,
                    "title": agreement.title[:120],
                    "area_code": agreement.area_code,
                    "indicator": progress.kpi.indicator,
                    "value": progress.value,
                    "target": progress.kpi.target,
                    "percent": progress.percent,
                }
            )
    return out


def refresh(job: Job | None = None) -> Job:
    """Rebuild every summary table in one transaction: readers see the old or the new, whole.

    The run is a ``core.Job`` of kind ``monitoring.summary`` (the nightly command makes its
    own); its finish time is the freshness every dashboard shows, its result the agreements'
    KPI progress at that time (agreements are few; rows are many)."""
    if job is None:
        job = jobs.create(SUMMARY.code, status=JobStatus.RUNNING)
    started = time.perf_counter()
    today = timezone.localdate()
    start = add_months(today.replace(day=1), -(SERIES_MONTHS - 1))
    standing = _standing(today)
    series = _series(start)
    kpis = _kpis(today)
    fields = {f.name for f in RegencyFigures._meta.fields} - {"id", "regency_code"}
    with transaction.atomic():
        RegencyFigures.objects.all().delete()
        RegencyFigures.objects.bulk_create(
            [
                RegencyFigures(
                    regency_code=code, **{k: v for k, v in values.items() if k in fields}
                )
                for code, values in standing.items()
                if code
            ],
            batch_size=1000,
        )
        RegencyMonth.objects.all().delete()
        RegencyMonth.objects.bulk_create(
            [
                RegencyMonth(regency_code=code, month=month, **values)
                for (code, month), values in series.items()
                if code
            ],
            batch_size=2000,
        )
        jobs.succeed(job, result={"kpis": kpis, "seconds": round(time.perf_counter() - started, 3)})
    return job


def refresh_all(job: Job | None = None) -> dict[str, Any]:
    """Prune old exports, class every active group for last month, propose graduations and
    rebuild the summaries: the nightly command, and the "Refresh figures" button's job."""
    own = job is None
    if job is None:
        job = jobs.create(SUMMARY.code, status=JobStatus.RUNNING)
    try:
        # Exports of personal data are not kept longer than the people who asked need them.
        pruned = jobs.prune(EXPORT.code, days=settings.SINERGI_EXPORT_KEEP_DAYS)
        pruned += jobs.prune(REGISTRY_EXPORT.code, days=settings.SINERGI_EXPORT_KEEP_DAYS)
        last_month = add_months(timezone.localdate().replace(day=1), -1)
        classed = classify_groups(Kube.objects.all(), last_month)
        proposed = propose_graduations()
        refresh(job)
    except Exception as exc:
        # From the command: mark the run failed for the dashboards and log it here (a
        # queued job's failure is logged and recorded by core.jobs.execute).
        if own:
            logger.exception("summary refresh failed (job %s)", job.pk)
            jobs.fail(job, jobs.user_message(exc))
        raise
    return {
        "classed": classed.groups,
        "proposed": proposed,
        "seconds": job.result.get("seconds", 0),
        "exports_pruned": pruned,
    }


def run_refresh(job: Job) -> None:
    refresh_all(job)


def start_refresh(*, actor: Any) -> Job:
    """Queue a rebuild unless one is already waiting or running (a second would only redo it);
    one open for hours lost its worker and no longer counts."""
    jobs.fail_stale(SUMMARY.code, after=STALE_AFTER)
    waiting = Job.objects.filter(kind=SUMMARY.code, status__in=JOB_OPEN).first()
    return waiting or jobs.start(SUMMARY.code, actor=actor)


def latest_run() -> Job | None:
    return jobs.latest(SUMMARY.code, status=JobStatus.SUCCEEDED)


def current_run() -> Job | None:
    """The newest refresh, whatever its state: what the refresh button's progress shows."""
    return jobs.latest(SUMMARY.code)
