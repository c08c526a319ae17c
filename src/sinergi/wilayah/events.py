"""Audit event types of the region list (core.events)."""

from django.utils.translation import gettext_lazy as _

from sinergi.core.events import event_type

REGIONS_LOADED = event_type("wilayah.regions.loaded", _("Official region list loaded"))
