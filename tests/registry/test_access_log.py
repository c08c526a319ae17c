"""The access log: every read of a household's or person's data is one row (who, when, what,
why), written with one INSERT and no extra read; offices and auditors see who read a person's
data, scoped by area; partners never; a report names users reading far more than usual."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.accounts.services import audit_export
from sinergi.monitoring.events import MEMBER_INCOME_EXPORTED
from sinergi.registry import selectors
from sinergi.registry.models import AccessLog, AccessPurpose
from tests.factories import PersonFactory


def _log_queries(queries: list[dict[str, Any]]) -> list[str]:
    return [q["sql"] for q in queries if "registry_accesslog" in q["sql"]]


def test_a_household_page_view_writes_exactly_one_row_with_one_insert(
    officer_bandung: User, client_for: Callable[..., Client]
) -> None:
    person: Any = PersonFactory()
    client = client_for(officer_bandung)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/registri/kk/{person.household_id}/")
    assert page.status_code == 200
    touching = _log_queries(queries.captured_queries)
    assert len(touching) == 1 and touching[0].lstrip().upper().startswith("INSERT")
    row = AccessLog.objects.get()
    assert (row.user, row.household_id, row.person_id, row.purpose, row.area_code) == (
        officer_bandung,
        person.household_id,
        None,
        AccessPurpose.HOUSEHOLD_PAGE,
        person.area_code,
    )
    assert row.at > timezone.now() - timedelta(minutes=1)


def test_api_detail_person_page_reveal_and_search_are_logged_with_their_purpose(
    officer_bandung: User, client_for: Callable[..., Client]
) -> None:
    from sinergi.core import crypto

    person: Any = PersonFactory()
    nik = crypto.decrypt(person.nik_cipher, field="nik")
    client = client_for(officer_bandung)
    assert client.get(f"/api/v1/registry/households/{person.household_id}").status_code == 200
    assert client.get(f"/registri/orang/{person.pk}/").status_code == 200
    assert client.get(f"/registri/orang/{person.pk}/ubah/").status_code == 200
    revealed = client.post(f"/registri/ungkap/nik/{person.pk}/", {"reason": "cek KTP asli"})
    assert revealed.status_code == 200
    found = client.post(
        "/api/v1/registry/persons/search", {"number": nik}, content_type="application/json"
    )
    assert [p["id"] for p in found.json()] == [person.pk]
    rows = list(AccessLog.objects.order_by("id").values_list("purpose", "person_id", "reason"))
    assert rows == [
        (AccessPurpose.API_HOUSEHOLD, None, ""),
        (AccessPurpose.PERSON_PAGE, person.pk, ""),
        (AccessPurpose.PERSON_EDIT, person.pk, ""),
        (AccessPurpose.REVEAL_NIK, person.pk, "cek KTP asli"),
        (AccessPurpose.NUMBER_SEARCH, person.pk, ""),
    ]
    assert set(AccessLog.objects.values_list("household_id", flat=True)) == {person.household_id}
    assert nik not in str(list(AccessLog.objects.values()))  # never the number itself


def test_an_export_of_personal_data_is_logged(
    officer_bandung: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        audit_export(actor=officer_bandung, what=MEMBER_INCOME_EXPORTED, rows=42, area_code="32.73")
    row = AccessLog.objects.get()
    assert (row.purpose, row.what, row.rows, row.user) == (
        AccessPurpose.EXPORT,
        MEMBER_INCOME_EXPORTED.code,
        42,
        officer_bandung,
    )


def test_officers_see_who_read_a_persons_data_and_partners_never(
    officer_bandung: User,
    officer_bogor: User,
    facilitator_bandung: User,
    make_user: Callable[..., User],
    client_for: Callable[..., Client],
) -> None:
    person: Any = PersonFactory()
    other: Any = PersonFactory()  # another household: not in this person's log
    client_for(facilitator_bandung).get(f"/registri/kk/{person.household_id}/")
    client_for(officer_bandung).get(f"/registri/kk/{other.household_id}/")
    officer = client_for(officer_bandung)
    officer.cookies["sinergi_language"] = "en"
    household_page = officer.get(f"/registri/kk/{person.household_id}/").content.decode()
    assert f"/registri/kk/{person.household_id}/akses/" in household_page
    log = officer.get(f"/registri/orang/{person.pk}/akses/", HTTP_ACCEPT_LANGUAGE="en")
    text = log.content.decode()
    assert log.status_code == 200 and facilitator_bandung.username in text
    assert "Household page" in text
    assert [r.household_id for r in selectors.access_log_for(person)] == [person.household_id] * 2
    api = officer.get(f"/api/v1/registry/persons/{person.pk}/access-log").json()
    assert {r["user"] for r in api["items"]} == {
        facilitator_bandung.username,
        officer_bandung.username,
    }
    indonesian = client_for(officer_bandung).get(f"/registri/kk/{person.household_id}/akses/")
    assert "Halaman rumah tangga" in indonesian.content.decode()

    # Outside the area the household is absent; a facilitator may open the household page but
    # not its log (no link either); partner roles get nothing at all.
    assert (
        client_for(officer_bogor).get(f"/registri/kk/{person.household_id}/akses/").status_code
        == 404
    )
    facilitator = client_for(facilitator_bandung)
    page = facilitator.get(f"/registri/kk/{person.household_id}/").content.decode()
    assert "/akses/" not in page
    partners = [make_user(role, "32.73") for role in (Role.PARTNER_COORDINATOR, Role.MENTOR)]
    partners.append(make_user(Role.BUYER, None))
    for user in (facilitator_bandung, *partners):
        client = client_for(user)
        for url in (
            f"/registri/kk/{person.household_id}/akses/",
            f"/registri/orang/{person.pk}/akses/",
            "/registri/akses-tidak-biasa/",
            f"/api/v1/registry/persons/{person.pk}/access-log",
            f"/api/v1/registry/households/{person.household_id}/access-log",
            "/api/v1/registry/access/unusual",
        ):
            assert client.get(url).status_code == 403, (user.role, url)


def test_unusual_access_names_a_user_reading_far_more_than_usual_and_than_peers(
    officer_bandung: User,
    officer_bogor: User,
    make_user: Callable[..., User],
    client_for: Callable[..., Client],
) -> None:
    person: Any = PersonFactory()
    greedy = make_user(Role.FACILITATOR, "32.73", username="rakus")
    peers = [make_user(Role.FACILITATOR, "32.73", username=f"biasa{n}") for n in range(3)]
    now = timezone.now()

    def reads(user: User, n: int, ago: timedelta) -> list[AccessLog]:
        return [
            AccessLog(
                user=user,
                household_id=person.household_id,
                area_code=person.area_code,
                purpose=AccessPurpose.HOUSEHOLD_PAGE,
                at=now - ago,
            )
            for _ in range(n)
        ]

    rows = reads(greedy, 120, timedelta(hours=2)) + reads(greedy, 28, timedelta(days=20))
    for peer in peers:
        rows += reads(peer, 6, timedelta(hours=3)) + reads(peer, 100, timedelta(days=15))
    AccessLog.objects.bulk_create(rows)

    found = selectors.unusual_access(actor=officer_bandung)
    assert [p.username for p in found] == ["rakus"]
    assert (found[0].day, found[0].peers_day, found[0].usual_day) == (120, 6.0, 1.0)
    # A peer who read 100 two weeks ago is within their usual: not named.
    page = client_for(officer_bandung).get("/registri/akses-tidak-biasa/")
    assert page.status_code == 200 and "rakus" in page.content.decode()
    api = client_for(officer_bandung).get("/api/v1/registry/access/unusual").json()
    assert [p["username"] for p in api] == ["rakus"] and api[0]["unusual_day"] is True
    # Scoped by area: Bogor's office sees no reads of Bandung's records.
    assert selectors.access_patterns(actor=officer_bogor) == []
    assert (
        "rakus"
        not in client_for(officer_bogor).get("/registri/akses-tidak-biasa/").content.decode()
    )
