"""Every audit event the notifications app writes, with its words (core.events)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sinergi.core.events import event_type

PREFERENCE_SAVED = event_type("notifications.preference.saved", _("Notification preferences saved"))
