"""Two sendings of one key at the same moment, on PostgreSQL: one record, one claim.

A phone whose connection returns sends its queue while the page it opens sends it too; an
integrator's retry may overtake its first try. The claim's unique key must hold when the two
race on two connections, which a test transaction cannot show: the race runs in its own
process and database (tests/racekit.py), started by the test below, and prints JSON.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import pytest

from tests.racekit import run_race

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return run_race("tests.core.test_idempotency_concurrency", "sinergi_race_idem")


@pytest.mark.skipif(not ON_POSTGRES, reason="races are proved on PostgreSQL (CI runs both)")
@pytest.mark.slow
@pytest.mark.usefixtures("db_template")
def test_two_sendings_of_one_key_at_once_make_one_record(report: dict[str, Any]) -> None:
    claims = report["claims"]
    assert sorted(claims["outcomes"]) == ["claimed", "held by the other"]
    assert claims["rows"] == 1
    requests = report["requests"]
    assert requests["incidents"] == 1, requests
    assert requests["keys"] == 1
    statuses = sorted(requests["statuses"])
    # The second finds the first running (409) or done (its answer, replayed): never a twin.
    assert statuses in ([201, 201], [201, 409]), statuses
    if statuses == [201, 201]:
        assert requests["replayed"] == 1


def main(database: str) -> None:
    from tests.racekit import PASSWORD, drop_database, fresh_database, load_regions, race_each

    fresh_database(database)
    from django.test import Client

    from sinergi.accounts.services import user_create
    from sinergi.compliance.models import Incident
    from sinergi.core import idempotency
    from sinergi.core.models import IdempotencyKey

    load_regions()
    officer = user_create(
        actor=None, username="kab", password=PASSWORD, role="social_officer", area_code="32.73"
    )

    # 1. The claim itself: two connections insert the same (user, key) at once.
    outcomes: list[str] = []

    def claim() -> None:
        got = idempotency.claim(
            user=officer, key="race", fingerprint="f" * 64, method="POST", path="/x"
        )
        outcomes.append("claimed" if isinstance(got, idempotency.Claim) else "held by the other")

    race_each([claim, claim])
    claims = {"outcomes": outcomes, "rows": IdempotencyKey.objects.filter(key="race").count()}

    # 2. The whole request: two clients post the same incident with the same key at once.
    body = json.dumps(
        {
            "title": "Laptop hilang",
            "area_code": "32.73",
            "categories": ["identity"],
            "affected_count": 1,
            "occurred_at": "2026-03-01T08:00:00+07:00",
            "discovered_at": "2026-03-01T09:00:00+07:00",
            "description": "Laptop petugas hilang.",
        }
    )
    answers: list[Any] = []

    def send() -> None:
        client = Client(raise_request_exception=False)
        client.force_login(officer)
        answers.append(
            client.post(
                "/api/v1/compliance/incidents",
                body,
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY="race-request",
            )
        )

    race_each([send, send])
    requests = {
        "statuses": [a.status_code for a in answers],
        "replayed": sum(a.get("Idempotent-Replayed") == "true" for a in answers),
        "incidents": Incident.objects.count(),
        "keys": IdempotencyKey.objects.filter(key="race-request").count(),
    }
    print(json.dumps({"claims": claims, "requests": requests}))
    drop_database(database)


if __name__ == "__main__":
    main(sys.argv[1])
