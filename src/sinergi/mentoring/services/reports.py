"""Facilitators' monthly reports on their groups: saved as drafts, then submitted. A submitted
report is final: nothing but "return for correction" (with a reason, by someone other than
its author) opens it again."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.core.corrections import refuse_if_submitted, return_for_correction
from sinergi.core.errors import InvalidInput, require_permission
from sinergi.core.events import snapshot
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
    refuse_if_submitted(report, _("This month's report is already submitted."))
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
    return return_for_correction(
        report,
        actor=actor,
        reason=reason,
        author=report.author_id,
        event=events.REPORT_RETURNED,
        area_code=report.kube.area_code,
        own_message=_("You wrote this report; someone else must return it for correction."),
    )
