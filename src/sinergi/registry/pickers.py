"""Persons and households for the picker (core.pickers): the name, the masked NIK or KK and
the village underneath; never a full number. Only roles that may view the registry get any
(the selectors scope by permission and area); ``heads=1`` keeps heads of family or main
earners (who can join a KUBE), ``within`` a region code narrows to one district or village.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sinergi.core import pickers
from sinergi.core.numbers import ascii_id
from sinergi.core.scoping import area_q
from sinergi.registry import selectors
from sinergi.registry.models import Household, Person
from sinergi.wilayah.selectors import parse_code


def _persons(actor: Any, q: str, params: dict[str, str]) -> QuerySet[Person]:
    # Names only: a full NIK is searched by POST on the registry pages, never in an address.
    qs = selectors.person_list(actor=actor, q="" if selectors.is_full_number(q) else q)
    if params.get("heads") == "1":
        qs = qs.filter(is_head=True)
    within = params.get("within", "")
    if within:
        qs = qs.filter(area_q("area_code", parse_code(within)))
    return qs.select_related("household__village")


def _person_option(person: Person) -> pickers.Option:
    return pickers.Option(
        str(person.pk), person.name, f"{person.nik_mask} · {person.household.village.name}"
    )


def _person_resolve(actor: Any, value: str, **params: str) -> pickers.Option | None:
    if ascii_id(value) is None:
        return None
    person = _persons(actor, "", params).filter(pk=int(value)).first()
    return _person_option(person) if person is not None else None


@pickers.register("person", label=_("person"), params=("heads", "within"), resolve=_person_resolve)
def persons(actor: Any, q: str, *, limit: int, **params: str) -> list[pickers.Option]:
    return [_person_option(p) for p in _persons(actor, q, params)[:limit]]


def _households(actor: Any, q: str, params: dict[str, str]) -> QuerySet[Household]:
    qs = selectors.household_list(actor=actor, q="" if selectors.is_full_number(q) else q)
    within = params.get("within", "")
    if within:
        qs = qs.filter(area_q("area_code", parse_code(within)))
    return qs


def _household_option(household: Any) -> pickers.Option:
    return pickers.Option(
        str(household.pk),
        household.head_name or household.kk_mask,
        f"{household.kk_mask} · {household.village.name}",
    )


def _household_resolve(actor: Any, value: str, **params: str) -> pickers.Option | None:
    if ascii_id(value) is None:
        return None
    household = _households(actor, "", params).filter(pk=int(value)).first()
    return _household_option(household) if household is not None else None


@pickers.register("household", label=_("household"), params=("within",), resolve=_household_resolve)
def households(actor: Any, q: str, *, limit: int, **params: str) -> list[pickers.Option]:
    return [_household_option(h) for h in _households(actor, q, params)[:limit]]
