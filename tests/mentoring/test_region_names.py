"""Regions by name on the mentoring pages: the matching run names its districts and area, and
the group list's region filter takes a name as well as a code (issue 13, "Words, not codes")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.models import User
from sinergi.mentoring import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_client(coordinator: User, client_for: Callable[..., Client]) -> Client:
    client = client_for(coordinator)
    client.cookies["sinergi_language"] = "en"
    return client


def test_the_run_page_names_districts_and_area_with_the_code_beside(
    group_in: Callable[..., Any],
    make_mentor: Callable[..., Any],
    coordinator: User,
    coordinator_client: Client,
) -> None:
    group_in("32.73.01.1001", "makanan_minuman", "KUBE Bandung Makanan")
    make_mentor("Rina", "32.73", ["makanan_minuman"], capacity=1)
    run = services.match_run(actor=coordinator)
    page = coordinator_client.get(f"/pendampingan/pencocokan/{run.pk}/").content.decode()
    assert "Sukasari<br><small" in page  # the district's name, its code as small print
    assert '<code class="region-code">32.73.01</code>' in page
    assert "area Jawa Barat" in page


def test_the_group_list_filters_by_a_region_name(
    group_in: Callable[..., Any], coordinator_client: Client
) -> None:
    group_in("32.73.01.1001", name="KUBE Bandung Makanan")
    group_in("32.01.01.1001", name="KUBE Bogor Makanan")
    page = coordinator_client.get("/pendampingan/", {"wilayah": "kota bandung"}).content.decode()
    assert "KUBE Bandung Makanan" in page and "KUBE Bogor Makanan" not in page
    by_code = coordinator_client.get("/pendampingan/", {"wilayah": "32.01"}).content.decode()
    assert "KUBE Bogor Makanan" in by_code and "KUBE Bandung Makanan" not in by_code


def test_an_ambiguous_or_unknown_name_says_so_and_lists_nothing(
    group_in: Callable[..., Any], coordinator_client: Client
) -> None:
    group_in("32.73.01.1001", name="KUBE Bandung Makanan")
    page = coordinator_client.get("/pendampingan/", {"wilayah": "Sukasari"}).content.decode()
    assert "Several regions match" in page and "Sukasari (32.73.01)" in page
    assert "KUBE Bandung Makanan" not in page
    page = coordinator_client.get("/pendampingan/", {"wilayah": "Atlantis"}).content.decode()
    assert "No region in your area is called “Atlantis”" in page
    assert "KUBE Bandung Makanan" not in page
