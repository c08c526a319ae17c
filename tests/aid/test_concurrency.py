"""Two approvers at once on PostgreSQL: exactly one approval, one clear refusal."""

from __future__ import annotations

import os

import pytest

from tests.racekit import run_race

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks are proved on PostgreSQL (CI runs both)")
def test_two_centre_officers_approve_one_cycle_at_once() -> None:
    report = run_race("tests.aid.race", "sinergi_race")
    assert report["approved"] == 1
    assert report["outcomes"][0] == "approved"
    assert report["outcomes"][1].startswith("refused")
    assert report["approved_by"] is not None
