"""What the personal-data module writes to the audit trail. No event holds a NIK, a KK number,
a name or a birth date: the person is named by the request's id."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sinergi.core.events import event_type

REQUEST_RECORDED = event_type("pdp.request.recorded", _("Data-subject request recorded"))
REQUEST_CLOSED = event_type("pdp.request.closed", _("Data-subject request closed"))
# Not "…exported": the read log records the access file itself, with the person
# (registry.access_log, purpose access_file), rather than as an anonymous export.
ACCESS_EXPORTED = event_type(
    "pdp.access.produced", _("Access file of a person's data produced (UU PDP)")
)
ACCESS_DOWNLOADED = event_type(
    "pdp.access.downloaded", _("Access file of a person's data downloaded")
)
CORRECTION_PROPOSED = event_type("pdp.correction.proposed", _("Correction of a person proposed"))
CORRECTION_DECIDED = event_type(
    "pdp.correction.decided", _("Correction of a person approved or rejected")
)
ERASED = event_type("pdp.person.erased", _("Person's data erased (anonymised) on request"))
ERASURE_REFUSED = event_type(
    "pdp.person.erasure_refused", _("Erasure refused: a legal hold applies")
)
RETENTION_RUN = event_type("pdp.retention.run", _("Retention task ran"))
