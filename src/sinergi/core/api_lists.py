"""One way for API lists: paged, filtered, sorted, and "what changed since".

Every list endpoint takes the same query parameters:

- ``page`` / ``page_size`` — :class:`sinergi.core.api_schemas.Pages` (``{"items", "count"}``);
- the list's own filters — a ninja ``FilterSchema``: a field named like the column filters on it,
  ``Annotated[str | None, FilterLookup("kube__area_code")]`` on another lookup;
- ``ordering`` — one or more comma-separated names from the list's whitelist, ``-name`` for
  descending (``ordering=-updated,name``); an unknown name is a 422 naming the allowed ones;
- ``changed_since`` — an ISO 8601 moment: only rows created or changed at or after it (on
  ``updated_at``); a malformed value is a 422. A time without a zone is read in the server's
  zone (Asia/Jakarta).

How an app applies it (reads still come from its selector; the filter only narrows and sorts)::

    from typing import ClassVar
    from sinergi.core.api_lists import ListFilter
    from sinergi.core.api_schemas import Pages

    class ProductFilter(ListFilter):
        ordering_fields: ClassVar = {"name": "name", "price": "price", "updated": "updated_at"}
        default_ordering: ClassVar = "name"
        category: str | None = Field(None, description="Product category code")
        kube_id: Id | None = None
        min_price: Annotated[int | None, FilterLookup("price__gte")] = None

    @router.get("/products", response=list[ProductOut])
    @paginate(Pages)
    def product_list(request, filters: Query[ProductFilter]):
        return filters.apply(selectors.product_list(actor=request.user))

A filter the selector already understands (a word search across several tables, say) is listed
in ``selector_fields`` and passed to the selector by hand; ``apply`` then leaves it alone.
A model without ``updated_at`` uses :class:`SortedFilter` (no ``changed_since``), or names its
own column in ``changed_since_field``. Rows always end sorted by ``pk`` too, so pages never
overlap or skip a row when several rows share a sort value.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, TypeVar

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, FilterSchema
from pydantic import field_validator
from pydantic.fields import FieldInfo

T = TypeVar("T", bound=QuerySet[Any])


class SortedFilter(FilterSchema):
    """Filters plus a validated ``ordering`` (see the module docstring)."""

    # public name -> column (or columns) it sorts by
    ordering_fields: ClassVar[dict[str, str | tuple[str, ...]]] = {}
    default_ordering: ClassVar[str] = ""
    # filters the selector applies itself (``apply`` skips them)
    selector_fields: ClassVar[frozenset[str]] = frozenset()

    ordering: str = Field(
        "",
        max_length=200,
        description="Comma-separated field names to sort by; '-name' sorts descending.",
    )

    @field_validator("ordering")
    @classmethod
    def _known_names(cls, value: str) -> str:
        names = [n.strip() for n in value.split(",") if n.strip()]
        unknown = [n for n in names if n.lstrip("-") not in cls.ordering_fields]
        if unknown:
            raise ValueError(
                _("“%(name)s” cannot be sorted on. Sort by one of: %(names)s.")
                % {"name": unknown[0][:40], "names": ", ".join(sorted(cls.ordering_fields))}
            )
        return ",".join(names)

    def _resolve_field_expression(
        self, field_name: str, field_value: Any, field_info: FieldInfo
    ) -> Q:
        if field_name == "ordering" or field_name in self.selector_fields:
            return Q()
        return super()._resolve_field_expression(field_name, field_value, field_info)

    def order_columns(self) -> list[str]:
        columns: list[str] = []
        for name in (self.ordering or self.default_ordering).split(","):
            if not name:
                continue
            sign = "-" if name.startswith("-") else ""
            target = self.ordering_fields[name.lstrip("-")]
            for column in (target,) if isinstance(target, str) else target:
                columns.append(sign + column)
        return [*columns, "pk"]

    def apply(self, queryset: T) -> T:
        """``queryset`` narrowed by the filters and sorted by ``ordering`` (then by pk)."""
        return self.filter(queryset).order_by(*self.order_columns())


class ListFilter(SortedFilter):
    """:class:`SortedFilter` plus ``changed_since`` on ``changed_since_field``."""

    changed_since_field: ClassVar[str] = "updated_at"

    changed_since: datetime | None = Field(
        None,
        description="Only rows created or changed at or after this moment (ISO 8601, "
        "e.g. 2026-01-31T08:00:00+07:00).",
    )

    def filter_changed_since(self, value: datetime | None) -> Q:
        if value is None:
            return Q()
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return Q(**{f"{self.changed_since_field}__gte": value})
