"""A refused mentoring form answers 400 like every module (core.forms.refused_status); the
page itself, and a picker's search inside a form, stay 200."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from sinergi.accounts.models import User
from sinergi.mentoring.models import MatchRun, Mentor

pytestmark = pytest.mark.django_db


def test_a_refused_matching_run_answers_400_and_runs_nothing(
    client_for: Callable[..., Client], coordinator: User
) -> None:
    client = client_for(coordinator)
    url = "/pendampingan/pencocokan/"
    assert client.get(url).status_code == 200
    refused = client.post(
        url, {"other_regency": "banyak", "sector_mismatch": "25", "history_bonus": "10"}
    )
    assert refused.status_code == 400
    assert 'value="banyak"' in refused.content.decode()  # what was typed is kept
    assert not MatchRun.objects.exists()
    # Searching the area picker is the form still being filled in.
    finding = client.post(
        url,
        {"area": "bandung", "_pick": "area", "other_regency": "40"},
    )
    assert finding.status_code == 200


def test_a_refused_new_mentor_answers_400_and_saves_nothing(
    client_for: Callable[..., Client], coordinator: User, unit_jabar: object
) -> None:
    client = client_for(coordinator)
    url = "/pendampingan/mentor/baru/"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"name": "Neneng", "base_regency": "32.73", "capacity": "99"})
    assert refused.status_code == 400
    assert 'value="Neneng"' in refused.content.decode()
    assert not Mentor.objects.filter(name="Neneng").exists()
