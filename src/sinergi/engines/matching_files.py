"""The matcher's files: read and check K.csv, M.csv and H.csv, write A.csv."""

from __future__ import annotations

from pathlib import Path

from sinergi.engines import wilayah
from sinergi.engines.filecheck import Problem, region, rows, unique, whole_number, write_atomically
from sinergi.engines.matching import Group, Mentor, Result

GROUP_COLUMNS = ("kube_id", "kode_kecamatan", "sektor")
MENTOR_COLUMNS = ("mentor_id", "kode_kabupaten", "sektor", "kapasitas")
HISTORY_COLUMNS = ("kube_id", "mentor_id")

__all__ = ["Problem", "read_groups", "read_history", "read_mentors", "write_result"]


def read_groups(path: Path, index: wilayah.RegionIndex, problems: list[Problem]) -> list[Group]:
    out: list[Group] = []
    seen: dict[str, int] = {}
    for row, cells in rows(path, GROUP_COLUMNS, problems):
        ok = unique(cells["kube_id"], seen, (path.name, row, "kube_id"), problems)
        code = region(
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
    for row, cells in rows(path, MENTOR_COLUMNS, problems):
        ok = unique(cells["mentor_id"], seen, (path.name, row, "mentor_id"), problems)
        code = region(
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
        capacity = whole_number(
            cells["kapasitas"], (path.name, row, "kapasitas"), problems, minimum=0
        )
        if ok and code and capacity is not None:
            out.append(Mentor(cells["mentor_id"], code, sectors, capacity))
    return out


def read_history(path: Path, problems: list[Problem]) -> list[tuple[str, str]]:
    out = []
    for row, cells in rows(path, HISTORY_COLUMNS, problems, allow_empty=True):
        for column in HISTORY_COLUMNS:
            if not cells[column]:
                problems.append(Problem(path.name, row, column, "empty id"))
        if cells["kube_id"] and cells["mentor_id"]:
            out.append((cells["kube_id"], cells["mentor_id"]))
    return out


def write_result(path: Path, groups: list[Group], result: Result) -> None:
    def lines() -> list[list[object]]:
        out: list[list[object]] = []
        for g in groups:
            pair = result.pairs.get(g.id)
            out.append([g.id, pair.mentor_id, pair.cost] if pair else [g.id, "", ""])
        return out

    write_atomically(path, ["kube_id", "mentor_id", "cost"], lines())
