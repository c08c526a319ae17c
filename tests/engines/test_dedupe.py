"""Duplicate detection: Indonesian name rules, hard negatives, blocking against brute force."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date, timedelta
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi.engines.dedupe import (
    Record,
    block_dates,
    find_pairs,
    find_pairs_against,
    name_similarity,
    normalise_name,
    score_pair,
)
from sinergi.synthetic.registry import write_registry


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Muhammad Soekarno", "M. Sukarno"),
        ("Mohammad Djuanda", "Muhamad Juanda"),
        ("Moh. Tjipto", "Muhammad Cipto"),
        ("Noor Hidayah", "Nur Hidayah"),
        ("St. Aminah", "Siti Aminah"),
        ("Hj. Siti Aminah, S.Pd.", "Siti Aminah"),
        ("Chairul Anwar", "Khairul Anwar"),
        ("Setja Budi", "Setya Budi"),
    ],
)
def test_spelling_variants_normalise_alike(a: str, b: str) -> None:
    assert name_similarity(a, b) >= 0.95, (normalise_name(a), normalise_name(b))


def _rec(
    id_: str,
    nik: str,
    name: str,
    sex: str,
    born: date,
    village: str = "32.73.01.1001",
    kk: str = "3273010101200001",
) -> Record:
    return Record(id_, nik, name, sex, born, village, kk)


def test_hard_negatives_stay_apart() -> None:
    born = date(2010, 5, 4)
    twins = [
        _rec("t1", "3273010405100001", "Hasan Basri", "L", born),
        _rec("t2", "3273010405100002", "Husen Basri", "L", born),
    ]
    father_son = [
        _rec("f", "3273011203700001", "Ahmad Fauzi", "L", date(1970, 3, 12)),
        _rec("s", "3273010102980001", "Ahmad Fauzi", "L", date(1998, 2, 1)),
    ]
    namesakes = [
        _rec("a1", "3273014102800001", "Siti Aminah", "P", date(1980, 2, 1), kk="3273010101200007"),
        _rec("a2", "3273014303850001", "Siti Aminah", "P", date(1985, 3, 3), kk="3273010101200009"),
    ]
    assert find_pairs(twins + father_son + namesakes) == []


def test_planted_duplicates_are_found() -> None:
    born = date(1990, 7, 1)
    same_nik = [
        _rec("a", "3273014107900001", "Muhammad Djoko", "L", born),
        _rec("b", "3273014107900001", "M. Joko", "L", born),
    ]
    typo = [
        _rec("c", "3273014107900003", "Dewi Lestari", "P", born),
        _rec("d", "3273014107900030", "Dewi Lestari", "P", born),
    ]
    swapped = [
        _rec("e", "3273010503880001", "Budi Santoso", "L", date(1988, 3, 5)),
        _rec("f", "3273010503880010", "Boedi Santoso", "L", date(1988, 5, 3)),
    ]
    found = {(p.id_a, p.id_b) for p in find_pairs(same_nik + typo + swapped)}
    assert found == {("a", "b"), ("c", "d"), ("e", "f")}


names = st.sampled_from(
    [
        "Siti Aminah",
        "Siti Aminah Lubis",
        "Budi Santoso",
        "Boedi Santoso",
        "Dewi",
        "Dewi Lestari",
        "Muhammad Joko",
        "M. Djoko",
        "Hasan",
        "Husen",
    ]
)


@st.composite
def district_records(draw: st.DrawFn) -> list[Record]:
    n = draw(st.integers(2, 9))
    out = []
    for i in range(n):
        born = date(1990, 1, 1) + timedelta(days=draw(st.integers(0, 3)) * 31)
        serial = draw(st.sampled_from(["0001", "0002", "0010", "0100"]))
        nik = f"327301{born.day:02d}{born.month:02d}{born.year % 100:02d}{serial}"
        out.append(
            Record(
                f"r{i}",
                nik,
                draw(names),
                draw(st.sampled_from("LP")),
                born,
                f"32.73.01.100{draw(st.integers(1, 2))}",
            )
        )
    return out


@settings(max_examples=300)
@given(district_records())
def test_blocking_loses_no_confident_pair_within_a_district(records: list[Record]) -> None:
    """Brute force over all pairs is the oracle for what the blocked search must return."""
    brute = set()
    for a, b in combinations(records, 2):
        pair = score_pair(a, b)
        if pair is not None and pair.confident:
            brute.add((pair.id_a, pair.id_b))
    assert {(p.id_a, p.id_b) for p in find_pairs(records)} == brute


@settings(max_examples=300)
@given(district_records(), st.lists(st.booleans(), min_size=9, max_size=9))
def test_new_against_existing_finds_the_full_scans_pairs_with_a_new_record(
    records: list[Record], is_new: list[bool]
) -> None:
    """The check after an import equals the full scan restricted to pairs with a new record,
    and for confident pairs the brute force over those pairs."""
    new = [r for r, flag in zip(records, is_new, strict=False) if flag]
    existing = [r for r, flag in zip(records, is_new, strict=False) if not flag]
    new_ids = {r.id for r in new}

    def involves_new(pair: tuple[str, str]) -> bool:
        return pair[0] in new_ids or pair[1] in new_ids

    full = {(p.id_a, p.id_b, p.reason) for p in find_pairs(records, include_candidates=True)}
    got = find_pairs_against(new, existing, include_candidates=True)
    assert {(p.id_a, p.id_b, p.reason) for p in got} == {p for p in full if involves_new(p[:2])}
    brute = set()
    for a, b in combinations(records, 2):
        pair = score_pair(a, b)
        if pair is not None and pair.confident and involves_new((pair.id_a, pair.id_b)):
            brute.add((pair.id_a, pair.id_b))
    confident = find_pairs_against(new, existing)
    assert {(p.id_a, p.id_b) for p in confident} == brute


def test_existing_records_outside_the_new_records_blocks_change_nothing() -> None:
    """Only the new records' blocks matter: the caller may fetch just those rows."""
    new = [_rec("n", "3273014107900003", "Dewi Lestari", "P", date(1990, 7, 1))]
    twin = _rec("e", "3273014107900030", "Dewi Lestari", "P", date(1990, 7, 1))
    elsewhere = [
        _rec(f"o{i}", f"32730115089{i:01d}0001", "Dewi Lestari", "P", date(1991, 8, 15))
        for i in range(5)
    ]
    assert [(p.id_a, p.id_b) for p in find_pairs_against(new, [twin, *elsewhere])] == [("e", "n")]
    assert find_pairs_against(new, elsewhere) == []
    assert block_dates(date(1990, 7, 1)) == [date(1990, 7, 1), date(1990, 1, 7)]
    assert block_dates(date(1990, 7, 15)) == [date(1990, 7, 15)]


def test_command_on_a_generated_file_meets_precision_and_recall(tmp_path: Path) -> None:
    data, truth_path, out = tmp_path / "r.csv", tmp_path / "t.csv", tmp_path / "p.csv"
    write_registry(data, households=1500, seed=11, duplicate_share=0.04, truth_path=truth_path)
    subprocess.run(
        [sys.executable, "-m", "sinergi.cli", "dedupe", str(data), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    with out.open() as handle:
        reader = csv.reader(handle)
        assert next(reader) == ["id_a", "id_b", "score"]
        rows = list(reader)
    found = {(a, b) for a, b, _score in rows}
    assert all(a < b and 0 <= float(s) <= 1 for a, b, s in rows)
    with truth_path.open() as handle:
        truth = {(a, b) for a, b in list(csv.reader(handle))[1:]}
    hits = len(found & truth)
    assert hits / len(found) >= 0.98
    assert hits / len(truth) >= 0.95
