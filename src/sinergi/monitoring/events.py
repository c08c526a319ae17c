"""Every audit event monitoring writes, with its words in both languages (core.events)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sinergi.core.events import EventType, event_type

GROUP_REPORT_SAVED = event_type("monitoring.group_report.saved", _("Monthly group report saved"))
GROUP_REPORT_SUBMITTED = event_type(
    "monitoring.group_report.submitted", _("Monthly group report submitted")
)
GROUP_REPORT_RETURNED = event_type(
    "monitoring.group_report.returned", _("Monthly group report returned for correction")
)
GRADUATION_CONFIRMED = event_type("monitoring.graduation.confirmed", _("Graduation confirmed"))
GRADUATION_REJECTED = event_type("monitoring.graduation.rejected", _("Graduation not confirmed"))
POVERTY_LINES_LOADED = event_type("monitoring.poverty_lines.loaded", _("Poverty lines loaded"))
POVERTY_LINE_SAVED = event_type("monitoring.poverty_line.saved", _("Poverty line saved"))
RUBRIC_SAVED = event_type("monitoring.rubric.saved", _("Class rubric saved"))
# Exports of personal data (accounts.services.audit_export); recorded without the app's prefix
# before 2026-11, and those rows read with these labels.
MEMBER_INCOME_EXPORTED = event_type(
    "monitoring.member_income.exported",
    _("Member incomes exported"),
    formerly=("member_income.exported",),
)
GRADUATIONS_EXPORTED = event_type(
    "monitoring.graduation.exported",
    _("Graduation decisions exported"),
    formerly=("graduation.exported",),
)
FIGURES_REFRESH_ASKED = event_type(
    "monitoring.figures.refresh_requested", _("Dashboard figures refresh requested")
)

# A decision's event by the status it leads to (the proposal's status values).
GRADUATION_DECIDED: dict[str, EventType] = {
    "confirmed": GRADUATION_CONFIRMED,
    "rejected": GRADUATION_REJECTED,
}
