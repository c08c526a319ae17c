"""The graduation rule: a household above the poverty line long enough, without a break.

Pure. Each observation is one reporting month: the household's monthly income per capita and the
poverty line that applied to it. A household is proposed when its most recent ``required``
months are all consecutive calendar months and each is above the line by at least the margin.
A month with no report breaks the run, since a gap says nothing about that month's income.
All sums are integers (rupiah and basis points), so the rule has no rounding edge.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Observation:
    period: date  # the first day of the month reported
    per_capita: int  # rupiah per person per month
    line: int  # the poverty line that applied (rupiah per person per month)


@dataclass(frozen=True)
class Decision:
    propose: bool
    streak: tuple[date, ...]  # the run of months above the line that ends at the latest one


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def is_above(obs: Observation, margin_bp: int = 0) -> bool:
    """Strictly above the line raised by ``margin_bp`` basis points (100 = 1%)."""
    return obs.per_capita * 10_000 > obs.line * (10_000 + margin_bp)


def decide(observations: Iterable[Observation], *, required: int, margin_bp: int = 0) -> Decision:
    if required < 1:
        raise ValueError("at least one period is required")
    if margin_bp < 0:
        raise ValueError("the margin cannot be negative")
    ordered = sorted(observations, key=lambda o: o.period)
    months = [month_index(o.period) for o in ordered]
    if len(set(months)) != len(months):
        raise ValueError("two observations for the same month")
    streak: list[date] = []
    for position in range(len(ordered) - 1, -1, -1):
        obs = ordered[position]
        if not is_above(obs, margin_bp):
            break
        if streak and months[position] != month_index(streak[-1]) - 1:
            break
        streak.append(obs.period)
    streak.reverse()
    return Decision(propose=len(streak) >= required, streak=tuple(streak))
