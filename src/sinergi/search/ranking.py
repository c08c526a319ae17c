"""Names ranked as a person expects: the whole name, then its start, then a word in it, then a
similar spelling; among equals the most recent or active first.

:func:`by_name` takes a queryset already limited to what the actor may see (the app's
selector) and finds the best ``limit + 1`` rows in up to three steps, each stopping as soon as
it has enough, so a common name costs one index range and a typo three bounded look-ups:

1. the name starts with the query (the exact name sorts first among them): a B-tree range on
   ``lower(name) COLLATE "C"`` read in order, ties by recency;
2. every word of the query is somewhere in the name (``ILIKE``), a word starting with it
   first, then by trigram similarity;
3. on PostgreSQL only, and only when steps 1 and 2 found nothing, a similar spelling: each
   word of the query ``<%`` the name (pg_trgm word similarity), the closest of a bounded
   number of candidates first.

On PostgreSQL steps 2 and 3 are served by GIN trigram indexes on the name columns (the search
app's migration creates them and the ``lower(name) COLLATE "C"`` indexes of step 1); SQLite
runs steps 1 and 2 with ``LIKE``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import (
    Case,
    IntegerField,
    Model,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Lower

from sinergi.core.sql import pieces
from sinergi.search.providers import Query, fold

M = TypeVar("M", bound=Model)

EXACT, PREFIX, WORD_START, ALL_WORDS, SIMILAR = 0, 1, 2, 3, 4
# Rows of similar spelling compared at most: the best of these are shown.
SIMILAR_CANDIDATES = 200


@dataclass(frozen=True)
class Ranked(Generic[M]):
    row: M
    rank: int


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _next(text: str) -> str:
    """The smallest string above every string starting with ``text`` (byte order)."""
    return text[:-1] + chr(ord(text[-1]) + 1)


def is_postgres(qs: QuerySet[Any]) -> bool:
    return connections[qs.db].vendor == "postgresql"


def by_name(
    qs: QuerySet[M],
    query: Query,
    *,
    limit: int,
    field: str = "name",
    tiebreak: Sequence[Any] = (),
) -> list[Ranked[M]]:
    """At most ``limit + 1`` rows of ``qs`` whose ``field`` matches the query, best first."""
    if is_postgres(qs):
        return _postgres(qs.order_by(), query, limit + 1, field, tuple(tiebreak))
    return _sqlite(qs.order_by(), query, limit + 1, field, tuple(tiebreak))


def _postgres(
    qs: QuerySet[M], query: Query, wanted: int, field: str, tiebreak: tuple[Any, ...]
) -> list[Ranked[M]]:
    """The three steps as one statement (``UNION ALL`` of three bounded parts, in order, under
    one ``LIMIT``), each part run only when the ones before it left room: a later part is
    guarded by an uncorrelated ``NOT EXISTS``, which PostgreSQL evaluates once, and the ``LIMIT``
    stops before a part it does not need. Then the rows found, by id: two statements for a
    kind with hits, one for a kind without.

    The statement is written here around the scope's compiled ``FROM`` and ``WHERE``
    (:func:`sinergi.core.sql.pieces`); the scope's values stay bound parameters."""
    scope = pieces(qs, ("pk", field), (*tiebreak, "pk"))
    if scope is None:
        return []
    q = query.folded
    pk, column = scope.columns["pk"], scope.columns[field]
    name = f'lower({column}) COLLATE "C"'
    starts = f"{name} >= %s AND {name} < %s"
    starts_params = [q, _next(q)]
    # Each part and guard reads the scope: the same FROM … WHERE and the same scope values.
    starts_from, in_scope = scope.rows(starts)
    # 1. The name's start, the exact name first, read in order from the B-tree.
    first = (
        f"(SELECT {pk}, CASE WHEN {name} = %s THEN {EXACT} ELSE {PREFIX} END {starts_from} "
        f"ORDER BY {name}, {scope.order_sql} LIMIT {wanted:d})"
    )
    params = [q, *in_scope, *starts_params, *scope.order_params]
    # 2. Every word somewhere (and not already a start), only while step 1 leaves room.
    words_sql = " AND ".join([f"NOT ({starts})", *(f"{column} ILIKE %s" for _w in query.words)])
    words_params = [*starts_params, *(f"%{like_escape(w)}%" for w in query.words)]
    words_from, _same = scope.rows(words_sql)
    second = (
        f"(SELECT {pk}, CASE WHEN {column} ILIKE %s THEN {WORD_START} "
        f"ELSE {ALL_WORDS} END {words_from} "
        f"AND NOT EXISTS (SELECT 1 {starts_from} OFFSET {wanted - 1:d} LIMIT 1) "
        f"ORDER BY 2, similarity({column}, %s) DESC, {scope.order_sql} LIMIT {wanted:d})"
    )
    params += [
        f"% {like_escape(q)}%",
        *in_scope,
        *words_params,
        *in_scope,
        *starts_params,
        q,
        *scope.order_params,
    ]
    parts = [first, second]
    # 3. A similar spelling, only when the name as typed is nowhere.
    similar = [w for w in query.words if len(w) >= 3]
    if query.similar and len(q) >= 4 and similar:
        close_from, _same = scope.rows(" AND ".join(f"%s <%% {column}" for _w in similar))
        outer_from, _same = scope.rows(
            f"{pk} IN (SELECT {pk} {close_from} LIMIT {SIMILAR_CANDIDATES:d})"
        )
        parts.append(
            f"(SELECT {pk}, {SIMILAR} {outer_from} "
            f"AND NOT EXISTS (SELECT 1 {starts_from}) "
            f"AND NOT EXISTS (SELECT 1 {words_from}) "
            f"ORDER BY word_similarity(%s, {column}) DESC, similarity({column}, %s) DESC, "
            f"{scope.order_sql} LIMIT {wanted:d})"
        )
        params += [
            *in_scope,
            *in_scope,
            *similar,
            *in_scope,
            *starts_params,
            *in_scope,
            *words_params,
            q,
            q,
            *scope.order_params,
        ]
    sql = " UNION ALL ".join(parts) + f" LIMIT {wanted:d}"
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        ranked = cursor.fetchall()
    if not ranked:
        return []
    rows = qs.in_bulk([pk for pk, _rank in ranked])
    return [Ranked(rows[pk], int(rank)) for pk, rank in ranked if pk in rows]


def _sqlite(
    qs: QuerySet[M], query: Query, wanted: int, field: str, tiebreak: tuple[Any, ...]
) -> list[Ranked[M]]:
    """Steps 1 and 2 with ``LIKE`` (no trigrams): at most two statements."""
    q = query.folded
    found: list[Ranked[M]] = []
    first = qs.filter(**{f"{field}__istartswith": q}).order_by(Lower(field), *tiebreak, "pk")
    for row in first[:wanted]:
        exact = fold(str(getattr(row, field))) == q
        found.append(Ranked(row, EXACT if exact else PREFIX))
    if len(found) >= wanted:
        return found
    seen = [r.row.pk for r in found]
    rest = qs.exclude(pk__in=seen) if seen else qs
    for word in query.words:
        rest = rest.filter(**{f"{field}__icontains": word})
    second = rest.annotate(
        _search_rank=Case(
            When(**{f"{field}__icontains": f" {q}"}, then=Value(WORD_START)),
            default=Value(ALL_WORDS),
            output_field=IntegerField(),
        )
    ).order_by("_search_rank", Lower(field), *tiebreak, "pk")
    for row in second[: wanted - len(found)]:
        found.append(Ranked(row, int(row._search_rank)))  # type: ignore[attr-defined]  # an annotation
    return found
