"""A task worker killed (kill -9) mid-check and mid-commit: the import finishes by itself, every
good row stored exactly once; and a file whose failure text holds a NUL leaves the worker alive.

Real worker processes on a real database: PostgreSQL in the PostgreSQL run, a SQLite file in
the SQLite run (CI runs both).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.mark.slow(cpu=13)
@pytest.mark.usefixtures("db_template")  # its processes copy the run's migrated database
def test_a_killed_worker_is_resumed_by_the_next_one_with_every_row_once() -> None:
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    vendor = "postgres" if ON_POSTGRES else "sqlite"
    result = subprocess.run(
        [sys.executable, "-m", "tests.registry.crash", f"sinergi_crash_{os.getpid()}", vendor],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])

    assert report["poison_status"] == "failed"
    assert report["poison_error"].startswith("bad_header") and "\x00" not in report["poison_error"]
    assert report["after_check_kill"] == "checking"
    checked = report["checked"]
    assert checked["status"] == "checked" and checked["resumes"] == 0
    assert (checked["read"], checked["valid"], checked["rejected"]) == (
        report["expected"] + 1,
        report["expected"],
        1,
    )
    assert checked["issues"] == 1  # the report of the killed run was not kept twice
    assert report["after_commit_kill"] == "committing"
    assert 0 < report["stored_before_resume"] < report["expected"]
    committed = report["committed"]
    assert committed["status"] == "committed"
    assert (
        committed["rows_committed"]
        == committed["persons"]
        == committed["distinct"]
        == committed["keys"]
        == report["expected"]
    )
    assert not committed["file_left"]
