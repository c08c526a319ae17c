"""The catalogue's pages read each category's first rows (``core.pagination.GroupedFirst``):
page by page they must hold exactly what the ORM's own sort gives — category name, price, id —
with every filter the catalogue takes, on PostgreSQL (``LATERAL``) and on SQLite (sliced)."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from sinergi.core.pagination import GroupedFirst
from sinergi.kube.models import Status
from sinergi.market import selectors
from sinergi.market.models import Category, Permit, PermitKind, Product
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
    # The keys, the rows (groups and places joined), then the permits (the weeks' readiness is
    # shown on a product's own page only).
    assert len(queries) == (3 if connection.vendor == "postgresql" else 2)
    assert all(isinstance(p.permit_list, list) for p in rows)
    assert len(rows) == 5


# The cards of market/catalogue.html, with market/_permits.html inlined (its closing newline
# kept), before {% product_cards %} replaced them: the oracle.
CARDS_TEMPLATE = """{% load i18n fast_lists humanize %}{% for p in page %}
  <article>
    {% if p.photo %}<img src="{% row_url 'market:product_photo' p.pk %}" alt="{{ p.name }}" loading="lazy" width="320">{% endif %}
    <h3><a href="{% row_url 'market:product_detail' p.pk %}">{{ p.name }}</a></h3>
    <p><strong>Rp{{ p.price|intcomma }}</strong> / {{ p.unit }} · {% translate "ready" %} {{ p.available|intcomma }} · {% translate "min." %} {{ p.min_order|intcomma }}</p>
    <p><small class="muted">{{ p.category.label }} · {{ p.kube.name }} · {{ p.regency.name|default:p.kube.village.name }}</small></p>
    {% for permit in p.permit_list %}{% if permit.expired %}<span class="badge retired">{% blocktranslate with kind=permit.get_kind_display %}{{ kind }}: expired{% endblocktranslate %}</span>{% else %}<span class="badge">{{ permit.get_kind_display }}</span>{% endif %} {% endfor %}

  </article>
{% empty %}
  <p>{% translate "No products match." %}</p>
{% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["id", "en"])
def test_cards_are_the_templates(shelf: None, language: str) -> None:
    """{% product_cards %} writes what the template wrote: names escaped, prices grouped,
    expired permits said to be expired, a photo where there is one."""
    first = selectors.catalogue().first()
    assert first is not None
    Product.objects.filter(pk=first.pk).update(
        name='Kue "Lapis" <b>&</b>', unit="<kg>", price=1_234_567, photo="products/x.png"
    )
    listed = GroupedFirst(
        selectors.catalogue(), group="category", group_order="name", within=("price",)
    )
    page = listed[0:24]
    for product in page:
        product.regency = selectors.regency_of(product)  # as the page sets it
    kinds = [p.expired for product in page for p in product.permit_list]
    assert True in kinds and False in kinds
    with translation.override(language):
        before = Template(CARDS_TEMPLATE).render(Context({"page": page}))
        after = Template("{% load market_rows %}{% product_cards page %}").render(
            Context({"page": page})
        )
        empty = [
            Template(t).render(Context({"page": []}))
            for t in (CARDS_TEMPLATE, "{% load market_rows %}{% product_cards page %}")
        ]
    assert after == before
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in after and "<img " in after
    assert empty[1] == empty[0]


def test_the_page_counts_up_to_its_cap_and_pages_on(
    shelf: None, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the cap the pager says "more than", and the next links still reach every product,
    in the catalogue's order."""
    from sinergi.market import views

    monkeypatch.setattr(views, "CATALOGUE_PAGE_SIZE", 4)
    monkeypatch.setattr(views, "CATALOGUE_COUNT_CAP", 5)
    expected = [f"/pasar/produk/{p.pk}/" for p in selectors.catalogue()]
    assert len(expected) > 8
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    seen: list[str] = []
    for number in range(1, 20):
        html = client.get(f"/pasar/?page={number}").content.decode()
        seen += re.findall(r'<h3><a href="(/pasar/produk/\d+/)">', html)
        assert "more than 5 rows" in html
        if "page=" + str(number + 1) not in html:
            break
    assert seen == expected


@pytest.mark.django_db
def test_a_wrong_price_is_named_below_the_filter_in_the_readers_language(client: Any) -> None:
    client.cookies["sinergi_language"] = "id"
    page = client.get("/pasar/", {"harga_maks": "-5"}).content.decode()
    error = re.search(
        r'<p class="field-error" id="id_harga_maks-err" role="alert">([^<]+)</p>', page
    )
    assert error is not None and error.group(1).startswith("Harga maksimum (Rp): ")
    # Below the filter, not a cell of its row; the typed value stays; the box says what it takes.
    assert page.index("</form>") < error.start()
    box = re.search(r'<input[^>]*name="harga_maks"[^>]*>', page)
    assert box is not None and 'value="-5"' in box.group(0)
    assert 'placeholder="Harga maksimum (Rp)"' in box.group(0)
