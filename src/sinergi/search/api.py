"""The search API (the same operations as the search pages): a name, code or order number in
the query string, a whole NIK or KK only in the body of a POST."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from sinergi.search import providers, selectors
from sinergi.search.selectors import Results

router = Router(tags=["search"])


class HitOut(Schema):
    # The kind's code ("person", "household", "kube", "mentor", "product", "order", "region").
    kind: str
    title: str
    # Masked numbers, village, status: never a full NIK or KK, a decile or an income.
    detail: str
    # The page that shows the record; it opens for the caller.
    url: str
    # 0 the whole name, 1 its start, 2 the start of a word, 3 every word, 4 a similar spelling.
    rank: int


class SearchGroupOut(Schema):
    kind: str
    label: str
    items: list[HitOut]
    # More records of this kind matched than ``limit``; ``more_url`` lists them on the
    # module's own page when it has one.
    more: bool
    more_url: str | None
    # This kind ran out of time (the others answered): narrow the query.
    timed_out: bool


class SearchOut(Schema):
    q: str
    groups: list[SearchGroupOut]


class SearchFilter(Schema):
    # Bounded by the search itself (100 characters), which says so in the caller's language.
    q: str = Field(..., max_length=400, description="A name, a code or an order number")
    kinds: str = Field(
        "",
        max_length=200,
        description="Comma-separated kinds to search (default: all you may search)",
    )
    limit: int = Field(providers.PER_KIND, ge=1, le=providers.MAX_PER_KIND)


def _out(results: Results) -> dict[str, Any]:
    return {
        "q": results.query.text if results.query else "",
        "groups": [
            {
                "kind": g.code,
                "label": g.label,
                "items": [
                    {
                        "kind": h.kind,
                        "title": h.title,
                        "detail": h.detail,
                        "url": h.url,
                        "rank": h.rank,
                    }
                    for h in g.hits
                ],
                "more": g.more,
                "more_url": g.more_url,
                "timed_out": g.timed_out,
            }
            for g in results.groups
        ],
    }


@router.get("/", response=SearchOut, summary="Search everything you may see, grouped by kind")
def search(request: HttpRequest, filters: Query[SearchFilter]) -> dict[str, Any]:
    """Households and persons (by name), KUBE, mentors, products (by name), orders (by
    number) and regions (by name or code) within your scope, best first in each kind: the
    whole name, its start, the start of a word, every word, then similar spellings (PostgreSQL).
    A full NIK or KK number is refused here (400): send it to ``POST /api/v1/search/number``."""
    query = providers.parse(filters.q)
    return _out(
        selectors.search(
            actor=request.user, query=query, kinds=[filters.kinds], limit=filters.limit
        )
    )


class NumberIn(Schema):
    number: str = Field(..., max_length=40, description="A whole NIK or KK number (16 digits)")


@router.post(
    "/number",
    response=SearchOut,
    summary="Persons and households with a NIK or KK number (sent in the body, never the URL)",
)
def search_number(request: HttpRequest, payload: NumberIn) -> dict[str, Any]:
    """The person whose NIK it is and the households it belongs to (as KK or a member's NIK),
    matched through the keyed hash; every record found is logged in the access log. Roles
    that may not view the registry get 403."""
    selectors.require_number_search(request.user)
    digits = providers.parse_number(payload.number)
    return _out(selectors.search_number(actor=request.user, digits=digits))
