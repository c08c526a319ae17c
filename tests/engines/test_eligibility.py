"""KUBE formation rules against a plain oracle; every failure reported with its person."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sinergi.engines.eligibility import Candidate, RuleSet, age_on, check_group

TODAY = date(2026, 11, 28)


def _member(pid: int, **changes: object) -> Candidate:
    base = {
        "person_id": pid,
        "household_id": pid,
        "is_head": True,
        "birth_date": date(1980, 5, 5),
        "district_code": "32.73.01",
        "desil": 2,
        "desil_date": date(2026, 9, 30),
    }
    base.update(changes)
    return Candidate(**base)  # type: ignore[arg-type]


def test_a_good_group_passes() -> None:
    assert check_group([_member(i) for i in range(1, 11)], RuleSet(), today=TODAY) == []


def test_each_rule_names_the_person() -> None:
    group = [_member(i) for i in range(1, 8)] + [
        _member(20, is_head=False),
        _member(21, desil=7),
        _member(22, desil_date=date(2024, 1, 1)),
        _member(23, birth_date=date(2010, 1, 1)),
        _member(24, district_code="32.73.02"),
        _member(25, active_kube_ids=(9,)),
        _member(26, aided_before=True),
        _member(27, household_id=1),
        _member(28, desil=None),
    ]
    failures = {(f.rule, f.person_id) for f in check_group(group, RuleSet(), today=TODAY)}
    assert failures == {
        ("not_head", 20),
        ("desil_too_high", 21),
        ("desil_too_old", 22),
        ("age", 23),
        ("other_district", 24),
        ("already_in_kube", 25),
        ("aided_before", 26),
        ("household_twice", 1),
        ("household_twice", 27),
        ("no_desil", 28),
    }


def test_rules_are_configuration() -> None:
    group = [_member(i, desil=6) for i in range(1, 4)]
    strict = {f.rule for f in check_group(group, RuleSet(), today=TODAY)}
    assert strict == {"member_count", "desil_too_high"}
    assert check_group(group, RuleSet(min_members=3, max_desil=6), today=TODAY) == []


def test_membership_in_the_same_kube_is_not_a_conflict() -> None:
    group = [_member(i, active_kube_ids=(5,)) for i in range(1, 6)]
    assert check_group(group, RuleSet(), today=TODAY, kube_id=5) == []


@given(st.dates(date(1900, 1, 1), date(2026, 11, 28)))
def test_age_matches_a_counting_oracle(birth: date) -> None:
    years = 0
    while True:
        try:
            anniversary = birth.replace(year=birth.year + years + 1)
        except ValueError:  # 29 February in a common year: the birthday is 1 March
            anniversary = date(birth.year + years + 1, 3, 1)
        if anniversary > TODAY:
            break
        years += 1
    assert age_on(birth, TODAY) == years


@given(
    st.lists(
        st.tuples(
            st.integers(1, 12),
            st.booleans(),
            st.integers(1, 10),
            st.integers(0, 800),
            st.integers(10, 80),
        ),
        min_size=0,
        max_size=25,
    )
)
def test_group_verdict_matches_an_oracle(rows: list[tuple[int, bool, int, int, int]]) -> None:
    rules = RuleSet()
    members = [
        _member(
            i + 1,
            household_id=h,
            is_head=head,
            desil=d,
            desil_date=TODAY - timedelta(days=age_days),
            birth_date=date(TODAY.year - years, 1, 1),
        )
        for i, (h, head, d, age_days, years) in enumerate(rows)
    ]
    ok = (
        rules.min_members <= len(members) <= rules.max_members
        and len({m.household_id for m in members}) == len(members)
        and all(m.is_head for m in members)
        and all(m.desil is not None and m.desil <= rules.max_desil for m in members)
        and all(
            (TODAY - m.desil_date).days <= rules.max_desil_age_days  # type: ignore[operator]
            for m in members
        )
        and all(rules.min_age <= age_on(m.birth_date, TODAY) <= rules.max_age for m in members)
    )
    assert (check_group(members, rules, today=TODAY) == []) == ok
