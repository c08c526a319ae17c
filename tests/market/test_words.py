"""Market pages and trail in words (issue 13): categories by their name in the reader's
language, audit rows with choice labels and dates in the reader's format, and a refused form
answered 400 like every other module's (a page itself stays 200)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import translation

from sinergi.core.models import AuditEvent
from sinergi.market import events, services
from tests.market.test_pages import _order, world  # noqa: F401  (world is a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_kept() -> Iterator[None]:
    """A page asked in English leaves English active in this thread (LocaleMiddleware does
    not switch back); later tests expect the default language again."""
    with translation.override(translation.get_language()):
        yield


def _buyer(world, client_for, language: str) -> Client:  # noqa: F811
    client = client_for(world["buyer"])
    client.cookies["sinergi_language"] = language
    return client


def test_the_demand_form_lists_categories_in_the_readers_language(world, client_for) -> None:  # noqa: F811
    english = _buyer(world, client_for, "en").get("/pasar/permintaan/")
    assert english.status_code == 200
    assert '<option value="makanan_ringan">Snacks (chips, crackers)</option>' in (
        english.content.decode()
    )
    indonesian = _buyer(world, client_for, "id").get("/pasar/permintaan/").content.decode()
    assert '<option value="makanan_ringan">Makanan ringan (kripik, kerupuk)</option>' in indonesian


def test_the_api_names_a_products_category_in_the_readers_language(world, client_for) -> None:  # noqa: F811
    client = _buyer(world, client_for, "en")
    items = client.get("/api/v1/market/catalogue", HTTP_ACCEPT_LANGUAGE="en").json()["items"]
    assert {p["category_label"] for p in items} == {"Snacks (chips, crackers)"}


def test_a_refused_demand_form_answers_400_with_what_was_typed(world, client_for) -> None:  # noqa: F811
    client = _buyer(world, client_for, "en")
    late = (date.today() + timedelta(days=30)).isoformat()
    refused = client.post(
        "/pasar/permintaan/",
        {"category": "makanan_ringan", "quantity": "", "unit": "kg", "regency": "32.73",
         "latest_date": late, "max_price": "25.000", "min_lot": "20", "note": "untuk hajatan"},
    )  # fmt: skip
    assert refused.status_code == 400
    assert "untuk hajatan" in refused.content.decode()


def test_market_audit_rows_show_choice_labels_and_readable_dates(world) -> None:  # noqa: F811
    order = _order(world, accept=False)
    order.refresh_from_db()
    split = AuditEvent.objects.get(event_type=events.ORDER_PROPOSED.code)
    assert (split.object_id, split.changes) == (str(order.pk), {})
    # The demand's status changed: recorded on the demand, not on the order.
    proposed = AuditEvent.objects.get(event_type=events.DEMAND_ORDERED.code)
    assert (proposed.object_type, proposed.object_id) == ("market.demand", str(order.demand_id))
    sent = AuditEvent.objects.get(event_type=events.ORDER_SENT.code, object_id=str(order.pk))
    with translation.override("en"):
        assert proposed.change_rows == [("Status", "Open", "Ordered")]
        (label, old, new), *_ = sent.change_rows
        assert (label, old) == ("Sent to the groups", "—")
    assert not re.search(r"\d{4}-\d\d-\d\dT", new) and "+00:00" not in new
    assert str(order.sent_at.year) in new
    with translation.override("id"):
        assert proposed.change_rows == [("Status", "Terbuka", "Dipesan")]


def test_an_orders_parts_stack_as_cards_on_a_phone(world, client_for) -> None:  # noqa: F811
    order = _order(world)
    services.order_step(actor=world["buyer"], order_id=order.pk, to="confirmed")
    client = client_for(world["bandung"]["user"])
    client.cookies["sinergi_language"] = "en"
    html = client.get(f"/pasar/pesanan/{order.pk}/").content.decode()
    table = html[html.index('<table class="striped stack">') :]
    row = table[table.index("<tbody>") : table.index("</tbody>")]
    # Each cell is named for the card; the step buttons sit in the actions cell.
    assert 'data-label="Quantity"' in row and 'data-label="Price"' in row
    actions = row[row.index('<td class="actions" data-label="Status">') :]
    assert 'value="in_production"' in actions and "Start production" in actions
    sheet = Path(str(finders.find("core/sinergi.css"))).read_text(encoding="utf-8")
    phone = sheet[sheet.index("table.stack") - 200 :]
    assert "@media (max-width: 600px)" in phone and "table.stack td[data-label]::before" in phone
