#!/usr/bin/env python3
"""Benchmark: the allocator on a national batch and on one large demand, against greedy.

    .venv/bin/python bench/allocate.py [--demands 10000 --offers 50000] [--time-limit 30]

Generates a batch over the shipped Kemendagri regencies (12 product categories; offers skewed
towards some regencies, availability 5-200, prices around a category's base; demands of 50-2,000
units with lots of 5-50 and a maximum price near the base), runs both strategies and, in the same
run, the greedy baseline (cheapest offer first per demand, in demand order), and prints time,
filled quantity and cost of each, and the gap to the lower bound: the relaxation without lots
(exact min-cost flow over every eligible pair) gives the most any plan can fill and, at each
result's own fill, the least any plan filling that much can cost. Then one demand with 500
candidate groups, median of 5. Targets: the batch under 30 s, filled never below greedy's, cost
strictly below greedy's at equal fill when the bound leaves room; the single demand under 100 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

CATEGORIES = {
    "kripik": 15_000, "sambal": 20_000, "kue_kering": 45_000, "batik": 150_000,
    "tenun": 250_000, "anyaman": 60_000, "madu": 90_000, "kopi": 80_000,
    "gula_aren": 25_000, "ikan_olahan": 40_000, "telur_asin": 3_000, "keripik_buah": 30_000,
}  # fmt: skip


def generate(n_demands: int, n_offers: int, seed: int):  # type: ignore[no-untyped-def]
    from sinergi.engines import wilayah
    from sinergi.engines.allocation import Demand, Offer

    index = wilayah.default_index()
    rng = random.Random(seed)
    regencies = [c for p in index.children(None) for c in index.children(p)]
    weights = [rng.paretovariate(1.2) for _ in regencies]
    names = list(CATEGORIES)
    offers, seen = [], set()
    while len(offers) < n_offers:
        kube = f"K{rng.randrange(n_offers):06d}"
        category = rng.choice(names)
        if (kube, category) in seen:
            continue
        seen.add((kube, category))
        base = CATEGORIES[category]
        offers.append(
            Offer(
                kube,
                category,
                rng.randint(5, 200),
                int(base * rng.uniform(0.7, 1.4)) // 100 * 100,
                rng.choices(regencies, weights=weights)[0],
            )
        )
    demands = [
        Demand(
            f"D{i:05d}",
            (category := rng.choice(names)),
            rng.randint(50, 2_000),
            rng.choice(regencies),
            int(CATEGORIES[category] * rng.uniform(0.9, 1.3)) // 100 * 100,
            rng.choice([5, 10, 20, 50]),
        )
        for i in range(n_demands)
    ]
    return demands, offers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demands", type=int, default=10_000)
    parser.add_argument("--offers", type=int, default=50_000)
    parser.add_argument("--time-limit", type=float, default=30.0)
    args = parser.parse_args()
    from sinergi.engines.allocation import Demand, Offer, allocate, bound, greedy

    demands, offers = generate(args.demands, args.offers, seed=2026)
    wanted = sum(d.quantity for d in demands)
    print(f"{len(demands):,} demands ({wanted:,} units) over {len(offers):,} offers")
    started = time.perf_counter()
    base = greedy(demands, offers)
    t_greedy = time.perf_counter() - started
    started = time.perf_counter()
    most = bound(demands, offers)
    t_bound = time.perf_counter() - started
    print(
        f"  bound            {t_bound:6.1f} s  filled {most.filled:,}  cost {most.cost:,}"
        " (relaxation without lots: the most any plan fills, and its least cost)"
    )

    def line(name: str, seconds: float, result, verdict: str = "") -> None:  # type: ignore[no-untyped-def]
        at = bound(demands, offers, result)
        print(
            f"  {name:<16} {seconds:6.1f} s  filled {result.filled:,}"
            f" ({result.filled / most.filled:.2%} of the bound)  cost {result.cost:,}"
            f"  bound at this fill {at.cost:,}  gap {at.gap(result):.3%}{verdict}"
        )

    line("greedy baseline", t_greedy, base)
    for strategy in ("cheapest", "fair"):
        started = time.perf_counter()
        result = allocate(demands, offers, strategy, time_limit=args.time_limit)
        seconds = time.perf_counter() - started
        verdict = (
            "better fill" if result.filled > base.filled
            else "same fill, cost " + ("<" if result.cost < base.cost else ">=") + " greedy"
            if result.filled == base.filled else "WORSE FILL"
        )  # fmt: skip
        proof = "proved optimal" if result.proved_optimal else "best found"
        line(strategy, seconds, result, f"  ({proof}; {verdict})")

    rng = random.Random(7)
    demand = Demand("BIG", "kripik", 5_000, "32.73", 20_000, 20)
    candidates = [
        Offer(f"G{j:03d}", "kripik", rng.randint(10, 60), rng.randrange(12_000, 20_000, 100),
              rng.choice(["32.73", "32.04", "32.01", "33.74"]))
        for j in range(500)
    ]  # fmt: skip
    times = {}
    for strategy in ("cheapest", "fair"):
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            one = allocate([demand], candidates, strategy)
            runs.append(time.perf_counter() - started)
        times[strategy] = statistics.median(runs)
        print(
            f"one demand, 500 candidates, {strategy}: median {times[strategy] * 1000:.0f} ms,"
            f" filled {one.filled:,}, {len(one.parts)} groups,"
            f" {'proved optimal' if one.proved_optimal else 'best found'}"
        )
    started = time.perf_counter()
    for _ in range(5):
        greedy([demand], candidates)
    print(f"one demand, greedy: median {(time.perf_counter() - started) / 5 * 1000:.1f} ms")


if __name__ == "__main__":
    main()
