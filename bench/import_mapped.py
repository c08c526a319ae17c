#!/usr/bin/env python3
"""Benchmark: a column-mapped import against the same rows in Sinergi's own format.

    .venv/bin/python bench/import_mapped.py --rows 100000 --db postgres [--repeat 3]

Generates N person rows (the import format, fixed seed) and writes the same rows again as a
DTSEN/SIKS-NG style export (other column names and order, sex and relation as codes, dates
day first, the village code split over four columns, three columns Sinergi does not read).
Then, each in a process and a database of its own, alternating so a busy machine slows both
alike: (a) the own-format file through the import, and (b) the DTSEN file through the same
import with the ``dtsen`` layout, including the layout's check of the whole file before
anything is stored (the code count) and the transform of every row. Prints the wall-clock and
CPU seconds of each (medians) and how much (b) adds, then the median of the pairs' ratios;
each run is printed as it ends, with the load average. Target (issue 19): under 10%.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
PG = "postgresql://postgres@127.0.0.1:5432/"
TAG = os.environ.get("SINERGI_BENCH_TAG") or str(
    os.getppid() if "--phase" in sys.argv else os.getpid()
)
DB = f"sinergi_bench_mapped_{TAG}"
DTSEN_HEADER = [
    "ID_ART", "NO_KK", "NIK", "NAMA", "JNS_KEL", "TMPT_LHR", "TGL_LHR", "HUB_KEL", "STA_KAWIN",
    "KDPROV", "KDKAB", "KDKEC", "KDDESA", "NAMA_DESA", "ALAMAT", "DESIL", "TGL_PEMUTAKHIRAN",
    "NO_HP",
]  # fmt: skip
RELATION = {"kepala": "1", "istri": "2", "suami": "2", "anak": "3", "orang_tua": "6"}


def _dmy(iso: str) -> str:
    return f"{iso[8:10]}-{iso[5:7]}-{iso[:4]}" if len(iso) == 10 else iso


def write_dtsen(own: Path, out: Path) -> None:
    """The own-format file's rows as a DTSEN export writes them."""
    with own.open(newline="", encoding="utf-8") as src, out.open("w", newline="") as dst:
        reader, writer = csv.reader(src), csv.writer(dst)
        next(reader)
        writer.writerow(DTSEN_HEADER)
        for r in reader:
            prov, kab, kec, desa = r[10].split(".")
            writer.writerow(
                [
                    r[0], r[1], r[2], r[3], {"L": "1", "P": "2"}.get(r[4], r[4]), r[5],
                    _dmy(r[6]), RELATION.get(r[7], "8"), "2", prov, prov + kab, kec, desa,
                    "DESA", r[9], r[11], _dmy(r[12]), r[13],
                ]
            )  # fmt: skip


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def phase(path: Path, db: str, layout: str) -> dict[str, float]:
    data_dir = tempfile.mkdtemp(prefix="sinergi-bench-")
    os.environ.update(
        {
            "SINERGI_DATA_DIR": data_dir,
            "SINERGI_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "sinergi.config.settings",
        }
    )
    if db == "postgres":
        import psycopg

        with psycopg.connect(PG + "postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DB}")
            admin.execute(f"CREATE DATABASE {DB}")
        os.environ["DATABASE_URL"] = PG.replace("postgresql", "postgres") + DB
    import django

    django.setup()
    from django.core.management import call_command

    from sinergi.registry import profiles
    from sinergi.registry.imports import import_check, import_create
    from sinergi.wilayah.services import regions_load

    call_command("migrate", verbosity=0)
    regions_load()
    cpu, started = _cpu(), time.perf_counter()
    chosen = None
    if layout:
        found = profiles.layout_get(actor=None, name=layout)
        profiles.require_readable(path, found.spec)  # the whole file's codes, first
        chosen = (found.name, found.spec)
    batch = import_create(actor=None, source=path, file_name=path.name, layout=chosen)
    batch = import_check(batch.pk, commit=True)
    return {
        "seconds": time.perf_counter() - started,
        "cpu": _cpu() - cpu,
        "rows": batch.rows_committed,
        "rejected": batch.rows_rejected,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--phase", choices=["own", "dtsen"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        layout = "" if args.phase == "own" else "dtsen"
        print(json.dumps(phase(args.file, args.db, layout)))
        return

    from sinergi.synthetic.registry import registry_file

    own = registry_file(args.rows)
    dtsen = own.with_name(f"dtsen-{args.rows}.csv")
    write_dtsen(own, dtsen)

    def run(kind: str) -> dict[str, float]:
        path = own if kind == "own" else dtsen
        out = subprocess.run(
            [sys.executable, __file__, "--phase", kind, "--file", str(path), "--db", args.db],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return dict(json.loads(out.strip().splitlines()[-1]))

    results: dict[str, list[dict[str, float]]] = {"own": [], "dtsen": []}
    for i in range(args.repeat):
        for kind in ("own", "dtsen") if i % 2 == 0 else ("dtsen", "own"):
            results[kind].append(run(kind))
            # Each run as it ends, with the load it met: a shared machine's noise shows.
            r = results[kind][-1]
            print(
                f"  run {i + 1} {kind:<5} {r['seconds']:5.1f} s wall, {r['cpu']:4.1f} s CPU "
                f"(load {os.getloadavg()[0]:.1f})",
                flush=True,
            )
    a = {k: statistics.median(r[k] for r in results["own"]) for k in ("seconds", "cpu")}
    b = {k: statistics.median(r[k] for r in results["dtsen"]) for k in ("seconds", "cpu")}
    stored = (results["own"][0]["rows"], results["dtsen"][0]["rows"])
    print(f"rows in file          {args.rows:,} (stored: own {stored[0]:,}, dtsen {stored[1]:,})")
    for label, r in (("(a) own format", a), ("(b) dtsen layout", b)):
        print(
            f"{label:<21} {r['seconds']:.1f} s wall ({args.rows / r['seconds']:,.0f} rows/s), "
            f"{r['cpu']:.1f} s CPU"
        )
    print(
        f"mapping adds          {100 * (b['seconds'] / a['seconds'] - 1):+.1f}% wall, "
        f"{100 * (b['cpu'] / a['cpu'] - 1):+.1f}% CPU (median of {args.repeat})"
    )
    # Each pair ran back to back, so a pair's two runs met much the same load.
    both = list(zip(results["own"], results["dtsen"], strict=True))
    pairs = {k: statistics.median(d[k] / o[k] for o, d in both) for k in ("seconds", "cpu")}
    print(
        f"  pairs' median ratio {100 * (pairs['seconds'] - 1):+.1f}% wall, "
        f"{100 * (pairs['cpu'] - 1):+.1f}% CPU"
    )
    if args.db == "postgres":
        import psycopg

        with psycopg.connect(PG + "postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DB}")


if __name__ == "__main__":
    main()
