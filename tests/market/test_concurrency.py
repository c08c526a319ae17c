"""Simultaneous market steps on PostgreSQL: nothing accepted twice, stock never below zero,
accepting and cancelling at once never deadlock, and a deadlocked transaction runs again."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.racekit import run_race

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
pytestmark = [
    pytest.mark.skipif(not ON_POSTGRES, reason="row locks are proved on PostgreSQL (CI runs both)"),
    pytest.mark.slow,
    pytest.mark.usefixtures("db_template"),  # the race copies the run's migrated database
]
CANCELLED_FIRST = "refused: Pembeli telah membatalkan pesanan ini; tidak ada yang perlu dijawab."


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    """One run of the race script (its own database) serves every test here."""
    return run_race("tests.market.race", "sinergi_market_race")


def test_two_answers_at_once(report: dict[str, Any]) -> None:
    assert report["same"] == ["ok", "refused: Bagian ini sudah dijawab."]
    assert report["after_same"] == 6
    assert report["stock"][0] == "ok"
    assert report["stock"][1].startswith("refused: Stok tinggal 1 kg")
    assert report["after_stock"] == 1


def test_accepting_while_the_order_is_cancelled(report: dict[str, Any]) -> None:
    """Fifty pairs: no error, each pair in one of the two consistent ends, all stock back."""
    pairs = report["pairs"]
    assert len(pairs) == 50
    assert all(p["cancel"] == "ok" and p["order"] == "cancelled" for p in pairs), pairs
    accepted_first = [p for p in pairs if p["accept"] == "ok"]
    cancelled_first = [p for p in pairs if p["accept"] != "ok"]
    # The part was accepted, then cancelled with its order (its stock given back).
    assert all(p["part"] == "cancelled" for p in accepted_first), accepted_first
    assert all(p["accept"] == CANCELLED_FIRST and p["part"] == "withdrawn"
               for p in cancelled_first), cancelled_first  # fmt: skip
    assert report["after_pairs"] == 1_000  # every accepted part's stock came back
    assert report["pair_retries"] == 0  # the lock order, not the retry, kept them apart


def test_a_deadlocked_transaction_runs_again(report: dict[str, Any]) -> None:
    assert report["crossed"] == ["ok", "ok"]
    assert report["runs"] >= 3  # two first attempts, and again whichever PostgreSQL aborted
