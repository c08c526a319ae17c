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
a time-limited solve is never worse than it.

A large category (national batches) is too big for one model: each demand keeps its cheapest
candidates and each offer a few demands that may take it; the min-cost flow without lots is
repaired to whole lots by sharing each offer's quantity again among its demands, and a
large-neighbourhood search re-solves the worst demands with CP-SAT until the time is spent.
:func:`bound` solves the relaxation without lots over every pair, which bounds the fill and, at
a given fill, the cost, so the gap of any result can be stated.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

# ortools (with the pandas its CP-SAT module imports) and numpy take about a second to
# import: every process that loads the API would pay it, so they are imported where solved.
if TYPE_CHECKING:
    from ortools.sat.python import cp_model

CHEAPEST, FAIR = "cheapest", "fair"


@dataclass(frozen=True, slots=True)
class Tariff:
    same_regency: int = 0
    same_province: int = 300
    other_province: int = 1000

    def __post_init__(self) -> None:
        # The offer index relies on nearer never costing more than farther.
        if not 0 <= self.same_regency <= self.same_province <= self.other_province:
            raise ValueError("transport tariffs must grow with distance and not be negative")

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


@dataclass(frozen=True, slots=True)
class Bound:
    """The relaxation without lots: the most it can fill, and the least cost of a given fill.

    ``filled`` bounds every allocation's fill; ``cost`` is the least cost of any allocation that
    fills as much as the one it was computed for, category by category (see :func:`bound`).
    """

    filled: int
    cost: int

    def gap(self, allocation: Allocation) -> float:
        """How far ``allocation``'s cost is above the bound, as a fraction of the bound."""
        return (allocation.cost - self.cost) / self.cost if self.cost else 0.0


class _Relaxation:
    """One category's transportation problem without lots, on a compact network.

    Every eligible (demand, offer) pair would make tens of millions of arcs at national size;
    instead each offer feeds three hubs (its regency at the regency tariff, its province and the
    nation at theirs), and inside a hub a grid of (lot class, price level) nodes lets flow move
    to dearer levels and to smaller lots. A demand draws from the node of its own lot and the
    dearest level within its maximum price, so it reaches exactly the offers it may use. A route
    through a farther hub only costs more, so the least-cost flow is the exact optimum of the
    relaxation over all pairs.
    """

    def __init__(self, demands: Sequence[Demand], offers: Sequence[Offer], tariff: Tariff) -> None:
        import numpy as np

        self.demands = [d for d in demands if d.quantity >= d.min_lot]
        lots = sorted({d.min_lot for d in self.demands}, reverse=True)
        self.stock = 0
        tails: list[int] = []
        heads: list[int] = []
        caps: list[int] = []
        costs: list[int] = []
        self.nodes = 2  # 0 is the source, 1 the sink

        def arc(tail: int, head: int, cap: int, cost: int) -> None:
            tails.append(tail)
            heads.append(head)
            caps.append(cap)
            costs.append(cost)

        def klass(amount: int) -> int | None:
            for k, lot in enumerate(lots):
                if lot <= amount:
                    return k
            return None

        big = sum(o.available for o in offers) + 1
        # Price levels of a hub are the price limits of the demands that draw from it: offers
        # between two limits serve the same demands, so one node per limit is exact.
        limits: dict[str, set[int]] = defaultdict(set)
        for d in self.demands:
            for key in ("r" + d.regency, "p" + d.regency[:2], "n"):
                limits[key].add(d.max_price)
        grid: dict[str, tuple[list[int], int]] = {}
        for key, prices in limits.items():
            levels = sorted(prices)
            first, width = self.nodes, len(levels)
            self.nodes += len(lots) * width
            grid[key] = (levels, first)
            for k in range(len(lots)):
                for t in range(width):
                    node = first + k * width + t
                    if t + 1 < width:
                        arc(node, node + 1, big, 0)
                    if k + 1 < len(lots):
                        arc(node, node + width, big, 0)
        for o in offers:
            klass_o = klass(o.available)
            if klass_o is None:
                continue
            offer_node: int | None = None
            for key, tr in (
                ("r" + o.regency, tariff.same_regency),
                ("p" + o.regency[:2], tariff.same_province),
                ("n", tariff.other_province),
            ):
                if key not in grid:
                    continue
                levels, first = grid[key]
                t = bisect.bisect_left(levels, o.price)
                if t == len(levels):
                    continue  # above every limit of the demands of this hub
                if offer_node is None:
                    offer_node = self.nodes
                    self.nodes += 1
                    arc(0, offer_node, o.available, 0)
                    self.stock += o.available
                arc(offer_node, first + klass_o * len(levels) + t, o.available, o.price + tr)
        for d in self.demands:
            node = self.nodes
            self.nodes += 1
            k = lots.index(d.min_lot)
            for key in ("r" + d.regency, "p" + d.regency[:2], "n"):
                if key not in grid:
                    continue
                levels, first = grid[key]
                t = bisect.bisect_right(levels, d.max_price) - 1
                if t >= 0:
                    arc(first + k * len(levels) + t, node, d.quantity, 0)
            arc(node, 1, d.quantity, 0)
        self.arcs = (
            np.array(tails, dtype=np.int32), np.array(heads, dtype=np.int32),
            np.array(caps, dtype=np.int64), np.array(costs, dtype=np.int64),
        )  # fmt: skip
        self.need = sum(d.quantity for d in self.demands)

    def solve(self, fill: int | None = None) -> tuple[int, int]:
        """(fill, least cost): the most it can fill, or exactly ``fill`` when given."""
        import numpy as np
        from ortools.graph.python import min_cost_flow

        if not self.stock or not self.need or fill == 0:
            return 0, 0
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(*self.arcs)
        supply = self.stock if fill is None else fill
        demand = self.need if fill is None else fill
        flow.set_nodes_supplies(
            np.array([0, 1], dtype=np.int32), np.array([supply, -demand], dtype=np.int64)
        )
        status = flow.solve_max_flow_with_min_cost() if fill is None else flow.solve()
        if status != flow.OPTIMAL:
            raise RuntimeError("allocation: the relaxation failed")
        return int(flow.maximum_flow()) if fill is None else fill, int(flow.optimal_cost())


def bound(
    demands: Sequence[Demand],
    offers: Sequence[Offer],
    allocation: Allocation | None = None,
    tariff: Tariff = Tariff(),
) -> Bound:
    """The relaxation's bound, for ``allocation``'s fill in each category when given.

    ``filled`` is the most any allocation can fill. ``cost`` is the least cost of the relaxation
    at the allocation's fill of each category (at the largest fill without one), so no
    allocation filling the same can cost less: ``cost == allocation.cost`` proves it cheapest.
    """
    by_category = _split(demands, offers)
    got: dict[str, int] = defaultdict(int)
    if allocation is not None:
        category = {d.id: d.category for d in demands}
        for p in allocation.parts:
            got[category[p.demand_id]] += p.quantity
    filled = cost = 0
    for c, (ds, os) in by_category.items():
        relaxation = _Relaxation(ds, os, tariff)
        most, least = relaxation.solve()
        filled += most
        if allocation is not None and got[c] != most:
            least = relaxation.solve(got[c])[1]
        cost += least
    return Bound(filled, cost)


def _split(
    demands: Sequence[Demand], offers: Sequence[Offer]
) -> dict[str, tuple[list[Demand], list[Offer]]]:
    """Demands and offers by category (only categories somebody demands)."""
    by_category: dict[str, tuple[list[Demand], list[Offer]]] = defaultdict(lambda: ([], []))
    for d in demands:
        by_category[d.category][0].append(d)
    for o in offers:
        if o.category in by_category:
            by_category[o.category][1].append(o)
    return dict(by_category)


def eligible(demand: Demand, offer: Offer) -> bool:
    return (
        demand.category == offer.category
        and offer.price <= demand.max_price
        and offer.available >= demand.min_lot
        and demand.quantity >= demand.min_lot
    )


class _Index:
    """A category's offers by price within their regency, their province and the nation.

    ``cheapest(demand)`` yields the eligible offers in order of unit cost (price + transport)
    by merging the three price-sorted tiers, without looking at offers above the price cap;
    offers whose stock has run out are dropped from the tiers as they are met.
    """

    def __init__(self, offers: Sequence[Offer], tariff: Tariff) -> None:
        self.offers = offers
        self.tariff = tariff
        self.left = [o.available for o in offers]
        self.tiers: dict[str, list[int]] = defaultdict(list)
        for j in sorted(range(len(offers)), key=lambda j: (offers[j].price, offers[j].id)):
            o = offers[j]
            self.tiers["r" + o.regency].append(j)
            self.tiers["p" + o.regency[:2]].append(j)
            self.tiers["n"].append(j)

    def _tier(self, key: str, extra: int, demand: Demand) -> Iterator[tuple[int, int]]:
        tier = self.tiers.get(key, [])
        dead = 0
        for j in tier:
            o = self.offers[j]
            if o.price > demand.max_price:
                break
            if self.left[j] <= 0:
                dead += 1
                continue
            if o.available >= demand.min_lot:
                yield o.price + extra, j
        if dead > 64 and dead * 2 > len(tier):
            tier[:] = [j for j in tier if self.left[j] > 0]

    def cheapest(self, demand: Demand) -> Iterator[tuple[int, int]]:
        t = self.tariff
        seen: set[int] = set()
        merged = heapq.merge(
            self._tier("r" + demand.regency, t.same_regency, demand),
            self._tier("p" + demand.regency[:2], t.same_province, demand),
            self._tier("n", t.other_province, demand),
        )
        for cost, j in merged:
            if j not in seen:
                seen.add(j)
                yield cost, j


def greedy(
    demands: Sequence[Demand], offers: Sequence[Offer], tariff: Tariff = Tariff()
) -> Allocation:
    """The baseline: each demand in turn takes the cheapest offers first, whole lots only."""
    by_category: dict[str, list[int]] = defaultdict(list)
    for j, o in enumerate(offers):
        by_category[o.category].append(j)
    indexes = {c: (_Index([offers[j] for j in js], tariff), js) for c, js in by_category.items()}
    result = Allocation(proved_optimal=False)
    for d in demands:
        if d.category not in indexes or d.quantity < d.min_lot:
            continue
        index, _js = indexes[d.category]
        need = d.quantity
        for cost, j in index.cheapest(d):
            if need < d.min_lot:
                break
            take = min(need, index.left[j])
            if take >= d.min_lot:
                index.left[j] -= take
                need -= take
                o = index.offers[j]
                result.parts.append(Part(d.id, o.id, take, o.price, cost - o.price))
    return result


def allocate(
    demands: Sequence[Demand],
    offers: Sequence[Offer],
    strategy: str = CHEAPEST,
    *,
    tariff: Tariff = Tariff(),
    time_limit: float = 30.0,
    max_pairs: int = 60_000,
    exact_pairs: int = 20_000,
    workers: int = 2,
    seed: int = 0,
    rounds: int | None = None,
) -> Allocation:
    """The allocation for ``strategy``; categories are solved one after another.

    A category with at most ``exact_pairs`` candidate parts goes to CP-SAT; a larger one is
    solved as a min-cost flow without the lots, repaired to whole lots (:func:`_flow_start`),
    compared with greedy, and the better improved by a large-neighbourhood search with CP-SAT
    (:func:`_improve`) until its share of ``time_limit`` is spent or after ``rounds``
    neighbourhoods per category; with the same ``seed``, a run that ends by ``rounds`` (or by
    running out of neighbourhoods) before the time limit gives the same result every time. It
    is proved optimal when the repair reaches the bound of its flow, or when one neighbourhood
    held the whole category. The result never fills less than greedy; ``cheapest`` never
    costs more at the same fill. :func:`bound` says how far from the best it can be.
    """
    if strategy not in (CHEAPEST, FAIR):
        raise ValueError(f"unknown strategy {strategy!r}")
    deadline = time.monotonic() + time_limit  # greedy's time counts too
    hint = greedy(demands, offers, tariff)
    hinted = {(p.demand_id, p.kube_id): p.quantity for p in hint.parts}
    by_category = _split(demands, offers)
    result = Allocation()
    # Each category gets a share of the time in proportion to its size.
    weight = {c: max(1, len(ds) * len(os)) for c, (ds, os) in by_category.items()}
    total = sum(weight.values())
    for category in sorted(by_category):
        ds, os = by_category[category]
        budget = max(0.5, (deadline - time.monotonic()) * weight[category] / total)
        total -= weight[category]
        part = _solve_category(
            ds, os, strategy, tariff, hinted, budget, max_pairs, exact_pairs, workers, seed,
            rounds,
        )  # fmt: skip
        result.parts.extend(part.parts)
        result.proved_optimal &= part.proved_optimal
    return result


def _pairs(
    demands: list[Demand], offers: list[Offer], tariff: Tariff, max_pairs: int
) -> tuple[list[tuple[int, int, int]], bool]:
    """Candidate (demand, offer, unit cost) triples; each demand's cheapest when too many."""
    if len(demands) * len(offers) <= max_pairs:
        return [
            (i, j, o.price + tariff(d.regency, o.regency))
            for i, d in enumerate(demands)
            for j, o in enumerate(offers)
            if eligible(d, o)
        ], True
    keep = max(8, max_pairs // max(1, len(demands)))
    index = _Index(offers, tariff)
    pairs: list[tuple[int, int, int]] = []
    complete = True
    for i, d in enumerate(demands):
        if d.quantity < d.min_lot:
            continue
        row = list(itertools.islice(index.cheapest(d), keep + 1))
        complete &= len(row) <= keep
        pairs.extend((i, j, cost) for cost, j in row[:keep])
    # Each demand's cheapest offers leave the dearer offers out, though the most that can be
    # filled needs them: each offer also keeps a few demands that may take it, nearest first,
    # the lowest price limits first (dearer demands can go elsewhere), rotated to spread them.
    present = {(i, j) for i, j, _c in pairs}
    hubs: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for i, d in enumerate(demands):
        if d.quantity >= d.min_lot:
            for key in ("r" + d.regency, "p" + d.regency[:2], "n"):
                hubs[key].append((d.max_price, i))
    for members in hubs.values():
        members.sort()
    for j, o in enumerate(offers):
        found = 0
        for key in ("r" + o.regency, "p" + o.regency[:2], "n"):
            members = hubs.get(key, [])
            start = bisect.bisect_left(members, (o.price, -1))
            span = len(members) - start
            for step in range(min(span, 64)):
                i = members[start + (j * 7 + step) % span][1]
                if demands[i].min_lot <= o.available and (i, j) not in present:
                    present.add((i, j))
                    pairs.append((i, j, o.price + tariff(demands[i].regency, o.regency)))
                    found += 1
                    if found >= 4:
                        break
            if found >= 4:
                break
    return pairs, complete


Solution = tuple[dict[tuple[int, int], int], int, int]  # parts, fill, -cost


def _transport_flow(
    demands: list[Demand],
    offers: list[Offer],
    pairs: list[tuple[int, int, int]],
    need: list[int],
    left: list[int],
    open_pairs: set[tuple[int, int]],
) -> tuple[list[int], int, int]:
    """Max-flow-min-cost of the remaining stock to the remaining needs, without lots.

    A pair takes part when the demand still needs a lot and the offer still has one, or when
    the part already exists (adding to a part of at least a lot keeps it whole).
    """
    import numpy as np
    from ortools.graph.python import min_cost_flow

    n_o = len(offers)
    usable = [
        k
        for k, (i, j, _c) in enumerate(pairs)
        if (i, j) in open_pairs or (need[i] >= demands[i].min_lot and left[j] >= demands[i].min_lot)
    ]
    flows = [0] * len(pairs)
    if not usable:
        return flows, 0, 0
    tails = [0] * n_o + [2 + pairs[k][1] for k in usable] + [2 + n_o + i for i in range(len(need))]
    heads = [2 + j for j in range(n_o)] + [2 + n_o + pairs[k][0] for k in usable] + [1] * len(need)
    caps = [*left, *(min(need[pairs[k][0]], left[pairs[k][1]]) for k in usable), *need]
    costs = [0] * n_o + [pairs[k][2] for k in usable] + [0] * len(need)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.array(tails, dtype=np.int32), np.array(heads, dtype=np.int32),
        np.array(caps, dtype=np.int64), np.array(costs, dtype=np.int64),
    )  # fmt: skip
    flow.set_nodes_supplies(
        np.array([0, 1], dtype=np.int32), np.array([sum(left), -sum(need)], dtype=np.int64)
    )
    if flow.solve_max_flow_with_min_cost() != flow.OPTIMAL:
        raise RuntimeError("allocation: the flow relaxation failed")
    values = flow.flows(np.arange(n_o, n_o + len(usable), dtype=np.int32)).tolist()
    for k, q in zip(usable, values, strict=True):
        flows[k] = int(q)
    return flows, int(flow.maximum_flow()), int(flow.optimal_cost())


def _flow_start(
    demands: list[Demand],
    offers: list[Offer],
    pairs: list[tuple[int, int, int]],
    hinted: dict[tuple[str, str], int],
) -> tuple[Solution, tuple[int, int]]:
    """The better of greedy and the repaired flow relaxation, and the relaxation's (fill, -cost).

    Without lots the problem is a transportation problem, solved exactly by max-flow-min-cost:
    its optimum bounds the real one (over ``pairs``). Each offer whose flow makes a part below
    a lot is shared again in whole lots (:func:`_spread`); then the flow is solved again for
    what is still needed and still in stock (only pairs that can carry a whole lot, or add to
    a part), a few rounds, and finally what is left is handed out in whole lots, cheapest first.
    """
    cost = {(i, j): c for i, j, c in pairs}
    lots = [d.min_lot for d in demands]
    by_offer: dict[int, list[int]] = defaultdict(list)
    for i, j, _c in pairs:
        by_offer[j].append(i)
    got = [0] * len(demands)
    used = [0] * len(offers)
    parts: dict[tuple[int, int], int] = {}
    bound = (0, 0)
    for round_ in range(4):
        need = [d.quantity - g for d, g in zip(demands, got, strict=True)]
        left = [o.available - u for o, u in zip(offers, used, strict=True)]
        flows, filled, total = _transport_flow(demands, offers, pairs, need, left, set(parts))
        if round_ == 0:
            bound = (filled, -total)
        if not filled:
            break
        broken: set[int] = set()
        for (i, j, _c), q in zip(pairs, flows, strict=True):
            if q:
                parts[(i, j)] = parts.get((i, j), 0) + q
                got[i] += q
                used[j] += q
                if parts[(i, j)] < lots[i]:
                    broken.add(j)
        # A part below its lot is not dropped: its offer's quantity is shared again among the
        # demands it serves (and, if some is still left, every demand that may take it), so
        # the offer's total and the fill stay as the flow made them wherever lots allow.
        for j in sorted(broken):
            members = [i for i in by_offer[j] if (i, j) in parts]
            total_j = 0
            for i in members:
                q = parts.pop((i, j))
                got[i] -= q
                total_j += q
            room = {i: min(demands[i].quantity - got[i], offers[j].available) for i in by_offer[j]}
            alloc, rest = _spread(total_j, sorted((cost[(i, j)], i) for i in members), lots, room)
            if rest:
                everyone = sorted((cost[(i, j)], i) for i in by_offer[j])
                alloc, rest = _spread(total_j, everyone, lots, room)
            for i, q in alloc.items():
                parts[(i, j)] = q
                got[i] += q
            used[j] -= rest
    need = [d.quantity - g for d, g in zip(demands, got, strict=True)]
    left = [o.available - u for o, u in zip(offers, used, strict=True)]
    options: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for i, j, c in pairs:
        options[i].append((c, j))
    for i, d in enumerate(demands):
        for _c, j in sorted(options[i]):
            take = min(need[i], left[j])
            if take and (take >= d.min_lot or (i, j) in parts):
                parts[(i, j)] = parts.get((i, j), 0) + take
                left[j] -= take
                need[i] -= take
    repaired = (parts, sum(parts.values()), -sum(q * cost[k] for k, q in parts.items()))
    index_d = {d.id: i for i, d in enumerate(demands)}
    index_o = {o.id: j for j, o in enumerate(offers)}
    mine = {
        (index_d[did], index_o[oid]): q
        for (did, oid), q in hinted.items()
        if did in index_d and oid in index_o
    }
    baseline = (mine, sum(mine.values()), -sum(q * cost[k] for k, q in mine.items()))
    best = max(repaired, baseline, key=lambda s: (s[1], s[2]))
    return best, bound


def _spread(
    total: int, candidates: list[tuple[int, int]], lots: list[int], room: dict[int, int]
) -> tuple[dict[int, int], int]:
    """Share one offer's ``total`` among ``candidates`` (cost, demand), each part 0 or a lot.

    Cheapest demands first, each as much as its ``room``; a remainder below a lot tops up parts
    already whole, or opens one more part by lowering the dearest parts towards their lots, or
    else the whole total goes to the cheapest demand that can take it all. Returns the parts
    and what could not be placed.
    """
    alloc: dict[int, int] = {}
    rest = total
    for _c, i in candidates:
        take = min(room[i], rest)
        if take >= lots[i]:
            alloc[i] = take
            rest -= take
            if not rest:
                return alloc, 0
    for _c, i in candidates:
        if i in alloc:
            more = min(rest, room[i] - alloc[i])
            alloc[i] += more
            rest -= more
            if not rest:
                return alloc, 0
    for _c, i in candidates:
        if i in alloc or room[i] < lots[i]:
            continue
        short = lots[i] - rest
        if sum(q - lots[k] for k, q in alloc.items()) < short:
            continue
        for _c2, k in reversed(candidates):
            if k in alloc and short:
                give = min(short, alloc[k] - lots[k])
                alloc[k] -= give
                short -= give
        alloc[i] = lots[i]
        return alloc, 0
    for _c, i in candidates:  # all of it to one demand rather than leave some behind
        if lots[i] <= total <= room[i]:
            return {i: total}, 0
    return alloc, rest


def _improve(
    demands: list[Demand],
    offers: list[Offer],
    parts: dict[tuple[int, int], int],
    strategy: str,
    tariff: Tariff,
    deadline: float,
    *,
    seed: int = 0,
    size: int = 10,
    rounds: int | None = None,
) -> tuple[dict[tuple[int, int], int], bool]:
    """Large-neighbourhood search: re-solve the worst demands and their offers with CP-SAT.

    A neighbourhood is a seed demand (the one paying most above its cheapest candidate, or
    able to take stock left over), the cheapest offers it may use, the demands holding those
    offers and the offers they hold. Everything outside stays fixed; CP-SAT (one worker, a
    deterministic effort limit and ``seed``) solves the rest exactly with each part 0 or at least
    its lot, starting from the current parts, and the result is kept when it is better in
    (fill, cost). ``cheapest`` may move any quantity; ``fair`` keeps every offer's total, so
    each group's distance from its share is unchanged and only who gets which units moves.
    Stops at ``deadline``, after ``rounds`` neighbourhoods, or when no seed is left. Returns
    the parts and whether a neighbourhood holding everything was solved to optimality.
    """
    index = _Index(offers, tariff)
    by_demand: dict[int, dict[int, int]] = defaultdict(dict)
    by_offer: dict[int, dict[int, int]] = defaultdict(dict)
    for (i, j), q in parts.items():
        by_demand[i][j] = q
        by_offer[j][i] = q

    def unit(i: int, j: int) -> int:
        return offers[j].price + tariff(demands[i].regency, offers[j].regency)

    candidates: dict[int, list[int]] = {}

    def cheapest(i: int) -> list[int]:
        if i not in candidates:
            row = itertools.islice(index.cheapest(demands[i]), size)
            candidates[i] = [j for _c, j in row]
        return candidates[i]

    def score(i: int) -> int:
        row = cheapest(i)
        if not row:
            return 0
        best = unit(i, row[0])
        excess = sum(q * (unit(i, j) - best) for j, q in by_demand[i].items())
        room = demands[i].quantity - sum(by_demand[i].values())
        if room > 0 and strategy == CHEAPEST:
            # Stock left within reach, even below a lot: moving neighbours may make it usable.
            spare = sum(offers[j].available - sum(by_offer[j].values()) for j in row)
            excess += min(room, spare) * best
        return excess

    heap = [(-s, i) for i in range(len(demands)) if (s := score(i)) > 0]
    heapq.heapify(heap)
    proved = False
    solved = 0
    while heap and time.monotonic() < deadline and (rounds is None or solved < rounds):
        negative, seed_i = heapq.heappop(heap)
        if score(seed_i) != -negative:
            continue  # stale entry: the demand changed since it was queued
        pool = set(cheapest(seed_i)) | set(by_demand[seed_i])
        holders = sorted(
            {i for j in pool for i in by_offer[j]} - {seed_i},
            key=lambda i: (-score(i), i),
        )
        group = [seed_i, *holders[: size - 1]]
        for i in group:
            pool |= set(by_demand[i])
        # A small category fits in one neighbourhood: with every demand's every candidate in
        # it, CP-SAT's optimum is the category's optimum.
        if len(group) == len(demands) and all(len(cheapest(i)) < size for i in group):
            for i in group:
                pool |= set(cheapest(i))
        changed, optimal, whole = _neighbourhood(
            demands, offers, group, sorted(pool), by_demand, by_offer, strategy, unit,
            deadline, seed + solved,
        )  # fmt: skip
        solved += 1
        proved |= optimal and whole
        for i in changed:
            if (s := score(i)) > 0:
                heapq.heappush(heap, (-s, i))
    out = {(i, j): q for i, row in by_demand.items() for j, q in row.items() if q}
    return out, proved


def _neighbourhood(
    demands: list[Demand],
    offers: list[Offer],
    group: list[int],
    pool: list[int],
    by_demand: dict[int, dict[int, int]],
    by_offer: dict[int, dict[int, int]],
    strategy: str,
    unit: Callable[[int, int], int],
    deadline: float,
    seed: int,
) -> tuple[list[int], bool, bool]:
    """Solve one neighbourhood exactly; apply it when better. (changed demands, optimal, all)."""
    from ortools.sat.python import cp_model

    members = set(group)
    model = cp_model.CpModel()
    xs: dict[tuple[int, int], cp_model.IntVar] = {}
    cap = {j: offers[j].available - sum(q for i, q in by_offer[j].items() if i not in members)
           for j in pool}  # fmt: skip
    for i in group:
        d = demands[i]
        for j in pool:
            o = offers[j]
            top = min(d.quantity, cap[j])
            if eligible(d, o) and top >= d.min_lot:
                domain = cp_model.Domain.from_intervals([[0, 0], [d.min_lot, top]])
                xs[(i, j)] = model.new_int_var_from_domain(domain, "")
                model.add_hint(xs[(i, j)], by_demand[i].get(j, 0))
    if not xs:
        return [], False, False
    for i in group:
        row = [x for (a, _j), x in xs.items() if a == i]
        if row:
            model.add(cp_model.LinearExpr.sum(row) <= demands[i].quantity)
    for j in pool:
        column = [x for (_i, b), x in xs.items() if b == j]
        if not column:
            continue
        if strategy == FAIR:
            model.add(cp_model.LinearExpr.sum(column) == sum(by_offer[j].get(i, 0) for i in group))
        else:
            model.add(cp_model.LinearExpr.sum(column) <= cap[j])
    keys = list(xs)
    units = [unit(i, j) for i, j in keys]
    cost = cp_model.LinearExpr.weighted_sum([xs[k] for k in keys], units)
    fill = cp_model.LinearExpr.sum([xs[k] for k in keys])
    # Fill first: one more unit is worth more than any cost the neighbourhood can reach.
    weight = max(units) * sum(demands[i].quantity for i in group) + 1
    model.minimize(cost - weight * fill)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = 0.2
    solver.parameters.max_time_in_seconds = max(0.05, deadline - time.monotonic())
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [], False, False
    now_fill = sum(q for i in group for q in by_demand[i].values())
    now_cost = sum(q * unit(i, j) for i in group for j, q in by_demand[i].items())
    new = {k: int(solver.value(x)) for k, x in xs.items()}
    new_fill = sum(new.values())
    new_cost = sum(q * u for (k, q), u in zip(new.items(), units, strict=True))
    whole = len(members) == len(demands) and all(
        j in pool for i in group for j in range(len(offers)) if eligible(demands[i], offers[j])
    )
    optimal = status == cp_model.OPTIMAL
    if (new_fill, -new_cost) <= (now_fill, -now_cost):
        return [], optimal, whole
    changed = set()
    for (i, j), q in new.items():
        if by_demand[i].get(j, 0) != q:
            changed.add(i)
            changed |= set(by_offer[j])
            if q:
                by_demand[i][j] = by_offer[j][i] = q
            else:
                by_demand[i].pop(j, None)
                by_offer[j].pop(i, None)
    return sorted(changed), optimal, whole


def _proportional(
    demand: Demand, offers: list[Offer], pairs: list[tuple[int, int, int]], filled: int
) -> Solution | None:
    """One demand split by shares of availability, each part within one lot of its share.

    Round every share to a whole lot-feasible amount, then move single units towards the
    shares until the parts add up to ``filled``. None when that cannot be done within the
    bound (CP-SAT then searches).
    """
    cost = {j: c for _i, j, c in pairs}
    lot = demand.min_lot
    candidates = [j for j in cost if offers[j].available >= lot]
    pool = sum(offers[j].available for j in candidates)
    if not pool or not filled:
        return None
    share = {j: filled * offers[j].available / pool for j in candidates}
    x = {
        j: min(max(lot, round(share[j])), offers[j].available, demand.quantity)
        if share[j] >= lot / 2
        else 0
        for j in candidates
    }
    diff = filled - sum(x.values())
    closed: set[int] = set()
    for _ in range(20 * len(candidates) + 20):
        if not diff:
            break
        step = 1 if diff > 0 else -1
        movable = [
            j
            for j in candidates
            if (step > 0 and 0 < x[j] < min(offers[j].available, share[j] + lot))
            or (step < 0 and x[j] > max(lot, share[j] - lot))
        ]
        if movable:
            j = max(movable, key=lambda j: step * (share[j] - x[j]))
            if step > 0:
                room = min(offers[j].available, demand.quantity, int(share[j] + lot)) - x[j]
            else:
                room = x[j] - max(lot, math.ceil(share[j] - lot))
            amount = min(abs(diff), max(1, room))
            x[j] += step * amount
            diff -= step * amount
            continue
        # Whole lots of the groups whose share is under a lot (no bound applies to them).
        small = [j for j in candidates if share[j] < lot and j not in closed]
        if step < 0:
            open_ = [j for j in small if x[j]]
            if not open_:
                return None
            j = min(open_, key=lambda j: share[j])
            diff += x[j]
            x[j] = 0
            closed.add(j)
        else:
            shut = [j for j in small if not x[j] and offers[j].available >= lot]
            if not shut:
                return None
            j = max(shut, key=lambda j: share[j])
            x[j] = lot
            diff -= lot
            closed.add(j)
    else:
        return None
    if any(abs(x[j] - share[j]) > lot for j in candidates if share[j] >= lot):
        return None
    parts = {(0, j): q for j, q in x.items() if q}
    return parts, filled, -sum(q * cost[j] for (_i, j), q in parts.items())


class _Model:
    """One category's CP-SAT model, solved in phases that keep the previous phase's optimum.

    ``current`` is the best solution so far, starting from the greedy hint: a phase that finds
    nothing in its time (status UNKNOWN) leaves it, so the result is never worse than greedy.
    """

    def __init__(self, budget: float, workers: int) -> None:
        from ortools.sat.python import cp_model

        self.model = cp_model.CpModel()
        self.solver = cp_model.CpSolver()
        self.solver.parameters.num_workers = workers
        self.xs: list[cp_model.IntVar] = []
        self.current: list[int] = []
        self.budget = budget
        self.started = time.monotonic()
        self.proved = True

    def solve(self, share: float) -> bool:
        """Solve with ``share`` of the budget; True when a solution was found."""
        from ortools.sat.python import cp_model

        left = self.budget - (time.monotonic() - self.started)
        self.solver.parameters.max_time_in_seconds = max(0.2, min(left, self.budget * share))
        status = self.solver.solve(self.model)
        if status == cp_model.INFEASIBLE or status == cp_model.MODEL_INVALID:
            raise RuntimeError(f"allocation: solver status {self.solver.status_name(status)}")
        self.proved &= status == cp_model.OPTIMAL
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False
        self.current = [int(self.solver.value(x)) for x in self.xs]
        # The next phase starts from this solution, so it can only improve on it.
        self.model.clear_hints()
        for x, v in zip(self.xs, self.current, strict=True):
            self.model.add_hint(x, v)
        return True


def _solve_category(
    demands: list[Demand],
    offers: list[Offer],
    strategy: str,
    tariff: Tariff,
    hinted: dict[tuple[str, str], int],
    budget: float,
    max_pairs: int,
    exact_pairs: int,
    workers: int,
    seed: int,
    rounds: int | None,
) -> Allocation:
    from ortools.sat.python import cp_model

    deadline = time.monotonic() + budget
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

    start, bound = _flow_start(demands, offers, pairs, hinted)
    if strategy == FAIR and len(demands) == 1 and start[1] == bound[0]:
        fair = _proportional(demands[0], offers, pairs, start[1])
        if fair is not None:
            start, bound, exact_pairs = fair, (fair[1], fair[2]), -1
    elif strategy == CHEAPEST and (start[1], start[2]) == bound:
        exact_pairs = -1  # the repaired flow reaches the relaxation's bound: it is optimal
    if len(pairs) > exact_pairs:
        exact = complete and (start[1], start[2]) == bound
        if not exact:
            improved, whole = _improve(
                demands, offers, start[0], strategy, tariff, deadline, seed=seed, rounds=rounds
            )
            spent = sum(
                q * (offers[j].price + tariff(demands[i].regency, offers[j].regency))
                for (i, j), q in improved.items()
            )
            start = (improved, sum(improved.values()), -spent)
            exact = strategy == CHEAPEST and whole
        out = Allocation(proved_optimal=exact)
        for (i, j), q in start[0].items():
            d, o = demands[i], offers[j]
            out.parts.append(Part(d.id, o.id, q, o.price, tariff(d.regency, o.regency)))
        return out
    hinted = {(demands[i].id, offers[j].id): q for (i, j), q in start[0].items()}
    m = _Model(budget, workers)
    by_demand: dict[int, list[int]] = defaultdict(list)
    by_offer: dict[int, list[int]] = defaultdict(list)
    for k, (i, j, _c) in enumerate(pairs):
        d, o = demands[i], offers[j]
        domain = cp_model.Domain.from_intervals([[0, 0], [d.min_lot, min(d.quantity, o.available)]])
        x = m.model.new_int_var_from_domain(domain, f"x{k}")
        m.model.add_hint(x, hinted.get((d.id, o.id), 0))
        m.xs.append(x)
        m.current.append(hinted.get((d.id, o.id), 0))
        by_demand[i].append(k)
        by_offer[j].append(k)
    for i, ks in by_demand.items():
        m.model.add(cp_model.LinearExpr.sum([m.xs[k] for k in ks]) <= demands[i].quantity)
    for j, ks in by_offer.items():
        m.model.add(cp_model.LinearExpr.sum([m.xs[k] for k in ks]) <= offers[j].available)

    filled = cp_model.LinearExpr.sum(m.xs)
    m.model.maximize(filled)
    m.solve(0.4)
    best_fill = sum(m.current)
    m.model.add(filled == best_fill)
    if strategy == FAIR:
        _fair_phase(m, pairs, offers, by_offer, participants(demands, offers), best_fill)
    m.model.minimize(cp_model.LinearExpr.weighted_sum(m.xs, [c for _i, _j, c in pairs]))
    m.solve(1.0)
    out = Allocation(proved_optimal=m.proved and complete)
    for k, (i, j, _c) in enumerate(pairs):
        q = m.current[k]
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
    from ortools.sat.python import cp_model

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
    # The bound holds under an assumption, so that it can be lifted when no split keeps it.
    strict = m.model.new_bool_var("within_one_lot")
    for gap, limit in bounded:
        m.model.add(gap <= limit).only_enforce_if(strict)
    spread = cp_model.LinearExpr.sum(gaps)
    m.model.minimize(spread)
    m.model.add_assumptions([strict])
    try:
        found = m.solve(0.3)
    except RuntimeError:
        found = False
    m.model.clear_assumptions()
    if not found:
        found = m.solve(0.3)
    if found:
        m.model.add(spread <= int(m.solver.value(spread)))
