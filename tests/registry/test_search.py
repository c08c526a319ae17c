"""Searching by a full NIK or KK number never puts the number in an address."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from sinergi.accounts.models import User
from sinergi.registry.models import Household
from tests.samples import main_of

pytestmark = pytest.mark.django_db

NIK = "3273011203700001"  # Asep Sunandar, head of household_bandung
KK = "3273010101200001"


def test_the_page_searches_a_number_by_post_only(
    household_bandung: Household, household_bogor: Household, officer_jabar: User
) -> None:
    client = Client()
    client.force_login(officer_jabar)
    page = client.get("/registri/").content.decode()
    assert 'method="post"' in page and 'hx-post="/registri/"' in page
    assert "hx-get" not in main_of(page)
    for number in (NIK, KK, "3273 0112 0370 0001"):
        found = client.post("/registri/", {"q": number})
        assert found.status_code == 200 and "Location" not in found
        body = found.content.decode()
        assert household_bandung.kk_mask in body and household_bogor.kk_mask not in body
        # Only the search box shows what was typed: no link, pager or form carries it on.
        assert body.count(number) == 1 and f'value="{number}"' in body
    live = client.post("/registri/", {"q": NIK}, HTTP_HX_REQUEST="true")
    assert (
        live["HX-Push-Url"] == "/registri/" and household_bandung.kk_mask in live.content.decode()
    )
    # A name goes back into the address, so the list stays bookmarkable.
    by_name = client.post("/registri/", {"q": "Asep"})
    assert by_name.status_code == 302 and by_name["Location"] == "/registri/?q=Asep"
    live_name = client.post("/registri/", {"q": "Asep"}, HTTP_HX_REQUEST="true")
    assert live_name["HX-Push-Url"] == "/registri/?q=Asep"


def test_a_number_in_the_address_is_not_searched(
    household_bandung: Household, household_bogor: Household, officer_jabar: User
) -> None:
    client = Client()
    client.force_login(officer_jabar)
    client.cookies["sinergi_language"] = "en"
    refused = client.get("/registri/", {"q": NIK})
    assert refused.status_code == 302 and refused["Location"] == "/registri/"
    body = client.get(refused["Location"]).content.decode()
    assert "Type a full NIK or KK number in the search box" in body
    assert NIK not in body


def test_the_api_searches_a_number_in_the_body(
    household_bandung: Household,
    household_bogor: Household,
    officer_jabar: User,
    client_for: Callable[..., Client],
) -> None:
    client = client_for(officer_jabar)
    found = client.post(
        "/api/v1/registry/households/search", {"number": KK}, content_type="application/json"
    )
    assert found.status_code == 200
    assert [h["id"] for h in found.json()] == [household_bandung.pk]
    people = client.post(
        "/api/v1/registry/persons/search", {"number": NIK}, content_type="application/json"
    ).json()
    assert [p["name"] for p in people] == ["Asep Sunandar"]
    for path in ("/api/v1/registry/households", "/api/v1/registry/persons"):
        refused = client.get(path, {"q": NIK}, HTTP_ACCEPT_LANGUAGE="en")
        assert refused.status_code == 400 and refused.json()["field"] == "q"
        assert "/search" in refused.json()["detail"] and NIK not in refused.json()["detail"]
        assert client.get(path, {"q": "Asep"}).status_code == 200  # names stay in the query
    short = client.post(
        "/api/v1/registry/persons/search", {"number": "3273"}, content_type="application/json"
    )
    assert short.status_code == 400 and short.json()["field"] == "number"


def test_partners_get_nothing_from_the_search(
    household_bandung: Household, partners: list[User], client_for: Callable[..., Client]
) -> None:
    for partner in partners:
        client = client_for(partner)
        assert client.post("/registri/", {"q": NIK}).status_code == 403
        for path in ("/api/v1/registry/households/search", "/api/v1/registry/persons/search"):
            response = client.post(path, {"number": NIK}, content_type="application/json")
            assert response.status_code == 403
