"""``{{ value|number }}``: the one number formatter (core.numbers.format_number) in templates."""

from __future__ import annotations

from django import template

from sinergi.core.numbers import format_number

register = template.Library()


@register.filter
def number(value: object) -> str:
    if value is None or value == "":
        return "—"
    try:
        return format_number(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
