"""Letters issued at once on PostgreSQL: distinct consecutive numbers, none given twice."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.racekit import run_race

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
pytestmark = [
    pytest.mark.skipif(not ON_POSTGRES, reason="row locks are proved on PostgreSQL (CI runs both)"),
    pytest.mark.slow,
    pytest.mark.usefixtures("db_template"),
]


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return run_race("tests.letters.race", "sinergi_letters_race")


def test_eight_officers_issuing_at_once_get_eight_consecutive_numbers(
    report: dict[str, Any],
) -> None:
    assert report["first"] == ["ok"] * 8
    assert report["seqs"] == list(range(1, 9))
    assert report["distinct_numbers"] == 8


def test_a_void_number_is_never_given_again(report: dict[str, Any]) -> None:
    assert report["second"] == ["ok"] * 4
    assert report["after"] == list(range(1, 13))  # 1 (void) kept; 9-12 new
    assert report["counter"] == 12
    assert report["files"] == 12
