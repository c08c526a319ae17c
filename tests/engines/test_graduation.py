"""The graduation rule against a brute-force oracle over calendar months."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi.engines.graduation import Observation, decide, is_above, month_index


def month(i: int) -> date:
    return date(2024 + i // 12, i % 12 + 1, 1)


observations_st = st.dictionaries(
    st.integers(min_value=0, max_value=30),
    st.tuples(st.integers(min_value=0, max_value=900_000), st.integers(600_000, 650_000)),
    max_size=20,
).map(lambda d: [Observation(month(i), pc, line) for i, (pc, line) in d.items()])


def oracle(obs: list[Observation], required: int, margin_bp: int) -> bool:
    """Propose iff the latest month and the ``required - 1`` calendar months before it all
    have a report above the line raised by the margin."""
    if not obs:
        return False
    by_month = {month_index(o.period): o for o in obs}
    last = max(by_month)
    for m in range(last - required + 1, last + 1):
        o = by_month.get(m)
        if o is None or o.per_capita * 10_000 <= o.line * (10_000 + margin_bp):
            return False
    return True


@settings(max_examples=400, deadline=None)
@given(observations_st, st.integers(min_value=1, max_value=8), st.integers(0, 2000))
def test_proposal_matches_the_oracle(obs: list[Observation], required: int, margin: int) -> None:
    decision = decide(obs, required=required, margin_bp=margin)
    assert decision.propose == oracle(obs, required, margin)
    # The streak is a run of consecutive months, each above the line, ending at the latest report.
    months = [month_index(d) for d in decision.streak]
    assert months == list(range(months[0], months[0] + len(months))) if months else True
    if decision.streak:
        assert months[-1] == max(month_index(o.period) for o in obs)
    above = {o.period for o in obs if is_above(o, margin)}
    assert set(decision.streak) <= above


@settings(max_examples=200, deadline=None)
@given(observations_st, st.integers(min_value=1, max_value=8))
def test_the_order_of_reports_does_not_matter(obs: list[Observation], required: int) -> None:
    assert decide(obs, required=required) == decide(list(reversed(obs)), required=required)


def test_a_missing_month_breaks_the_run() -> None:
    obs = [Observation(month(i), 700_000, 609_160) for i in (0, 1, 3, 4, 5)]
    assert decide(obs, required=3).propose
    assert not decide(obs, required=4).propose
    assert len(decide(obs, required=4).streak) == 3


def test_income_exactly_on_the_line_is_not_above() -> None:
    obs = [Observation(month(i), 609_160, 609_160) for i in range(6)]
    assert not decide(obs, required=1).propose
    # A 5% margin asks for more than the line itself.
    near = [Observation(month(i), 639_000, 609_160) for i in range(6)]
    assert decide(near, required=6).propose
    assert not decide(near, required=6, margin_bp=500).propose


def test_bad_input_is_refused() -> None:
    twice = [Observation(month(0), 1, 1), Observation(month(0), 2, 1)]
    with pytest.raises(ValueError, match="same month"):
        decide(twice, required=1)
    with pytest.raises(ValueError, match="at least one"):
        decide([], required=0)
