"""Two approvers at once on PostgreSQL: exactly one approval, one clear refusal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks are proved on PostgreSQL (CI runs both)")
def test_two_centre_officers_approve_one_cycle_at_once() -> None:
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "tests.aid.race", f"sinergi_race_{os.getpid()}"],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["approved"] == 1
    assert report["outcomes"][0] == "approved"
    assert report["outcomes"][1].startswith("refused")
    assert report["approved_by"] is not None
