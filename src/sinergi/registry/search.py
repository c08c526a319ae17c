"""Persons and households in the search box (sinergi.search): by name, or by a whole NIK or KK.

Only roles that may view the registry search it (partners hold no registry permission, so the
kinds are not even offered to them). Hits show the masked number and the village, never a
full number nor the decile. A household is found by its head's name. A whole NIK or KK comes
only in a POST body and is matched through its keyed hash; each record it finds is logged in
the access log as a search by number, as on the registry's own list.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sinergi.registry import access_log, selectors
from sinergi.registry.models import AccessPurpose, Household, Person
from sinergi.search import providers, ranking
from sinergi.search.providers import Hit, Query


def _may_see_persons(actor: Any) -> bool:
    return bool(actor.has_perm("registry.view_person"))


def _may_see_households(actor: Any) -> bool:
    return bool(actor.has_perm("registry.view_household"))


def _registry_list(actor: Any, query: Query) -> str | None:
    """The registry's own list searches households by a member's name."""
    if not _may_see_households(actor):
        return None
    return f"{reverse('registry:household_list')}?{urlencode({'q': query.text})}"


def _persons(actor: Any) -> QuerySet[Person]:
    return selectors.person_list(actor=actor).select_related("household__village")


def _person_hit(person: Person, rank: int = 0) -> Hit:
    return Hit(
        kind="person",
        title=person.name,
        url=reverse("registry:person_detail", args=[person.pk]),
        detail=f"NIK {person.nik_mask} · {person.household.village.name}",
        rank=rank,
    )


def _household_hit(household: Household, head: str, rank: int = 0) -> Hit:
    return Hit(
        kind="household",
        title=head or str(household),
        url=reverse("registry:household_detail", args=[household.pk]),
        detail=f"KK {household.kk_mask} · {household.village.name}",
        rank=rank,
    )


# Most recently updated first among equal names: the record being worked on.
_RECENT = ("-updated_at",)


@providers.provider(
    "household",
    label=_("Households"),
    order=10,
    allowed=_may_see_households,
    more=_registry_list,
    # After the persons: every head is a person, so when the persons found the name as typed
    # the heads need not look for similar spellings.
    late=2,
)
def households(actor: Any, query: Query, *, limit: int) -> list[Hit]:
    if not (_may_see_households(actor) and _may_see_persons(actor)):
        return []
    heads = _persons(actor).filter(is_head=True)
    found = ranking.by_name(heads, query, limit=limit, tiebreak=_RECENT)
    return [_household_hit(r.row.household, r.row.name, r.rank) for r in found]


@providers.provider(
    "person",
    label=_("Persons"),
    order=20,
    allowed=_may_see_persons,
    more=_registry_list,
    late=1,
)
def persons(actor: Any, query: Query, *, limit: int) -> list[Hit]:
    if not _may_see_persons(actor):
        return []
    found = ranking.by_name(_persons(actor), query, limit=limit, tiebreak=_RECENT)
    return [_person_hit(r.row, r.rank) for r in found]


@providers.number_provider(
    "household", label=_("Households"), order=10, allowed=_may_see_households
)
def households_by_number(actor: Any, digits: str, *, limit: int) -> list[Hit]:
    """The household whose KK it is, or whose member holds the NIK."""
    if not _may_see_households(actor):
        return []
    found = list(selectors.household_list(actor=actor, q=digits)[: limit + 1])
    access_log.record_many(actor, AccessPurpose.NUMBER_SEARCH, households=found[:limit])
    return [_household_hit(h, h.head_name or "") for h in found]  # type: ignore[attr-defined]


@providers.number_provider("person", label=_("Persons"), order=20, allowed=_may_see_persons)
def persons_by_number(actor: Any, digits: str, *, limit: int) -> list[Hit]:
    if not _may_see_persons(actor):
        return []
    found = list(
        selectors.person_list(actor=actor, q=digits).select_related("household__village")[
            : limit + 1
        ]
    )
    access_log.record_many(actor, AccessPurpose.NUMBER_SEARCH, persons=found[:limit])
    return [_person_hit(p) for p in found]
