"""The account pages' forms: the token form is sent once and names its field; the language
switch refuses an unknown language with a message."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from sinergi.accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db


def test_a_double_clicked_token_form_creates_one_token(
    client_for: Callable[..., Client], officer_bandung: User
) -> None:
    client = client_for(officer_bandung)
    page = client.get("/akun/profil/").content.decode()
    token = re.search(r'name="submit_token" value="([^"]+)"', page)
    assert token is not None
    data = {"name": "laptop kantor", "submit_token": token.group(1)}
    first, second = (
        client.post("/akun/profil/token/", data),
        client.post("/akun/profil/token/", data),
    )
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert ApiToken.objects.filter(user=officer_bandung).count() == 1


def test_a_token_name_too_long_is_named_and_kept(
    client_for: Callable[..., Client], officer_bandung: User
) -> None:
    long_name = "laptop " * 20
    refused = client_for(officer_bandung).post("/akun/profil/token/", {"name": long_name})
    page = refused.content.decode()
    assert refused.status_code == 400
    assert 'id="id_name-err"' in page and long_name.strip() in page
    assert not ApiToken.objects.filter(user=officer_bandung).exists()


def test_an_unknown_language_is_refused_with_a_message(
    client_for: Callable[..., Client], officer_bandung: User
) -> None:
    client = client_for(officer_bandung)
    response = client.post("/bahasa/", {"language": "xx", "next": "/akun/profil/"})
    assert response.status_code == 302 and response["Location"] == "/akun/profil/"
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said and "xx" in said[0]
    away = client.post("/bahasa/", {"language": "xx", "next": "https://example.com/"})
    assert away["Location"] == "/"
    assert client.post("/bahasa/", {"language": "en", "next": "/"}).cookies["sinergi_language"]
