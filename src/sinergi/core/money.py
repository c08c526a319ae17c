"""Rupiah are integers; these are the only two conversions to and from what people read."""

from __future__ import annotations


def rupiah(value: int) -> str:
    """``12000000`` → ``12.000.000`` (Indonesian thousands separator)."""
    return f"{value:,}".replace(",", ".")


def parse_rupiah(text: str) -> int | None:
    """``12.000.000`` or ``12,000,000`` or ``12000000`` → 12000000; None when not a number."""
    digits = text.strip().replace(".", "").replace(",", "")
    return int(digits) if digits.isdigit() else None
