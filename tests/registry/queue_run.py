"""Commit imports dealt out as chunk tasks to two real worker processes, on the database queue
or on RQ (Redis), and break things on the way: a worker killed (kill -9) mid-chunk, every
worker's database connection ended (what a restart of PostgreSQL does to them) and, on RQ, the
Redis server killed and started again. Prints what each batch became, as JSON.

Run by test_import_queue.py in its own process and database:
``python -m tests.registry.queue_run <database> <postgres|sqlite> <db|rq>``.

On RQ the workers use the machine's Redis (127.0.0.1:6379) in a database number this run
holds a lock on, so parallel runs never share a queue; the Redis restart uses a redis-server
of its own (append-only file, so the queue survives the restart, as docs/scaling.md asks).
Nothing sleeps for a fixed time: every wait polls with a deadline.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.registry.crash import ROOT, _kill, _until

ROWS, CHUNK, TASK_ROWS, HOLD = 480, 20, 60, 40
MACHINE_REDIS = "redis://127.0.0.1:6379"
STARTED: list[subprocess.Popen[bytes]] = []  # stopped at the end, whatever happened
LOGS: dict[int, Path] = {}


def _redis_db() -> tuple[int, Any]:
    """A Redis database number on the machine's server that no other run is using."""
    import redis

    client = redis.Redis.from_url(MACHINE_REDIS + "/0")
    for number in range(1, 15):  # 15 is the benchmark's
        if client.set(f"sinergi-test-queue:{number}", os.getpid(), nx=True, ex=600):
            redis.Redis.from_url(f"{MACHINE_REDIS}/{number}").flushdb()
            return number, client
    raise SystemExit("no free Redis database number")


def _setup(database: str, vendor: str, backend: str, scratch: Path) -> dict[str, str]:
    from tests.racekit import worker_world

    return worker_world(
        vendor,
        database,
        scratch / "queue.sqlite3",
        {
            "SINERGI_TASK_BACKEND": "django_tasks_db.DatabaseBackend"
            if backend == "db"
            else "django_tasks_rq.RQBackend",
            "SINERGI_IMPORT_CHUNK_ROWS": str(CHUNK),
            "SINERGI_IMPORT_TASK_ROWS": str(TASK_ROWS),
            "SINERGI_IMPORT_LEASE_SECONDS": "2",
            "SINERGI_IMPORT_WORKERS": "0",
            "MEDIA_ROOT": str(scratch / "media"),
        },
    )


def _file(scratch: Path, name: str, start: int) -> Path:
    """ROWS rows, one of them bad, NIKs numbered from ``start`` (a batch's own people)."""
    from sinergi.engines.registry_rows import COLUMNS

    path = scratch / name
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for i in range(start, start + ROWS):
            born = "1980-05-05" if i != start + 6 else "1980-13-45"
            person = [f"S{i}", f"32730101012{i:05d}", f"32730105058{i:05d}", f"Warga {i}"]
            writer.writerow(
                [*person, "L", "Bandung", born, "kepala", "1", "", "3273011001", "", "", ""]
            )
    return path


def _worker(
    env: dict[str, str], scratch: Path, name: str, *, hold: bool = False
) -> subprocess.Popen[bytes]:
    own = dict(os.environ, **env)
    if hold:
        own["SINERGI_TEST_IMPORT_HOLD_AFTER"] = str(HOLD)
    command = [str(Path(sys.executable).parent / "sinergi"), "manage"]
    if own["SINERGI_TASK_BACKEND"].startswith("django_tasks_db"):
        command += ["task_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload"]
        command += ["--queue-name", "*"]
    else:
        command += ["rqworker", "--job-class", "django_tasks_rq.Job", "default", "heavy"]
        if not hold:
            # RQ's scheduler (deferred tasks: the watch) runs in one worker at a time, under
            # a lock that outlives a killed worker by a minute (docs/scaling.md).
            command.append("--with-scheduler")
    log = (scratch / f"{name}.log").open("ab")
    # Its own process group: kill -9 reaches the worker and anything it started.
    worker = subprocess.Popen(
        command, cwd=ROOT, env=own, stdout=log, stderr=log, start_new_session=True
    )
    STARTED.append(worker)
    LOGS[worker.pid] = scratch / f"{name}.log"
    return worker


def _stop(*workers: subprocess.Popen[bytes]) -> None:
    for worker in workers:
        if worker.poll() is None:
            _kill(worker)


def _result(batch_id: Any) -> dict[str, Any]:
    from sinergi.registry.models import ImportBatch, Person

    batch = ImportBatch.objects.get(pk=batch_id)
    mine = Person.objects.filter(import_key__startswith=batch.file_sha256[:20] + ":")
    chunks = list(batch.chunks.values("number", "status", "attempts", "worker"))
    return {
        "status": batch.status,
        "error": batch.file_error,
        "valid": batch.rows_valid,
        "rows_committed": batch.rows_committed,
        "persons": mine.count(),
        "distinct": mine.values("nik_hash").distinct().count(),
        "progress": [batch.progress_done, batch.progress_total, batch.rows_read],
        "chunks": chunks,
        "workers": sorted({c["worker"].rsplit(":", 1)[-1] for c in chunks}),
        "file_left": bool(batch.file_path),
        "expected": ROWS - 1,  # one bad row a file
    }


def _start(scratch: Path, name: str, start: int) -> Any:
    """A checked batch whose commit is queued (the check runs here: it is not the subject)."""
    from sinergi.registry.imports import import_check, import_create, import_start_commit

    batch = import_create(actor=None, source=_file(scratch, name, start), file_name=name)
    import_start_commit(actor=None, batch=import_check(batch.pk))
    return batch.pk


def _finished(batch_id: Any) -> bool:
    from sinergi.registry.models import ImportBatch, ImportStatus

    batch = ImportBatch.objects.get(pk=batch_id)
    # Saved, and its files deleted (right after the commit that saved it), or stopped.
    return batch.status != ImportStatus.COMMITTING and not (
        batch.status == ImportStatus.COMMITTED and batch.file_path
    )


def _chunks_done(batch_id: Any) -> int:
    from sinergi.registry.models import ChunkStatus, ImportChunk

    return ImportChunk.objects.filter(batch=batch_id, status=ChunkStatus.DONE).count()


def _killed_worker(env: dict[str, str], scratch: Path, report: dict[str, Any]) -> None:
    """A worker holds mid-chunk and is killed; a second and a fresh third finish the batch."""
    from sinergi.registry.models import ChunkStatus, ImportChunk

    first = _worker(env, scratch, "w1", hold=True)
    batch_id = _start(scratch, "killed.csv", 10_001)
    _until(
        "a chunk to hold mid-way",
        lambda: ImportChunk.objects.filter(
            batch=batch_id, status=ChunkStatus.RUNNING, rows_done__gte=HOLD
        ).exists(),
    )
    held = ImportChunk.objects.filter(batch=batch_id, status=ChunkStatus.RUNNING)
    report["killed_chunk"] = list(held.values_list("number", flat=True))
    report["held_by"] = [w.rsplit(":", 1)[-1] for w in held.values_list("worker", flat=True)]
    second = _worker(env, scratch, "w2")
    _kill(first)
    for pid in report["held_by"]:
        # RQ runs each task in a forked "work horse" in a session of its own: the process
        # doing the chunk is that one, and killing its worker leaves it running.
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)
    third = _worker(env, scratch, "w3")
    _until("the batch to finish after the kill", lambda: _finished(batch_id), 60)
    report["killed"] = _result(batch_id)
    report["_workers"] = [second, third]


def _database_restart(report: dict[str, Any]) -> None:
    """Every worker connection to the database ended mid-import (as a restart does)."""
    from django.db import connection

    workers: list[subprocess.Popen[bytes]] = report["_workers"]
    batch_id = _start(Path(report["_scratch"]), "dbrestart.csv", 20_001)
    _until("a chunk of the second batch to be saved", lambda: _chunks_done(batch_id) >= 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        report["connections_ended"] = cursor.fetchone()[0]
    _until("the batch to finish after the connections ended", lambda: _finished(batch_id), 60)
    report["db_restart"] = _result(batch_id)
    report["workers_alive"] = [w.poll() is None for w in workers]
    report["dead_worker_logs"] = [LOGS[w.pid].read_text()[-3000:] for w in workers if w.poll()]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _redis_server(port: int, folder: Path) -> subprocess.Popen[bytes]:
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "yes", "--appendfsync", "always", "--dir", str(folder)]
    server = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    import redis

    client = redis.Redis(port=port)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    _until("redis-server to answer", answers, 20)
    return server


def _redis_restart(env: dict[str, str], scratch: Path, report: dict[str, Any]) -> None:
    """The Redis server killed (kill -9) mid-import and started again on its own files."""
    port, folder = _free_port(), scratch / "redis"
    folder.mkdir()
    server = _redis_server(port, folder)
    own = dict(env, SINERGI_REDIS_URL=f"redis://127.0.0.1:{port}/0")
    os.environ["SINERGI_REDIS_URL"] = own["SINERGI_REDIS_URL"]
    from django.conf import settings

    for queue in settings.RQ_QUEUES.values():
        queue["URL"] = own["SINERGI_REDIS_URL"]
    workers = [_worker(own, scratch, "r1"), _worker(own, scratch, "r2")]
    try:
        batch_id = _start(scratch, "redis.csv", 30_001)
        _until("a chunk of the third batch to be saved", lambda: _chunks_done(batch_id) >= 1)
        _kill(server)
        report["redis_down_at"] = _chunks_done(batch_id)
        server = _redis_server(port, folder)
        restarts = [0]

        def supervised() -> bool:
            # An RQ worker in the middle of a task when Redis goes away may exit; production
            # runs workers under a supervisor that starts them again (docs/scaling.md), as here.
            for i, worker in enumerate(workers):
                if worker.poll() is not None:
                    workers[i] = _worker(own, scratch, f"r{i + 1}")
                    restarts[0] += 1
            return _finished(batch_id)

        _until("the batch to finish after Redis restarted", supervised, 60)
        report["redis_restart"] = _result(batch_id)
        report["redis_worker_restarts"] = restarts[0]
    finally:
        _stop(*workers)
        _kill(server)


def main(database: str, vendor: str, backend: str) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix="sinergi-queue-"))
    lock, number = None, 0
    if backend == "rq":
        number, lock = _redis_db()
        os.environ["SINERGI_REDIS_URL"] = f"{MACHINE_REDIS}/{number}"
    env = _setup(database, vendor, backend, scratch)
    if backend == "rq":
        env["SINERGI_REDIS_URL"] = os.environ["SINERGI_REDIS_URL"]
    report: dict[str, Any] = {"_scratch": str(scratch)}
    try:
        _killed_worker(env, scratch, report)
        if vendor == "postgres":
            _database_restart(report)
        _stop(*report.pop("_workers"))
        if backend == "rq" and shutil.which("redis-server"):
            _redis_restart(env, scratch, report)
    finally:
        _stop(*STARTED)
        if lock is not None:
            import redis

            redis.Redis.from_url(f"{MACHINE_REDIS}/{number}").flushdb()
            lock.delete(f"sinergi-test-queue:{number}")
    from django.db import connection

    connection.close()
    if vendor == "postgres":
        import psycopg

        from tests.racekit import BASE

        with psycopg.connect(BASE + "postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    report.pop("_scratch")
    shutil.rmtree(scratch, ignore_errors=True)
    return report


if __name__ == "__main__":
    started = time.monotonic()
    result = main(sys.argv[1], sys.argv[2], sys.argv[3])
    result["seconds"] = round(time.monotonic() - started, 1)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    print(json.dumps(result))
