"""Checking the engines' input files cell by cell, and writing their results atomically.

Every problem is collected with its file, row and column before anything is written, so a bad
file gives the whole list at once and no half-written result.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sinergi.engines import wilayah
from sinergi.engines.numbers import ascii_int
from sinergi.engines.tabular import TabularError, open_table

Where = tuple[str, int, str]


@dataclass(frozen=True)
class Problem:
    file: str
    row: int  # 1 is the header; 0 is the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        where = self.file if not self.row else f"{self.file}, row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


def rows(
    path: Path, columns: tuple[str, ...], problems: list[Problem], *, allow_empty: bool = False
) -> list[tuple[int, dict[str, str]]]:
    name = path.name
    try:
        table = open_table(path)
    except FileNotFoundError:
        problems.append(Problem(name, 0, "", "no such file"))
        return []
    except TabularError as exc:
        text = (
            "the file is empty"
            if exc.code == "empty"
            else f"cannot be read ({exc.detail or exc.code})"
        )
        problems.append(Problem(name, 0, "", text))
        return []
    missing = [c for c in columns if c not in table.header]
    if missing:
        problems.append(
            Problem(
                name,
                1,
                "",
                f"missing column(s) {', '.join(missing)}; the header must be {','.join(columns)}",
            )
        )
        return []
    index = {c: table.header.index(c) for c in columns}
    out = []
    try:
        for number, cells in table.rows:
            out.append(
                (
                    number,
                    {c: (cells[i].strip() if i < len(cells) else "") for c, i in index.items()},
                )
            )
    except TabularError as exc:
        problems.append(Problem(name, 0, "", f"cannot be read ({exc.detail or exc.code})"))
    if not out and not problems and not allow_empty:
        problems.append(Problem(name, 0, "", "the file has a header but no rows"))
    return out


def region(
    raw: str,
    level: wilayah.Level,
    index: wilayah.RegionIndex,
    where: tuple[str, int, str],
    problems: list[Problem],
) -> str | None:
    label = (
        "district (kecamatan)" if level == wilayah.Level.DISTRICT else "regency (kabupaten/kota)"
    )
    try:
        code = wilayah.normalize_code(raw)
    except wilayah.RegionCodeError as exc:
        problems.append(Problem(*where, f"{exc}; expected a {label} code"))
        return None
    if wilayah.level_of(code) != level:
        problems.append(Problem(*where, f"{raw!r} is not a {label} code"))
        return None
    if code not in index:
        problems.append(Problem(*where, f"{raw!r} is not a known {label} code"))
        return None
    return code


def unique(
    value: str, seen: dict[str, int], where: tuple[str, int, str], problems: list[Problem]
) -> bool:
    if not value:
        problems.append(Problem(*where, "empty id"))
        return False
    if value in seen:
        problems.append(Problem(*where, f"duplicate id {value!r} (first on row {seen[value]})"))
        return False
    seen[value] = where[1]
    return True


def whole_number(raw: str, where: Where, problems: list[Problem], *, minimum: int) -> int | None:
    """An integer of at least ``minimum`` (no decimals, no thousands separators), else None."""
    text = raw.strip()
    value = ascii_int(text)
    if value is None or value < minimum:
        problems.append(Problem(*where, f"{raw!r} is not a whole number of at least {minimum}"))
        return None
    return value


def write_atomically(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write a CSV so that a reader sees the old file or the whole new one, never a part."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
