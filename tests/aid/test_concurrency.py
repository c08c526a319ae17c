"""Approvers at once on PostgreSQL: one approval per cycle, one grant per group, clear refusals."""

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


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    """One run of the race script (its own database) serves every test here."""
    return run_race("tests.aid.race", "sinergi_race")


def test_two_centre_officers_approve_one_cycle_at_once(report: dict[str, Any]) -> None:
    assert report["approved"] == 1
    assert report["outcomes"][0] == "approved"
    assert report["outcomes"][1].startswith("refused")
    assert report["approved_by"] is not None


@pytest.mark.parametrize("case", ["one_programme", "many_programmes"])
def test_cycles_holding_one_group_approved_at_once_aid_it_once(
    report: dict[str, Any], case: str
) -> None:
    outcome = report[case]
    assert (outcome["approved"], outcome["grants"]) == (1, 1)
    assert outcome["outcomes"][0] == "ok"
    assert len(outcome["outcomes"]) == 4
    assert all(o.startswith("refused") and outcome["name"] in o for o in outcome["outcomes"][1:])
