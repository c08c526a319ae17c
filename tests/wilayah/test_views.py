"""Browsing and searching regions in the web UI, in both languages, with bad input."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from sinergi.accounts.models import User

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_sign_in(client_for: Callable[..., Client]) -> None:
    response = client_for(None).get("/wilayah/")
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/")


def test_a_user_without_a_role_is_refused(
    client_for: Callable[..., Client], make_user: Callable[..., User]
) -> None:
    response = client_for(make_user("", None)).get("/wilayah/")
    assert response.status_code == 403
    assert "Akses ditolak" in response.content.decode()


def test_provinces_are_listed_with_the_decree(
    client_for: Callable[..., Client], facilitator_bandung: User
) -> None:
    body = client_for(facilitator_bandung).get("/wilayah/").content.decode()
    assert "Jawa Barat" in body and "Papua Barat Daya" in body
    assert "Kepmendagri 300.2.2-2138/2025" in body and "ODbL" in body


@pytest.mark.parametrize(
    ("query", "expect", "absent"),
    [
        ("bandung", "Kota Bandung", "Kabupaten Bogor"),
        ("kota bandung", "Kota Bandung", "Kabupaten Bandung Barat"),
        ("32.73", "Kota Bandung", "Kabupaten Bogor"),
        ("3273011001", "Sukarasa", "Kabupaten Bogor"),
        ("32.73.01.1001", "Sukarasa", "Sukasari</a>"),
    ],
)
def test_search_by_name_or_code(
    client_for: Callable[..., Client],
    facilitator_bandung: User,
    query: str,
    expect: str,
    absent: str,
) -> None:
    body = client_for(facilitator_bandung).get("/wilayah/", {"q": query}).content.decode()
    assert expect in body
    assert absent not in body


def test_htmx_search_returns_only_the_results(
    client_for: Callable[..., Client], facilitator_bandung: User
) -> None:
    response = client_for(facilitator_bandung).get(
        "/wilayah/", {"q": "sukarasa"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert 'id="results"' in body and "Sukarasa" in body
    assert "<html" not in body


def test_detail_shows_path_children_and_redirects_plain_codes(
    client_for: Callable[..., Client], officer_bandung: User
) -> None:
    client = client_for(officer_bandung)
    redirect = client.get("/wilayah/3273/")
    assert redirect.status_code == 301 and redirect["Location"] == "/wilayah/32.73/"
    body = client.get("/wilayah/32.73/").content.decode()
    assert "Kota Bandung" in body and "Jawa Barat" in body
    assert "30 wilayah bawahan" in body and "Sukasari" in body
    assert "di wilayah Anda" in body
    other = client.get("/wilayah/32.01/").content.decode()
    assert "Kabupaten Bogor" in other and "di wilayah Anda" not in other


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("99.99", "Tidak ada wilayah dengan kode 99.99"),
        ("abc", "bukan kode wilayah"),
        ("327", "Jumlah angka"),
    ],
)
def test_bad_codes_get_a_clear_page_not_a_trace(
    client_for: Callable[..., Client], officer_bandung: User, code: str, message: str
) -> None:
    response = client_for(officer_bandung).get(f"/wilayah/{code}/")
    assert response.status_code == 404
    body = response.content.decode()
    assert message in body and "Traceback" not in body
    assert "Nomor rujukan" in body


def test_the_same_page_in_english(client_for: Callable[..., Client], officer_bandung: User) -> None:
    client = client_for(officer_bandung)
    client.post("/bahasa/", {"language": "en", "next": "/wilayah/99.99/"})
    body = client.get("/wilayah/99.99/").content.decode()
    assert "There is no region with code 99.99 in the official list." in body
    assert '<html lang="en"' in body
