"""Reading list filters from the query string, the same way on every page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from sinergi.engines import wilayah as regions


def area_param(request: HttpRequest, name: str = "wilayah") -> str:
    """The normalised region code of a list filter; a bad one is named and ignored."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return ""
    try:
        return regions.normalize_code(raw)
    except regions.RegionCodeError:
        messages.error(request, _("Not a region code: use digits, optionally with dots."))
        return ""
