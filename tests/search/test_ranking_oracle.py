"""The ranked name search on PostgreSQL against a plain Python oracle.

``ranking.by_name`` writes its statement by hand around the scope the ORM compiled (three
bounded parts under guards). The oracle states the rule directly — every row of the scope,
its rank, the order among equals — and takes only the trigram measures from the database
(``similarity``, ``word_similarity`` and ``<%``), so any slip in the written-out statement
(a parameter out of place, a guard that drops rows, a tiebreak lost) shows as a difference.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Case, QuerySet, Value, When
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sinergi.search import ranking
from sinergi.search.providers import Query, parse
from sinergi.wilayah.models import Level, Region

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the written-out statement is PostgreSQL's"
    ),
]

# Few words, so that names share starts, words and near spellings.
WORDS = ["siti", "sari", "sri", "anggrek", "anggrk", "nur", "nurani", "ani", "suka", "sukamaju"]
LEVELS = [Level.PROVINCE, Level.REGENCY, Level.DISTRICT]

names = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
spelled = st.sampled_from([str.lower, str.title, str.upper])
rows_st = st.lists(
    st.tuples(names, spelled, st.sampled_from(LEVELS), st.booleans()), min_size=0, max_size=14
)


def _typo(word: str, at: int) -> str:
    at %= len(word)
    return word[:at] + ("a" if word[at] != "a" else "e") + word[at + 1 :]


queries = st.one_of(
    names,
    st.sampled_from(WORDS).map(lambda w: w[:3]),
    st.tuples(st.sampled_from(WORDS), st.integers(0, 8)).map(lambda t: _typo(*t)),
)


def _measures(query: Query) -> dict[int, tuple[float, float, bool]]:
    """Per row of the test's regions: ``similarity(name, q)``, ``word_similarity(q, name)``
    and whether every word long enough is ``<%`` the name — the database's trigram measures,
    read in one statement."""
    q = query.folded
    similar_words = [w for w in query.words if len(w) >= 3]
    close = " AND ".join(["%s <%% name"] * len(similar_words)) or "TRUE"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, similarity(name, %s), word_similarity(%s, name), {close} "  # noqa: S608  # placeholders only
            "FROM wilayah_region WHERE code LIKE '99.%%'",
            [q, q, *similar_words],
        )
        return {pk: (float(s), float(ws), bool(c)) for pk, s, ws, c in cursor.fetchall()}


def _oracle(rows: list[Region], query: Query, wanted: int, tiebreak: Any) -> list[tuple[int, int]]:
    q = query.folded
    measures = _measures(query)

    def similarity(row: Region) -> float:
        return measures[row.pk][0]

    step1 = sorted(
        (r for r in rows if r.name.lower().startswith(q)),
        key=lambda r: (r.name.lower(), *tiebreak(r), r.pk),
    )
    first = [(r.pk, ranking.EXACT if r.name.lower() == q else ranking.PREFIX) for r in step1]
    rest = [
        r
        for r in rows
        if not r.name.lower().startswith(q) and all(w in r.name.lower() for w in query.words)
    ]
    ranked_rest = sorted(
        ((ranking.WORD_START if f" {q}" in r.name.lower() else ranking.ALL_WORDS, r) for r in rest),
        key=lambda t: (t[0], -similarity(t[1]), *tiebreak(t[1]), t[1].pk),
    )
    found = first + [(r.pk, rank) for rank, r in ranked_rest]
    if found or not (query.similar and len(q) >= 4 and any(len(w) >= 3 for w in query.words)):
        return found[:wanted]
    close = sorted(
        (r for r in rows if measures[r.pk][2]),
        key=lambda r: (-measures[r.pk][1], -similarity(r), *tiebreak(r), r.pk),
    )
    return [(r.pk, ranking.SIMILAR) for r in close][:wanted]


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=rows_st, raw=queries, limit=st.integers(1, 6), similar=st.booleans())
def test_the_written_statement_ranks_as_the_rule_says(
    rows: list[tuple[str, Any, int, bool]], raw: str, limit: int, similar: bool
) -> None:
    query = parse(raw)
    if not similar:
        query = Query(query.text, query.folded, query.words, similar=False)
    with transaction.atomic():
        made = [
            Region.objects.create(
                code=f"99.{i:02d}",
                level=level,
                name=spell(name),
                decree="test",
                retired=hidden,
            )
            for i, (name, spell, level, hidden) in enumerate(rows)
        ]
        # A scope with bound values of its own (the retired rows are outside it) and a
        # tiebreak with parameters: both must land in the statement in their places.
        scoped: QuerySet[Region] = Region.objects.filter(code__startswith="99.", retired=False)
        odd_first = Case(When(code__in=["99.01", "99.03"], then=Value(0)), default=Value(1))
        found = ranking.by_name(scoped, query, limit=limit, tiebreak=(odd_first, "-level"))
        expected = _oracle(
            [r for r in made if not r.retired],
            query,
            limit + 1,
            lambda r: (0 if r.code in ("99.01", "99.03") else 1, -r.level),
        )
        assert [(r.row.pk, r.rank) for r in found] == expected
        transaction.set_rollback(True)
