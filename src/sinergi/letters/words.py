"""Dates and amounts as an Indonesian official letter writes them, whatever the UI language."""

from __future__ import annotations

import datetime

MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
WEEKDAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
_UNITS = [
    "",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
    "sepuluh",
    "sebelas",
]
_SCALES = [(10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (1000, "ribu")]


def long_date(day: datetime.date | None) -> str:
    """``5 Januari 2026``; "-" when there is no date."""
    if day is None:
        return "-"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def weekday(day: datetime.date) -> str:
    return WEEKDAYS[day.weekday()]


def _below_thousand(n: int) -> str:
    if n < 12:
        return _UNITS[n]
    if n < 20:
        return f"{_UNITS[n - 10]} belas"
    if n < 100:
        tens, rest = divmod(n, 10)
        return f"{_UNITS[tens]} puluh {_UNITS[rest]}".strip()
    hundreds, rest = divmod(n, 100)
    head = "seratus" if hundreds == 1 else f"{_UNITS[hundreds]} ratus"
    return f"{head} {_below_thousand(rest)}".strip()


def terbilang(n: int) -> str:
    """An amount in words, as written beside the figure: 1.500.000 → "satu juta lima ratus
    ribu" (1.000 is "seribu", 100 "seratus"); up to the trillions."""
    if n == 0:
        return "nol"
    if n < 0:
        return "minus " + terbilang(-n)
    parts = []
    for size, name in _SCALES:
        count, n = divmod(n, size)
        if count:
            parts.append("seribu" if size == 1000 and count == 1 else f"{terbilang(count)} {name}")
    if n:
        parts.append(_below_thousand(n))
    return " ".join(parts)
