"""The registry's background job: an import (check, then save), one Job per uploaded file."""

from django.utils.translation import gettext_lazy as _

from sinergi.core.job_kinds import job_kind

# The import queues its own tasks (check, chunked commit, watch) with their leases; the Job
# is kept in step with the batch by ``registry.imports.sync_job``.
IMPORT = job_kind("registry.import", _("Registry import"), permission="registry.view_importbatch")
