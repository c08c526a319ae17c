"""Facilitators' monthly reports on their groups: saved as drafts, then submitted. A submitted
report is final: nothing but "return for correction" (with a reason, by someone other than
its author) opens it again."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.core.errors import InvalidInput, require_permission
from sinergi.core.events import snapshot
from sinergi.core.four_eyes import require_different
from sinergi.core.models import AuditEvent
from sinergi.core.scoping import access
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
    report = MonthlyReport.objects.select_for_update().filter(kube=kube, month=first).first()
    # Checked before anything else: a later save must not touch a submitted report at all.
    if report and report.status == ReportStatus.SUBMITTED:
        raise InvalidInput(_("This month's report is already submitted."), field="status")
    if not activities.strip():
        raise InvalidInput(_("Describe the month's activities."), field="activities")
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


@transaction.atomic
def report_return(*, actor: Any, report_id: int, reason: str) -> MonthlyReport:
    """Send a submitted report back to be corrected, saying what is wrong; the author then
    edits and submits it again (the audit trail keeps both versions)."""
    require_permission(actor, "mentoring.return_monthlyreport")
    report = access(
        MonthlyReport.objects.select_related("kube"), actor=actor, lock=True, pk=report_id
    )
    if report.status != ReportStatus.SUBMITTED:
        raise InvalidInput(_("Only a submitted report can be returned."), field="status")
    if not reason.strip():
        raise InvalidInput(_("Say what needs correcting."), field="reason")
    require_different(
        actor,
        report.author_id,
        message=_("You wrote this report; someone else must return it for correction."),
    )
    before = snapshot(report, "status", "return_reason")
    report.status = ReportStatus.RETURNED
    report.return_reason = reason.strip()[:2000]
    report.returned_at, report.returned_by = timezone.now(), actor
    report.save(
        update_fields=["status", "return_reason", "returned_at", "returned_by", "updated_at"]
    )
    AuditEvent.record(
        events.REPORT_RETURNED,
        actor=actor,
        obj=report,
        area_code=report.kube.area_code,
        reason=report.return_reason,
        before=before,
        after=snapshot(report, "status", "return_reason"),
    )
    return report
