"""The personal-data module's background jobs: a person's access file and the retention run."""

from django.utils.translation import gettext_lazy as _

from sinergi.core.job_kinds import job_kind

ACCESS = job_kind(
    "pdp.access",
    _("Access file of a person"),
    permission="pdp.view_datasubjectrequest",
    run="sinergi.pdp.services.access_run",
    own_only=True,
    on_download="sinergi.pdp.access.audit_download",
)
RETENTION = job_kind(
    "pdp.retention",
    _("Retention task"),
    permission="pdp.view_retentionrule",
    run="sinergi.pdp.retention.run_retention_job",
    everywhere=True,
)
