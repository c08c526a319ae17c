"""KUBE groups in the search box (sinergi.search), for who may open the KUBE pages.

Scoped like the KUBE list (area; a KUBE officer's own group only). Active groups come first
among equal names, then the most recently changed. Partners, who follow groups only through
the mentoring pages, find them through ``mentoring.search``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sinergi.kube.models import Kube, Status
from sinergi.search import providers, ranking
from sinergi.search.providers import Hit, Query

# Among equal names: active groups first, then the most recently changed.
ACTIVE_FIRST = (Case(When(status=Status.ACTIVE, then=Value(0)), default=Value(1)), "-updated_at")


def _may_open_groups(actor: Any) -> bool:
    return bool(actor.has_perm("kube.view_kube"))


def _kube_list(actor: Any, query: Query) -> str | None:
    return f"{reverse('kube:kube_list')}?{urlencode({'q': query.text})}"


def group_detail(kube: Kube) -> str:
    """What a hit says under a group's name: its status, village and business."""
    return " · ".join([str(kube.get_status_display()), kube.village.name, kube.business_type.label])


@providers.provider("kube", label=_("KUBE"), order=30, allowed=_may_open_groups, more=_kube_list)
def groups(actor: Any, query: Query, *, limit: int) -> list[Hit]:
    if not _may_open_groups(actor):
        return []
    # The model's own scope, without the list page's per-row member count: ranking may sort
    # many candidate rows, and each would count its members.
    scoped = Kube.objects.for_user(actor).select_related("village", "business_type")
    found = ranking.by_name(scoped, query, limit=limit, tiebreak=ACTIVE_FIRST)
    return [
        Hit(
            kind="kube",
            title=r.row.name,
            url=reverse("kube:kube_detail", args=[r.row.pk]),
            detail=group_detail(r.row),
            rank=r.rank,
        )
        for r in found
    ]
