"""The KUBE class rubric: indicators earn points by bands, weights make a score, thresholds a class.

Pure and exact. Points are whole numbers 0–100, weights positive whole numbers and class thresholds
whole scores, so the score is kept as a :class:`~fractions.Fraction` and a group on a threshold
never falls either side by rounding. The result says *why*: ``decided_by`` is the fewest
indicators whose contributions alone reach the class (so losing them would lose it) and
``held_back_by`` the fewest whose full marks would lift the group to the next class.

A missing value (no report yet) earns no points and is listed, so an unreported group is never
ranked above a reporting one by accident.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction


class RubricError(ValueError):
    """A rubric that cannot be applied (no indicators, bad weights, bands or thresholds)."""


@dataclass(frozen=True)
class Band:
    """A value at or above ``threshold`` earns ``points`` (the highest band reached counts)."""

    threshold: float
    points: int


@dataclass(frozen=True)
class Indicator:
    key: str
    weight: int
    bands: tuple[Band, ...]

    @property
    def max_points(self) -> int:
        return max((b.points for b in self.bands), default=0)


@dataclass(frozen=True)
class Rubric:
    indicators: tuple[Indicator, ...]
    # (class, lowest score) from the lowest class up; the first must start at 0.
    classes: tuple[tuple[str, int], ...]

    def check(self) -> None:
        if not self.indicators:
            raise RubricError("a rubric needs at least one indicator")
        keys = [i.key for i in self.indicators]
        if len(set(keys)) != len(keys):
            raise RubricError("an indicator appears twice")
        for ind in self.indicators:
            if ind.weight <= 0:
                raise RubricError(f"indicator {ind.key}: the weight must be positive")
            if not ind.bands:
                raise RubricError(f"indicator {ind.key}: at least one band is needed")
            thresholds = [b.threshold for b in ind.bands]
            if thresholds != sorted(thresholds) or len(set(thresholds)) != len(thresholds):
                raise RubricError(f"indicator {ind.key}: band thresholds must rise")
            points = [b.points for b in ind.bands]
            if any(not 0 <= p <= 100 for p in points):
                raise RubricError(f"indicator {ind.key}: points must be between 0 and 100")
            if points != sorted(points):
                # Falling points would let a better figure lower a group's class.
                raise RubricError(f"indicator {ind.key}: points must not fall as values rise")
        if not self.classes or self.classes[0][1] != 0:
            raise RubricError("the lowest class must start at score 0")
        scores = [s for _n, s in self.classes]
        if scores != sorted(scores) or len(set(scores)) != len(scores) or scores[-1] > 100:
            raise RubricError("class thresholds must rise and stay within 0–100")


@dataclass(frozen=True)
class IndicatorResult:
    key: str
    value: float | None
    points: int
    weight: int
    # Share of the score this indicator brings, and what full marks would bring.
    contribution: Fraction
    full: Fraction


@dataclass(frozen=True)
class Result:
    score: Fraction
    klass: str
    indicators: tuple[IndicatorResult, ...]
    decided_by: tuple[str, ...]
    held_back_by: tuple[str, ...]
    missing: tuple[str, ...]
    next_class: str | None
    gap: Fraction

    def explain(self) -> dict[str, object]:
        """A JSON-ready record of the decision, stored with the class so it can be shown later."""
        return {
            "score": round(float(self.score), 1),
            "class": self.klass,
            "next_class": self.next_class,
            "gap": round(float(self.gap), 1),
            "decided_by": list(self.decided_by),
            "held_back_by": list(self.held_back_by),
            "missing": list(self.missing),
            "indicators": [
                {
                    "key": r.key,
                    "value": r.value,
                    "points": r.points,
                    "weight": r.weight,
                    "contribution": round(float(r.contribution), 1),
                    "full": round(float(r.full), 1),
                }
                for r in self.indicators
            ],
        }


def points_for(indicator: Indicator, value: float | None) -> int:
    if value is None:
        return 0
    earned = 0
    for band in indicator.bands:
        if value >= band.threshold:
            earned = band.points
    return earned


def _fewest(items: Sequence[tuple[str, Fraction]], need: Fraction) -> tuple[str, ...]:
    """The fewest items whose amounts reach ``need``: the largest ones first (ties by key)."""
    if need <= 0:
        return ()
    chosen: list[str] = []
    total = Fraction(0)
    for key, amount in sorted(items, key=lambda kv: (-kv[1], kv[0])):
        if amount <= 0:
            break
        chosen.append(key)
        total += amount
        if total >= need:
            return tuple(chosen)
    return tuple(chosen)


def classify(rubric: Rubric, values: Mapping[str, float | None]) -> Result:
    rubric.check()
    total_weight = sum(i.weight for i in rubric.indicators)
    rows: list[IndicatorResult] = []
    for ind in rubric.indicators:
        value = values.get(ind.key)
        pts = points_for(ind, value)
        rows.append(
            IndicatorResult(
                key=ind.key,
                value=value,
                points=pts,
                weight=ind.weight,
                contribution=Fraction(pts * ind.weight, total_weight),
                full=Fraction(ind.max_points * ind.weight, total_weight),
            )
        )
    score = sum((r.contribution for r in rows), Fraction(0))
    position = max(i for i, (_n, lowest) in enumerate(rubric.classes) if score >= lowest)
    klass, floor = rubric.classes[position]
    nxt = rubric.classes[position + 1] if position + 1 < len(rubric.classes) else None
    gap = Fraction(nxt[1]) - score if nxt else Fraction(0)
    return Result(
        score=score,
        klass=klass,
        indicators=tuple(rows),
        decided_by=_fewest([(r.key, r.contribution) for r in rows], Fraction(floor)),
        held_back_by=_fewest([(r.key, r.full - r.contribution) for r in rows], gap),
        missing=tuple(r.key for r in rows if r.value is None),
        next_class=nxt[0] if nxt else None,
        gap=gap,
    )
