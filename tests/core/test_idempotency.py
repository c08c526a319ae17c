"""Idempotency keys (core.idempotency): the same key twice is done once and answered alike.

The generic proof over every write endpoint is tests/core/test_idempotency_matrix.py; here
are the rules one at a time, on a real API write (recording a data incident), a real form and
a few views of this module's own (a failing one, a file, a secret, a large answer).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.http import FileResponse, HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from sinergi.accounts.models import User
from sinergi.accounts.services import api_token_create
from sinergi.compliance.models import Incident
from sinergi.config.urls import urlpatterns as real_urlpatterns
from sinergi.core import idempotency
from sinergi.core.models import IdempotencyKey
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

INCIDENTS = "/api/v1/compliance/incidents"
INCIDENT = {
    "title": "Laptop hilang",
    "area_code": "32.73",
    "categories": ["identity"],
    "affected_count": 12,
    "occurred_at": "2026-03-01T08:00:00+07:00",
    "discovered_at": "2026-03-01T09:00:00+07:00",
    "description": "Laptop petugas berisi daftar penerima hilang di angkot.",
}

# --- Views of this module (a failing view, a file, a secret, a large answer) -----------------
CALLS: list[str] = []


def flaky(request: HttpRequest) -> HttpResponse:
    """Fails on its first call, succeeds on the next: a server fault the client retries."""
    CALLS.append("flaky")
    if CALLS.count("flaky") == 1:
        raise RuntimeError("the database went away")
    return HttpResponse("done", status=201)


def download(request: HttpRequest) -> FileResponse:
    CALLS.append("download")
    response = FileResponse(iter([b"a;b\n1;2\n"]), as_attachment=True, filename="x.csv")
    return response


@never_cache
def secret(request: HttpRequest) -> HttpResponse:
    CALLS.append("secret")
    return HttpResponse(json.dumps({"token": "sng_shown_once"}), content_type="application/json")


def large(request: HttpRequest) -> HttpResponse:
    CALLS.append("large")
    return HttpResponse(b"x" * (idempotency.MAX_BODY + 1), content_type="text/plain")


urlpatterns = [
    path("api/v1/test-flaky/", flaky),
    path("test-download/", download),
    path("api/v1/test-secret/", secret),
    path("api/v1/test-large/", large),
    *real_urlpatterns,
]


@pytest.fixture(autouse=True)
def _forget_calls() -> None:
    CALLS.clear()


@pytest.fixture
def officer(officer_bandung: User) -> User:
    return officer_bandung


@pytest.fixture
def client(officer: User, client_for: Callable[[User | None], Client]) -> Client:
    return client_for(officer)


def _post(client: Client, body: Any = INCIDENT, key: str | None = "k-1", **headers: Any) -> Any:
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(INCIDENTS, json.dumps(body), content_type="application/json", **headers)


def test_the_same_key_twice_records_once_and_answers_the_first_answer(client: Client) -> None:
    first = _post(client)
    assert first.status_code == 201, first.content
    second = _post(client)
    assert Incident.objects.count() == 1
    assert second.status_code == 201
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    # Key order and spacing of the JSON are not another request.
    reordered = json.dumps(dict(reversed(list(INCIDENT.items()))), indent=2)
    third = client.post(
        INCIDENTS, reordered, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert third.status_code == 201 and third.content == first.content
    assert Incident.objects.count() == 1
    # Without a key, or with another, a write is a new write.
    assert _post(client, key=None).status_code == 201
    assert _post(client, key="k-2").status_code == 201
    assert Incident.objects.count() == 3


def test_a_bearer_token_and_the_session_of_the_same_user_share_their_keys(
    client: Client, officer: User
) -> None:
    _token, raw = api_token_create(actor=officer, name="integrasi")
    by_token = _post(Client(), key="shared", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert by_token.status_code == 201
    by_session = _post(client, key="shared")
    assert by_session["Idempotent-Replayed"] == "true"
    assert by_session.content == by_token.content
    assert Incident.objects.count() == 1


def test_keys_are_per_user(
    client: Client, make_user: Callable[..., User], client_for: Callable[[User | None], Client]
) -> None:
    other = client_for(make_user("social_officer", "32.73"))
    assert _post(client, key="same-text").status_code == 201
    answer = _post(other, key="same-text")
    assert answer.status_code == 201 and "Idempotent-Replayed" not in answer
    assert Incident.objects.count() == 2


def test_the_same_key_for_another_body_or_path_is_refused_and_does_nothing(
    client: Client,
) -> None:
    assert _post(client).status_code == 201
    other_body = _post(client, {**INCIDENT, "affected_count": 13})
    assert other_body.status_code == 422
    body = other_body.json()
    assert body["code"] == "idempotency_key_reused"
    assert body["field"] == "Idempotency-Key"
    assert body["request_id"] and "POST /api/v1/compliance/incidents" in body["detail"]
    other_method = client.put(
        "/api/v1/notifications/preferences",
        json.dumps({"email_on": False}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert other_method.status_code == 422
    assert other_method.json()["code"] == "idempotency_key_reused"
    assert Incident.objects.count() == 1


def test_a_key_still_running_is_409_and_a_dead_run_is_taken_over(
    client: Client, officer: User
) -> None:
    # The first request's claim, as it stands while its view runs (no answer yet).
    sent = _post(client, key="probe")  # the fingerprint of this very request
    assert sent.status_code == 201
    row = IdempotencyKey.objects.get(key="probe")
    IdempotencyKey.objects.create(
        user=officer,
        key="running",
        fingerprint=row.fingerprint,
        method="POST",
        path=INCIDENTS,
        started_at=timezone.now() - timedelta(minutes=1),
    )
    busy = _post(client, key="running")
    assert busy.status_code == 409
    assert busy.json()["code"] == "idempotency_key_in_progress"
    assert Incident.objects.count() == 1
    # A claim older than STALE_AFTER belongs to a request that died: the retry runs.
    IdempotencyKey.objects.filter(key="running").update(
        started_at=timezone.now() - idempotency.STALE_AFTER - timedelta(seconds=1)
    )
    retried = _post(client, key="running")
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried
    assert Incident.objects.count() == 2
    assert IdempotencyKey.objects.get(key="running").status == 201


@pytest.mark.urls(__name__)
def test_a_server_error_is_not_kept_so_the_retry_runs(client: Client) -> None:
    failed = client.post("/api/v1/test-flaky/", HTTP_IDEMPOTENCY_KEY="retry-me")
    assert failed.status_code == 500
    assert not IdempotencyKey.objects.filter(key="retry-me").exists()
    retried = client.post("/api/v1/test-flaky/", HTTP_IDEMPOTENCY_KEY="retry-me")
    assert retried.status_code == 201 and retried.content == b"done"
    again = client.post("/api/v1/test-flaky/", HTTP_IDEMPOTENCY_KEY="retry-me")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert CALLS == ["flaky", "flaky"]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/test-download/", "/api/v1/test-secret/", "/api/v1/test-large/"])
def test_files_secrets_and_large_answers_are_kept_as_their_status_only(
    client: Client, url: str
) -> None:
    first = client.post(url, HTTP_IDEMPOTENCY_KEY="once")
    assert first.status_code == 200
    row = IdempotencyKey.objects.get(key="once")
    assert (row.status, row.body_kept, row.body_cipher) == (200, False, "")
    second = client.post(url, HTTP_IDEMPOTENCY_KEY="once")
    assert second.status_code == 200 and second["Idempotent-Replayed"] == "true"
    assert len(CALLS) == 1
    if url.startswith("/api/"):
        assert second.json()["code"] == "idempotent_replay_without_body"
        assert b"sng_shown_once" not in second.content
    else:
        assert "Content-Disposition" not in second
        assert "sudah" in second.content.decode().lower()


def test_the_kept_answer_is_encrypted_at_rest(client: Client) -> None:
    assert _post(client).status_code == 201
    row = IdempotencyKey.objects.get(key="k-1")
    assert row.body_kept and row.body_cipher
    assert "Laptop" not in row.body_cipher
    assert "TGFwdG9w" not in row.body_cipher  # nor its base64


def test_a_malformed_key_is_refused_with_its_field(client: Client) -> None:
    for key in ["", "x" * 101, "kunci dengan spasi", "ä"]:
        answer = _post(client, key=key)
        assert answer.status_code == 422, key
        assert answer.json()["field"] == "Idempotency-Key"
        assert answer.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Incident.objects.count() == 0
    assert _post(client, key="a" * 100).status_code == 201


def test_anonymous_writes_and_reads_ignore_the_key() -> None:
    anonymous = _post(Client(), key="anon")
    assert anonymous.status_code == 401
    assert not IdempotencyKey.objects.exists()


def test_a_form_sent_twice_with_its_key_goes_where_the_first_went(
    officer: User, client_for: Callable[[User | None], Client]
) -> None:
    """The offline app resends a queued form with a CSRF token fetched anew: still the same
    request; the replay is the first redirect, with a message saying nothing was saved twice."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    form = {
        "title": "Map hilang",
        "area_code": "32.73",
        "categories": "identity",
        "affected_count": "3",
        "occurred_at": "2026-03-01T08:00",
        "discovered_at": "2026-03-01T09:00",
        "description": "Map berisi formulir hilang.",
        "measures": "",
        "idempotency_key": "form-1",
    }
    url = reverse("compliance:incident_create")
    client.get(url)
    first = client.post(url, {**form, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert first.status_code == 302, first.content.decode()[:2000]
    client.cookies.pop("csrftoken")
    client.get(url)  # a new CSRF token, as a later visit would have
    second = client.post(url, {**form, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    assert second["Idempotent-Replayed"] == "true"
    assert Incident.objects.count() == 1
    page = client.get(second["Location"]).content.decode()
    assert "tersimpan dua kali" in page
    changed = client.post(
        url,
        {
            **form,
            "title": "Map lain",
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert changed.status_code == 422
    assert "kunci" in changed.content.decode().lower()
    assert Incident.objects.count() == 1


def test_a_form_whose_key_is_busy_says_so_to_the_person_and_to_the_queue(
    officer: User, client: Client
) -> None:
    url = reverse("compliance:incident_create")
    IdempotencyKey.objects.create(
        user=officer,
        key="busy-form",
        fingerprint="0" * 64,
        method="POST",
        path=url,
        started_at=timezone.now(),
    )
    answer = client.post(url, {"title": "x", "idempotency_key": "busy-form"})
    assert answer.status_code == 422  # another body than the running one
    assert answer["Idempotency-Error"] == "idempotency_key_reused"
    IdempotencyKey.objects.filter(key="busy-form").delete()
    first = client.post(url, {"title": "x", "idempotency_key": "probe-form"})
    row = IdempotencyKey.objects.get(key="probe-form")
    IdempotencyKey.objects.create(
        user=officer,
        key="busy-form",
        fingerprint=row.fingerprint,
        method="POST",
        path=url,
        started_at=timezone.now(),
    )
    assert first.status_code == 400  # the form's errors: kept, like any answer
    busy = client.post(url, {"title": "x", "idempotency_key": "busy-form"})
    page = busy.content.decode()
    assert busy.status_code == 409 and busy["Idempotency-Error"] == "idempotency_key_in_progress"
    assert "masih diproses" in page and "idempotency_key_in_progress" in page
    assert page.rstrip().endswith("</html>")
    assert Incident.objects.count() == 0


def test_a_wrong_token_falls_back_to_the_session_and_its_keys(client: Client) -> None:
    assert _post(client, key="fallback").status_code == 201
    again = _post(client, key="fallback", HTTP_AUTHORIZATION="Bearer sng_not_a_token")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Incident.objects.count() == 1


def test_a_form_refused_for_its_csrf_token_does_not_use_up_the_key(officer: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    refused = client.post(reverse("compliance:incident_create"), {"idempotency_key": "csrf-later"})
    assert refused.status_code == 403
    assert not IdempotencyKey.objects.exists()


def test_expired_keys_are_pruned_nightly(client: Client, settings: Any) -> None:
    assert _post(client, key="old").status_code == 201
    assert _post(client, key="new").status_code == 201
    days = settings.SINERGI_IDEMPOTENCY_DAYS
    assert days == 30
    IdempotencyKey.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(days=days, minutes=1)
    )
    IdempotencyKey.objects.filter(key="new").update(
        created_at=timezone.now() - timedelta(days=days - 1)
    )
    out = StringIO()
    call_command("idempotency_prune", stdout=out)
    assert out.getvalue().startswith("1 ")
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    # After pruning, the old key is a new key again (the offline period is long over).
    assert _post(client, key="old").status_code == 201
    assert Incident.objects.count() == 3
    assert idempotency.nightly_prune.call() == 0


def test_a_new_token_is_not_kept_but_not_made_twice(officer: User, client: Client) -> None:
    """A request carrying a password may be answered with a secret (an API token, shown once
    and stored only as a hash): its answer is kept as its status only."""
    from sinergi.accounts.models import ApiToken

    body = json.dumps({"username": officer.username, "password": PASSWORD})
    send = lambda: client.post(  # noqa: E731
        "/api/v1/auth/token", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="tok"
    )
    first = send()
    assert first.status_code == 201 and first.json()["token"].startswith("sng_")
    second = send()
    assert second.status_code == 201 and second["Idempotent-Replayed"] == "true"
    assert "sng_" not in second.content.decode()
    assert second.json()["code"] == "idempotent_replay_without_body"
    assert ApiToken.objects.filter(user=officer).count() == 1
    row = IdempotencyKey.objects.get(key="tok")
    assert (row.body_kept, row.body_cipher) == (False, "")


def test_a_revealed_nik_is_not_kept(officer: User, client: Client) -> None:
    """A reveal's answer would outlive an erasure of the person if it were kept: only its
    status is, and the reveal is not done (nor logged) twice."""
    from sinergi.registry import services as registry
    from sinergi.registry.models import AccessLog

    household = registry.household_create(
        actor=officer, kk="3273010101990001", village_code="3273011001", desil=2,
        desil_date=date(2026, 9, 30),
    )  # fmt: skip
    person = registry.person_create(
        actor=officer, household_id=household.pk, nik="3273015505800001", name="Siti",
        sex="P", birth_place="", birth_date=date(1980, 5, 15), relation="kepala", is_head=True,
    )  # fmt: skip
    body = json.dumps({"kind": "nik", "id": person.pk, "reason": "Verifikasi lapangan"})
    send = lambda: client.post(  # noqa: E731
        "/api/v1/registry/reveal", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="r"
    )
    first = send()
    assert first.status_code == 200 and first.json()["value"] == "3273015505800001"
    logged = AccessLog.objects.count()
    second = send()
    assert second.status_code == 200 and second["Idempotent-Replayed"] == "true"
    assert "3273015505800001" not in second.content.decode()
    assert AccessLog.objects.count() == logged
    assert IdempotencyKey.objects.get(key="r").body_cipher == ""
