"""Rupiah are integers; these are the only two conversions to and from what people read."""

from __future__ import annotations

import re


def rupiah(value: int) -> str:
    """``12000000`` → ``12.000.000`` (Indonesian thousands separator)."""
    return f"{value:,}".replace(",", ".")


_GROUPED = re.compile(r"\d{1,3}([.,]\d{3})+")


def parse_rupiah(text: str) -> int | None:
    """``12.000.000`` or ``12,000,000`` or ``12000000`` → 12000000; None when not a number.

    Separators must group thousands: ``10.5`` is refused rather than read as 105.
    """
    text = text.strip()
    if text.isdigit():
        return int(text)
    if _GROUPED.fullmatch(text):
        return int(text.replace(".", "").replace(",", ""))
    return None
