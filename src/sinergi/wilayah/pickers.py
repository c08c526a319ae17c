"""Regions and villages for the picker (core.pickers): names, with the code underneath.

A form offers the regions of the actor's own area (a Bandung officer picks among Bandung's
villages); ``anywhere=1`` opens the whole country where regions are only reference data (a
buyer's catalogue filter). ``level`` (1-4) and ``within`` (a region code) narrow the list.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sinergi.core import pickers
from sinergi.core.errors import InvalidInput
from sinergi.core.scoping import area_q, user_area
from sinergi.wilayah import selectors
from sinergi.wilayah.models import Level, Region


def _regions(actor: Any, q: str, params: dict[str, str]) -> QuerySet[Region]:
    level = params.get("level", "")
    qs = selectors.region_list(q=q, level=int(level) if level in {"1", "2", "3", "4"} else None)
    if params.get("anywhere") != "1":
        qs = qs.filter(area_q("code", user_area(actor)))
    within = params.get("within", "")
    if within:
        try:
            qs = qs.filter(area_q("code", selectors.parse_code(within)))
        except InvalidInput:
            return qs.none()
    return qs


def _option(region: Region) -> pickers.Option:
    where = region.location
    return pickers.Option(
        region.code, region.name, f"{region.code} · {where}" if where else region.code
    )


def _resolve(level: str) -> pickers.Resolve:
    def resolve(actor: Any, value: str, **params: str) -> pickers.Option | None:
        wanted = {**params, **({"level": level} if level else {})}
        # A code written without dots (an old link, a bookmark) names the same region.
        region = _regions(actor, "", wanted).filter(code=selectors.parse_code(value)).first()
        return _option(region) if region is not None else None

    return resolve


@pickers.register(
    "region", label=_("region"), params=("level", "within", "anywhere"), resolve=_resolve("")
)
def regions(actor: Any, q: str, *, limit: int, **params: str) -> list[pickers.Option]:
    return [_option(r) for r in _regions(actor, q, params)[:limit]]


@pickers.register(
    "village",
    label=_("village"),
    params=("within", "anywhere"),
    resolve=_resolve(str(Level.VILLAGE.value)),
)
def villages(actor: Any, q: str, *, limit: int, **params: str) -> list[pickers.Option]:
    wanted = {**params, "level": str(Level.VILLAGE.value)}
    return [_option(r) for r in _regions(actor, q, wanted)[:limit]]
