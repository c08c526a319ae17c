"""Rupiah are integers; these are the only conversions to and from what people type and read.

One reading for forms and the API alike: ``12.000`` is twelve thousand (the Indonesian
thousands separator), whether typed in a form or sent as a JSON string; a JSON number ``12.0``
is 12, ``12.5`` is refused (there is no half rupiah) and ``true`` is not a number.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# The widest integer column (int8): no amount beyond it can be stored anywhere.
INT8_MAX = 2**63 - 1


def rupiah(value: int) -> str:
    """``12000000`` → ``12.000.000`` (Indonesian thousands separator)."""
    return f"{value:,}".replace(",", ".")


# ASCII digits only: "²" and "١٢٣" pass str.isdigit() but are not what a person means.
_PLAIN = re.compile(r"[0-9]{1,19}")
_GROUPED = re.compile(r"[0-9]{1,3}(\.[0-9]{3})+|[0-9]{1,3}(,[0-9]{3})+")


def parse_rupiah(text: str) -> int | None:
    """``12.000.000`` or ``12,000,000`` or ``12000000`` → 12000000; None when not a number.

    Separators must group thousands, one kind per number: ``10.5`` is refused rather than
    read as 105. Values beyond the widest column are not numbers anyone can store.
    """
    text = text.strip()
    if _PLAIN.fullmatch(text) or (len(text) <= 25 and _GROUPED.fullmatch(text)):
        value = int(text.replace(".", "").replace(",", ""))
        return value if value <= INT8_MAX else None
    return None


def rupiah_value(value: object) -> int:
    """An amount sent to the API or a form, read as ``parse_rupiah`` reads a typed one.

    Raises ``ValueError`` with a sentence in the user's language (pydantic and the form field
    show it next to the field).
    """
    if isinstance(value, bool):
        raise ValueError(_("Give an amount in rupiah, not true or false."))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer() and abs(value) <= INT8_MAX:
            return int(value)
        raise ValueError(_("Rupiah are whole numbers: leave out the decimals."))
    if isinstance(value, str):
        parsed = parse_rupiah(value)
        if parsed is None:
            raise ValueError(
                _("Not an amount in rupiah: write digits, optionally grouped with dots (12.000).")
            )
        return parsed
    raise ValueError(_("Give an amount in rupiah as a whole number."))
