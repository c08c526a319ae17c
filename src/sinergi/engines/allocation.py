"""Fill buyers' demands from many small groups: most quantity, then least cost or a fair split.

A group may supply a demand when the category matches and its price is at most the demand's
maximum. Each (demand, group) part is 0 or between the demand's minimum lot and what is left;
a demand receives at most its quantity, and a group's ``available`` is shared by every demand of
its category. A unit costs the group's price plus transport: 0 inside the demand's regency, 300
inside its province, 1,000 across provinces.

Minimum lots make this an integer programme, not a flow: a part is *semi-continuous* (0 or at
least a lot). Each category is independent, so it is solved on its own with OR-Tools CP-SAT,
where a part is one integer variable whose domain is {0} ∪ [lot, limit]. The objective is
lexicographic, solved in phases: first the largest total quantity, then, with that fixed,
``cheapest`` minimises the total cost and ``fair`` keeps every group within one lot of its
proportional share (by ``available`` among the groups that can take part) and then minimises the
total deviation from the shares and the cost. The greedy baseline is always given as a hint, so
a time-limited solve is never worse than it. When a category has more candidate parts than
``max_pairs``, each demand keeps only its cheapest candidates and the result says it is not
proved optimal.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

CHEAPEST, FAIR = "cheapest", "fair"


@dataclass(frozen=True, slots=True)
class Tariff:
    same_regency: int = 0
    same_province: int = 300
    other_province: int = 1000

    def __call__(self, demand_regency: str, offer_regency: str) -> int:
        if demand_regency == offer_regency:
            return self.same_regency
        if demand_regency[:2] == offer_regency[:2]:
            return self.same_province
        return self.other_province


@dataclass(frozen=True, slots=True)
class Demand:
    id: str
    category: str
    quantity: int
    regency: str  # dotted regency code of delivery
    max_price: int
    min_lot: int


@dataclass(frozen=True, slots=True)
class Offer:
    id: str  # the group (kube) id
    category: str
    available: int
    price: int
    regency: str


@dataclass(frozen=True, slots=True)
class Part:
    demand_id: str
    kube_id: str
    quantity: int
    price: int
    transport: int

    @property
    def cost(self) -> int:
        return self.quantity * (self.price + self.transport)


@dataclass
class Allocation:
    parts: list[Part] = field(default_factory=list)
    proved_optimal: bool = True

    @property
    def filled(self) -> int:
        return sum(p.quantity for p in self.parts)

    @property
    def cost(self) -> int:
        return sum(p.cost for p in self.parts)


def eligible(demand: Demand, offer: Offer) -> bool:
    return (
        demand.category == offer.category
        and offer.price <= demand.max_price
        and offer.available >= demand.min_lot
        and demand.quantity >= demand.min_lot
    )


def greedy(
    demands: Sequence[Demand], offers: Sequence[Offer], tariff: Tariff = Tariff()
) -> Allocation:
    """The baseline: each demand in turn takes the cheapest offers first, whole lots only."""
    left = {o.id + "\0" + o.category: o.available for o in offers}
    by_category: dict[str, list[Offer]] = defaultdict(list)
    for o in offers:
        by_category[o.category].append(o)
    result = Allocation(proved_optimal=False)
    for d in demands:
        need = d.quantity
        candidates = sorted(
            (o for o in by_category.get(d.category, ()) if eligible(d, o)),
            key=lambda o: (o.price + tariff(d.regency, o.regency), o.id),
        )
        for o in candidates:
            if need < d.min_lot:
                break
            key = o.id + "\0" + o.category
            take = min(need, left[key])
            if take >= d.min_lot:
                left[key] -= take
                need -= take
                result.parts.append(Part(d.id, o.id, take, o.price, tariff(d.regency, o.regency)))
    return result


def allocate(
    demands: Sequence[Demand],
    offers: Sequence[Offer],
    strategy: str = CHEAPEST,
    *,
    tariff: Tariff = Tariff(),
    time_limit: float = 30.0,
    max_pairs: int = 400_000,
    workers: int = 2,
) -> Allocation:
    """The allocation for ``strategy``; categories are solved one after another."""
    if strategy not in (CHEAPEST, FAIR):
        raise ValueError(f"unknown strategy {strategy!r}")
    hint = greedy(demands, offers, tariff)
    hinted = {(p.demand_id, p.kube_id): p.quantity for p in hint.parts}
    by_category: dict[str, tuple[list[Demand], list[Offer]]] = defaultdict(lambda: ([], []))
    for d in demands:
        by_category[d.category][0].append(d)
    for o in offers:
        if o.category in by_category:
            by_category[o.category][1].append(o)
    result = Allocation()
    deadline = time.monotonic() + time_limit
    # Each category gets a share of the time in proportion to its size.
    weight = {c: max(1, len(ds) * len(os)) for c, (ds, os) in by_category.items()}
    total = sum(weight.values())
    for category in sorted(by_category):
        ds, os = by_category[category]
        budget = max(0.5, (deadline - time.monotonic()) * weight[category] / total)
        total -= weight[category]
        part = _solve_category(ds, os, strategy, tariff, hinted, budget, max_pairs, workers)
        result.parts.extend(part.parts)
        result.proved_optimal &= part.proved_optimal
    return result


def _pairs(
    demands: list[Demand], offers: list[Offer], tariff: Tariff, max_pairs: int
) -> tuple[list[tuple[int, int, int]], bool]:
    """Candidate (demand, offer, unit cost) triples; pruned per demand when there are too many."""
    per_demand: list[list[tuple[int, int, int]]] = []
    count = 0
    for i, d in enumerate(demands):
        row = [
            (i, j, o.price + tariff(d.regency, o.regency))
            for j, o in enumerate(offers)
            if eligible(d, o)
        ]
        per_demand.append(row)
        count += len(row)
    if count <= max_pairs:
        return [t for row in per_demand for t in row], True
    keep = max(8, max_pairs // max(1, len(demands)))
    pruned = []
    for row in per_demand:
        row.sort(key=lambda t: (t[2], t[1]))
        pruned.extend(row[:keep])
    return pruned, False


class _Model:
    """One category's CP-SAT model, solved in phases that keep the previous phase's optimum."""

    def __init__(self, budget: float, workers: int) -> None:
        self.model = cp_model.CpModel()
        self.solver = cp_model.CpSolver()
        self.solver.parameters.num_workers = workers
        self.xs: list[cp_model.IntVar] = []
        self.budget = budget
        self.started = time.monotonic()
        self.proved = True

    def solve(self, share: float) -> None:
        """Solve with ``share`` of the budget (the last phase gets what is left)."""
        left = self.budget - (time.monotonic() - self.started)
        self.solver.parameters.max_time_in_seconds = max(0.2, min(left, self.budget * share))
        status = self.solver.solve(self.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise RuntimeError(f"allocation: solver status {self.solver.status_name(status)}")
        self.proved &= status == cp_model.OPTIMAL
        # The next phase starts from this solution, so it can only improve on it.
        self.model.clear_hints()
        for x in self.xs:
            self.model.add_hint(x, self.solver.value(x))

    def value(self, expr: cp_model.LinearExprT) -> int:
        return int(self.solver.value(expr))


def _solve_category(
    demands: list[Demand],
    offers: list[Offer],
    strategy: str,
    tariff: Tariff,
    hinted: dict[tuple[str, str], int],
    budget: float,
    max_pairs: int,
    workers: int,
) -> Allocation:
    pairs, complete = _pairs(demands, offers, tariff, max_pairs)
    if not pairs:
        return Allocation()
    # Keep the greedy's own pairs so that its solution stays a feasible hint after pruning.
    present = {(i, j) for i, j, _c in pairs}
    index_d = {d.id: i for i, d in enumerate(demands)}
    index_o = {o.id: j for j, o in enumerate(offers)}
    for did, oid in hinted:
        i, j = index_d.get(did), index_o.get(oid)
        if i is not None and j is not None and (i, j) not in present:
            d, o = demands[i], offers[j]
            pairs.append((i, j, o.price + tariff(d.regency, o.regency)))

    m = _Model(budget, workers)
    by_demand: dict[int, list[int]] = defaultdict(list)
    by_offer: dict[int, list[int]] = defaultdict(list)
    for k, (i, j, _c) in enumerate(pairs):
        d, o = demands[i], offers[j]
        domain = cp_model.Domain.from_intervals([[0, 0], [d.min_lot, min(d.quantity, o.available)]])
        x = m.model.new_int_var_from_domain(domain, f"x{k}")
        m.model.add_hint(x, hinted.get((d.id, o.id), 0))
        m.xs.append(x)
        by_demand[i].append(k)
        by_offer[j].append(k)
    for i, ks in by_demand.items():
        m.model.add(cp_model.LinearExpr.sum([m.xs[k] for k in ks]) <= demands[i].quantity)
    for j, ks in by_offer.items():
        m.model.add(cp_model.LinearExpr.sum([m.xs[k] for k in ks]) <= offers[j].available)

    filled = cp_model.LinearExpr.sum(m.xs)
    m.model.maximize(filled)
    m.solve(0.4)
    best_fill = m.value(filled)
    m.model.add(filled == best_fill)
    if strategy == FAIR:
        _fair_phase(m, pairs, offers, by_offer, participants(demands, offers), best_fill)
    m.model.minimize(cp_model.LinearExpr.weighted_sum(m.xs, [c for _i, _j, c in pairs]))
    m.solve(1.0)
    out = Allocation(proved_optimal=m.proved and complete)
    for k, (i, j, _c) in enumerate(pairs):
        q = m.value(m.xs[k])
        if q:
            d, o = demands[i], offers[j]
            out.parts.append(Part(d.id, o.id, q, o.price, tariff(d.regency, o.regency)))
    return out


def participants(demands: Sequence[Demand], offers: Sequence[Offer]) -> dict[str, tuple[int, int]]:
    """Groups that can take part, with (available, lot): eligible and able to supply one lot.

    A group's lot is the largest minimum lot among the demands it can supply, the measure of
    "within one lot" of its share.
    """
    out: dict[str, tuple[int, int]] = {}
    for o in offers:
        lots = [d.min_lot for d in demands if eligible(d, o)]
        if lots:
            out[o.id] = (o.available, max(lots))
    return out


def shares(filled: int, groups: dict[str, tuple[int, int]]) -> dict[str, float]:
    """Each participating group's proportional share of the filled quantity."""
    pool = sum(a for a, _lot in groups.values())
    return {g: filled * a / pool for g, (a, _lot) in groups.items()} if pool else {}


def _fair_phase(
    m: _Model,
    pairs: list[tuple[int, int, int]],
    offers: list[Offer],
    by_offer: dict[int, list[int]],
    groups: dict[str, tuple[int, int]],
    filled: int,
) -> None:
    """Keep each group within one lot of its share where possible, then closest overall.

    Deviations are scaled by the pool (the participants' total available) so that the share
    ``filled * available / pool`` stays an integer comparison.
    """
    pool = sum(a for a, _lot in groups.values())
    if not pool or not filled:
        return
    gaps, bounded = [], []
    for j, o in enumerate(offers):
        if o.id not in groups:
            continue
        available, lot = groups[o.id]
        total = cp_model.LinearExpr.sum([m.xs[k] for k in by_offer.get(j, [])])
        gap = m.model.new_int_var(0, (filled + available) * pool, f"gap{j}")
        m.model.add(gap >= total * pool - filled * available)
        m.model.add(gap >= filled * available - total * pool)
        gaps.append(gap)
        if filled * available >= lot * pool:  # a share of at least one lot
            bounded.append((gap, lot * pool))
    limits = [m.model.add(gap <= limit) for gap, limit in bounded]
    spread = cp_model.LinearExpr.sum(gaps)
    m.model.minimize(spread)
    try:
        m.solve(0.3)
    except RuntimeError:
        # No split keeps every group within a lot: drop the bound, keep the closest split.
        for limit in limits:
            limit.proto.Clear()
        m.solve(0.3)
    m.model.add(spread <= m.value(spread))
