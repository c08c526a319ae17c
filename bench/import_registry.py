#!/usr/bin/env python3
"""Benchmark: the registry import against a bare PostgreSQL COPY of the same rows.

    .venv/bin/python bench/import_registry.py --rows 1000000 --db postgres [--repeat 1]

Generates N person rows (the import format, fixed seed), then in separate processes, so each
peak memory is its own: (a) a bare ``COPY`` of the file's rows into an unindexed table of 14
text columns on PostgreSQL, and (b) the full import on the chosen database (parse, validate,
encrypt, hash, exact duplicate check, commit; the same code as the UI and ``sinergi
import-registry``). Prints rows/s, the ratio b/a and peak RSS. Targets at 1,000,000 rows on
PostgreSQL: (b) >= 50,000 rows/s, b/a <= 5, peak memory < 1.5 GB and flat in N. The first
load's secondary indexes are left out and built at the end (registry.deferred_indexes, the
default; their build's seconds are printed, inside (b)); ``--no-defer`` keeps them
throughout, for a comparison on the same code.
"""

from __future__ import annotations

import argparse
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
# Per run, so two benchmarks on one server (other helpers, CI) never drop each other's database.
TAG = os.environ.get("SINERGI_BENCH_TAG") or str(
    os.getppid() if "--phase" in sys.argv else os.getpid()
)
COPY_DB, IMPORT_DB = f"sinergi_bench_copy_{TAG}", f"sinergi_bench_import_{TAG}"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_copy(path: Path) -> dict[str, float]:
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {COPY_DB}")
        admin.execute(f"CREATE DATABASE {COPY_DB}")
    with psycopg.connect(PG + COPY_DB) as conn:
        cols = ", ".join(f"c{i} text" for i in range(14))
        conn.execute(f"CREATE TABLE bare ({cols})")
        started = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy("COPY bare FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            path.open("rb") as src,
        ):
            for block in iter(lambda: src.read(1 << 20), b""):
                copy.write(block)
        conn.commit()
        seconds = time.perf_counter() - started
        rows = conn.execute("SELECT count(*) FROM bare").fetchone()[0]  # type: ignore[index]
    return {"seconds": seconds, "rows": rows, "peak_mb": _peak_mb()}


def _backend_cpu() -> float:
    """CPU seconds of this process's PostgreSQL backend so far (the server is local); 0 on
    SQLite. Parallel index-build workers, when PostgreSQL starts any, are not counted."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def phase_import(path: Path, db: str) -> dict[str, float]:
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
            admin.execute(f"DROP DATABASE IF EXISTS {IMPORT_DB}")
            admin.execute(f"CREATE DATABASE {IMPORT_DB}")
        os.environ["DATABASE_URL"] = PG.replace("postgresql", "postgres") + IMPORT_DB
    import django

    django.setup()
    from django.core.management import call_command

    from sinergi.registry.imports import import_check, import_create
    from sinergi.wilayah.services import regions_load

    call_command("migrate", verbosity=0)
    regions_load()
    from sinergi.registry import deferred_indexes

    built = {"seconds": 0.0}
    restore = deferred_indexes.restore

    def timed_restore() -> list[str]:
        begun = time.perf_counter()
        try:
            return restore()
        finally:
            built["seconds"] += time.perf_counter() - begun

    deferred_indexes.restore = timed_restore
    started, cpu_started, db_started = time.perf_counter(), time.process_time(), _backend_cpu()
    batch = import_create(actor=None, source=path, file_name=path.name)
    batch = import_check(batch.pk, commit=True)
    seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers_mb = children.ru_maxrss / 1024
    return {
        "workers_peak_mb": workers_mb,
        "seconds": seconds,
        "index_build_seconds": built["seconds"],
        "cpu_seconds": time.process_time() - cpu_started,
        "db_cpu_seconds": _backend_cpu() - db_started,
        "workers_cpu_seconds": children.ru_utime + children.ru_stime,
        "rows": batch.rows_committed,
        "read": batch.rows_read,
        "rejected": batch.rows_rejected,
        "peak_mb": _peak_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--workers",
        type=int,
        help="validating processes beside the writer (SINERGI_IMPORT_WORKERS; default cores - 1)",
    )
    parser.add_argument(
        "--no-defer",
        action="store_true",
        help="keep the secondary indexes during a first load (SINERGI_IMPORT_DEFER_INDEXES=0)",
    )
    parser.add_argument("--phase", choices=["copy", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        result = phase_copy(args.file) if args.phase == "copy" else phase_import(args.file, args.db)
        print(json.dumps(result))
        return

    from sinergi.synthetic.registry import registry_file

    started = time.perf_counter()
    path = registry_file(args.rows)
    print(f"import file of {args.rows:,} rows ready in {time.perf_counter() - started:.1f} s")

    env = dict(os.environ)
    if args.workers is not None:
        env["SINERGI_IMPORT_WORKERS"] = str(args.workers)
    if args.no_defer:
        env["SINERGI_IMPORT_DEFER_INDEXES"] = "0"
    load_before = os.getloadavg()

    def run(phase: str) -> dict[str, float]:
        out = subprocess.run(
            [sys.executable, __file__, "--phase", phase, "--file", str(path), "--db", args.db],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        ).stdout
        return dict(json.loads(out.strip().splitlines()[-1]))

    copies = [run("copy") for _ in range(args.repeat)]
    imports = [run("import") for _ in range(args.repeat)]
    a = statistics.median(c["seconds"] for c in copies)
    b = statistics.median(i["seconds"] for i in imports)
    rows, rejected = imports[0]["rows"], imports[0]["rejected"]
    print(f"rows in file              {args.rows:,} (stored {rows:,}, rejected {rejected:,})")
    peak_a, peak_b = copies[0]["peak_mb"], imports[0]["peak_mb"]
    print(
        f"(a) bare COPY, postgres   {a:.1f} s  {args.rows / a:,.0f} rows/s  peak {peak_a:,.0f} MB"
    )
    print(
        f"(b) full import, {args.db:<8} {b:.1f} s  {args.rows / b:,.0f} rows/s  "
        f"peak {peak_b:,.0f} MB (each worker process {imports[0]['workers_peak_mb']:,.0f} MB)"
    )
    print(f"ratio b/a                 {b / a:.2f}")
    build = statistics.median(i.get("index_build_seconds", 0.0) for i in imports)
    cpu = statistics.median(i.get("cpu_seconds", 0.0) for i in imports)
    db_cpu = statistics.median(i.get("db_cpu_seconds", 0.0) for i in imports)
    pool_cpu = statistics.median(i.get("workers_cpu_seconds", 0.0) for i in imports)
    print(
        f"of (b): index build       {build:.1f} s; CPU: writer {cpu:.1f} s, "
        f"worker processes {pool_cpu:.1f} s, the writer's database backend {db_cpu:.1f} s"
    )
    print(
        "load average (1, 5, 15 min) before "
        + " ".join(f"{x:.2f}" for x in load_before)
        + ", after "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as admin:
        for name in (COPY_DB, IMPORT_DB):
            admin.execute(f"DROP DATABASE IF EXISTS {name}")


if __name__ == "__main__":
    main()
