"""The class rubric against a brute-force oracle: score, class and what decided the class."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi.engines.rubric import Band, Indicator, Rubric, RubricError, classify

KEYS = ["a", "b", "c", "d", "e", "f"]


@st.composite
def indicators(draw: st.DrawFn, key: str) -> Indicator:
    thresholds = sorted(
        draw(st.sets(st.integers(min_value=0, max_value=50), min_size=1, max_size=4))
    )
    points = sorted(
        draw(
            st.lists(
                st.integers(min_value=0, max_value=100),
                min_size=len(thresholds),
                max_size=len(thresholds),
            )
        )
    )
    return Indicator(
        key=key,
        weight=draw(st.integers(min_value=1, max_value=9)),
        bands=tuple(Band(float(t), p) for t, p in zip(thresholds, points, strict=True)),
    )


@st.composite
def rubrics(draw: st.DrawFn) -> Rubric:
    count = draw(st.integers(min_value=1, max_value=len(KEYS)))
    inds = tuple(draw(indicators(k)) for k in KEYS[:count])
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=100), max_size=3)))
    names = ["tumbuh", "berkembang", "maju", "mandiri"]
    return Rubric(inds, tuple(zip(names, [0, *cuts], strict=False)))


values_st = st.dictionaries(
    st.sampled_from(KEYS), st.one_of(st.none(), st.floats(min_value=-5, max_value=60))
)


def oracle_points(ind: Indicator, value: float | None) -> int:
    if value is None:
        return 0
    reached = [b.points for b in ind.bands if value >= b.threshold]
    return max(reached, default=0)


def oracle_score(rubric: Rubric, values: dict[str, float | None]) -> Fraction:
    total = sum(i.weight for i in rubric.indicators)
    return sum(
        (
            Fraction(oracle_points(i, values.get(i.key)) * i.weight, total)
            for i in rubric.indicators
        ),
        Fraction(0),
    )


def fewest_reaching(amounts: dict[str, Fraction], need: Fraction) -> int | None:
    """By brute force: the size of the smallest subset whose amounts reach ``need``."""
    if need <= 0:
        return 0
    for size in range(1, len(amounts) + 1):
        if any(sum(amounts[k] for k in combo) >= need for combo in combinations(amounts, size)):
            return size
    return None


@settings(max_examples=300, deadline=None)
@given(rubrics(), values_st)
def test_score_and_class_match_the_oracle(rubric: Rubric, values: dict[str, float | None]) -> None:
    result = classify(rubric, values)
    score = oracle_score(rubric, values)
    assert result.score == score
    expected = [name for name, lowest in rubric.classes if score >= lowest][-1]
    assert result.klass == expected
    assert set(result.missing) == {i.key for i in rubric.indicators if values.get(i.key) is None}


@settings(max_examples=300, deadline=None)
@given(rubrics(), values_st)
def test_deciding_indicators_are_the_fewest_that_explain_the_class(
    rubric: Rubric, values: dict[str, float | None]
) -> None:
    result = classify(rubric, values)
    contrib = {r.key: r.contribution for r in result.indicators}
    floor = dict(rubric.classes)[result.klass]
    # Together they reach the class on their own, and no smaller set of indicators does.
    assert sum((contrib[k] for k in result.decided_by), Fraction(0)) >= floor
    assert len(result.decided_by) == fewest_reaching(contrib, Fraction(floor))
    if result.next_class is None:
        assert result.held_back_by == ()
    else:
        shortfall = {r.key: r.full - r.contribution for r in result.indicators}
        size = fewest_reaching(shortfall, result.gap)
        if size is None:
            # Even full marks everywhere cannot reach the next class: all that could help is named.
            assert set(result.held_back_by) == {k for k, v in shortfall.items() if v > 0}
        else:
            assert len(result.held_back_by) == size
            lifted = result.score + sum((shortfall[k] for k in result.held_back_by), Fraction(0))
            assert lifted >= dict(rubric.classes)[result.next_class]


@settings(max_examples=200, deadline=None)
@given(rubrics(), values_st, st.sampled_from(KEYS), st.floats(min_value=0, max_value=30))
def test_a_better_figure_never_lowers_the_class(
    rubric: Rubric, values: dict[str, float | None], key: str, rise: float
) -> None:
    before = classify(rubric, values)
    better = dict(values)
    better[key] = (values.get(key) or 0.0) + rise
    after = classify(rubric, better)
    order = [name for name, _s in rubric.classes]
    assert after.score >= before.score
    assert order.index(after.klass) >= order.index(before.klass)


@settings(max_examples=100, deadline=None)
@given(rubrics(), values_st, st.integers(min_value=2, max_value=7))
def test_scaling_every_weight_changes_nothing(
    rubric: Rubric, values: dict[str, float | None], factor: int
) -> None:
    scaled = Rubric(
        tuple(Indicator(i.key, i.weight * factor, i.bands) for i in rubric.indicators),
        rubric.classes,
    )
    assert classify(scaled, values).score == classify(rubric, values).score


def test_a_group_exactly_on_a_threshold_is_in_the_higher_class() -> None:
    rubric = Rubric(
        (
            Indicator("sales", 1, (Band(0, 0), Band(10, 60), Band(20, 100))),
            Indicator("savings", 1, (Band(0, 0), Band(5, 40), Band(10, 100))),
        ),
        (("tumbuh", 0), ("berkembang", 50), ("maju", 75)),
    )
    result = classify(rubric, {"sales": 10, "savings": 5})
    assert result.score == 50
    assert result.klass == "berkembang"
    assert result.decided_by == ("sales", "savings")
    # 25 points short of maju: full savings marks bring 30, full sales marks only 20.
    assert result.held_back_by == ("savings",)
    assert classify(rubric, {"sales": 9.99, "savings": 5}).klass == "tumbuh"


@pytest.mark.parametrize(
    "rubric, message",
    [
        (Rubric((), (("tumbuh", 0),)), "at least one indicator"),
        (Rubric((Indicator("a", 0, (Band(0, 0),)),), (("tumbuh", 0),)), "weight"),
        (Rubric((Indicator("a", 1, (Band(5, 10), Band(1, 20))),), (("t", 0),)), "rise"),
        (Rubric((Indicator("a", 1, (Band(1, 50), Band(5, 10))),), (("t", 0),)), "not fall"),
        (Rubric((Indicator("a", 1, (Band(1, 50),)),), (("t", 10),)), "score 0"),
        (Rubric((Indicator("a", 1, (Band(1, 50),)),), (("t", 0), ("m", 0))), "rise"),
    ],
)
def test_bad_rubrics_are_refused_with_the_reason(rubric: Rubric, message: str) -> None:
    with pytest.raises(RubricError, match=message):
        classify(rubric, {})
