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
from django.db.models import IntegerField, QuerySet, Subquery

from sinergi.core.numbers import PAGE_MAX

COUNT_CAP = 10_000


class SubqueryCount(Subquery):
    """``count(*)`` of a correlated queryset, as a column: one index probe per row shown."""

    template = "(SELECT count(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


class RowsThrough:
    """A queryset whose rows pass through ``fn`` as they are read: pagination slices first, so
    ``fn`` runs for one page's rows instead of the whole table being loaded to apply it."""

    def __init__(self, queryset: QuerySet[Any] | FirstThenRest, fn: Callable[[Any], Any]) -> None:
        self.queryset = queryset
        self.fn = fn

    def all(self) -> RowsThrough:
        return self

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, key: slice) -> list[Any]:
        return [self.fn(row) for row in self.queryset[key]]


class FirstThenRest:
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

    def all(self) -> FirstThenRest:
        return self

    def count(self) -> int:
        return self.queryset.count()

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


def capped_count(object_list: Any, cap: int = COUNT_CAP) -> int:
    """Rows in ``object_list``, counted up to ``cap + 1``: more than ``cap`` reads as cap + 1."""
    while isinstance(object_list, RowsThrough | FirstThenRest):
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
