"""Pickers KUBE offers (core.pickers): ``kube_candidate``, the heads of family who could join
one group (``kube=<id>``), greyed out with the reason when a rule keeps them out; ``kube``,
the groups the actor may see."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.core import pickers
from sinergi.core.numbers import ascii_id
from sinergi.kube import selectors


def _rows(actor: Any, q: str, kube: str, *, limit: int, keep: list[int] | None = None) -> list[Any]:
    if ascii_id(kube) is None:
        return []
    try:
        group = selectors.kube_get(actor=actor, pk=int(kube))
    except Http404:
        return []
    return selectors.formation_candidates(
        actor=actor,
        district_code=group.area_code[:8],
        q=q,
        keep=keep,
        kube_id=group.pk,
        limit=limit,
    )


def _option(row: Any) -> pickers.Option:
    secondary = _("%(nik)s · aged %(age)s") % {"nik": row.person.nik_mask, "age": row.age}
    return pickers.Option(
        str(row.person.pk), row.person.name, secondary, disabled=" ".join(row.problems)
    )


def _resolve(actor: Any, value: str, **params: str) -> pickers.Option | None:
    if ascii_id(value) is None:
        return None
    rows = _rows(actor, "", params.get("kube", ""), limit=0, keep=[int(value)])
    return next((_option(r) for r in rows if r.person.pk == int(value)), None)


@pickers.register(
    "kube_candidate", label=gettext_lazy("head of family"), params=("kube",), resolve=_resolve
)
def kube_candidates(actor: Any, q: str, *, limit: int, **params: str) -> list[pickers.Option]:
    members = selectors.current_member_ids(actor=actor, kube=params.get("kube", ""))
    rows = _rows(actor, q, params.get("kube", ""), limit=limit + len(members))
    return [_option(r) for r in rows if r.person.pk not in members][:limit]


@pickers.register("kube", label=gettext_lazy("KUBE"))
def groups(actor: Any, q: str, *, limit: int, **params: str) -> list[pickers.Option]:
    return [
        pickers.Option(str(k.pk), k.name, f"{k.village.name} · {k.area_code}")
        for k in selectors.kube_list(actor=actor, q=q)[:limit]
    ]
