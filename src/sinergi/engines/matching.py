"""Optimal mentor-KUBE matching: most groups assigned, then least total cost.

A pair is allowed only inside one province. Its cost is ``other_regency`` (40) unless the group
and the mentor share a regency, plus ``sector_mismatch`` (25) unless the group's sector is among
the mentor's, minus ``history_bonus`` (10) when they worked together before. Each mentor takes at
most ``capacity`` groups, each group at most one mentor.

The problem is a transportation problem, solved exactly as a max-flow-min-cost flow (OR-Tools),
but never over the full pair matrix. Groups without history are interchangeable within their
(regency, sector), and mentors without history within their (regency, sector set), so those
become one node each. The regency term is routed through one hub per (province, sector): a
class reaches the mentor classes of its own regency directly (cost = sector term) and every
mentor class of its province through the hub (cost = 40 + sector term). Going through the hub to
one's own regency costs 40 more than the direct arc, so an optimal flow never does it; the hub
therefore never mixes pairs that should have cost 0. Groups and mentors named in the history
keep their own nodes, with an extra arc for each remembered pair. A national run of 100,000
groups and 10,000 mentors is a graph of a few thousand nodes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Weights:
    other_regency: int = 40
    sector_mismatch: int = 25
    history_bonus: int = 10

    def __post_init__(self) -> None:
        # The hub construction is exact only while leaving one's regency costs something.
        if self.other_regency < 0 or self.sector_mismatch < 0 or self.history_bonus < 0:
            raise ValueError("matching weights must not be negative")


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    district: str  # dotted district code, e.g. "32.73.01"
    sector: str

    @property
    def regency(self) -> str:
        return self.district[:5]


@dataclass(frozen=True, slots=True)
class Mentor:
    id: str
    regency: str  # dotted regency code, e.g. "32.73"
    sectors: frozenset[str]
    capacity: int


@dataclass(frozen=True, slots=True)
class Pair:
    group_id: str
    mentor_id: str
    cost: int
    reasons: tuple[str, ...]  # same_regency|other_regency, sector_match|sector_mismatch, history


@dataclass
class Result:
    pairs: dict[str, Pair] = field(default_factory=dict)  # by group id
    total_cost: int = 0

    @property
    def assigned(self) -> int:
        return len(self.pairs)


def pair_cost(
    group: Group, mentor: Mentor, *, history: bool = False, weights: Weights = Weights()
) -> int | None:
    """The cost of one pair, or None when the pair is not allowed."""
    if group.district[:2] != mentor.regency[:2]:
        return None
    cost = 0 if group.regency == mentor.regency else weights.other_regency
    if group.sector not in mentor.sectors:
        cost += weights.sector_mismatch
    return cost - weights.history_bonus if history else cost


def reasons(group: Group, mentor: Mentor, *, history: bool = False) -> tuple[str, ...]:
    out = [
        "same_regency" if group.regency == mentor.regency else "other_regency",
        "sector_match" if group.sector in mentor.sectors else "sector_mismatch",
    ]
    if history:
        out.append("history")
    return tuple(out)


class _Graph:
    def __init__(self) -> None:
        self.tails: list[int] = []
        self.heads: list[int] = []
        self.caps: list[int] = []
        self.costs: list[int] = []
        self.nodes = 2  # 0 = source, 1 = sink

    def node(self) -> int:
        self.nodes += 1
        return self.nodes - 1

    def arc(self, tail: int, head: int, cap: int, cost: int) -> int:
        self.tails.append(tail)
        self.heads.append(head)
        self.caps.append(cap)
        self.costs.append(cost)
        return len(self.tails) - 1


def match(
    groups: Sequence[Group],
    mentors: Sequence[Mentor],
    history: Iterable[tuple[str, str]] = (),
    weights: Weights = Weights(),
) -> Result:
    """The optimal assignment; pairs in ``history`` naming unknown ids are ignored."""
    import numpy as np
    from ortools.graph.python import min_cost_flow

    by_group = {g.id: g for g in groups}
    by_mentor = {m.id: m for m in mentors}
    remembered: dict[str, list[str]] = defaultdict(list)
    for gid, mid in set(history):
        g, m = by_group.get(gid), by_mentor.get(mid)
        if g and m and m.capacity > 0 and pair_cost(g, m) is not None:
            remembered[gid].append(mid)
    history_mentors = {mid for mids in remembered.values() for mid in mids}

    graph = _Graph()
    # Group nodes: id lists to hand out when the flow is split back into pairs.
    group_ids: dict[int, list[str]] = {}
    group_key: dict[int, tuple[str, str]] = {}  # node -> (regency, sector)
    classes: dict[tuple[str, str], int] = {}
    for g in groups:
        if g.id in remembered:
            node = graph.node()
            group_ids[node] = [g.id]
        else:
            key = (g.regency, g.sector)
            if key not in classes:
                classes[key] = graph.node()
                group_ids[classes[key]] = []
            node = classes[key]
            group_ids[node].append(g.id)
        group_key[node] = (g.regency, g.sector)

    mentor_ids: dict[int, list[str]] = {}
    mentor_cap: dict[int, int] = defaultdict(int)
    mentor_key: dict[int, tuple[str, frozenset[str]]] = {}
    mentor_classes: dict[tuple[str, frozenset[str]], int] = {}
    node_of_mentor: dict[str, int] = {}
    for m in mentors:
        if m.capacity <= 0:
            continue
        if m.id in history_mentors:
            node = graph.node()
            mentor_ids[node] = []
        else:
            mkey = (m.regency, m.sectors)
            if mkey not in mentor_classes:
                mentor_classes[mkey] = graph.node()
                mentor_ids[mentor_classes[mkey]] = []
            node = mentor_classes[mkey]
        mentor_ids[node].append(m.id)
        mentor_cap[node] += m.capacity
        mentor_key[node] = (m.regency, m.sectors)
        node_of_mentor[m.id] = node

    by_regency: dict[str, list[int]] = defaultdict(list)
    by_province: dict[str, list[int]] = defaultdict(list)
    for node, (regency, _sectors) in mentor_key.items():
        by_regency[regency].append(node)
        by_province[regency[:2]].append(node)

    for node, ids in group_ids.items():
        graph.arc(0, node, len(ids), 0)
    for node, cap in mentor_cap.items():
        graph.arc(node, 1, cap, 0)

    pair_arcs: dict[int, tuple[int, int]] = {}  # arc -> (group node, mentor node)
    hub_in: dict[int, int] = {}  # arc -> group node
    hub_out: dict[int, int] = {}  # arc -> mentor node
    arc_hub: dict[int, int] = {}
    hubs: dict[tuple[str, str], int] = {}

    def sector_term(sector: str, sectors: frozenset[str]) -> int:
        return 0 if sector in sectors else weights.sector_mismatch

    for node, (regency, sector) in group_key.items():
        count = len(group_ids[node])
        for mnode in by_regency.get(regency, ()):
            arc = graph.arc(node, mnode, count, sector_term(sector, mentor_key[mnode][1]))
            pair_arcs[arc] = (node, mnode)
        province = regency[:2]
        if not by_province.get(province):
            continue
        hub_key = (province, sector)
        if hub_key not in hubs:
            hub = hubs[hub_key] = graph.node()
            for mnode in by_province[province]:
                arc = graph.arc(
                    hub, mnode, mentor_cap[mnode], sector_term(sector, mentor_key[mnode][1])
                )
                hub_out[arc] = mnode
                arc_hub[arc] = hub
        arc = graph.arc(node, hubs[hub_key], count, weights.other_regency)
        hub_in[arc] = node
        arc_hub[arc] = hubs[hub_key]
    # Remembered pairs: group g is alone in its node and mentor m alone in hers.
    group_node = {ids[0]: n for n, ids in group_ids.items() if ids[0] in remembered}
    for gid, mids in remembered.items():
        for mid in mids:
            cost = pair_cost(by_group[gid], by_mentor[mid], history=True, weights=weights)
            assert cost is not None
            arc = graph.arc(group_node[gid], node_of_mentor[mid], 1, cost)
            pair_arcs[arc] = (group_node[gid], node_of_mentor[mid])

    result = Result()
    if not graph.tails:
        return result
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        np.array(graph.tails, dtype=np.int32),
        np.array(graph.heads, dtype=np.int32),
        np.array(graph.caps, dtype=np.int64),
        np.array(graph.costs, dtype=np.int64),
    )
    solver.set_nodes_supplies(
        np.array([0, 1], dtype=np.int32),
        np.array([len(groups), -sum(mentor_cap.values())], dtype=np.int64),
    )
    status = solver.solve_max_flow_with_min_cost()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = solver.flows(np.arange(len(graph.tails), dtype=np.int32))

    # Split the flow back into (group node, mentor node) unit pairs.
    units: list[tuple[int, int, int]] = []  # (group node, mentor node, count)
    ins: dict[int, list[list[int]]] = defaultdict(list)
    outs: dict[int, list[list[int]]] = defaultdict(list)
    for arc in np.nonzero(flows)[0].tolist():
        flow = int(flows[arc])
        if arc in pair_arcs:
            units.append((*pair_arcs[arc], flow))
        elif arc in hub_in:
            ins[arc_hub[arc]].append([hub_in[arc], flow])
        elif arc in hub_out:
            outs[arc_hub[arc]].append([hub_out[arc], flow])
    for hub, incoming in ins.items():
        outgoing = outs[hub]
        while incoming:
            take = min(incoming[-1][1], outgoing[-1][1])
            units.append((incoming[-1][0], outgoing[-1][0], take))
            for side in (incoming, outgoing):
                side[-1][1] -= take
                if side[-1][1] == 0:
                    side.pop()

    left = {node: list(reversed(ids)) for node, ids in group_ids.items()}
    room: dict[int, list[tuple[str, list[int]]]] = {
        node: [(mid, [by_mentor[mid].capacity]) for mid in reversed(ids)]
        for node, ids in mentor_ids.items()
    }
    for gnode, mnode, count in units:
        for _ in range(count):
            gid = left[gnode].pop()
            mid, left_cap = room[mnode][-1]
            left_cap[0] -= 1
            if left_cap[0] == 0:
                room[mnode].pop()
            g, m = by_group[gid], by_mentor[mid]
            known = mid in remembered.get(gid, ())
            cost = pair_cost(g, m, history=known, weights=weights)
            assert cost is not None
            result.pairs[gid] = Pair(gid, mid, cost, reasons(g, m, history=known))
            result.total_cost += cost
    # Any pair's true cost is at most the arc's cost, so a larger total would be a bug here.
    if result.total_cost != solver.optimal_cost():
        raise RuntimeError("matching: the split flow does not reproduce the optimal cost")
    return result


def greedy(
    groups: Sequence[Group],
    mentors: Sequence[Mentor],
    history: Iterable[tuple[str, str]] = (),
    weights: Weights = Weights(),
) -> Result:
    """The baseline a person would write: each group in turn to its cheapest mentor with room.

    Candidates are looked up by cost class rather than scanned: remembered mentors, the
    group's regency, then the first mentor with room of the province in the group's sector,
    then of the province at all (full mentors are dropped from those stacks lazily).
    """
    remembered: dict[str, list[str]] = defaultdict(list)
    for gid, mid in set(history):
        remembered[gid].append(mid)
    by_id = {m.id: m for m in mentors}
    room = {m.id: m.capacity for m in mentors}
    in_regency: dict[str, list[Mentor]] = defaultdict(list)
    stacks: dict[tuple[str, str | None], list[Mentor]] = defaultdict(list)
    for m in reversed(mentors):
        if m.capacity <= 0:
            continue
        in_regency[m.regency].append(m)
        stacks[(m.regency[:2], None)].append(m)
        for sector in m.sectors:
            stacks[(m.regency[:2], sector)].append(m)

    def first_with_room(key: tuple[str, str | None]) -> Mentor | None:
        stack = stacks.get(key)
        while stack and room[stack[-1].id] <= 0:
            stack.pop()
        return stack[-1] if stack else None

    result = Result()
    for g in groups:
        options: list[Mentor] = [by_id[mid] for mid in remembered.get(g.id, ()) if mid in by_id]
        options += in_regency.get(g.regency, ())
        for key in ((g.district[:2], g.sector), (g.district[:2], None)):
            found = first_with_room(key)
            if found is not None:
                options.append(found)
        best: tuple[int, Mentor] | None = None
        for m in options:
            if room[m.id] <= 0:
                continue
            cost = pair_cost(g, m, history=m.id in remembered.get(g.id, ()), weights=weights)
            if cost is not None and (best is None or cost < best[0]):
                best = (cost, m)
        if best is not None:
            cost, m = best
            room[m.id] -= 1
            known = m.id in remembered.get(g.id, ())
            result.pairs[g.id] = Pair(g.id, m.id, cost, reasons(g, m, history=known))
            result.total_cost += cost
    return result
