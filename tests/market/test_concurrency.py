"""Simultaneous answers on PostgreSQL: nothing accepted twice, stock never below zero."""

from __future__ import annotations

import os

import pytest

from tests.racekit import run_race

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks are proved on PostgreSQL (CI runs both)")
def test_two_answers_at_once() -> None:
    report = run_race("tests.market.race", "sinergi_market_race")
    assert report["same"] == ["ok", "refused: Bagian ini sudah dijawab."]
    assert report["after_same"] == 6
    assert report["stock"][0] == "ok"
    assert report["stock"][1].startswith("refused: Stok tinggal 1 kg")
    assert report["after_stock"] == 1
