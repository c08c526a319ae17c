"""Monitoring's background jobs: large exports and the rebuild of the dashboards' figures."""

from django.utils.translation import gettext_lazy as _

from sinergi.core.job_kinds import job_kind

EXPORT = job_kind(
    "monitoring.export",
    _("Export"),
    permission="monitoring.view_regencyfigures",
    run="sinergi.monitoring.exports.run_export",
    own_only=True,
    on_download="sinergi.monitoring.exports.audit_download",
)
SUMMARY = job_kind(
    "monitoring.summary",
    _("Figures refresh"),
    permission="monitoring.view_regencyfigures",
    run="sinergi.monitoring.summaries.run_refresh",
    queue="heavy",
    everywhere=True,
)
