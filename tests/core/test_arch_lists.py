"""The last two API lists returned whole are paged, sorted and filtered like every list."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from sinergi.accounts.models import User
from tests.factories import BusinessTypeFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_business_types_are_paged_and_sorted(
    officer_bandung: User, client_for: Callable[..., Client]
) -> None:
    for code, name in (("zz_a", "Zebra"), ("aa_b", "Apel"), ("mm_c", "Mangga")):
        BusinessTypeFactory.create(code=code, name=name)
    client = client_for(officer_bandung)
    whole = client.get("/api/v1/kube/business-types").json()
    assert whole["count"] == len(whole["items"]) >= 3
    first = client.get("/api/v1/kube/business-types", {"page_size": 2}).json()
    assert len(first["items"]) == 2 and first["count"] == whole["count"]
    names = [row["name"] for row in whole["items"]]
    assert names == sorted(names)  # by name unless told otherwise
    by_code = client.get("/api/v1/kube/business-types", {"ordering": "-code"}).json()["items"]
    assert [r["code"] for r in by_code] == sorted((r["code"] for r in by_code), reverse=True)
    bad = client.get("/api/v1/kube/business-types", {"ordering": "price"})
    assert bad.status_code == 422


def test_partner_organisations_are_paged_filtered_and_sorted(
    admin_user: User, client_for: Callable[..., Client]
) -> None:
    OrganisationFactory.create(name="Bina Usaha", acronym="BU")
    OrganisationFactory.create(name="Amanah", acronym="AM", active=False)
    client = client_for(admin_user)
    listed = client.get("/api/v1/mentoring/organisations").json()
    names = [o["name"] for o in listed["items"]]
    assert {"Amanah", "Bina Usaha"} <= set(names) and names == sorted(names)
    assert listed["count"] == len(names)
    active = client.get("/api/v1/mentoring/organisations", {"active": "true"}).json()
    assert "Bina Usaha" in [o["name"] for o in active["items"]]
    assert "Amanah" not in [o["name"] for o in active["items"]]
    page = client.get("/api/v1/mentoring/organisations", {"page_size": 1, "page": 2}).json()
    assert [o["name"] for o in page["items"]] == names[1:2] and page["count"] == len(names)
    later = client.get(
        "/api/v1/mentoring/organisations", {"changed_since": "2999-01-01T00:00:00"}
    ).json()
    assert later == {"items": [], "count": 0}
