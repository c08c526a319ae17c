"""Scoped reads of users, and the figures on each role's dashboard."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from sinergi.accounts.models import User
from sinergi.core.scoping import user_area
from sinergi.wilayah.models import Level, Region


def user_list(*, actor: Any, q: str = "", role: str = "", action: str = "view") -> QuerySet[User]:
    """Users in the actor's area that the actor may see (``action`` "export" for exports)."""
    qs = User.objects.for_user(actor, action).select_related("area")
    if role:
        qs = qs.filter(role=role)
    for word in q.split()[:5]:
        qs = qs.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(area__name__icontains=word)
        )
    return qs.order_by("area__code", "role", "username")


def dashboard_summary(*, actor: Any) -> dict[str, Any]:
    """What the dashboard shows every role today; later modules add their own cards."""
    area = user_area(actor)
    regions = Region.objects.current().in_area(area)
    counts = regions.aggregate(
        **{lvl.name.lower(): Count("pk", filter=Q(level=lvl.value)) for lvl in Level}
    )
    users = user_list(actor=actor)
    return {
        "area_label": actor.area_label,
        "role_label": actor.get_role_display() or "—",
        "region_counts": counts,
        "can_see_users": actor.has_perm("accounts.view_user"),
        "user_count": users.count() if actor.has_perm("accounts.view_user") else None,
    }
