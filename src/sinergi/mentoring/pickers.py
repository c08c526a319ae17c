"""Pickers mentoring offers (core.pickers): ``mentor``, the active mentors the actor may see
(``area=<code>`` narrows them to a run's area), with home regency and load; ``group``, the
groups whose mentoring the actor follows."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.core import pickers
from sinergi.core.numbers import ascii_id
from sinergi.mentoring import selectors


def _mentor_option(mentor: Any) -> pickers.Option:
    secondary = _("%(regency)s · %(load)s of %(capacity)s groups") % {
        "regency": mentor.base_regency.name,
        "load": mentor.load,
        "capacity": mentor.capacity,
    }
    full = _("no room left") if mentor.load >= mentor.capacity else ""
    return pickers.Option(str(mentor.pk), mentor.name, secondary, disabled=full)


def _mentor_resolve(actor: Any, value: str, **params: str) -> pickers.Option | None:
    if ascii_id(value) is None:
        return None
    found = selectors.mentor_list(actor, area=params.get("area", "")).filter(pk=int(value))
    mentor = found.first()
    # A mentor already proposed for this row stays choosable even when her load is full.
    return pickers.Option(str(mentor.pk), mentor.name, mentor.area_code) if mentor else None


@pickers.register("mentor", label=gettext_lazy("mentor"), params=("area",), resolve=_mentor_resolve)
def mentors(actor: Any, q: str, *, limit: int, **params: str) -> list[pickers.Option]:
    rows = selectors.mentor_list(actor, q=q, area=params.get("area", ""))
    return [_mentor_option(m) for m in rows[:limit]]


@pickers.register("group", label=gettext_lazy("group"))
def groups(actor: Any, q: str, *, limit: int, **params: str) -> list[pickers.Option]:
    qs = selectors.mentoring_groups(actor).order_by("area_code", "name")
    for word in q.split()[:4]:
        qs = qs.filter(name__icontains=word)
    return [
        pickers.Option(str(k.pk), k.name, f"{k.village.name} · {k.area_code}") for k in qs[:limit]
    ]
