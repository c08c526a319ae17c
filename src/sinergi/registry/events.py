"""Every kind of thing the registry writes to the audit trail, with its label.

No event ever holds a NIK or KK number, masked or not: the object is named by its id and the
``object_repr`` (which shows the mask only).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sinergi.core.events import EventType, event_type

HOUSEHOLD_CREATED = event_type("registry.household.created", _("Household registered"))
HOUSEHOLD_CHANGED = event_type("registry.household.changed", _("Household changed"))
HOUSEHOLD_GRADUATED = event_type(
    "registry.household.graduated", _("Household graduated (recorded on the household)")
)
PERSON_CREATED = event_type("registry.person.created", _("Person added to a household"))
PERSON_CHANGED = event_type("registry.person.changed", _("Person changed"))
REVEALED: dict[str, EventType] = {
    "nik": event_type("registry.nik.revealed", _("Full NIK shown (with a reason)")),
    "kk": event_type("registry.kk.revealed", _("Full KK number shown (with a reason)")),
}
DUPLICATE_DECIDED: dict[str, EventType] = {
    "merged": event_type("registry.duplicate.merged", _("Duplicate persons merged")),
    "rejected": event_type(
        "registry.duplicate.rejected", _("Possible duplicate judged two different persons")
    ),
}
IMPORT_UPLOADED = event_type("registry.import.uploaded", _("Registry file uploaded"))
IMPORT_CHECKED = event_type("registry.import.checked", _("Registry file checked"))
IMPORT_COMMIT_STARTED = event_type(
    "registry.import.commit_started", _("Saving of a checked registry file started")
)
IMPORT_COMMITTED = event_type("registry.import.committed", _("Registry file saved"))
IMPORT_RESUMED = event_type("registry.import.resumed", _("Registry import resumed"))
IMPORT_CANCELLED = event_type("registry.import.cancelled", _("Registry import cancelled"))
CONSENT_RECORDED = event_type("registry.consent.recorded", _("Consent recorded"))
CONSENT_WITHDRAWN = event_type("registry.consent.withdrawn", _("Consent withdrawn"))
KEY_ROTATION_STARTED = event_type(
    "registry.pii_key.rotation_started", _("Re-encryption of personal data under a new key started")
)
KEY_ROTATION_FINISHED = event_type(
    "registry.pii_key.rotation_finished",
    _("Personal data re-encrypted under the new key (every value)"),
)
# Named ``…exported`` so the access log records it too (registry.access_log.log_export_event).
REGISTRY_EXPORTED = event_type(
    "registry.households.exported", _("Households and persons exported (import format)")
)
REGISTRY_EXPORT_DOWNLOADED = event_type(
    "registry.households.export_downloaded", _("Export of households and persons downloaded")
)
IMPORT_MAPPED = event_type(
    "registry.import.mapped", _("Columns of a registry file mapped to Sinergi's fields")
)
IMPORT_PROFILE_SAVED = event_type("registry.import_profile.saved", _("Import layout saved"))
IMPORT_PROFILE_DELETED = event_type("registry.import_profile.deleted", _("Import layout deleted"))
