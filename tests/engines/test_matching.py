"""The mentor matcher against a brute-force oracle, and the command's files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi import cli
from sinergi.engines.matching import Group, Mentor, Weights, greedy, match, pair_cost

DISTRICTS = ["32.73.01", "32.73.02", "32.01.01", "33.74.01"]
REGENCIES = ["32.73", "32.01", "33.74", "33.01"]
SECTORS = ["dagang", "olahan", "jasa"]


def brute_force(
    groups: list[Group], mentors: list[Mentor], history: set[tuple[str, str]], weights: Weights
) -> tuple[int, int]:
    """(most groups assigned, least cost among those) by trying every assignment."""
    best = (0, 0)
    room = [m.capacity for m in mentors]

    def walk(i: int, count: int, cost: int) -> None:
        nonlocal best
        if i == len(groups):
            if (count, -cost) > (best[0], -best[1]):
                best = (count, cost)
            return
        walk(i + 1, count, cost)
        for j, m in enumerate(mentors):
            c = pair_cost(groups[i], m, history=(groups[i].id, m.id) in history, weights=weights)
            if c is not None and room[j] > 0:
                room[j] -= 1
                walk(i + 1, count + 1, cost + c)
                room[j] += 1

    walk(0, 0, 0)
    return best


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[Group], list[Mentor], set[tuple[str, str]]]:
    n_groups = draw(st.integers(0, 6))
    n_mentors = draw(st.integers(0, 4))
    groups = [
        Group(f"k{i}", draw(st.sampled_from(DISTRICTS)), draw(st.sampled_from(SECTORS)))
        for i in range(n_groups)
    ]
    mentors = [
        Mentor(
            f"m{j}",
            draw(st.sampled_from(REGENCIES)),
            frozenset(draw(st.sets(st.sampled_from(SECTORS), min_size=1))),
            draw(st.integers(0, 3)),
        )
        for j in range(n_mentors)
    ]
    history: set[tuple[str, str]] = set()
    if groups and mentors:
        history = draw(
            st.sets(
                st.tuples(
                    st.sampled_from([g.id for g in groups]),
                    st.sampled_from([m.id for m in mentors]),
                ),
                max_size=4,
            )
        )
    return groups, mentors, history


WEIGHTS = st.builds(
    Weights,
    other_regency=st.integers(0, 60),
    sector_mismatch=st.integers(0, 40),
    history_bonus=st.integers(0, 30),
)


def _check_feasible(
    groups: list[Group], mentors: list[Mentor], history: set[tuple[str, str]], result, weights
) -> None:
    by_id = {m.id: m for m in mentors}
    groups_by_id = {g.id: g for g in groups}
    load: dict[str, int] = {}
    total = 0
    for gid, pair in result.pairs.items():
        assert pair.group_id == gid
        mentor = by_id[pair.mentor_id]
        load[mentor.id] = load.get(mentor.id, 0) + 1
        cost = pair_cost(
            groups_by_id[gid], mentor, history=(gid, mentor.id) in history, weights=weights
        )
        assert cost == pair.cost
        total += pair.cost
    assert all(load[mid] <= by_id[mid].capacity for mid in load)
    assert total == result.total_cost


@settings(max_examples=300, deadline=None)
@given(instances())
def test_matcher_is_optimal_with_the_default_weights(instance) -> None:
    groups, mentors, history = instance
    result = match(groups, mentors, history)
    _check_feasible(groups, mentors, history, result, Weights())
    assert (result.assigned, result.total_cost) == brute_force(groups, mentors, history, Weights())


@settings(max_examples=150, deadline=None)
@given(instances(), WEIGHTS)
def test_matcher_is_optimal_with_any_nonnegative_weights(instance, weights: Weights) -> None:
    groups, mentors, history = instance
    result = match(groups, mentors, history, weights)
    _check_feasible(groups, mentors, history, result, weights)
    assert (result.assigned, result.total_cost) == brute_force(groups, mentors, history, weights)


@settings(max_examples=100, deadline=None)
@given(instances())
def test_greedy_is_feasible_and_never_better(instance) -> None:
    groups, mentors, history = instance
    optimal = match(groups, mentors, history)
    baseline = greedy(groups, mentors, history)
    _check_feasible(groups, mentors, history, baseline, Weights())
    assert (baseline.assigned, -baseline.total_cost) <= (optimal.assigned, -optimal.total_cost)


def test_the_costs_of_the_issue() -> None:
    g = Group("k", "32.73.01", "olahan")
    assert pair_cost(g, Mentor("m", "32.73", frozenset({"olahan"}), 1)) == 0
    assert pair_cost(g, Mentor("m", "32.01", frozenset({"olahan"}), 1)) == 40
    assert pair_cost(g, Mentor("m", "32.01", frozenset({"jasa"}), 1)) == 65
    assert pair_cost(g, Mentor("m", "32.73", frozenset({"jasa"}), 1), history=True) == 15
    assert pair_cost(g, Mentor("m", "33.74", frozenset({"olahan"}), 1)) is None


def test_more_groups_first_then_cost() -> None:
    # Assigning nobody would cost 0; the matcher must still take the only, expensive, pair.
    lonely = [Group("k0", "32.73.01", "olahan")]
    far = [Mentor("m0", "32.01", frozenset({"jasa"}), 1)]
    result = match(lonely, far)
    assert (result.assigned, result.total_cost) == (1, 65)
    assert result.pairs["k0"].reasons == ("other_regency", "sector_mismatch")
    # k0 alone would take m0 for 0, but k1 (in 32.01) then gets nobody; both are served.
    groups = [Group("k0", "32.73.01", "olahan"), Group("k1", "32.01.01", "olahan")]
    mentors = [
        Mentor("m0", "32.73", frozenset({"olahan"}), 1),
        Mentor("m1", "32.73", frozenset({"jasa"}), 1),
    ]
    result = match(groups, mentors)
    assert (result.assigned, result.total_cost) == (2, 65)


def test_negative_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        Weights(other_regency=-1)


# The command, on real region codes


def _write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_command_writes_every_group_and_prints_the_totals(tmp_path: Path, capsys) -> None:
    kube = _write(
        tmp_path / "K.csv",
        "kube_id,kode_kecamatan,sektor",
        ["A,32.73.01,olahan", "B,327302,jasa", "C,330101,dagang", "D,11.01.01,dagang"],
    )
    mentors = _write(
        tmp_path / "M.csv",
        "mentor_id,kode_kabupaten,sektor,kapasitas",
        ["m1,32.73,olahan;jasa,1", "m2,3201,dagang,2", "m3,33.01,dagang,0"],
    )
    history = _write(tmp_path / "H.csv", "kube_id,mentor_id", ["B,m2", "X,m9"])
    out = tmp_path / "A.csv"
    code = cli.main(
        ["match-mentors", "--kube", str(kube), "--mentors", str(mentors), "--history",
         str(history), "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["kube_id", "mentor_id", "cost"]
    assigned = {r[0]: (r[1], r[2]) for r in rows[1:]}
    # A takes m1 (0); B takes m2 at 40+25-10 = 55; C (33.01) has only m3, with no room; D is
    # in Aceh, where nobody mentors.
    assert assigned == {"A": ("m1", "0"), "B": ("m2", "55"), "C": ("", ""), "D": ("", "")}
    assert "assigned 2 of 4 groups; total cost 55" in capsys.readouterr().out


def test_command_lists_every_bad_cell_and_writes_nothing(tmp_path: Path, capsys) -> None:
    kube = _write(
        tmp_path / "K.csv",
        "kube_id,kode_kecamatan,sektor",
        ["A,32.73.01,olahan", "A,32.73.99,olahan", "B,32.73,jasa", "C,32.73.01,"],
    )
    mentors = _write(
        tmp_path / "M.csv",
        "mentor_id,kode_kabupaten,sektor,kapasitas",
        ["m1,32.73,olahan,-1", "m2,99.01,dagang,1", "m3,32.73,,1", "m4,32.73,jasa,dua"],
    )
    out = tmp_path / "A.csv"
    out.write_text("previous result\n", encoding="utf-8")
    code = cli.main(
        ["match-mentors", "--kube", str(kube), "--mentors", str(mentors), "--out", str(out)]
    )
    assert code == 1
    err = capsys.readouterr().err
    for expected in [
        "K.csv, row 3, column kube_id: duplicate id 'A' (first on row 2)",
        "K.csv, row 3, column kode_kecamatan: '32.73.99' is not a known district",
        "K.csv, row 4, column kode_kecamatan: '32.73' is not a district",
        "K.csv, row 5, column sektor: give exactly one sector code",
        "M.csv, row 2, column kapasitas: '-1' is not a whole number of at least 0",
        "M.csv, row 3, column kode_kabupaten: '99.01' is not a known regency",
        "M.csv, row 4, column sektor: a mentor needs at least one sector",
        "M.csv, row 5, column kapasitas: 'dua' is not a whole number",
        "Nothing written",
    ]:
        assert expected in err
    assert out.read_text(encoding="utf-8") == "previous result\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "K.csv: the file is empty"),
        ("kube_id,kode_kecamatan,sektor\n", "K.csv: the file has a header but no rows"),
        ("kube_id,sektor\nA,olahan\n", "K.csv, row 1: missing column(s) kode_kecamatan"),
    ],
)
def test_command_refuses_empty_or_headless_files(
    tmp_path: Path, capsys, content: str, message: str
) -> None:
    kube = tmp_path / "K.csv"
    kube.write_text(content, encoding="utf-8")
    mentors = _write(
        tmp_path / "M.csv", "mentor_id,kode_kabupaten,sektor,kapasitas", ["m,32.73,a,1"]
    )
    out = tmp_path / "A.csv"
    assert (
        cli.main(
            ["match-mentors", "--kube", str(kube), "--mentors", str(mentors), "--out", str(out)]
        )
        == 1
    )
    assert message in capsys.readouterr().err
    assert not out.exists()
