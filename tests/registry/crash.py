"""Kill a real task worker (kill -9) in the middle of checking and of saving an import, start
another, and report what the batch became. Run by test_import_crash.py in its own process and
database (``python -m tests.registry.crash <database> <postgres|sqlite>``); prints JSON.

Workers are real ``sinergi manage db_worker`` processes on the database queue. One waits, at a
chunk boundary, for the kill (SINERGI_TEST_IMPORT_HOLD_AFTER), so the kill lands mid-run every
time; nothing here sleeps for a fixed time, every wait polls with a deadline.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROWS, CHUNK, HOLD = 400, 50, 100
ROOT = Path(__file__).resolve().parents[2]


def _setup(database: str, vendor: str, scratch: Path) -> dict[str, str]:
    from tests.racekit import worker_world

    return worker_world(
        vendor,
        database,
        scratch / "crash.sqlite3",
        {
            "SINERGI_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
            "SINERGI_IMPORT_CHUNK_ROWS": str(CHUNK),
            "SINERGI_IMPORT_LEASE_SECONDS": "2",
            "SINERGI_IMPORT_WORKERS": "0",
            "MEDIA_ROOT": str(scratch / "media"),
        },
    )


def _file(scratch: Path) -> Path:
    from sinergi.engines.registry_rows import COLUMNS

    path = scratch / "registri.csv"
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for i in range(1, ROWS + 1):
            born = "1980-05-05" if i != 7 else "1980-13-45"  # one bad row, reported once
            person = [f"S{i}", f"327301010120{i:04d}", f"327301050580{i:04d}", f"Warga {i}"]
            writer.writerow(
                [*person, "L", "Bandung", born, "kepala", "1", "", "3273011001", "", "", ""]
            )
    return path


def _worker(env: dict[str, str], scratch: Path, name: str, hold: bool) -> subprocess.Popen[bytes]:
    own = dict(os.environ, **env)
    if hold:
        own["SINERGI_TEST_IMPORT_HOLD_AFTER"] = str(HOLD)
    command = [str(Path(sys.executable).parent / "sinergi"), "manage", "db_worker"]
    command += ["--interval", "0.1", "--no-startup-delay", "--no-reload", "--queue-name", "*"]
    log = (scratch / f"{name}.log").open("wb")
    # Its own process group: kill -9 reaches the worker and anything it started.
    return subprocess.Popen(
        command, cwd=ROOT, env=own, stdout=log, stderr=log, start_new_session=True
    )


START = time.monotonic()


def _until(what: str, ready: Callable[[], bool], seconds: float = 45) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.05)
    print(f"{time.monotonic() - START:.1f}s {what}", file=sys.stderr)


def _kill(worker: subprocess.Popen[bytes]) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def main(database: str, vendor: str) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix="sinergi-crash-"))
    env = _setup(database, vendor, scratch)
    from django.db import connection

    from sinergi.registry.imports import enqueue, import_create, import_start_commit
    from sinergi.registry.models import ImportBatch, ImportStatus, Person

    def batch_now(pk: Any) -> ImportBatch:
        return ImportBatch.objects.get(pk=pk)

    report: dict[str, Any] = {}
    # A file whose failure text holds a NUL: it used to make recording the failure fail and
    # the worker exit. It goes first, so the same worker must live on to take the real import.
    poison = scratch / "poison.csv"
    poison.write_bytes(b"nama\x00,nik\nSiti,1\n")
    bad = import_create(actor=None, source=poison, file_name="poison.csv")
    enqueue(bad, "check")
    batch = import_create(actor=None, source=_file(scratch), file_name="registri.csv")
    enqueue(batch, "check")

    first = _worker(env, scratch, "w1", hold=True)
    _until(
        "the check to pass the hold",
        lambda: batch_now(batch.pk).progress_done >= HOLD,
    )
    _kill(first)
    report["poison_status"] = batch_now(bad.pk).status
    report["poison_error"] = batch_now(bad.pk).file_error
    report["after_check_kill"] = batch_now(batch.pk).status

    second = _worker(env, scratch, "w2", hold=False)
    _until("the check to finish by itself", lambda: batch_now(batch.pk).status != "checking")
    checked = batch_now(batch.pk)
    report["checked"] = {
        "status": checked.status,
        "read": checked.rows_read,
        "valid": checked.rows_valid,
        "rejected": checked.rows_rejected,
        "issues": checked.issues.filter(is_warning=False).count(),
        "resumes": checked.resumes,
    }
    second.send_signal(signal.SIGTERM)
    second.wait(timeout=20)

    import_start_commit(actor=None, batch=checked)
    third = _worker(env, scratch, "w3", hold=True)
    _until("the commit to pass the hold", lambda: batch_now(batch.pk).progress_done >= HOLD)
    _kill(third)
    report["after_commit_kill"] = batch_now(batch.pk).status
    report["stored_before_resume"] = Person.objects.count()

    fourth = _worker(env, scratch, "w4", hold=False)
    _until(
        "the commit to finish by itself",
        lambda: batch_now(batch.pk).status != ImportStatus.COMMITTING,
    )
    fourth.send_signal(signal.SIGTERM)
    fourth.wait(timeout=20)
    done = batch_now(batch.pk)
    report["committed"] = {
        "status": done.status,
        "rows_committed": done.rows_committed,
        "persons": Person.objects.count(),
        "distinct": Person.objects.values("nik_hash").distinct().count(),
        "keys": Person.objects.values("import_key").distinct().count(),
        "file_left": bool(done.file_path),
    }
    report["expected"] = ROWS - 1
    connection.close()
    if vendor == "postgres":
        import psycopg

        from tests.racekit import BASE

        with psycopg.connect(BASE + "postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}"')
    return report


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
