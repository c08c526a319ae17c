"""Area scoping on every path: the UI list, the API and the CSV export, four ways each."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.accounts.selectors import user_list
from sinergi.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    """Staff in Bandung, in Bogor (same province) and in Semarang (another province)."""
    return {
        "bandung": make_user(Role.FACILITATOR, "32.73", username="rina.bandung"),
        "bogor": make_user(Role.FACILITATOR, "32.01", username="ujang.bogor"),
        "semarang": make_user(Role.FACILITATOR, "33.74", username="sri.semarang"),
    }


def _ui_usernames(client: Client) -> set[str] | int:
    response = client.get("/akun/pengguna/")
    if response.status_code != 200:
        return response.status_code
    return {u.username for u in response.context["page"].object_list}


def _api_usernames(client: Client) -> set[str] | int:
    response = client.get("/api/v1/users/", {"page_size": 100})
    if response.status_code != 200:
        return response.status_code
    return {item["username"] for item in response.json()["items"]}


def _export_usernames(client: Client) -> set[str] | int:
    response = client.get("/akun/pengguna/ekspor.csv")
    if response.status_code != 200:
        return response.status_code
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return {row["username"] for row in csv.DictReader(io.StringIO(text))}


PATHS = [_ui_usernames, _api_usernames, _export_usernames]


@pytest.mark.parametrize("path", PATHS)
def test_anonymous_sees_nothing(
    path: Callable[[Client], set[str] | int],
    client_for: Callable[..., Client],
    people: dict[str, User],
) -> None:
    assert path(client_for(None)) in (302, 401)


@pytest.mark.parametrize("path", PATHS)
def test_a_role_without_permission_is_refused(
    path: Callable[[Client], set[str] | int],
    client_for: Callable[..., Client],
    people: dict[str, User],
) -> None:
    assert path(client_for(people["bandung"])) == 403


@pytest.mark.parametrize("path", PATHS)
def test_a_regency_officer_sees_only_its_regency(
    path: Callable[[Client], set[str] | int],
    client_for: Callable[..., Client],
    people: dict[str, User],
    officer_bandung: User,
    officer_bogor: User,
) -> None:
    seen = path(client_for(officer_bandung))
    assert seen == {"rina.bandung", officer_bandung.username}
    assert "ujang.bogor" not in seen and officer_bogor.username not in seen


@pytest.mark.parametrize("path", PATHS)
def test_a_province_officer_sees_its_whole_province(
    path: Callable[[Client], set[str] | int],
    client_for: Callable[..., Client],
    people: dict[str, User],
    officer_jabar: User,
) -> None:
    seen = path(client_for(officer_jabar))
    assert isinstance(seen, set)
    assert {"rina.bandung", "ujang.bogor", officer_jabar.username} <= seen
    assert "sri.semarang" not in seen


def test_the_national_admin_sees_everyone(
    client_for: Callable[..., Client], people: dict[str, User], admin_user: User
) -> None:
    seen = _api_usernames(client_for(admin_user))
    assert isinstance(seen, set)
    assert {"rina.bandung", "ujang.bogor", "sri.semarang"} <= seen


def test_an_export_is_audited_with_its_area(
    client_for: Callable[..., Client], people: dict[str, User], officer_bandung: User
) -> None:
    _export_usernames(client_for(officer_bandung))
    event = AuditEvent.objects.get(event_type="accounts.users.exported")
    assert event.actor == officer_bandung and event.area_code == "32.73"
    assert event.data == {"rows": 2}


def test_a_refused_export_writes_nothing(
    client_for: Callable[..., Client], people: dict[str, User]
) -> None:
    before = AuditEvent.objects.count()
    assert _export_usernames(client_for(people["bandung"])) == 403
    assert AuditEvent.objects.count() == before


def test_selector_scoping_holds_for_tasks_and_commands_too(
    people: dict[str, User], officer_bogor: User
) -> None:
    names = set(user_list(actor=officer_bogor).values_list("username", flat=True))
    assert names == {"ujang.bogor", officer_bogor.username}


def test_inactive_users_see_nothing(people: dict[str, User], officer_bandung: User) -> None:
    officer_bandung.is_active = False
    assert not user_list(actor=officer_bandung).exists()


def test_user_list_query_count_does_not_grow_with_rows(
    client_for: Callable[..., Client], make_user: Callable[..., User], admin_user: User
) -> None:
    client = client_for(admin_user)
    client.get("/api/v1/users/")
    for i in range(3):
        make_user(Role.MENTOR, "32.73", username=f"m{i}")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/users/")
    for i in range(3, 20):
        make_user(Role.MENTOR, "32.01", username=f"m{i}")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/users/").status_code == 200
    assert len(many) == len(few)
    # The menu's task count (core.inbox) is computed once, then kept until something is
    # written: the page is measured after that, for the user list's own queries.
    client.get("/akun/pengguna/")
    with CaptureQueriesContext(connection) as page:
        assert client.get("/akun/pengguna/").status_code == 200
    assert len(page) <= len(few) + 6
