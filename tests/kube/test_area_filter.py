"""The KUBE list's region filter takes a region name as well as a code (issue 13)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.utils import translation

from sinergi.accounts.models import User
from sinergi.kube.services import kube_create
from tests.kube.test_services import _heads

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_kept() -> Iterator[None]:
    """A page asked in English leaves English active in this thread (LocaleMiddleware does
    not switch back); later tests expect the default language again."""
    with translation.override(translation.get_language()):
        yield


def _group(officer: User, district: str, name: str, start: int) -> None:
    heads = _heads(officer, 6, district=district, start=start)
    kube_create(
        actor=officer,
        name=name,
        business_type="kerajinan",
        village_code=f"{district}.1001",
        member_ids=[p.pk for p in heads],
        officers={"ketua": heads[0].pk, "sekretaris": heads[1].pk, "bendahara": heads[2].pk},
    )


@pytest.fixture
def client(officer_bandung: User, client_for: Callable[..., Client]) -> Client:
    _group(officer_bandung, "32.73.01", "KUBE Sukasari", 1)
    _group(officer_bandung, "32.73.02", "KUBE Coblong", 10)
    client = client_for(officer_bandung)
    client.cookies["sinergi_language"] = "en"
    return client


def test_a_name_filters_like_its_code(client: Client) -> None:
    for typed in ("coblong", "32.73.02", "327302"):
        page = client.get("/kube/", {"wilayah": typed}).content.decode()
        assert "KUBE Coblong" in page and "KUBE Sukasari" not in page, typed
        assert f'value="{typed}"' in page  # kept in the box as typed


def test_an_ambiguous_name_lists_the_matches_and_an_unknown_one_says_so(client: Client) -> None:
    # "Babakan Ciparay" is a district and one of its villages: the two are offered by code.
    page = client.get("/kube/", {"wilayah": "Babakan Ciparay"}).content.decode()
    assert "Several regions match" in page
    assert "Babakan Ciparay (32.73.03)" in page and "Babakan Ciparay (32.73.03.1001)" in page
    assert "KUBE Coblong" not in page and "KUBE Sukasari" not in page
    page = client.get("/kube/", {"wilayah": "Atlantis"}).content.decode()
    assert "No region in your area is called “Atlantis”" in page
    assert "KUBE Coblong" not in page
