"""Regions in the search box (sinergi.search), by name or by code.

Regions are public reference data (every signed-in role may browse the country), so the
search covers them all; among equal matches the regions of the actor's own area come first,
then the larger ones (a province before a village of the same name).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sinergi.core.scoping import area_q, user_area
from sinergi.search import providers, ranking
from sinergi.search.providers import Hit, Query
from sinergi.wilayah import selectors
from sinergi.wilayah.models import Region

_CODE = set("0123456789.")


def _may_see_regions(actor: Any) -> bool:
    return bool(actor.has_perm("wilayah.view_region"))


def _region_index(actor: Any, query: Query) -> str | None:
    return f"{reverse('wilayah:index')}?{urlencode({'q': query.text})}"


def _hit(region: Region, rank: int) -> Hit:
    where = region.location
    return Hit(
        kind="region",
        title=region.name,
        url=reverse("wilayah:detail", args=[region.code]),
        detail=" · ".join(p for p in (region.kind, region.code, where) if p),
        rank=rank,
    )


@providers.provider(
    "region", label=_("Regions"), order=70, allowed=_may_see_regions, more=_region_index
)
def regions(actor: Any, query: Query, *, limit: int) -> list[Hit]:
    if not _may_see_regions(actor):
        return []
    text = query.text.replace(" ", "")
    if set(text) <= _CODE and any(ch.isdigit() for ch in text):
        # A code, or the start of one: "3273" is Kota Bandung and everything in it.
        rows = list(selectors.region_list(q=text)[: limit + 1])
        exact = {r.plain_code for r in rows if r.plain_code == text.replace(".", "")}
        return [_hit(r, ranking.EXACT if r.plain_code in exact else ranking.PREFIX) for r in rows]
    area = user_area(actor)
    tiebreak: tuple[Any, ...] = ("level", "code")
    if area:
        own_area_first = Case(When(area_q("code", area), then=Value(0)), default=Value(1))
        tiebreak = (own_area_first, *tiebreak)
    found = ranking.by_name(selectors.region_list(), query, limit=limit, tiebreak=tiebreak)
    return [_hit(r.row, r.rank) for r in found]
