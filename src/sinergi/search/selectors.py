"""One search over every kind the actor may see, each kind through its own app's provider.

Bounded on every side: the query's length and words (``providers.parse``), the hits per kind
(``limit``, at most :data:`providers.MAX_PER_KIND`), and on PostgreSQL the time of each kind's
statements (``SINERGI_SEARCH_TIMEOUT_MS``, 1.5 s unless set): a kind that runs out of time is
shown as such and the others still answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils.translation import gettext as _

from sinergi.core.errors import Forbidden, InvalidInput
from sinergi.search import providers, ranking
from sinergi.search.providers import Hit, Kind, Query

QUERY_CANCELED = "57014"  # PostgreSQL: statement_timeout reached


@dataclass
class Group:
    """The hits of one kind: at most the limit, ``more`` when there were others."""

    kind: Kind
    hits: list[Hit]
    more: bool = False
    more_url: str | None = None
    timed_out: bool = False

    @property
    def code(self) -> str:
        return self.kind.code

    @property
    def label(self) -> str:
        return str(self.kind.label)


@dataclass
class Results:
    query: Query | None
    groups: list[Group] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return any(g.hits for g in self.groups)

    @property
    def timed_out(self) -> list[Group]:
        return [g for g in self.groups if g.timed_out]


def timeout_ms() -> int:
    return int(getattr(settings, "SINERGI_SEARCH_TIMEOUT_MS", 1500))


def choose_kinds(actor: Any, wanted: Iterable[str] = ()) -> list[Kind]:
    """The kinds to search: those asked for (codes, or comma-separated codes), else every
    kind the actor may search. A code the actor may not search is refused, naming those it
    may."""
    available = providers.kinds_for(actor)
    codes = [c.strip() for value in wanted for c in value.split(",") if c.strip()]
    if not codes:
        return available
    by_code = {k.code: k for k in available}
    unknown = [c for c in dict.fromkeys(codes) if c not in by_code]
    if unknown:
        raise InvalidInput(
            _("You cannot search “%(kinds)s”. Choose from: %(choices)s.")
            % {
                "kinds": ", ".join(c[:30] for c in unknown[:5]),
                "choices": ", ".join(by_code) or "—",
            },
            field="kinds",
        )
    return [k for k in available if k.code in codes]


class _Clock:
    """Runs each kind's search under the statement timeout (PostgreSQL), so a kind that runs
    out of time is reported and the others still answer.

    Outside a transaction (a web request) the timeout is set once for the session and reset
    at the end: a cancelled statement ends only its own implicit transaction. Inside one (a
    caller's ``atomic``, the tests) it is set for the transaction (the caller's own restored at
    the end) and the kinds share one savepoint: a cancelled statement rolls back to it and the
    kinds after it run in a new one. That is safe because a name search only reads (the hits
    before are already read); a search that writes (the number search logs each read) passes
    ``writes`` and keeps what each kind wrote before the next one runs. SQLite needs none of
    this (and would take its write lock for a transaction)."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.nested = self.postgres and connection.in_atomic_block
        self.callers = "0"
        self.sid: str | None = None

    def __enter__(self) -> _Clock:
        if not self.postgres:
            return self
        with connection.cursor() as cursor:
            if self.nested:
                # Set before the savepoint, so rolling back to it keeps the timeout.
                cursor.execute(
                    "SELECT current_setting('statement_timeout'), "
                    "set_config('statement_timeout', %s, true)",
                    [str(timeout_ms())],
                )
                self.callers = cursor.fetchone()[0]
                self.sid = transaction.savepoint()
            else:
                cursor.execute(f"SET statement_timeout = {timeout_ms():d}")
        return self

    def __exit__(self, failed: object, *exc: object) -> None:
        if not self.postgres:
            return
        if self.sid is not None:
            # After an error the transaction is usable again only back at the savepoint.
            end = transaction.savepoint_rollback if failed else transaction.savepoint_commit
            end(self.sid)
        with connection.cursor() as cursor:
            if self.nested:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [self.callers])
            else:
                cursor.execute("RESET statement_timeout")

    def _restart(self, *, keep: bool) -> None:
        if self.sid is not None:
            end = transaction.savepoint_commit if keep else transaction.savepoint_rollback
            end(self.sid)
            self.sid = transaction.savepoint()

    def run(
        self, search: Callable[[], list[Hit]], *, writes: bool = False
    ) -> tuple[list[Hit], bool]:
        try:
            hits = search()
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != QUERY_CANCELED:
                raise
            self._restart(keep=False)
            return [], True
        if writes:
            self._restart(keep=True)
        return hits, False


def _group(clock: _Clock, actor: Any, kind: Kind, query: Query, limit: int) -> Group:
    def run() -> list[Hit]:
        hits: list[Hit] = []
        for search in kind.searches:
            hits += search(actor, query, limit=limit)
        # Several providers of one kind: best rank first, each provider's own order kept.
        return sorted(hits, key=lambda h: h.rank)

    hits, timed_out = clock.run(run)
    return Group(
        kind=kind,
        hits=hits[:limit],
        more=len(hits) > limit,
        more_url=kind.more_url(actor, query) if len(hits) > limit else None,
        timed_out=timed_out,
    )


def clamp(limit: int | None, default: int) -> int:
    return max(1, min(providers.MAX_PER_KIND, limit or default))


def search(
    *, actor: Any, query: Query, kinds: Iterable[str] = (), limit: int | None = None
) -> Results:
    """Every kind the actor may search (or those named), each at most ``limit`` hits."""
    chosen = choose_kinds(actor, kinds)
    per_kind = clamp(limit, providers.PER_KIND)
    groups: dict[str, Group] = {}
    asked = query
    with _Clock() as clock:
        # The large kinds last: a name found as typed in any kind is not a typo, and the kinds
        # after it skip the similar spellings (on a million persons the dearest step).
        for kind in sorted(chosen, key=lambda k: (k.late, k.order, k.code)):
            group = groups[kind.code] = _group(clock, actor, kind, asked, per_kind)
            if asked.similar and any(h.rank < ranking.SIMILAR for h in group.hits):
                asked = replace(asked, similar=False)
    return Results(query, [groups[k.code] for k in chosen])


def require_number_search(actor: Any) -> list[Kind]:
    """The kinds a number finds for the actor; refused (403) to who may search none (partner
    roles), before the number is even read."""
    chosen = providers.number_kinds_for(actor)
    if not chosen:
        raise Forbidden(_("Your role does not allow searching by NIK or KK number."))
    return chosen


def search_number(*, actor: Any, digits: str, limit: int | None = None) -> Results:
    """The persons and households a whole NIK or KK names (``digits``: 16, from a POST body).
    Each provider logs the read in the access log; partner roles are refused."""
    chosen = require_number_search(actor)
    per_kind = clamp(limit, providers.MAX_PER_KIND)
    groups = []
    with _Clock() as clock:
        for kind in chosen:

            def run(kind: Kind = kind) -> list[Hit]:
                hits: list[Hit] = []
                for search in kind.numbers:
                    hits += search(actor, digits, limit=per_kind)
                return hits

            hits, timed_out = clock.run(run, writes=True)
            groups.append(
                Group(
                    kind=kind, hits=hits[:per_kind], more=len(hits) > per_kind, timed_out=timed_out
                )
            )
    return Results(None, groups)
