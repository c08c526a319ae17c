"""Every audit event the compliance app writes, with its words in both languages (core.events)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sinergi.core.events import event_type

INCIDENT_RECORDED = event_type("compliance.incident.recorded", _("Personal-data incident recorded"))
INCIDENT_UPDATED = event_type("compliance.incident.updated", _("Personal-data incident changed"))
INCIDENT_NOTIFIED = event_type(
    "compliance.incident.notified", _("Notification of a personal-data incident recorded")
)
LETTER_GENERATED = event_type(
    "compliance.letter.generated", _("Incident notification letter generated")
)
TEMPLATE_CHANGED = event_type(
    "compliance.letter_template.changed", _("Notification letter template changed")
)
REGISTER_EXPORTED = event_type(
    "compliance.register.exported", _("Records of processing or DPIA downloaded")
)
