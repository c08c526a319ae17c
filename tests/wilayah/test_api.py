"""Regions through the API: pagination, filters, search, detail, JSON errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from sinergi.accounts.models import User
from sinergi.core.pagination import COUNT_CAP

pytestmark = pytest.mark.django_db


def test_anonymous_gets_401_json(client_for: Callable[..., Client]) -> None:
    response = client_for(None).get("/api/v1/regions/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_list_is_paginated_and_filtered(
    client_for: Callable[..., Client], facilitator_bandung: User
) -> None:
    client = client_for(facilitator_bandung)
    provinces = client.get("/api/v1/regions/", {"level": 1}).json()
    assert provinces["count"] == 38 and len(provinces["items"]) == 38
    villages = client.get("/api/v1/regions/", {"level": 4}).json()
    # 83,762 villages: a national list counts up to COUNT_CAP + 1, read as "more than".
    assert villages["count"] == COUNT_CAP + 1 and len(villages["items"]) == 50
    page2 = client.get("/api/v1/regions/", {"level": 4, "page": 2}).json()
    assert page2["items"][0]["code"] > villages["items"][-1]["code"]
    children = client.get("/api/v1/regions/", {"parent": "3273"}).json()
    assert children["count"] == 30
    assert {i["parent_code"] for i in children["items"]} == {"32.73"}
    found = client.get("/api/v1/regions/", {"q": "sukarasa", "level": 4}).json()
    assert "32.73.01.1001" in [i["code"] for i in found["items"]]


def test_detail_with_path(client_for: Callable[..., Client], facilitator_bandung: User) -> None:
    body = client_for(facilitator_bandung).get("/api/v1/regions/3273011001").json()
    assert body["code"] == "32.73.01.1001" and body["kind"] == "Kelurahan"
    assert [p["code"] for p in body["path"]] == ["32", "32.73", "32.73.01"]
    assert body["decree"] == "Kepmendagri 300.2.2-2138/2025"
    children = client_for(facilitator_bandung).get("/api/v1/regions/32.73.01/children").json()
    assert children["count"] == len(children["items"]) > 0


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [("99.99", 404, "not_found"), ("abc", 400, "invalid"), ("32.7", 400, "invalid")],
)
def test_bad_codes_are_json_errors(
    client_for: Callable[..., Client],
    facilitator_bandung: User,
    code: str,
    status: int,
    error: str,
) -> None:
    response = client_for(facilitator_bandung).get(f"/api/v1/regions/{code}")
    assert response.status_code == status
    assert response.json()["code"] == error and response.json()["field"] == "code"


def test_errors_follow_accept_language(
    client_for: Callable[..., Client], facilitator_bandung: User
) -> None:
    client = client_for(facilitator_bandung)
    id_body = client.get("/api/v1/regions/99.99", HTTP_ACCEPT_LANGUAGE="id").json()
    en_body = client.get("/api/v1/regions/99.99", HTTP_ACCEPT_LANGUAGE="en").json()
    assert id_body["detail"].startswith("Tidak ada wilayah")
    assert en_body["detail"].startswith("There is no region")


def test_invalid_query_values_are_422_with_the_field(
    client_for: Callable[..., Client], facilitator_bandung: User
) -> None:
    response = client_for(facilitator_bandung).get("/api/v1/regions/", {"level": 9})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "level"


def test_openapi_schema_lists_the_endpoints(client_for: Callable[..., Client]) -> None:
    schema = client_for(None).get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/regions/",
        "/api/v1/regions/{code}",
        "/api/v1/users/",
        "/api/v1/auth/token",
    } <= set(schema["paths"])
    assert client_for(None).get("/api/v1/docs").status_code == 200
