"""A list page's region filter, read from the query string: a code or a region name."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest

from sinergi.core.errors import DomainError
from sinergi.wilayah import selectors


@dataclass(frozen=True)
class AreaFilter:
    text: str  # as typed, shown again in the box
    code: str  # the region code it means; "" for no filter
    refused: bool  # a name no region has, or one several share: the list shows nothing


def area_filter(request: HttpRequest, name: str = "wilayah") -> AreaFilter:
    """The region a list is filtered by; a name that does not pick one region is said why
    (the ambiguous one with its matches and their codes) and the list left empty, since
    showing every row would pass for the filter's answer."""
    text = request.GET.get(name, "").strip()[:100]
    try:
        code = selectors.area_from_text(actor=request.user, text=text)
    except DomainError as exc:
        messages.error(request, exc.message)
        return AreaFilter(text, "", True)
    return AreaFilter(text, code, False)
