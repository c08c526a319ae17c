"""Request bodies, value types and the pagination shared by every API router."""

from __future__ import annotations

from typing import Annotated, Any

from annotated_types import Ge, Le
from django.db import models
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination
from pydantic import BeforeValidator

from sinergi.core.money import INT8_MAX, rupiah_value
from sinergi.core.numbers import ID_MAX, PAGE_MAX, column_range
from sinergi.core.pagination import capped_count


def _not_bool(value: Any) -> Any:
    # pydantic's lax mode reads JSON true as 1: a yes/no is never a count or an id.
    if isinstance(value, bool):
        raise ValueError(_("A number is expected here, not true or false."))
    return value


# An id in a path or a body: beyond int8 it cannot name a row, so it is a 422, not a crash.
# (Constraints before the validator: after it, pydantic documents them as non-standard keys.)
Id = Annotated[int, Ge(1), Le(ID_MAX), BeforeValidator(_not_bool)]


# Rupiah not kept in an integer column (incomes are stored encrypted): int8 still bounds them.
Rupiah = Annotated[int, Ge(0), Le(INT8_MAX), BeforeValidator(rupiah_value)]


def column_int(model: type[models.Model], name: str, **field: Any) -> Any:
    """An integer bounded by ``model.name``'s column (and narrower ``ge``/``le`` if given)."""
    low, high = column_range(model, name)
    ge = max(low, field.pop("ge", low))
    le = min(high, field.pop("le", high))
    if "gt" in field:
        ge = max(ge, field.pop("gt") + 1)
    return Annotated[int, Field(ge=ge, le=le, **field), BeforeValidator(_not_bool)]


def column_rupiah(model: type[models.Model], name: str, **field: Any) -> Any:
    """Rupiah for ``model.name``: read like a form reads them, bounded by the column."""
    low, high = column_range(model, name)
    ge = max(low, field.pop("ge", low))
    le = min(high, field.pop("le", high))
    if "gt" in field:
        ge = max(ge, field.pop("gt") + 1)
    field.setdefault("description", "Integer rupiah")
    return Annotated[int, Field(ge=ge, le=le, **field), BeforeValidator(rupiah_value)]


class Pages(PageNumberPagination):
    """Page-number pagination whose numbers are bounded, so a huge page is a 422, not a crash."""

    class PageIn(Schema):
        page: int = Field(1, ge=1, le=PAGE_MAX)
        page_size: int | None = Field(None, ge=1, le=100)

    # Named apart from ninja's own ``Input`` so the OpenAPI component names stay unique.
    Input = PageIn  # type: ignore[assignment]

    def _items_count(self, queryset: Any) -> int:
        # A national list holds a million rows: ``count`` stops at COUNT_CAP + 1, read as
        # "more than COUNT_CAP" (core.pagination), so the count never costs more than the page.
        return capped_count(queryset)


class ReasonIn(Schema):
    """The why of a step (required by the service where a step needs one)."""

    reason: str = Field("", max_length=300)
