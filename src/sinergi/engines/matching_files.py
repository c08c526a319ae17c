"""The matcher's files: read and check K.csv, M.csv and H.csv, write A.csv.

Every problem is collected with its file, row and column before anything is written, so a bad
file gives the whole list at once and no half-written result.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from sinergi.engines import wilayah
from sinergi.engines.matching import Group, Mentor, Result
from sinergi.engines.tabular import TabularError, open_table

GROUP_COLUMNS = ("kube_id", "kode_kecamatan", "sektor")
MENTOR_COLUMNS = ("mentor_id", "kode_kabupaten", "sektor", "kapasitas")
HISTORY_COLUMNS = ("kube_id", "mentor_id")


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


class MatchFileError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _rows(
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


def _region(
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


def _unique(
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


def read_groups(path: Path, index: wilayah.RegionIndex, problems: list[Problem]) -> list[Group]:
    out: list[Group] = []
    seen: dict[str, int] = {}
    for row, cells in _rows(path, GROUP_COLUMNS, problems):
        ok = _unique(cells["kube_id"], seen, (path.name, row, "kube_id"), problems)
        code = _region(
            cells["kode_kecamatan"],
            wilayah.Level.DISTRICT,
            index,
            (path.name, row, "kode_kecamatan"),
            problems,
        )
        sector = cells["sektor"]
        if not sector or ";" in sector:
            problems.append(Problem(path.name, row, "sektor", "give exactly one sector code"))
            ok = False
        if ok and code:
            out.append(Group(cells["kube_id"], code, sector))
    return out


def read_mentors(path: Path, index: wilayah.RegionIndex, problems: list[Problem]) -> list[Mentor]:
    out: list[Mentor] = []
    seen: dict[str, int] = {}
    for row, cells in _rows(path, MENTOR_COLUMNS, problems):
        ok = _unique(cells["mentor_id"], seen, (path.name, row, "mentor_id"), problems)
        code = _region(
            cells["kode_kabupaten"],
            wilayah.Level.REGENCY,
            index,
            (path.name, row, "kode_kabupaten"),
            problems,
        )
        sectors = frozenset(s.strip() for s in cells["sektor"].split(";") if s.strip())
        if not sectors:
            problems.append(
                Problem(
                    path.name,
                    row,
                    "sektor",
                    "a mentor needs at least one sector (separate several with ';')",
                )
            )
            ok = False
        raw = cells["kapasitas"]
        capacity = int(raw) if raw.lstrip("-").isdigit() else None
        if capacity is None or capacity < 0:
            problems.append(
                Problem(
                    path.name,
                    row,
                    "kapasitas",
                    f"{raw!r} is not a whole number of groups, 0 or more",
                )
            )
            ok = False
        if ok and code and capacity is not None:
            out.append(Mentor(cells["mentor_id"], code, sectors, capacity))
    return out


def read_history(path: Path, problems: list[Problem]) -> list[tuple[str, str]]:
    out = []
    for row, cells in _rows(path, HISTORY_COLUMNS, problems, allow_empty=True):
        for column in HISTORY_COLUMNS:
            if not cells[column]:
                problems.append(Problem(path.name, row, column, "empty id"))
        if cells["kube_id"] and cells["mentor_id"]:
            out.append((cells["kube_id"], cells["mentor_id"]))
    return out


def write_result(path: Path, groups: list[Group], result: Result) -> None:
    """Write atomically: a reader sees the old file or the whole new one, never a part."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["kube_id", "mentor_id", "cost"])
            for g in groups:
                pair = result.pairs.get(g.id)
                writer.writerow([g.id, pair.mentor_id, pair.cost] if pair else [g.id, "", ""])
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
