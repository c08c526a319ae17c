"""``{{ value|number }}``: the one number formatter (core.numbers.format_number) in templates."""

from __future__ import annotations

from django import template

from sinergi.core.numbers import format_number
from sinergi.monitoring import poverty

register = template.Library()


@register.filter
def number(value: object) -> str:
    if value is None or value == "":
        return "—"
    try:
        return format_number(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)


@register.filter
def line_words(label: str) -> str:
    """The poverty line a comparison used, in words (not its stored code)."""
    return poverty.line_words(label)
