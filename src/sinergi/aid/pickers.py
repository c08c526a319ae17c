"""Pickers aid offers (core.pickers): ``aid_candidate``, the groups a regency may propose for
one cycle (``cycle=<id>``), each greyed out with the reason when a rule keeps it out."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy

from sinergi.aid import selectors
from sinergi.core import pickers
from sinergi.core.numbers import ascii_id


def _cycle(actor: Any, cycle: str) -> Any:
    if ascii_id(cycle) is None:
        return None
    try:
        return selectors.cycle_get(actor=actor, pk=int(cycle))
    except Http404:
        return None


def _option(row: tuple[Any, str]) -> pickers.Option:
    kube, reason = row
    return pickers.Option(
        str(kube.pk), kube.name, f"{kube.village.name} · {kube.area_code}", disabled=reason
    )


def _resolve(actor: Any, value: str, **params: str) -> pickers.Option | None:
    cycle = _cycle(actor, params.get("cycle", ""))
    if cycle is None or ascii_id(value) is None:
        return None
    rows = selectors.proposal_choices(actor=actor, cycle=cycle, kube_id=int(value), limit=1)
    return _option(rows[0]) if rows else None


@pickers.register("aid_candidate", label=gettext_lazy("group"), params=("cycle",), resolve=_resolve)
def candidates(actor: Any, q: str, *, limit: int, **params: str) -> list[pickers.Option]:
    cycle = _cycle(actor, params.get("cycle", ""))
    if cycle is None:
        return []
    return [
        _option(r) for r in selectors.proposal_choices(actor=actor, cycle=cycle, q=q, limit=limit)
    ]
