"""core.api_lists on real lists: ordering by whitelist, changed_since, filters, 422s."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role

pytestmark = pytest.mark.django_db
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


@pytest.fixture
def admin_client(client_for: Callable[..., Client], admin_user: User) -> Client:
    return client_for(admin_user)


def _names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [i["username"] for i in response.json()["items"]]


def test_ordering_sorts_by_whitelisted_names_both_ways(
    admin_client: Client, make_user: Callable[..., User]
) -> None:
    for name in ("budi", "ani", "citra"):
        make_user(Role.FACILITATOR, "32.73", username=name)
    params = {"role": "facilitator"}
    assert _names(admin_client.get("/api/v1/users/", {**params, "ordering": "username"})) == [
        "ani",
        "budi",
        "citra",
    ]
    assert _names(admin_client.get("/api/v1/users/", {**params, "ordering": "-username"})) == [
        "citra",
        "budi",
        "ani",
    ]


def test_an_unknown_ordering_is_422_naming_the_choices(admin_client: Client) -> None:
    response = admin_client.get("/api/v1/users/", {"ordering": "password"})
    body = response.json()
    assert response.status_code == 422 and body["field"] == "ordering"
    assert "area, joined, role, updated, username" in body["errors"][0]["message"]


def test_changed_since_returns_what_changed_at_or_after(
    admin_client: Client, make_user: Callable[..., User], time_machine: Any
) -> None:
    time_machine.move_to(datetime.datetime(2026, 11, 1, 9, 0, tzinfo=JAKARTA), tick=False)
    make_user(Role.FACILITATOR, "32.73", username="lama")
    time_machine.move_to(datetime.datetime(2026, 11, 20, 9, 0, tzinfo=JAKARTA), tick=False)
    make_user(Role.FACILITATOR, "32.73", username="baru")

    def changed_since(moment: str) -> list[str]:
        params = {"role": "facilitator", "changed_since": moment, "ordering": "username"}
        return _names(admin_client.get("/api/v1/users/", params))

    assert changed_since("2026-11-10T00:00:00+07:00") == ["baru"]
    assert changed_since("2026-11-20T09:00:00+07:00") == ["baru"]  # at or after
    assert changed_since("2026-11-20T02:00:01Z") == []
    # A time without a zone is Jakarta time (UTC+7): 08:59 there is before 09:00.
    assert changed_since("2026-11-20T08:59:00") == ["baru"]
    assert changed_since("2026-11-20T09:00:01") == []
    assert changed_since("2026-10-01T00:00:00") == ["baru", "lama"]


def test_a_bad_changed_since_is_422(admin_client: Client) -> None:
    response = admin_client.get("/api/v1/users/", {"changed_since": "yesterday"})
    assert response.status_code == 422 and response.json()["field"] == "changed_since"


def test_filters_still_narrow(admin_client: Client, make_user: Callable[..., User]) -> None:
    make_user(Role.MENTOR, "32.73", username="aktif")
    gone = make_user(Role.MENTOR, "32.73", username="pergi")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    params = {"role": "mentor", "ordering": "username"}
    assert _names(admin_client.get("/api/v1/users/", {**params, "is_active": "false"})) == ["pergi"]
    assert _names(admin_client.get("/api/v1/users/", {**params, "q": "akt"})) == ["aktif"]


def test_region_lists_sort_by_name_or_code(
    client_for: Callable[..., Client], facilitator_bandung: User
) -> None:
    client = client_for(facilitator_bandung)
    by_name = client.get("/api/v1/regions/", {"level": 1, "ordering": "name"}).json()["items"]
    names = [r["name"] for r in by_name]
    assert names == sorted(names) and len(names) == 38
    children = client.get("/api/v1/regions/32.73/children", {"ordering": "-code"}).json()
    codes = [r["code"] for r in children["items"]]
    assert codes == sorted(codes, reverse=True) and codes[0].startswith("32.73.")
    refused = client.get("/api/v1/regions/", {"ordering": "decree"})
    assert refused.status_code == 422 and refused.json()["field"] == "ordering"
