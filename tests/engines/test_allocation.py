"""The allocator against exhaustive search, the fairness bound, and the command's files."""

from __future__ import annotations

import csv
import random
from itertools import product
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi import cli
from sinergi.engines.allocation import (
    Allocation,
    Demand,
    Offer,
    Part,
    Tariff,
    _spread,
    allocate,
    bound,
    eligible,
    greedy,
    participants,
    shares,
)
from tests.engines.test_matching import _write

REGENCIES = ["32.73", "32.01", "33.74"]
TARIFF = Tariff()


def check_feasible(demands: list[Demand], offers: list[Offer], result: Allocation) -> None:
    by_d = {d.id: d for d in demands}
    by_o = {(o.id, o.category): o for o in offers}
    to_demand: dict[str, int] = {}
    from_offer: dict[tuple[str, str], int] = {}
    seen = set()
    for p in result.parts:
        d = by_d[p.demand_id]
        o = by_o[(p.kube_id, d.category)]
        assert (p.demand_id, p.kube_id) not in seen
        seen.add((p.demand_id, p.kube_id))
        assert eligible(d, o) and p.quantity >= d.min_lot
        assert p.price == o.price and p.transport == TARIFF(d.regency, o.regency)
        to_demand[d.id] = to_demand.get(d.id, 0) + p.quantity
        from_offer[(o.id, o.category)] = from_offer.get((o.id, o.category), 0) + p.quantity
    assert all(to_demand[k] <= by_d[k].quantity for k in to_demand)
    assert all(from_offer[k] <= by_o[k].available for k in from_offer)


def all_allocations(demands: list[Demand], offers: list[Offer]):
    """Every feasible allocation, as {(demand, offer index): quantity}."""
    pairs = [(d, j) for d in demands for j, o in enumerate(offers) if eligible(d, o)]
    domains = [[0, *range(d.min_lot, min(d.quantity, offers[j].available) + 1)] for d, j in pairs]
    for values in product(*domains):
        need: dict[str, int] = {}
        used: dict[int, int] = {}
        for (d, j), q in zip(pairs, values, strict=True):
            need[d.id] = need.get(d.id, 0) + q
            used[j] = used.get(j, 0) + q
        if all(need[d.id] <= d.quantity for d, _ in pairs) and all(
            used[j] <= offers[j].available for j in used
        ):
            yield {(d.id, j): q for (d, j), q in zip(pairs, values, strict=True) if q}


def best(demands: list[Demand], offers: list[Offer]) -> tuple[int, int]:
    """(largest fill, least cost at that fill) by exhaustive search."""
    top = (0, 0)
    for alloc in all_allocations(demands, offers):
        by_d = {d.id: d for d in demands}
        fill = sum(alloc.values())
        cost = sum(
            q * (offers[j].price + TARIFF(by_d[did].regency, offers[j].regency))
            for (did, j), q in alloc.items()
        )
        if (fill, -cost) > (top[0], -top[1]):
            top = (fill, cost)
    return top


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[Demand], list[Offer]]:
    categories = ["kripik", "kripik", "kripik", "batik"]  # mostly one category: shared stock
    demands = []
    for i in range(draw(st.integers(1, 2))):
        quantity = draw(st.integers(1, 6))
        demands.append(
            Demand(
                f"D{i}",
                draw(st.sampled_from(categories)),
                quantity,
                draw(st.sampled_from(REGENCIES)),
                draw(st.sampled_from([100, 200, 300])),
                draw(st.integers(1, quantity)),
            )
        )
    offers = [
        Offer(
            f"K{j}",
            draw(st.sampled_from(categories)),
            draw(st.integers(0, 6)),
            draw(st.sampled_from([100, 150, 250])),
            draw(st.sampled_from(REGENCIES)),
        )
        for j in range(draw(st.integers(0, 4)))
    ]
    return demands, offers


@settings(max_examples=120, deadline=None)
@given(instances())
def test_cheapest_is_optimal(instance) -> None:
    demands, offers = instance
    result = allocate(demands, offers, "cheapest", time_limit=5)
    check_feasible(demands, offers, result)
    assert result.proved_optimal
    assert (result.filled, result.cost) == best(demands, offers)


@settings(max_examples=60, deadline=None)
@given(instances())
def test_fair_fills_as_much_and_keeps_the_bound_when_it_can_be_kept(instance) -> None:
    demands, offers = instance
    result = allocate(demands, offers, "fair", time_limit=5)
    check_feasible(demands, offers, result)
    fill, _cost = best(demands, offers)
    assert result.filled == fill
    # Oracle: is there a largest-fill allocation keeping every group within one lot?
    for category in {d.category for d in demands}:
        ds = [d for d in demands if d.category == category]
        os_ = [o for o in offers if o.category == category]
        groups = participants(ds, os_)
        got = dict.fromkeys(groups, 0)
        for p in result.parts:
            if p.kube_id in got and p.demand_id in {d.id for d in ds}:
                got[p.kube_id] += p.quantity
        filled = sum(got.values())
        share = shares(filled, groups)

        def within(amounts: dict[str, int], share=share, groups=groups) -> bool:
            return all(
                abs(amounts[g] - share[g]) <= groups[g][1] + 1e-9
                for g in groups
                if share[g] >= groups[g][1]
            )

        possible = False
        for alloc in all_allocations(ds, os_):
            if sum(alloc.values()) != filled:
                continue
            amounts = dict.fromkeys(groups, 0)
            for (_did, j), q in alloc.items():
                amounts[os_[j].id] = amounts.get(os_[j].id, 0) + q
            if within(amounts):
                possible = True
                break
        if possible:
            assert within(got), (got, share)


@settings(max_examples=80, deadline=None)
@given(instances())
def test_greedy_is_feasible_and_never_better(instance) -> None:
    demands, offers = instance
    baseline = greedy(demands, offers)
    check_feasible(demands, offers, baseline)
    optimum = allocate(demands, offers, time_limit=5)
    assert (baseline.filled, -baseline.cost) <= (optimum.filled, -optimum.cost)


def test_one_order_from_many_small_groups() -> None:
    demand = Demand("D1", "kripik", 100, "32.73", 20_000, 20)
    offers = [
        Offer("K1", "kripik", 60, 15_000, "32.73"),
        Offer("K2", "kripik", 50, 14_000, "32.01"),  # cheaper, but 300 to carry
        Offer("K3", "kripik", 30, 16_000, "33.74"),  # 1,000 to carry
        Offer("K4", "kripik", 10, 10_000, "32.73"),  # cannot supply one lot
        Offer("K5", "kripik", 99, 25_000, "32.73"),  # above the buyer's maximum price
    ]
    cheapest = allocate([demand], offers)
    assert sorted((p.kube_id, p.quantity) for p in cheapest.parts) == [("K1", 50), ("K2", 50)]
    assert cheapest.cost == 50 * 15_000 + 50 * 14_300
    fair = allocate([demand], offers, "fair")
    # Shares by availability among K1, K2, K3 (140 in all): 42.9, 35.7, 21.4.
    assert sorted((p.kube_id, p.quantity) for p in fair.parts) == [
        ("K1", 43), ("K2", 36), ("K3", 21),
    ]  # fmt: skip
    assert fair.filled == 100


def test_command_writes_parts_and_prints_totals(tmp_path: Path, capsys) -> None:
    demand = _write(
        tmp_path / "D.csv",
        "demand_id,kategori,jumlah,kode_kabupaten,harga_maks,lot_min",
        ["D1,kripik,100,3273,20000,20"],
    )
    offers = _write(
        tmp_path / "O.csv",
        "kube_id,kategori,tersedia,harga,kode_kabupaten",
        ["K1,kripik,60,15000,32.73", "K2,kripik,50,14000,32.01", "K1,batik,5,90000,32.73"],
    )
    out = tmp_path / "A.csv"
    argv = ["allocate", "--demand", str(demand), "--offers", str(offers), "--out", str(out)]
    assert cli.main(argv) == 0
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["demand_id", "kube_id", "jumlah", "harga", "biaya_angkut"]
    assert sorted(rows[1:]) == [
        ["D1", "K1", "50", "15000", "0"],
        ["D1", "K2", "50", "14000", "300"],
    ]
    printed = capsys.readouterr().out
    assert "filled 100 of 100; total cost 1465000 (cheapest, optimal" in printed
    assert (
        "at most 100 can be filled, and filling 100 costs at least 1465000 (gap 0.000%)" in printed
    )


def test_command_lists_every_bad_cell_and_writes_nothing(tmp_path: Path, capsys) -> None:
    demand = _write(
        tmp_path / "D.csv",
        "demand_id,kategori,jumlah,kode_kabupaten,harga_maks,lot_min",
        [
            "D1,kripik,0,32.73,20000,1",
            "D1,kripik,10,32.99,20000.5,2",
            "D3,kripik,10,32.73,20000,11",
            "D4,,10,32.73.01,20000,1",
        ],
    )
    offers = _write(
        tmp_path / "O.csv",
        "kube_id,kategori,tersedia,harga,kode_kabupaten",
        ["K1,kripik,-5,15000,32.73", "K1,kripik,5,1.500,32.73"],
    )
    out = tmp_path / "A.csv"
    argv = ["allocate", "--demand", str(demand), "--offers", str(offers), "--out", str(out)]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    for expected in [
        "D.csv, row 2, column jumlah: '0' is not a whole number of at least 1",
        "D.csv, row 3, column demand_id: duplicate id 'D1' (first on row 2)",
        "D.csv, row 3, column kode_kabupaten: '32.99' is not a known regency",
        "D.csv, row 3, column harga_maks: '20000.5' is not a whole number",
        "D.csv, row 4, column lot_min: lot_min 11 is larger than jumlah 10",
        "D.csv, row 5, column kategori: give one category code",
        "D.csv, row 5, column kode_kabupaten: '32.73.01' is not a regency",
        "O.csv, row 2, column tersedia: '-5' is not a whole number of at least 0",
        "O.csv, row 3, column kube_id: duplicate id 'K1 / kripik' (first on row 2)",
        "O.csv, row 3, column harga: '1.500' is not a whole number",
        "Nothing written",
    ]:
        assert expected in err
    assert not out.exists()


@pytest.mark.parametrize("strategy", ["cheapest", "fair"])
def test_a_demand_nobody_can_supply_gets_nothing(strategy: str) -> None:
    demand = Demand("D1", "kripik", 10, "32.73", 100, 5)
    offers = [Offer("K1", "kripik", 4, 50, "32.73"), Offer("K2", "batik", 50, 50, "32.73")]
    result = allocate([demand], offers, strategy)
    assert result.parts == [] and result.proved_optimal


def cost_of(demands: list[Demand], offers: list[Offer], alloc: dict[tuple[str, int], int]) -> int:
    by_d = {d.id: d for d in demands}
    return sum(
        q * (offers[j].price + TARIFF(by_d[did].regency, offers[j].regency))
        for (did, j), q in alloc.items()
    )


@settings(max_examples=50, deadline=None)
@given(instances(), st.sampled_from(["cheapest", "fair"]))
def test_the_search_path_is_feasible_and_never_worse_than_greedy(instance, strategy) -> None:
    """The national path (flow, repair, neighbourhood search) forced on small instances."""
    demands, offers = instance
    result = allocate(demands, offers, strategy, time_limit=5, exact_pairs=0)
    check_feasible(demands, offers, result)
    baseline = greedy(demands, offers)
    assert result.filled >= baseline.filled
    if strategy == "cheapest":  # fair puts the shares before the cost
        assert (result.filled, -result.cost) >= (baseline.filled, -baseline.cost)
    fill, cost = best(demands, offers)
    assert result.filled <= fill
    if result.proved_optimal:
        assert result.filled == fill
        assert strategy == "fair" or result.cost == cost


@settings(max_examples=50, deadline=None)
@given(instances())
def test_bound_is_a_bound(instance) -> None:
    """No plan fills more than the bound, nor costs less than it at the same fill."""
    demands, offers = instance
    most = bound(demands, offers)
    fill, cost = best(demands, offers)
    assert most.filled >= fill
    if most.filled == fill:
        assert most.cost <= cost
    for alloc in all_allocations(demands, offers):
        result = Allocation(
            [
                Part(did, offers[j].id, q, offers[j].price, 0)  # only the quantities count
                for (did, j), q in alloc.items()
            ]
        )
        assert bound(demands, offers, result).cost <= cost_of(demands, offers, alloc)
        break  # one allocation per instance keeps the test fast


def test_bound_matches_the_flow_over_every_pair() -> None:
    """The compact network against a lot-free brute force: one demand, every split of units."""
    demand = Demand("D1", "kripik", 7, "32.73", 200, 2)
    offers = [
        Offer("K1", "kripik", 4, 150, "33.74"),  # 150 + 1,000
        Offer("K2", "kripik", 3, 190, "32.01"),  # 190 + 300
        Offer("K3", "kripik", 5, 400, "32.73"),  # above the price limit
        Offer("K4", "kripik", 1, 100, "32.73"),  # below the lot
    ]
    most = bound([demand], offers)
    assert (most.filled, most.cost) == (7, 4 * 1150 + 3 * 490)
    five = Allocation([Part("D1", "K2", 3, 190, 300), Part("D1", "K1", 2, 150, 1000)])
    assert bound([demand], offers, five).cost == 3 * 490 + 2 * 1150


def test_a_fragment_is_shared_again_not_dropped() -> None:
    """Flow gives 25 to the near demand and 5 to the far one (lot 20): the far one takes 30."""
    lots = [20, 20]
    alloc, rest = _spread(30, [(0, 0), (300, 1)], lots, {0: 25, 1: 40})
    assert (alloc, rest) == ({1: 30}, 0)
    # Lowering the dearest part to its lot opens a part for a demand that had none.
    alloc, rest = _spread(50, [(0, 0), (300, 1)], [20, 20], {0: 30, 1: 100})
    assert rest == 0 and all(q >= 20 for q in alloc.values()) and sum(alloc.values()) == 50


def test_greedy_is_beaten_on_fill_and_cost_by_the_search() -> None:
    """Greedy serves D1 first from the near group and strands D2; the search swaps them."""
    demands = [
        Demand("D1", "kripik", 25, "32.73", 300, 20),
        Demand("D2", "kripik", 40, "33.74", 300, 20),
    ]
    offers = [Offer("K1", "kripik", 30, 100, "32.73"), Offer("K2", "kripik", 25, 100, "33.74")]
    baseline = greedy(demands, offers)
    result = allocate(demands, offers, time_limit=5, exact_pairs=0)
    check_feasible(demands, offers, result)
    assert (result.filled, result.cost) == best(demands, offers)
    assert (result.filled, -result.cost) > (baseline.filled, -baseline.cost)
    assert result.proved_optimal


def _batch(seed: int) -> tuple[list[Demand], list[Offer]]:
    rng = random.Random(seed)
    regencies = ["32.73", "32.01", "32.04", "33.74", "33.01", "11.01"]
    demands = [
        Demand(f"D{i}", "kripik", rng.randint(20, 120), rng.choice(regencies),
               rng.randrange(13_000, 18_000, 500), rng.choice([5, 10, 20]))
        for i in range(16)
    ]  # fmt: skip
    offers = [
        Offer(f"K{j}", "kripik", rng.randint(5, 60), rng.randrange(10_000, 20_000, 500),
              rng.choice(regencies))
        for j in range(50)
    ]  # fmt: skip
    return demands, offers


@pytest.mark.parametrize("strategy", ["cheapest", "fair"])
def test_search_on_a_batch_beats_greedy_repeatably(strategy: str) -> None:
    """Forced through the national path: feasible, fills more than greedy, nearer the bound,
    and the same twice with the same seed."""
    demands, offers = _batch(3)
    baseline = greedy(demands, offers)
    one = allocate(demands, offers, strategy, time_limit=60, exact_pairs=0, seed=5, rounds=6)
    two = allocate(demands, offers, strategy, time_limit=60, exact_pairs=0, seed=5, rounds=6)
    check_feasible(demands, offers, one)
    assert sorted(one.parts, key=str) == sorted(two.parts, key=str)
    # Greedy strands stock here (922 of the 1,107 the bound allows); the search places more,
    # and closer to the least cost of its own fill than greedy is to that of its fill.
    assert one.filled > baseline.filled
    at = bound(demands, offers, one)
    assert at.filled >= one.filled and at.cost <= one.cost
    assert at.gap(one) < bound(demands, offers, baseline).gap(baseline)
