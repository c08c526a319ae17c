"""Kemendagri region codes: parsing, and an in-memory index for fast lookups.

Pure Python, no Django. Codes are strings (leading zeros matter) written with dots:
``32`` province, ``32.73`` regency, ``32.73.01`` district, ``32.73.01.1001`` village. Input may
come dotted or plain (``3273011001``) or with spaces or dashes; :func:`normalize_code` gives the
dotted form or raises :class:`RegionCodeError` saying what is wrong.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "wilayah" / "data" / "kemendagri.csv.gz"

# Digits per level, and the cumulative length of the plain code.
_SEGMENTS = (2, 2, 2, 4)
_PLAIN_LENGTHS = {2: 1, 4: 2, 6: 3, 10: 4}
_SEPARATORS = re.compile(r"[\s.\-]+")


class Level(IntEnum):
    PROVINCE = 1
    REGENCY = 2
    DISTRICT = 3
    VILLAGE = 4


class RegionCodeError(ValueError):
    """A code that cannot be a Kemendagri region code; ``reason`` is a stable key."""

    def __init__(self, code: str, reason: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason


def normalize_code(raw: str) -> str:
    """Return the dotted form of a region code written dotted, plain or with separators."""
    text = raw.strip()
    if not text:
        raise RegionCodeError(raw, "empty", "the region code is empty")
    digits = _SEPARATORS.sub("", text)
    if not digits.isdigit():
        raise RegionCodeError(
            raw, "not_digits", f"{raw!r} contains characters other than digits and dots"
        )
    if "." in text:
        parts = text.split(".")
        if len(parts) > 4 or any(len(p) != n for p, n in zip(parts, _SEGMENTS, strict=False)):
            raise RegionCodeError(
                raw,
                "bad_format",
                f"{raw!r} is not in the form PP, PP.KK, PP.KK.CC or PP.KK.CC.DDDD",
            )
    if len(digits) not in _PLAIN_LENGTHS:
        raise RegionCodeError(
            raw, "bad_length", f"{raw!r} has {len(digits)} digits; a code has 2, 4, 6 or 10"
        )
    out, start = [], 0
    for size in _SEGMENTS[: _PLAIN_LENGTHS[len(digits)]]:
        out.append(digits[start : start + size])
        start += size
    return ".".join(out)


def level_of(code: str) -> Level:
    """Level of a normalised code, from the number of its segments."""
    return Level(code.count(".") + 1)


def parent_of(code: str) -> str | None:
    """Code of the region one level up, or None for a province."""
    return code.rsplit(".", 1)[0] if "." in code else None


def ancestors_of(code: str) -> list[str]:
    """Codes from the province down to (not including) ``code``."""
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def plain(code: str) -> str:
    return code.replace(".", "")


def is_city(code: str) -> bool:
    """Regency codes 71–99 are kota (cities), 01–69 kabupaten."""
    return len(code) >= 5 and int(code[3:5]) >= 71


def village_kind(code: str) -> str | None:
    """First digit of a village's own part: 1 kelurahan, 2 desa, 3 desa adat."""
    if level_of(code) != Level.VILLAGE:
        return None
    return {"1": "kelurahan", "2": "desa", "3": "desa_adat"}.get(code[9])


def in_area(code: str, area: str | None) -> bool:
    """True when ``code`` lies in (or is) the area ``area``; None is the whole nation."""
    return area is None or code == area or code.startswith(area + ".")


@dataclass(frozen=True, slots=True)
class RegionRecord:
    code: str
    name: str

    @property
    def level(self) -> Level:
        return level_of(self.code)

    @property
    def parent_code(self) -> str | None:
        return parent_of(self.code)


def read_records(path: Path = DATA_FILE) -> Iterator[RegionRecord]:
    """Stream the shipped data file (``code,name``, gzip) as records in code order."""
    with gzip.open(path, "rb") as raw:
        reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8"))
        next(reader)
        for code, name in reader:
            yield RegionRecord(code, name)


class RegionIndex:
    """All regions held in memory: answers lookups and NIK-prefix checks in O(1)."""

    def __init__(self, records: Iterable[RegionRecord], retired: Iterable[str] = ()) -> None:
        self._names: dict[str, str] = {}
        self._children: dict[str | None, list[str]] = {}
        for record in records:
            self._names[record.code] = record.name
            self._children.setdefault(record.parent_code, []).append(record.code)
        self._retired = frozenset(retired)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, code: object) -> bool:
        return code in self._names

    def name(self, code: str) -> str | None:
        return self._names.get(code)

    def lookup(self, raw: str) -> RegionRecord | None:
        """The region for a code in any accepted spelling, or None when it does not exist."""
        code = normalize_code(raw)
        name = self._names.get(code)
        return RegionRecord(code, name) if name is not None else None

    def children(self, code: str | None) -> list[str]:
        return list(self._children.get(code, ()))

    def count(self, level: Level) -> int:
        return sum(1 for code in self._names if level_of(code) == level)

    def is_retired(self, code: str) -> bool:
        return code in self._retired

    def province_exists(self, two_digits: str) -> bool:
        return two_digits in self._names

    def nik_prefix_status(self, prefix: str) -> str:
        """Classify the 6-digit region part of a NIK or KK number.

        ``known`` when the district exists, ``province_only`` when only its province does (the
        regency or district may have been split or renamed since the number was issued: a
        warning, not an error), ``unknown_province`` otherwise.
        """
        if len(prefix) != 6 or not prefix.isdigit():
            raise RegionCodeError(prefix, "bad_length", "a NIK region prefix has 6 digits")
        district = f"{prefix[:2]}.{prefix[2:4]}.{prefix[4:6]}"
        if district in self._names:
            return "known"
        if prefix[:2] in self._names:
            return "province_only"
        return "unknown_province"

    def nik_prefix_exists(self, prefix: str) -> bool:
        return self.nik_prefix_status(prefix) == "known"


@cache
def default_index() -> RegionIndex:
    """The index of the shipped data, built once per process (~0.3 s, ~30 MB)."""
    return RegionIndex(read_records())
