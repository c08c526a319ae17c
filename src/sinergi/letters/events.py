"""Every audit event the letters app writes, with its words in both languages (core.events)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sinergi.core.events import event_type

LETTER_ISSUED = event_type("letters.letter.issued", _("Official letter issued"))
LETTER_VOIDED = event_type("letters.letter.voided", _("Official letter voided"))
TEMPLATE_CHANGED = event_type("letters.template.changed", _("Letter template changed"))
