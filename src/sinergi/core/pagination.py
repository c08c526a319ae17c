"""Pages of long lists at a cost that does not grow with the table.

A national list holds a million rows: counting them all to print "page 1 of 20,000" costs more
than the page itself, and a page's figures (members, head of family) computed by grouping the
whole table cost more again. So a list counts at most ``COUNT_CAP`` rows (a LIMIT inside the
count) and past that says "more than"; the next link follows from reading one row past the page;
per-row figures are correlated subqueries, which the database evaluates for the page's rows only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import IntegerField, QuerySet, Subquery

from sinergi.core.numbers import PAGE_MAX
from sinergi.core.sql import pieces

# Reading 10,001 index entries to say "more than 10,000" cost the database 1.4-4.6 ms a list
# page at national size, a fifth of a page's whole budget under load; past twenty pages a reader
# filters rather than pages, and the pages past the cap still follow.
COUNT_CAP = 1_000


class SubqueryCount(Subquery):
    """``count(*)`` of a correlated queryset, as a column: one index probe per row shown."""

    template = "(SELECT count(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


class RowsOf:
    """A queryset read another way than its own slicing, as paginators and the API's pages take
    it: ``count()`` is the queryset's (``capped_count`` counts through to it), ``[a:b]`` a page
    of rows."""

    queryset: Any

    def all(self) -> RowsOf:
        return self

    def count(self) -> int:
        return int(self.queryset.count())


class RowsThrough(RowsOf):
    """A queryset whose rows pass through ``fn`` as they are read: pagination slices first, so
    ``fn`` runs for one page's rows instead of the whole table being loaded to apply it."""

    def __init__(self, queryset: QuerySet[Any] | FirstThenRest, fn: Callable[[Any], Any]) -> None:
        self.queryset = queryset
        self.fn = fn

    def __getitem__(self, key: slice) -> list[Any]:
        return [self.fn(row) for row in self.queryset[key]]


class FirstThenRest(RowsOf):
    """The rows of ``queryset`` that match ``first``, then the others, each part in the
    queryset's order.

    "Groups with overdue items first" as an ``ORDER BY`` of a computed flag makes the database
    compute it for every row of the table and sort them all for each page; as two parts, each
    page reads the first part in index order and, once past its end, the rest: the work grows
    with the page, not the table.
    """

    def __init__(self, queryset: QuerySet[Any], first: Any) -> None:
        self.queryset = queryset
        self.head = queryset.filter(first)
        self.tail = queryset.exclude(first)

    def __getitem__(self, key: slice) -> list[Any]:
        start, stop = key.start or 0, key.stop
        if stop is None:
            return [*self.head, *self.tail]
        # Counted only as far as the page reaches, so page 1 never counts the whole first part.
        in_head = self.head.order_by().values("pk")[:stop].count()
        rows = list(self.head[start:stop]) if start < in_head else []
        if stop > in_head:
            rows += list(self.tail[max(0, start - in_head) : stop - in_head])
        return rows


class GroupedFirst(RowsOf):
    """The rows of ``queryset`` by a small table's column first (a product's category by its
    name), then by ``within`` and the key, ascending: the order a catalogue is browsed in.

    As an ``ORDER BY`` across the join, the database joins and sorts every listed row for each
    page (18,000 products and their groups: 40-140 ms a page). Here each group's first rows are
    read in index order (``LATERAL … LIMIT``, served by an index on the group, ``within`` and
    the key), so a page costs the groups' first rows, not the whole table; then the page's
    rows are read by key through the queryset (its ``select_related`` and prefetches kept).
    The queryset's filters stay its own (:func:`sinergi.core.sql.pieces`). On SQLite, which has
    no ``LATERAL``, the queryset is sliced as it is: it must be ordered the same way.
    """

    def __init__(
        self, queryset: QuerySet[Any], *, group: str, group_order: str, within: tuple[str, ...]
    ) -> None:
        self.queryset = queryset
        self.group = group
        self.group_order = group_order
        self.within = within

    def __getitem__(self, key: slice) -> list[Any]:
        start, stop = key.start or 0, key.stop
        if stop is None or connections[self.queryset.db].vendor != "postgresql":
            return list(self.queryset[key])
        keys = self._keys(start, stop)
        rows = self.queryset.order_by().in_bulk(keys)
        return [rows[k] for k in keys if k in rows]

    def _keys(self, start: int, stop: int) -> list[Any]:
        found = pieces(self.queryset, ("pk", self.group, *self.within)) if stop > start else None
        if found is None:
            return []
        groups = self.queryset.model._meta.get_field(self.group).related_model._meta
        quote = connections[self.queryset.db].ops.quote_name
        cols = found.columns
        picked = ", ".join(f"{cols[f]} AS _w{i}" for i, f in enumerate(self.within))
        inner_order = ", ".join([*(cols[f] for f in self.within), cols["pk"]])
        outer_order = ", ".join(f"_r._w{i}" for i in range(len(self.within)))
        group_key = f"_g.{quote(groups.pk.column)}"
        group_order = f"_g.{quote(groups.get_field(self.group_order).column)}"
        inner, params = found.rows(f"{cols[self.group]} = {group_key}")
        statement = (
            f"SELECT _r._pk FROM {quote(groups.db_table)} _g CROSS JOIN LATERAL "  # noqa: S608  # names and compiled pieces; values bound
            f"(SELECT {cols['pk']} AS _pk, {picked} {inner} ORDER BY {inner_order} "
            f"LIMIT {stop:d}) _r "
            f"ORDER BY {group_order}, {group_key}, {outer_order}, _r._pk "
            f"LIMIT {stop - start:d} OFFSET {start:d}"
        )
        with connections[self.queryset.db].cursor() as cursor:
            cursor.execute(statement, params)
            return [row[0] for row in cursor.fetchall()]


def capped_count(object_list: Any, cap: int = COUNT_CAP) -> int:
    """Rows in ``object_list``, counted up to ``cap + 1``: more than ``cap`` reads as cap + 1."""
    while isinstance(object_list, RowsOf):
        object_list = object_list.queryset
    if isinstance(object_list, QuerySet):
        # Neither the order nor the per-row figures change a count: without them the LIMIT
        # stops the first index scan and no subquery runs.
        return object_list.order_by().values("pk")[: cap + 1].count()
    return min(len(object_list), cap + 1)


class CappedPage(Page):
    more = False

    def has_next(self) -> bool:
        if getattr(self.paginator, "capped", False):
            return self.more
        return super().has_next()


class CappedPaginator(Paginator):
    """A paginator whose count stops at ``cap``; past it, pages go on while rows remain."""

    def __init__(self, object_list: Any, per_page: int, *, cap: int = COUNT_CAP) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        return capped_count(self.object_list, self.cap)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    def validate_number(self, number: Any) -> int:
        if not self.capped:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if number > PAGE_MAX:  # an OFFSET the database cannot take
            raise EmptyPage(self.error_messages["no_results"])
        return number

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        if not self.capped:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        page = CappedPage(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page

    def _get_page(self, *args: Any, **kwargs: Any) -> Page:
        return CappedPage(*args, **kwargs)
