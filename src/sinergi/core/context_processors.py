from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from sinergi.core.navigation import MENU


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    items = [
        {
            "label": item.label,
            "url": reverse(item.url_name),
            "icon": item.icon,
            "active": bool(current) and current.startswith(item.active_for or (item.url_name,)),
        }
        for item in MENU
        if item.permission is None or user.has_perm(item.permission)
    ]
    return {"nav_items": items}
