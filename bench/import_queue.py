#!/usr/bin/env python3
"""Benchmark: saving a checked import as chunk tasks on 1, 2 and 4 worker processes, on the
database queue and on RQ (Redis).

    .venv/bin/python bench/import_queue.py --rows 200000 --workers 1 2 4 --backend db rq

For each backend and worker count: a fresh PostgreSQL database, the file uploaded and checked
in this process (not measured here: bench/import_registry.py measures the one-pass import),
then the commit queued as the web page queues it and N real workers (``task_worker`` or
``rqworker``) started; the time is from queueing until the batch is saved, the split into
chunks included. Prints rows/s per run. Redis: SINERGI_REDIS_URL (default the machine's,
database 15, flushed before and after).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
PG = "postgresql://postgres@127.0.0.1:5432/"
DB = f"sinergi_bench_queue_{os.getpid()}"
BACKENDS = {"db": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}


def run(path: Path, backend: str, workers: int) -> dict[str, Any]:
    """One measurement, in a process of its own (Django set up for this backend)."""
    out = subprocess.run(
        [sys.executable, __file__, "--one", str(path), backend, str(workers)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def one(path: Path, backend: str, workers: int) -> dict[str, Any]:
    import psycopg
    import redis

    with psycopg.connect(PG + "postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DB}"')
    redis_url = os.environ.get("SINERGI_REDIS_URL", "redis://127.0.0.1:6379/15")
    scratch = Path(tempfile.mkdtemp(prefix="sinergi-bench-queue-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "sinergi.config.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
        "SINERGI_TASK_BACKEND": BACKENDS[backend],
        "SINERGI_REDIS_URL": redis_url,
        "SINERGI_IMPORT_WORKERS": "0",  # one process per worker: the workers are the pool
        "MEDIA_ROOT": str(scratch / "media"),
    }
    os.environ.update(env)
    if backend == "rq":
        redis.Redis.from_url(redis_url).flushdb()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_regions", verbosity=0)
    from sinergi.registry.imports import import_check, import_create, import_start_commit
    from sinergi.registry.models import ImportBatch, ImportStatus

    batch = import_check(import_create(actor=None, source=path, file_name=path.name).pk)
    command = [str(Path(sys.executable).parent / "sinergi"), "manage"]
    if backend == "db":
        command += ["task_worker", "--interval", "0.1", "--no-reload", "--queue-name", "*"]
    else:
        command += ["rqworker", "--job-class", "django_tasks_rq.Job", "--with-scheduler"]
        command += ["default", "heavy"]
    procs = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=dict(os.environ),
            stdout=subprocess.DEVNULL,
            stderr=(scratch / f"w{i}.log").open("wb"),
            start_new_session=True,
        )
        for i in range(workers)
    ]
    time.sleep(3)  # let the workers start: their start-up is not the import's cost
    started = time.perf_counter()
    import_start_commit(actor=None, batch=batch)
    deadline = time.monotonic() + 3600
    while ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.COMMITTING:
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    batch = ImportBatch.objects.get(pk=batch.pk)
    chunks = batch.chunks.count()
    for proc in procs:
        os.killpg(proc.pid, 9)
        proc.wait()
    if backend == "rq":
        redis.Redis.from_url(redis_url).flushdb()
    from django.db import connection

    connection.close()
    with psycopg.connect(PG + "postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    return {
        "seconds": seconds,
        "stored": batch.rows_committed,
        "status": batch.status,
        "chunks": chunks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--backend", choices=sorted(BACKENDS), nargs="+", default=["db", "rq"])
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        path, backend, workers = args.one
        print(json.dumps(one(Path(path), backend, int(workers))))
        return
    from sinergi.synthetic.registry import registry_file

    path = registry_file(args.rows)
    task_rows = os.environ.get("SINERGI_IMPORT_TASK_ROWS", "50000")
    print(f"{args.rows:,} rows; chunk tasks of {task_rows} rows")
    for backend in args.backend:
        for workers in args.workers:
            result = run(path, backend, workers)
            print(
                f"{backend:<3} {workers} worker(s)  {result['seconds']:6.1f} s  "
                f"{result['stored'] / result['seconds']:8,.0f} rows/s  "
                f"stored {result['stored']:,} in {result['chunks']} chunks ({result['status']})"
            )


if __name__ == "__main__":
    main()
