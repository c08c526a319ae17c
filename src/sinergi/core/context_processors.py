from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.functional import SimpleLazyObject

from sinergi.core import inbox
from sinergi.core.navigation import MENU, grouped

# The menu entry that shows how many tasks wait (core.inbox).
INBOX_ENTRY = "core:inbox"


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_menu": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    urls = _menu_urls(get_script_prefix(), len(MENU))
    # Counted only when a page shows the menu, and then from a cache that holds until
    # anything is written (core.inbox.count_for): one query on most pages.
    count = SimpleLazyObject(lambda: inbox.count_for(user))
    items = [
        {
            "label": item.label,
            "url": url,
            "icon": item.icon,
            "active": bool(current) and current.startswith(item.active_for or (item.url_name,)),
            "count": count if item.url_name == INBOX_ENTRY else None,
            "group": item.group,
        }
        for item, url in zip(MENU, urls, strict=True)
        if item.permission is None or user.has_perm(item.permission)
    ]
    return {"nav_items": items, "nav_menu": grouped(items)}


@cache
def _menu_urls(prefix: str, entries: int) -> tuple[str, ...]:
    """The menu's addresses, reversed once per process instead of on every page: they depend on
    nothing else. ``prefix`` (read by ``reverse``) and ``entries`` (modules append to the menu)
    key the cache."""
    return tuple(reverse(item.url_name) for item in MENU)
