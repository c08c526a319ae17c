"""The catalogue's pages read each category's first rows (``core.pagination.GroupedFirst``):
page by page they must hold exactly what the ORM's own sort gives — category name, price, id —
with every filter the catalogue takes, on PostgreSQL (``LATERAL``) and on SQLite (sliced)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sinergi.core.pagination import GroupedFirst
from sinergi.kube.models import Status
from sinergi.market import selectors
from sinergi.market.models import Category, Permit, PermitKind
from tests.factories import KubeFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf() -> None:
    """44 products in four categories (names not in code order), prices with ties; some not
    listed (inactive, none in stock, their group not active), some with a halal permit."""
    rng = random.Random(7)
    categories = [
        Category.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in [("z_bumbu", "Bumbu"), ("a_tenun", "Tenun"), ("m_kue", "Kue")]
    ]
    categories.append(
        Category.objects.get_or_create(code="b_anyam", defaults={"name": "Anyaman"})[0]
    )
    groups = [KubeFactory.create(status=Status.ACTIVE) for _ in range(3)]
    groups.append(KubeFactory.create(status=Status.DISSOLVED, village_code="32.01.01.1001"))
    for n in range(44):
        product = ProductFactory.create(
            kube=rng.choice(groups),
            category=rng.choice(categories),
            price=rng.choice([5_000, 12_000, 12_000, 30_000, 75_000]),
            available=rng.choice([0, 3, 10]),
            active=rng.random() > 0.15,
            name=f"Produk {n}",
        )
        if rng.random() < 0.4:
            Permit.objects.create(
                product=product,
                kind=PermitKind.HALAL,
                number=f"H-{n}",
                expires_on=date.today() + timedelta(days=rng.choice([-5, 30])),
            )


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"category": "m_kue"},
        {"max_price": 12_000},
        {"permit": "halal"},
        {"areas": ["32.73"]},
        {"areas": ["11"]},
    ],
    ids=["all", "category", "price", "permit", "area", "empty-area"],
)
def test_each_page_holds_what_the_full_sort_gives(shelf: None, filters: dict) -> None:
    expected = [p.pk for p in selectors.catalogue(**filters)]
    listed = GroupedFirst(
        selectors.catalogue(**filters), group="category", group_order="name", within=("price",)
    )
    assert listed.count() == len(expected)
    for size in (1, 5, 7):
        pages = [
            [p.pk for p in listed[start : start + size]]
            for start in range(0, len(expected) + size, size)
        ]
        assert [pk for page in pages for pk in page] == expected, size


def test_a_page_is_a_fixed_number_of_statements(shelf: None) -> None:
    listed = GroupedFirst(
        selectors.catalogue(), group="category", group_order="name", within=("price",)
    )
    with CaptureQueriesContext(connection) as queries:
        rows = listed[5:10]
        for product in rows:
            assert product.category.name and product.kube.village.name
    # The keys, the rows (groups and places joined), then permits and weeks prefetched.
    assert len(queries) == (4 if connection.vendor == "postgresql" else 3)
    assert len(rows) == 5
