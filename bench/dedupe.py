#!/usr/bin/env python3
"""Benchmark: ``sinergi dedupe`` on a generated file with planted duplicates.

    .venv/bin/python bench/dedupe.py --rows 1000000 [--share 0.02]

Generates about N person rows with a known share of planted duplicates (and hard negatives:
twins, fathers and sons of one name, namesakes) and the truth file, runs the command as a
user would, and prints wall time, peak memory, precision and recall. A baseline in the same
run: reading and parsing the same file without pairing (``--baseline``), so the pairing cost
shows as a ratio. Targets at 1,000,000 rows: under 120 s, precision >= 0.98, recall >= 0.95.
"""

from __future__ import annotations

import argparse
import csv
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--share", type=float, default=0.02)
    args = parser.parse_args()
    from sinergi.synthetic.registry import write_registry

    folder = Path(tempfile.mkdtemp(prefix="sinergi-dedupe-"))
    data, truth, out = folder / "rows.csv", folder / "truth.csv", folder / "pairs.csv"
    started = time.perf_counter()
    count = write_registry(
        data,
        households=max(1, int(args.rows / 4.1)),
        seed=2026,
        duplicate_share=args.share,
        truth_path=truth,
    )
    print(f"generated {count:,} rows in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    with data.open() as handle:
        rows = sum(1 for _ in csv.reader(handle)) - 1
    baseline = time.perf_counter() - started

    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "sinergi.cli", "dedupe", str(data), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    with truth.open() as handle:
        expected = {(a, b) for a, b in list(csv.reader(handle))[1:]}
    with out.open() as handle:
        found = {(a, b) for a, b, _s in list(csv.reader(handle))[1:]}
    hits = len(found & expected)
    print(f"rows                 {rows:,}")
    print(f"baseline (csv read)  {baseline:.1f} s")
    print(
        f"sinergi dedupe       {seconds:.1f} s  ({rows / seconds:,.0f} rows/s, "
        f"{seconds / baseline:.1f}x the read)  peak {peak:,.0f} MB"
    )
    print(f"pairs found          {len(found):,} (planted {len(expected):,})")
    print(f"precision            {hits / max(1, len(found)):.4f}")
    print(f"recall               {hits / max(1, len(expected)):.4f}")
    met = seconds < 120 and hits >= 0.98 * len(found) and hits >= 0.95 * len(expected)
    print(f"target               {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
