"""The API's contract: unique schema names, bounded numbers, one reading of money, 403s."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from ninja import Schema
from pydantic import ValidationError

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.config.api import api
from sinergi.core.errors import Forbidden, require_permission
from sinergi.core.money import parse_rupiah
from sinergi.core.numbers import PAGE_MAX, RupiahField, ascii_int
from sinergi.market.api import ProductIn
from sinergi.market.models import Product

HUGE = "9223372036854775807"
BEYOND_INT8 = "99999999999999999999"
ODD_DIGITS = ["²", "١٢٣"]  # str.isdigit() is True for both


def _all_schemas(cls: type) -> Iterator[type]:
    subclasses: list[type] = cls.__subclasses__()
    for sub in subclasses:
        yield sub
        yield from _all_schemas(sub)


def test_no_two_schemas_share_a_component_name() -> None:
    """ninja names an OpenAPI component after the class: two classes of one name overwrite
    each other and every endpoint of the loser is documented with the winner's fields."""
    api.get_openapi_schema()  # imports every router
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _all_schemas(Schema):
        if cls.__module__.startswith("sinergi."):
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    assert {n: c for n, c in by_name.items() if len(c) > 1} == {}


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _list_pages() -> list[str]:
    return [
        "/" + r
        for r in _routes(get_resolver().url_patterns)
        if "<" not in r and not r.startswith(("admin/", "api/", "akun/keluar", "bahasa"))
    ]


@pytest.mark.django_db
def test_absurd_numbers_are_refused_not_crashed(
    client_for: Callable[[User | None], Client], admin_user: User
) -> None:
    client = client_for(admin_user)
    for path in _list_pages():
        for page in (HUGE, BEYOND_INT8, *ODD_DIGITS, "-1"):
            assert client.get(path, {"page": page}).status_code < 500, (path, page)
    for route in _routes(get_resolver().url_patterns):
        if "<id:" in route:
            path = "/" + re.sub(r"<id:\w+>", BEYOND_INT8, route)
            if "<" not in path:
                assert client.get(path).status_code == 404, path
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        if "{" in path:
            if re.search(r"\{\w+_id\}", path):
                response = client.get(re.sub(r"\{\w+\}", BEYOND_INT8, path))
                assert response.status_code == 422, path
                assert response.json()["errors"][0]["field"].endswith("_id"), path
            continue
        names = [p["name"] for p in operations["get"].get("parameters", [])]
        if "page" in names:
            response = client.get(path, {"page": HUGE})
            assert response.status_code == 422, path
            assert [e["field"] for e in response.json()["errors"]] == ["page"], path
            assert client.get(path, {"page": str(PAGE_MAX)}).status_code == 200, path


def test_ascii_digits_only() -> None:
    assert ascii_int("123") == 123 and ascii_int("-5") == -5
    assert [ascii_int(t) for t in (*ODD_DIGITS, "", "1e3", BEYOND_INT8)] == [None] * 5
    assert [parse_rupiah(t) for t in (*ODD_DIGITS, "1.000,000", BEYOND_INT8)] == [None] * 4


@pytest.mark.parametrize(
    ("sent", "stored"), [("12.000", 12_000), (12_000, 12_000), (12.0, 12), ("1.500.000", 1_500_000)]
)
def test_money_reads_the_same_in_the_api_and_in_forms(sent: Any, stored: int) -> None:
    body = {
        "kube_id": 1,
        "name": "Keripik",
        "category": "makanan",
        "unit": "kg",
        "price": sent,
        "available": 1,
    }
    assert ProductIn.model_validate(body).price == stored
    if not isinstance(sent, float):  # a JSON number has no typed form: "12.0" is refused there
        assert RupiahField(model=Product, name="price").clean(str(sent)) == stored


@pytest.mark.parametrize("sent", [True, 12.5, "12,5", "²", 2**31, -1])
def test_money_that_is_not_rupiah_is_refused_in_both(sent: Any) -> None:
    body = {
        "kube_id": 1,
        "name": "Keripik",
        "category": "makanan",
        "unit": "kg",
        "price": sent,
        "available": 1,
    }
    with pytest.raises(ValidationError) as caught:
        ProductIn.model_validate(body)
    assert [e["loc"] for e in caught.value.errors()] == [("price",)]
    if not isinstance(sent, bool):
        with pytest.raises(forms.ValidationError):
            RupiahField(model=Product, name="price").clean(str(sent))


@pytest.mark.django_db
def test_counts_refuse_true_and_name_the_field(
    client_for: Callable[[User | None], Client], make_user: Callable[..., User]
) -> None:
    client = client_for(make_user(Role.KUBE_OFFICER, "32.73"))
    response = client.post(
        "/api/v1/market/products",
        {
            "kube_id": True,
            "name": "x",
            "category": "x",
            "unit": "kg",
            "price": 1,
            "available": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert sorted(e["field"] for e in response.json()["errors"]) == [
        "payload.available",
        "payload.kube_id",
    ]


@pytest.mark.django_db
def test_a_refused_step_is_403_forbidden(make_user: Callable[..., User]) -> None:
    auditor = make_user(Role.AUDITOR, None)
    with pytest.raises(Forbidden) as caught:
        require_permission(auditor, "aid.approve_cycle")
    assert caught.value.status == 403 and caught.value.code == "forbidden"


# --- One error envelope for every status ------------------------------------------------------

ENVELOPE = {"detail", "code", "field", "request_id"}


def _envelope(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body.keys() >= ENVELOPE, body
    assert body["code"] == code and body["detail"]
    assert body["request_id"] == response["X-Request-ID"]
    return body


@pytest.mark.django_db
def test_every_api_error_status_is_the_envelope(
    client_for: Callable[[User | None], Client], make_user: Callable[..., User]
) -> None:
    facilitator = client_for(make_user(Role.FACILITATOR, "32.73"))

    bad = _envelope(facilitator.get("/api/v1/regions/abc"), 400, "invalid")
    assert bad["field"] == "code"
    _envelope(client_for(None).get("/api/v1/regions/"), 401, "not_authenticated")
    _envelope(facilitator.get("/api/v1/regions/99.99"), 404, "not_found")
    unknown = _envelope(facilitator.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert unknown["field"] is None
    wrong_method = facilitator.delete("/api/v1/regions/")
    _envelope(wrong_method, 405, "method_not_allowed")
    assert wrong_method["Allow"] == "GET"
    invalid = _envelope(facilitator.get("/api/v1/regions/", {"level": 9}), 422, "invalid")
    assert invalid["field"] == "level" and invalid["errors"][0]["field"] == "level"


@pytest.mark.django_db
def test_a_role_refusal_is_403_in_the_envelope(
    client_for: Callable[[User | None], Client], make_user: Callable[..., User]
) -> None:
    # A buyer may not read the users list: the role check, not the area, refuses.
    buyer = client_for(make_user(Role.BUYER, None))
    body = _envelope(buyer.get("/api/v1/users/"), 403, "forbidden")
    assert body["field"] is None


def test_a_conflict_is_409_in_the_envelope(rf: Any) -> None:
    from sinergi.config.api import domain_error
    from sinergi.core.errors import Conflict

    response = domain_error(rf.get("/api/v1/x"), Conflict("Changed meanwhile.", field="status"))
    assert response.status_code == 409
    assert json.loads(response.content) == {
        "detail": "Changed meanwhile.",
        "code": "conflict",
        "field": "status",
        "request_id": "",
    }


@pytest.mark.django_db
@pytest.mark.urls("tests.core.crash_urls")
def test_an_api_crash_is_500_with_the_request_id_never_a_trace(
    client_for: Callable[[User | None], Client], admin_user: User
) -> None:
    response = client_for(admin_user).get("/api/v1/boom/")
    body = _envelope(response, 500, "server_error")
    assert "Traceback" not in response.content.decode() and "3273014107900001" not in str(body)
    assert body["request_id"].startswith("r")


def test_the_openapi_document_describes_the_errors() -> None:
    schema = api.get_openapi_schema()
    assert set(schema["components"]["schemas"]["Error"]["required"]) == ENVELOPE
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = {"400", "404", "422", "500"}
            if operation.get("security"):
                expected |= {"401", "403"}
            assert expected <= responses.keys(), (method, path)
            ref = responses["404"]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/Error"
