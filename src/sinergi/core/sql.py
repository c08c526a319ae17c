"""A scoped queryset's compiled pieces, for a statement the ORM cannot write.

Some reads need SQL the ORM does not build — a ``UNION ALL`` of bounded parts under guards (the
search box), a ``LATERAL`` read of each group's first rows (the market catalogue) — but must
keep the selector's scope exactly: area, party and role rules, filters. :func:`pieces` compiles
only what such a statement is written around, once: the queryset's ``FROM`` (its joins) and
``WHERE``, some columns, and an ``ORDER BY``. The scope's values stay bound parameters; nothing
of them is pasted into the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db.models import QuerySet


@dataclass(frozen=True)
class Pieces:
    """``FROM``/``WHERE`` of a queryset as compiled, its columns' SQL by the names asked for,
    and the ``ORDER BY`` terms (without the keywords)."""

    from_sql: str
    from_params: tuple[Any, ...]
    where_sql: str
    where_params: tuple[Any, ...]
    columns: dict[str, str]
    order_sql: str
    order_params: tuple[Any, ...]

    def rows(self, condition: str = "TRUE") -> tuple[str, list[Any]]:
        """``FROM … WHERE (<scope>) AND <condition>`` and the scope's parameters (the
        condition's own come after them)."""
        return (
            f"FROM {self.from_sql} WHERE ({self.where_sql}) AND {condition}",
            [*self.from_params, *self.where_params],
        )


def pieces(qs: QuerySet[Any], columns: Sequence[str], order: Sequence[Any] = ()) -> Pieces | None:
    """The pieces of ``qs`` (its filters, not its own ordering or ``select_related``), or None
    when it can hold no row at all. ``columns`` are field names (``pk`` included); ``order``
    what ``order_by`` takes (expressions with parameters too)."""
    query = qs.order_by(*order).values_list(*columns).query
    if query.combinator or query.distinct or query.group_by is not None or query.is_sliced:
        # Not a plain filtered table: a statement written around it would not mean the same.
        raise ValueError("compiled pieces need a plain filtered queryset")
    compiler = query.get_compiler(using=qs.db)
    _extra, order_by, _group = compiler.pre_sql_setup()
    from_parts, from_params = compiler.get_from_clause()
    try:
        where, where_params = compiler.compile(compiler.where)
    except FullResultSet:
        where, where_params = "TRUE", []
    except EmptyResultSet:
        return None
    selected = [sql for _col, (sql, _params), _alias in compiler.select]
    terms = [(sql, params) for _expr, (sql, params, _is_ref) in order_by]
    return Pieces(
        from_sql=" ".join(from_parts),
        from_params=tuple(from_params),
        where_sql=where,
        where_params=tuple(where_params),
        columns=dict(zip(columns, selected, strict=True)),
        order_sql=", ".join(sql for sql, _params in terms),
        order_params=tuple(p for _sql, params in terms for p in params),
    )
