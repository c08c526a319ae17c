"""Market end to end: products, demands split over groups, answers, order steps, sales."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core.errors import Forbidden, InvalidInput
from sinergi.kube.models import Kube
from sinergi.market import services
from sinergi.market.models import Demand, Order, OrderPart, Product, Sale
from tests.mentoring.conftest import make_active_group

pytestmark = pytest.mark.django_db
SOON = date.today() + timedelta(days=14)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def groups(officer_bandung: User, officer_bogor: User, make_user) -> dict:
    """Two groups with a kripik product each, and their officers' accounts."""
    out = {}
    for key, officer, village, price, stock in [
        ("bandung", officer_bandung, "32.73.01.1001", 20_000, 60),
        ("bogor", officer_bogor, "32.01.01.1001", 18_000, 50),
    ]:
        kube = make_active_group(officer, village, name=f"KUBE {key}")
        user = make_user(Role.KUBE_OFFICER, village[:5])
        user.kube = kube
        user.save(update_fields=["kube"])
        user = User.objects.get(pk=user.pk)
        product = services.product_save(
            actor=user,
            data=services.ProductData(kube.pk, "makanan_ringan", "Kripik", "kg", price, stock),
        )
        out[key] = {"kube": kube, "user": user, "product": product}
    return out


@pytest.fixture
def buyer(make_user) -> User:
    return make_user(Role.BUYER, None, first_name="Pembeli")


def _demand(buyer: User, quantity: int = 100, lot: int = 20, regency: str = "32.73") -> Demand:
    return services.demand_create(
        actor=buyer,
        data=services.DemandData("makanan_ringan", quantity, "kg", regency, SOON, 25_000, lot),
    )


def test_products_are_checked(groups, make_user) -> None:
    user = groups["bandung"]["user"]
    kube = groups["bandung"]["kube"]
    base = {"kube_id": kube.pk, "category": "makanan_ringan", "name": "Sambal", "unit": "botol",
            "price": 15_000, "available": 5}  # fmt: skip
    for changes, message in [
        ({"kube_id": groups["bogor"]["kube"].pk}, "active group you work with"),
        ({"category": "emas"}, "category"),
        ({"name": " "}, "name"),
        ({"price": 0}, "above zero"),
        ({"available": -1}, "negative"),
        ({"name": "Kripik"}, "already lists"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            services.product_save(actor=user, data=services.ProductData(**{**base, **changes}))
    buyer = make_user(Role.BUYER, None)
    with pytest.raises(Forbidden, match="does not allow"):
        services.product_save(actor=buyer, data=services.ProductData(**base))
    assert Product.objects.count() == 2


def test_demands_are_checked(buyer: User) -> None:
    for kwargs, message in [
        ({"quantity": 0}, "above zero"),
        ({"quantity": 10, "lot": 20}, "cannot exceed"),
        ({"regency": "32.73.01"}, "regency code"),
        ({"regency": "32.99"}, "regency code"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            _demand(buyer, **kwargs)
    with pytest.raises(InvalidInput, match="passed"):
        services.demand_create(
            actor=buyer,
            data=services.DemandData("makanan_ringan", 5, "kg", "32.73", date(2020, 1, 1), 1, 1),
        )
    assert not Demand.objects.exists()


def test_a_large_order_is_split_cheapest_first(groups, buyer: User) -> None:
    demand = _demand(buyer, 100)
    order = services.demand_allocate(actor=buyer, demand_id=demand.pk)
    parts = {p.kube.name: (p.quantity, p.price, p.transport) for p in order.parts.all()}
    # Bandung: 20,000 + 0; Bogor: 18,000 + 300 (same province): Bogor first, all of its 50.
    assert parts == {"KUBE bogor": (50, 18_000, 300), "KUBE bandung": (50, 20_000, 0)}
    demand.refresh_from_db()
    assert demand.status == "ordered"
    with pytest.raises(InvalidInput, match="already has an order"):
        services.demand_allocate(actor=buyer, demand_id=demand.pk)


def test_fair_split_follows_stock(groups, buyer: User) -> None:
    order = services.demand_allocate(actor=buyer, demand_id=_demand(buyer, 55, 5).pk,
                                     strategy="fair")  # fmt: skip
    parts = {p.kube.name: p.quantity for p in order.parts.all()}
    # Shares of 55 by stock 60:50 are 30 and 25.
    assert parts == {"KUBE bandung": 30, "KUBE bogor": 25}


def test_nobody_can_supply_leaves_nothing(groups, buyer: User) -> None:
    demand = _demand(buyer, 100, 80)  # a lot of 80: no group has that much
    with pytest.raises(InvalidInput, match=r"minimum lot of 80 kg .* the most one group has is 60"):
        services.demand_allocate(actor=buyer, demand_id=demand.pk)
    assert not Order.objects.exists()
    demand.refresh_from_db()
    assert demand.status == "open"


def test_answers_reallocation_steps_and_sales(groups, buyer: User) -> None:
    bandung, bogor = groups["bandung"], groups["bogor"]
    demand = _demand(buyer, 100)
    order = services.demand_allocate(actor=buyer, demand_id=demand.pk)
    part_bogor = order.parts.get(kube=bogor["kube"])
    part_bandung = order.parts.get(kube=bandung["kube"])
    with pytest.raises(InvalidInput, match="not sent this order yet"):
        services.part_respond(actor=bandung["user"], part_id=part_bandung.pk, accept=True)
    services.order_send(actor=buyer, order_id=order.pk)
    with pytest.raises(InvalidInput, match="already been sent"):
        services.order_send(actor=buyer, order_id=order.pk)
    with pytest.raises(InvalidInput, match="Every group must answer"):
        services.order_step(actor=buyer, order_id=order.pk, to="confirmed")
    # Bandung's officer cannot answer for Bogor.
    from django.http import Http404

    with pytest.raises(Http404):
        services.part_respond(actor=bandung["user"], part_id=part_bogor.pk, accept=True)
    services.part_respond(actor=bandung["user"], part_id=part_bandung.pk, accept=True)
    assert Product.objects.get(pk=bandung["product"].pk).available == 10
    with pytest.raises(InvalidInput, match="Say why"):
        services.part_respond(actor=bogor["user"], part_id=part_bogor.pk, accept=False)
    services.part_respond(
        actor=bogor["user"], part_id=part_bogor.pk, accept=False, reason="Bahan habis"
    )
    # The 50 Bogor declined go to the others: only Bandung, with 10 left, under the lot of 20.
    with pytest.raises(InvalidInput, match=r"minimum lot of 20 kg .* the most one group has is 10"):
        services.order_reallocate(actor=buyer, order_id=order.pk)
    with pytest.raises(Forbidden, match="other party"):
        services.order_step(actor=bandung["user"], order_id=order.pk, to="confirmed")
    services.order_step(actor=buyer, order_id=order.pk, to="confirmed")
    with pytest.raises(InvalidInput, match="cannot go to"):
        services.order_step(actor=buyer, order_id=order.pk, to="delivered")
    with pytest.raises(Forbidden, match="other party"):
        services.order_step(actor=buyer, order_id=order.pk, to="in_production")
    with pytest.raises(Forbidden, match="does not allow"):  # Bogor declined: not a supplier
        services.order_step(actor=bogor["user"], order_id=order.pk, to="in_production")
    services.order_step(actor=bandung["user"], order_id=order.pk, to="in_production")
    services.order_step(actor=bandung["user"], order_id=order.pk, to="shipped")
    with pytest.raises(InvalidInput, match="once it has arrived"):
        services.order_rate(actor=buyer, order_id=order.pk, rating=5)
    services.order_step(actor=buyer, order_id=order.pk, to="delivered")
    services.order_rate(actor=buyer, order_id=order.pk, rating=4, note="Rapi")
    services.order_step(actor=buyer, order_id=order.pk, to="paid")
    sale = Sale.objects.get()
    assert (sale.kube, sale.quantity, sale.price, sale.buyer_type) == (
        bandung["kube"],
        50,
        20_000,
        "platform",
    )


def test_cancelling_gives_the_stock_back(groups, buyer: User) -> None:
    bandung = groups["bandung"]
    order = services.demand_allocate(actor=buyer, demand_id=_demand(buyer, 30).pk)
    services.order_send(actor=buyer, order_id=order.pk)
    part = order.parts.get()
    services.part_respond(actor=bandung["user"] if part.kube == bandung["kube"]
                          else groups["bogor"]["user"], part_id=part.pk, accept=True)  # fmt: skip
    product = Product.objects.get(pk=part.product_id)
    before = product.available
    with pytest.raises(InvalidInput, match="Say why"):
        services.order_step(actor=buyer, order_id=order.pk, to="cancelled")
    services.order_step(actor=buyer, order_id=order.pk, to="cancelled", reason="Acara batal")
    product.refresh_from_db()
    assert product.available == before + 30
    assert Demand.objects.get().status == "cancelled"


def test_outside_sales(groups, facilitator_bandung: User) -> None:
    kube = groups["bandung"]["kube"]
    user = groups["bandung"]["user"]
    for changes, message in [
        ({"buyer_type": "platform"}, "Sinergi orders"),
        ({"quantity": 0}, "above zero"),
        ({"day": date(2099, 1, 1)}, "future"),
        ({"kube_id": groups["bogor"]["kube"].pk}, "group you work with"),
    ]:
        data = {"kube_id": kube.pk, "description": "Kripik", "quantity": 5, "price": 20_000,
                "buyer_type": "market_stall", "day": timezone.localdate(), **changes}  # fmt: skip
        with pytest.raises(InvalidInput, match=message):
            services.sale_record(actor=user, **data)
    services.sale_record(actor=facilitator_bandung, kube_id=kube.pk, description="Kripik",
                         quantity=5, price=20_000, buyer_type="local_shop",
                         day=timezone.localdate())  # fmt: skip
    assert Sale.objects.get().amount == 100_000


def test_pages_public_and_scoped(
    groups, buyer: User, client_for: Callable[..., Client], make_user
) -> None:
    anonymous = client_for(None)
    page = anonymous.get("/pasar/").content.decode()
    assert "KUBE bandung" in page and "Kripik" in page and "Rp20.000" in page
    assert not re.search(r"\b\d{16}\b|\d{4}•+\d{4}", page)
    detail = anonymous.get(f"/pasar/produk/{groups['bandung']['product'].pk}/")
    assert detail.status_code == 200
    Product.objects.filter(pk=groups["bogor"]["product"].pk).update(available=0)
    assert "KUBE bogor" not in anonymous.get("/pasar/").content.decode()
    assert anonymous.get(f"/pasar/produk/{groups['bogor']['product'].pk}/").status_code == 404
    for path in ("/pasar/produk-kelompok/", "/pasar/permintaan/", "/pasar/penjualan/"):
        assert anonymous.get(path).status_code == 302
    # A buyer posts a demand in Indonesian and sees only her own demands.
    client = client_for(buyer)
    bad = client.post("/pasar/permintaan/", {"category": "makanan_ringan", "quantity": "10",
                      "regency": "32.73", "max_price": "25000", "min_lot": "20",
                      "latest_date": SOON.isoformat()})  # fmt: skip
    assert "Lot minimum per kelompok tidak boleh melebihi jumlah." in bad.content.decode()
    made = client.post("/pasar/permintaan/", {"category": "makanan_ringan", "quantity": "60",
                       "regency": "32.73", "max_price": "25.000", "min_lot": "20",
                       "latest_date": SOON.isoformat()})  # fmt: skip
    assert made.status_code == 302
    other = make_user(Role.BUYER, None)
    assert client_for(other).get(made["Location"]).status_code == 404
    split = client.post(made["Location"], {"strategy": "cheapest"})
    assert split.status_code == 302
    order_page = client.get(split["Location"]).content.decode()
    assert "KUBE bogor" not in order_page  # out of stock now
    assert "KUBE bandung" in order_page
    officer_page = client_for(groups["bandung"]["user"]).get(split["Location"]).content.decode()
    assert "Terima" not in officer_page  # not sent yet
    sent = client.post(f"{split['Location']}kirim/", follow=True)
    assert "Terkirim ke kelompok." in sent.content.decode()
    officer_page = client_for(groups["bandung"]["user"]).get(split["Location"]).content.decode()
    assert "Terima" in officer_page
    part = OrderPart.objects.get()
    answered = client_for(groups["bandung"]["user"]).post(
        f"{split['Location']}bagian/{part.pk}/jawab/", {"answer": "accept"}, follow=True
    )
    assert "Jawaban tercatat." in answered.content.decode()
    assert Kube.objects.count() == 2


def test_api_from_catalogue_to_payment(groups, buyer: User, client_for: Callable[..., Client]):
    catalogue = client_for(None).get("/api/v1/market/catalogue?category=makanan_ringan").json()
    assert {p["kube_name"] for p in catalogue["items"]} == {"KUBE bandung", "KUBE bogor"}
    api = client_for(buyer)
    bad = api.post("/api/v1/market/demands", {"category": "makanan_ringan", "quantity": 10,
                   "regency": "32.73", "latest_date": SOON.isoformat(), "max_price": 25000,
                   "min_lot": 11}, content_type="application/json",
                   HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert bad.status_code == 400 and bad.json()["field"] == "min_lot"
    made = api.post("/api/v1/market/demands", {"category": "makanan_ringan", "quantity": 40,
                    "regency": "32.73", "latest_date": SOON.isoformat(), "max_price": 25000,
                    "min_lot": 10}, content_type="application/json")  # fmt: skip
    assert made.status_code == 201
    order = api.post(f"/api/v1/market/demands/{made.json()['id']}/orders", {"strategy": "fair"},
                     content_type="application/json").json()  # fmt: skip
    assert sum(p["quantity"] for p in order["parts"]) == 40 and not order["sent"]
    sent = api.post(f"/api/v1/market/orders/{order['id']}/send")
    assert sent.status_code == 200 and sent.json()["sent"]
    for part in order["parts"]:
        officer = groups["bandung" if part["kube_name"] == "KUBE bandung" else "bogor"]["user"]
        answer = client_for(officer).post(
            f"/api/v1/market/parts/{part['id']}/answer",
            {"accept": True},
            content_type="application/json",
        )
        assert answer.status_code == 200
    out_of_turn = api.post(
        f"/api/v1/market/orders/{order['id']}/step",
        {"to": "paid"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert out_of_turn.status_code == 400
    assert out_of_turn.json()["detail"] == "An order that is Proposed cannot go to Paid."
    step = api.post(f"/api/v1/market/orders/{order['id']}/step", {"to": "confirmed"},
                    content_type="application/json")  # fmt: skip
    assert step.json()["status"] == "confirmed"


def test_buyer_adjusts_parts_before_the_answer(groups, buyer: User, make_user) -> None:
    order = services.demand_allocate(actor=buyer, demand_id=_demand(buyer, 100).pk)
    bandung = order.parts.get(kube=groups["bandung"]["kube"])
    bogor = order.parts.get(kube=groups["bogor"]["kube"])
    for quantity, message in [(10, "at least the lot"), (61, "at most the stock")]:
        with pytest.raises(InvalidInput, match=message):
            services.part_adjust(actor=buyer, part_id=bandung.pk, quantity=quantity)
    with pytest.raises(InvalidInput, match="exceed the demand by 10"):
        services.part_adjust(actor=buyer, part_id=bandung.pk, quantity=60)
    services.part_adjust(actor=buyer, part_id=bogor.pk, quantity=40)
    assert order.parts.get(pk=bogor.pk).quantity == 40
    services.part_adjust(actor=buyer, part_id=bandung.pk, quantity=0)
    bandung.refresh_from_db()
    assert bandung.status == "withdrawn"
    with pytest.raises(Forbidden, match="does not allow"):
        services.part_adjust(actor=groups["bogor"]["user"], part_id=bogor.pk, quantity=45)
    services.order_send(actor=buyer, order_id=order.pk)
    services.part_respond(actor=groups["bogor"]["user"], part_id=bogor.pk, accept=True)
    with pytest.raises(InvalidInput, match="already been answered"):
        services.part_adjust(actor=buyer, part_id=bogor.pk, quantity=45)


def test_sales_reach_the_facilitators_month(groups, facilitator_bandung: User) -> None:
    from sinergi.mentoring.services import month_facts

    kube = groups["bandung"]["kube"]
    today = timezone.localdate()
    services.sale_record(actor=groups["bandung"]["user"], kube_id=kube.pk, description="Kripik",
                         quantity=3, price=20_000, buyer_type="consumer", day=today)  # fmt: skip
    assert month_facts(kube, today.replace(day=1))["sales"] == 60_000


def test_weekly_availability(groups, client_for: Callable[..., Client]) -> None:
    user, product = groups["bandung"]["user"], groups["bandung"]["product"]
    weeks = services.coming_weeks(date(2026, 11, 28))
    assert weeks[0] == date(2026, 11, 23) and weeks[1] == date(2026, 11, 30)
    monday = services.coming_weeks(timezone.localdate())
    with pytest.raises(InvalidInput, match="Monday"):
        services.availability_set(actor=user, product_id=product.pk,
                                  weeks={monday[1] + timedelta(days=1): 5})  # fmt: skip
    services.availability_set(actor=user, product_id=product.pk,
                              weeks={monday[1]: 40, monday[2]: 25})  # fmt: skip
    page = client_for(None).get(f"/pasar/produk/{product.pk}/").content.decode()
    assert f"{monday[1]:%Y-%m-%d}: 40 kg" in page and f"{monday[2]:%Y-%m-%d}: 25 kg" in page
    services.availability_set(actor=user, product_id=product.pk, weeks={monday[1]: 0})
    assert list(product.weeks.values_list("quantity", flat=True)) == [25]
