"""Every number a person or a client sends is bounded by the column it ends up in.

The bounds are read from the model field, so a schema or a form cannot drift from the table:
an ``IntegerField`` is int4 on PostgreSQL whatever SQLite would accept, and a number beyond it
is a field error (422 in the API, a message on the form), never a database error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, overload

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import formats, translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sinergi.core.errors import InvalidInput
from sinergi.core.money import INT8_MAX, rupiah, rupiah_value
from sinergi.engines.numbers import ascii_int

__all__ = [
    "ID_MAX",
    "PAGE_MAX",
    "BoundedIntegerField",
    "GroupedInput",
    "IdConverter",
    "RupiahField",
    "ascii_id",
    "ascii_int",
    "column_range",
    "format_number",
    "posted_ids",
    "posted_number",
]

# Row ids (BigAutoField) and anything addressed by id in a path.
ID_MAX = INT8_MAX
# The furthest page any list offers: far beyond real data, small enough for any OFFSET.
PAGE_MAX = 100_000


def column_range(model: type[models.Model], name: str) -> tuple[int, int]:
    """(lowest, highest) value the column and the field's own validators accept.

    Ranges are PostgreSQL's (the base table Django keeps for every backend), so a value that
    SQLite would store but PostgreSQL would refuse is refused on both.
    """
    field = model._meta.get_field(name)
    low, high = BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]
    for validator in getattr(field, "validators", []):
        if isinstance(validator, MinValueValidator) and isinstance(validator.limit_value, int):
            low = max(low, validator.limit_value)
        if isinstance(validator, MaxValueValidator) and isinstance(validator.limit_value, int):
            high = min(high, validator.limit_value)
    return low, high


class BoundedIntegerField(forms.IntegerField):
    """A form integer whose range defaults to the column's; ASCII digits only."""

    def __init__(self, *, model: type[models.Model], name: str, **kwargs: Any) -> None:
        low, high = column_range(model, name)
        kwargs["min_value"] = max(low, kwargs.get("min_value", low))
        kwargs["max_value"] = min(high, kwargs.get("max_value", high))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        parsed = ascii_int(str(value))
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class RupiahField(BoundedIntegerField):
    """An amount of rupiah typed as people type it (``12.000`` is twelve thousand)."""

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        try:
            return rupiah_value(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc

    default_error_messages = {"invalid": _("Enter an amount in rupiah, e.g. 1.500.000.")}


class GroupedInput(forms.TextInput):
    """A text box for a quantity or rupiah: shown with thousands separators, typed with or
    without them (a number box would refuse the dots people type)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return rupiah(value)
        return super().format_value(value)


class IdConverter:
    """``<id:pk>`` in URL patterns: ASCII digits naming a possible row, else the page is 404.

    Django's ``<int:…>`` passes 99999999999999999999 on to the database, which cannot take it.
    """

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= ID_MAX:
            raise ValueError  # the resolver reads this as "no match": 404
        return number

    def to_url(self, value: int) -> str:
        return str(value)


def ascii_id(text: str) -> int | None:
    """An id typed or posted: ASCII digits naming a possible row (1 to ``ID_MAX``), else None."""
    value = ascii_int(text)
    return value if value is not None and 1 <= value <= ID_MAX else None


def posted_ids(values: list[str]) -> list[int]:
    """The ids among ticked boxes or chosen options; a value that cannot name a row is dropped
    (no one ticked it: the page only offers real ids)."""
    return [value for value in map(ascii_id, values) if value is not None]


@overload
def posted_number(
    data: Mapping[str, Any],
    name: str,
    *,
    model: type[models.Model],
    column: str | None = ...,
    label: str | None = ...,
    rupiah: bool = ...,
    default: int,
    **bounds: int,
) -> int: ...


@overload
def posted_number(
    data: Mapping[str, Any],
    name: str,
    *,
    model: type[models.Model],
    column: str | None = ...,
    label: str | None = ...,
    rupiah: bool = ...,
    default: None = ...,
    **bounds: int,
) -> int | None: ...


def posted_number(
    data: Mapping[str, Any],
    name: str,
    *,
    model: type[models.Model],
    column: str | None = None,
    label: str | None = None,
    rupiah: bool = False,
    default: int | None = None,
    **bounds: int,
) -> int | None:
    """The number typed in the plain form field ``name``, bounded by ``model.column``.

    For views that read ``request.POST`` directly: the same reading and bounds as
    ``BoundedIntegerField``/``RupiahField``, and an ``InvalidInput`` naming the field (its
    ``label``, by default the column's name in the user's language) instead of a number the
    database would refuse. An empty field gives ``default``. ``column`` defaults to ``name``.
    """
    raw = str(data.get(name) or "").strip()
    if not raw:
        return default
    column = column or name
    kind = RupiahField if rupiah else BoundedIntegerField
    try:
        return kind(model=model, name=column, **bounds).clean(raw)
    except forms.ValidationError as exc:
        shown = label or capfirst(
            str(getattr(model._meta.get_field(column), "verbose_name", column))
        )
        raise InvalidInput(
            gettext("%(field)s: %(problem)s") % {"field": shown, "problem": " ".join(exc.messages)},
            field=name,
        ) from exc


def format_number(value: float, language: str | None = None) -> str:
    """A whole number as people read it in ``language`` (by default the active one):
    ``1.234.567`` in Indonesian, ``1,234,567`` in English. The one formatter for pages, charts,
    maps and PDFs, so a figure reads the same wherever it is shown."""
    whole = round(value)
    if language is None:
        return formats.number_format(whole, decimal_pos=0, force_grouping=True)
    with translation.override(language):
        return formats.number_format(whole, decimal_pos=0, force_grouping=True)
