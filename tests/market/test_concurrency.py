"""Simultaneous answers on PostgreSQL: nothing accepted twice, stock never below zero."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks are proved on PostgreSQL (CI runs both)")
def test_two_answers_at_once() -> None:
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "tests.market.race", f"sinergi_market_race_{os.getpid()}"],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["same"] == ["ok", "refused: This part has already been answered."]
    assert report["after_same"] == 6
    assert report["stock"][0] == "ok"
    assert report["stock"][1].startswith("refused: Only 1 kg left in stock")
    assert report["after_stock"] == 1
