"""Facilitators' monthly reports on their groups: saved as drafts, then submitted (final)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.core.errors import InvalidInput
from sinergi.core.events import snapshot
from sinergi.core.models import AuditEvent
from sinergi.mentoring import events
from sinergi.mentoring.models import MonthlyReport, ReportStatus
from sinergi.mentoring.selectors import month_facts, month_start, report_group

REPORT_FIELDS = ("status", "activities", "problems", "follow_up")


@transaction.atomic
def report_save(
    *,
    actor: Any,
    kube_id: int,
    month: str,
    activities: str,
    problems: str = "",
    follow_up: str = "",
    submit: bool = False,
) -> MonthlyReport:
    """Save (and optionally submit) a facilitator's monthly report; submitted ones are final."""
    kube = report_group(actor, kube_id, write=True)
    first = month_start(month)
    if not activities.strip():
        raise InvalidInput(_("Describe the month's activities."), field="activities")
    report = MonthlyReport.objects.select_for_update().filter(kube=kube, month=first).first()
    if report and report.status == ReportStatus.SUBMITTED:
        raise InvalidInput(_("This month's report is already submitted."), field="status")
    report = report or MonthlyReport(kube=kube, month=first, author=actor)
    before = snapshot(report, *REPORT_FIELDS) if report.pk else {}
    report.activities = activities.strip()
    report.problems = problems.strip()
    report.follow_up = follow_up.strip()
    report.facts = month_facts(kube, first)
    if submit:
        report.status, report.submitted_at = ReportStatus.SUBMITTED, timezone.now()
    report.save()
    AuditEvent.record(
        events.REPORT_SUBMITTED if submit else events.REPORT_SAVED,
        actor=actor,
        obj=report,
        area_code=kube.area_code,
        before=before,
        after=snapshot(report, *REPORT_FIELDS),
    )
    return report
