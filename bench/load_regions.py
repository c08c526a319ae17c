#!/usr/bin/env python3
"""Benchmark: loading the 91,599 official regions, against a bare insert of the same rows.

    .venv/bin/python bench/load_regions.py [--db sqlite|postgres] [--repeat 3]

Each repeat uses a fresh database and times (a) a bare ``executemany`` INSERT of the same
(code, name) rows into an unindexed two-column table, the floor for this database, and (b) the
full ``regions_load`` service (read the gzip file, build parents level by level, bulk insert with
indexes and constraints, audit event). Prints the medians and the ratio b/a, and the engine's
in-memory index build time. The target: (b) under 10 s on SQLite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="sinergi-bench-")
    os.environ["SINERGI_DATA_DIR"] = tmp
    os.environ["SINERGI_ENV"] = "test"
    if args.db == "postgres":
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/sinergi_bench"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from sinergi.engines import wilayah as engine
    from sinergi.wilayah.models import Region
    from sinergi.wilayah.services import regions_load

    if args.db == "postgres":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS sinergi_bench")
            c.execute("CREATE DATABASE sinergi_bench")
    call_command("migrate", verbosity=0)

    started = time.perf_counter()
    engine.RegionIndex(engine.read_records())
    index_seconds = time.perf_counter() - started
    rows = [(r.code, r.name) for r in engine.read_records()]

    bare, full = [], []
    for _ in range(args.repeat):
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_bare")
            cursor.execute("CREATE TABLE bench_bare (code varchar(13), name varchar(120))")
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany("INSERT INTO bench_bare (code, name) VALUES (%s, %s)", rows)
        bare.append(time.perf_counter() - started)

        Region.objects.all()._raw_delete(Region.objects.db)  # the tree is PROTECTed
        started = time.perf_counter()
        result = regions_load()
        full.append(time.perf_counter() - started)
        assert result.created == len(rows), result

    a, b = statistics.median(bare), statistics.median(full)
    print(f"database           {connection.vendor}")
    print(f"rows               {len(rows)}")
    print(f"index build (mem)  {index_seconds:.2f} s")
    print(f"(a) bare insert    median {a:.2f} s  ({len(rows) / a:,.0f} rows/s)  runs {bare}")
    print(f"(b) regions_load   median {b:.2f} s  ({len(rows) / b:,.0f} rows/s)  runs {full}")
    print(f"ratio b/a          {b / a:.2f}")
    print(f"target (b) < 10 s  {'met' if b < 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
