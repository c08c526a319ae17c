"""Reading list filters from the query string, the same way on every page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from sinergi.core.numbers import PAGE_MAX, ascii_int
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


def page_number(request: HttpRequest, name: str = "page") -> int:
    """The page asked for in the query string, always a usable one: 1 to ``PAGE_MAX``.

    Paginators turn a page number into an OFFSET; ``9223372036854775807`` or "²" must give a
    page (the last or the first), never a database error.
    """
    value = ascii_int(request.GET.get(name, ""))
    if value is None or value < 1:
        return 1
    return min(value, PAGE_MAX)
