"""The registry's background job: an import (check, then save), one Job per uploaded file."""

from django.utils.translation import gettext_lazy as _

from sinergi.core.job_kinds import job_kind

# The import queues its own tasks (check, chunked commit, watch) with their leases; the Job
# is kept in step with the batch by ``registry.imports.sync_job``.
IMPORT = job_kind("registry.import", _("Registry import"), permission="registry.view_importbatch")

# ``sinergi manage rotate_pii_key``: its progress (a cursor per encrypted column) is kept in
# the Job's result, written in the same transaction as each batch, so a rerun continues.
KEY_ROTATION = job_kind(
    "registry.key_rotation",
    _("Re-encryption of personal data under a new key"),
    permission="core.view_auditevent",
    everywhere=True,
)

# An export of the area's households and persons in the import format (registry/export.py):
# only its requester sees it and its file; each download is on the audit trail.
EXPORT = job_kind(
    "registry.export",
    _("Registry export"),
    permission="registry.export_person",
    run="sinergi.registry.export.run_export",
    own_only=True,
    on_download="sinergi.registry.export.audit_download",
)
