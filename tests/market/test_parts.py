"""Each group moves its own part of an order; the order's status follows its parts.

One order for Kota Bandung split between a Bandung and a Bogor group, both accepted and the
order confirmed. Re-allocation and the reasons why nothing could be offered are here too.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.utils import translation

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core.errors import Forbidden, InvalidInput
from sinergi.core.models import AuditEvent
from sinergi.market import services
from sinergi.market.models import Order, OrderPart, Permit, Product, Sale
from tests.mentoring.conftest import make_active_group

pytestmark = pytest.mark.django_db
SOON = date.today() + timedelta(days=14)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _group(officer: User, make_user, key: str, village: str, price: int, stock: int) -> dict:
    kube = make_active_group(officer, village, name=f"KUBE {key}")
    user = make_user(Role.KUBE_OFFICER, village[:5])
    user.kube = kube
    user.save(update_fields=["kube"])
    user = User.objects.get(pk=user.pk)
    product = services.product_save(
        actor=user,
        data=services.ProductData(kube.pk, "makanan_ringan", "Kripik", "kg", price, stock),
    )
    return {"kube": kube, "user": user, "product": product}


@pytest.fixture
def world(officer_bandung: User, officer_bogor: User, make_user) -> dict[str, Any]:
    bandung = _group(officer_bandung, make_user, "bandung", "32.73.01.1001", 20_000, 60)
    bogor = _group(officer_bogor, make_user, "bogor", "32.01.01.1001", 18_000, 50)
    buyer = make_user(Role.BUYER, None)
    demand = services.demand_create(
        actor=buyer,
        data=services.DemandData("makanan_ringan", 100, "kg", "32.73", SOON, 25_000, 20),
    )
    return {"bandung": bandung, "bogor": bogor, "buyer": buyer, "demand": demand,
            "officer_bandung": officer_bandung}  # fmt: skip


def _confirmed(world: dict[str, Any]) -> Order:
    buyer = world["buyer"]
    order = services.demand_allocate(actor=buyer, demand_id=world["demand"].pk)
    services.order_send(actor=buyer, order_id=order.pk)
    for key in ("bandung", "bogor"):
        part = order.parts.get(kube=world[key]["kube"])
        services.part_respond(actor=world[key]["user"], part_id=part.pk, accept=True)
    return services.order_step(actor=buyer, order_id=order.pk, to="confirmed")


def _status(order: Order) -> tuple[str, dict[str, str]]:
    order.refresh_from_db()
    return order.status, {p.kube.name: p.status for p in order.parts.select_related("kube")}


def test_each_group_moves_only_its_own_part(world) -> None:
    order = _confirmed(world)
    bandung, bogor, buyer = world["bandung"], world["bogor"], world["buyer"]
    part_bandung = order.parts.get(kube=bandung["kube"])
    part_bogor = order.parts.get(kube=bogor["kube"])
    # The order-wide step moves Bandung's part only: Bogor has not started.
    services.order_step(actor=bandung["user"], order_id=order.pk, to="in_production")
    assert _status(order) == (
        "confirmed",
        {"KUBE bandung": "in_production", "KUBE bogor": "accepted"},
    )
    services.part_step(actor=bandung["user"], part_id=part_bandung.pk, to="shipped")
    # Still "confirmed" (Bogor has not started), but Bandung's goods are on their way.
    with pytest.raises(InvalidInput, match="no longer be cancelled"):
        services.order_step(actor=buyer, order_id=order.pk, to="cancelled", reason="x")
    with pytest.raises(InvalidInput, match="A part that is Accepted cannot go to Shipped"):
        services.part_step(actor=bogor["user"], part_id=part_bogor.pk, to="shipped")
    services.part_step(actor=bogor["user"], part_id=part_bogor.pk, to="in_production")
    # The order follows its least advanced part.
    assert _status(order)[0] == "in_production"
    with pytest.raises(Forbidden, match="Only the group of this part"):
        services.part_step(actor=buyer, part_id=part_bogor.pk, to="shipped")
    with pytest.raises(Forbidden, match="Only the buyer"):
        services.part_step(actor=bandung["user"], part_id=part_bandung.pk, to="delivered")
    # The buyer receives what has arrived: Bandung's part; the order waits for Bogor's.
    services.order_step(actor=buyer, order_id=order.pk, to="delivered")
    assert _status(order) == (
        "in_production",
        {"KUBE bandung": "delivered", "KUBE bogor": "in_production"},
    )
    services.part_step(actor=buyer, part_id=part_bandung.pk, to="paid")
    assert Sale.objects.get().kube == bandung["kube"]
    services.part_step(actor=bogor["user"], part_id=part_bogor.pk, to="shipped")
    assert _status(order)[0] == "shipped"
    services.part_step(actor=buyer, part_id=part_bogor.pk, to="delivered")
    services.part_step(actor=buyer, part_id=part_bogor.pk, to="paid")
    assert _status(order)[0] == "paid"
    assert Sale.objects.count() == 2
    events = list(
        AuditEvent.objects.filter(event_type="market.part.shipped").values_list("data", flat=True)
    )
    assert {"status": ["in_production", "shipped"]} in [e["changes"] for e in events]
    reached = AuditEvent.objects.get(event_type="market.order.shipped")
    assert reached.data["changes"] == {"status": ["in_production", "shipped"]}


def test_cancelling_a_confirmed_order_cancels_the_parts_and_gives_stock_back(world) -> None:
    order = _confirmed(world)
    bandung = world["bandung"]
    services.order_step(actor=bandung["user"], order_id=order.pk, to="in_production")
    services.order_step(actor=world["buyer"], order_id=order.pk, to="cancelled", reason="Batal")
    assert _status(order) == ("cancelled", {"KUBE bandung": "cancelled", "KUBE bogor": "cancelled"})
    assert Product.objects.get(pk=bandung["product"].pk).available == 60
    with pytest.raises(InvalidInput, match="cannot go to"):
        services.part_step(
            actor=bandung["user"], part_id=order.parts.get(kube=bandung["kube"]).pk, to="shipped"
        )


# Who may move Bandung's part, through the API: exact status codes.
PART_STEP_CASES = [
    ("bandung", 200),  # its own group's officer
    ("bogor", 404),  # another group's officer: the part does not exist for it
    ("buyer", 403),  # sees every part, but production is the group's step
    ("officer_bandung", 403),  # the regency office sees the part and takes no step
    ("outsider", 404),  # a buyer with no part in the order
]


@pytest.mark.parametrize(("who", "status"), PART_STEP_CASES)
def test_part_step_four_ways(
    world, client_for: Callable[..., Client], make_user, who: str, status: int
) -> None:
    order = _confirmed(world)
    part = order.parts.get(kube=world["bandung"]["kube"])
    actor = {
        "bandung": world["bandung"]["user"],
        "bogor": world["bogor"]["user"],
        "buyer": world["buyer"],
        "officer_bandung": world["officer_bandung"],
        "outsider": make_user(Role.BUYER, None),
    }[who]
    response = client_for(actor).post(
        f"/api/v1/market/parts/{part.pk}/step",
        {"to": "in_production"},
        content_type="application/json",
    )
    assert response.status_code == status, response.content
    part.refresh_from_db()
    assert part.status == ("in_production" if status == 200 else "accepted")
    if status == 200:
        assert [p["kube_name"] for p in response.json()["parts"]] == ["KUBE bandung"]


def test_page_shows_each_group_only_its_own_part_steps(world, client_for) -> None:
    order = _confirmed(world)
    page = client_for(world["bandung"]["user"]).get(f"/pasar/pesanan/{order.pk}/")
    html = page.content.decode()
    assert html.count('value="in_production"') == 1  # its own part, not Bogor's
    buyer_page = client_for(world["buyer"]).get(f"/pasar/pesanan/{order.pk}/").content.decode()
    assert 'value="in_production"' not in buyer_page
    part = order.parts.get(kube=world["bogor"]["kube"])
    refused = client_for(world["bandung"]["user"]).post(
        f"/pasar/pesanan/{order.pk}/bagian/{part.pk}/langkah/", {"to": "in_production"}
    )
    assert refused.status_code == 403  # a party to the order, not to this part
    part.refresh_from_db()
    assert part.status == "accepted"


def test_reallocation_uses_spare_stock_of_groups_already_in_the_order(world) -> None:
    buyer, bandung, bogor = world["buyer"], world["bandung"], world["bogor"]
    order = services.demand_allocate(actor=buyer, demand_id=world["demand"].pk)
    services.order_send(actor=buyer, order_id=order.pk)
    # Bogor 50 (all its stock), Bandung 50 of 60; Bogor declines: 50 missing.
    services.part_respond(
        actor=bogor["user"], part_id=order.parts.get(kube=bogor["kube"]).pk, accept=False,
        reason="Mesin rusak",
    )  # fmt: skip
    Product.objects.filter(pk=bandung["product"].pk).update(available=90)
    # Bandung has 90, its unanswered part asks 50: 40 spare go to Bandung again.
    assert services.order_reallocate(actor=buyer, order_id=order.pk) == 40
    assert sorted(order.parts.filter(kube=bandung["kube"]).values_list("quantity", flat=True)) == [
        40,
        50,
    ]
    assert not order.parts.filter(kube=bogor["kube"], status="proposed").exists()


def _nothing(world: dict[str, Any]) -> str:
    with pytest.raises(InvalidInput) as caught:
        services.demand_allocate(actor=world["buyer"], demand_id=world["demand"].pk)
    return caught.value.message


def test_why_nothing_can_be_offered(world) -> None:
    products = Product.objects.filter(pk__in=[world[k]["product"].pk for k in ("bandung", "bogor")])
    products.update(price=30_000)
    assert _nothing(world) == (
        "Every group with stock asks more than the maximum price of Rp25.000 per unit "
        "(the lowest is Rp30.000)."
    )
    products.update(available=0)
    assert _nothing(world) == "No group has Snacks (chips, crackers) in stock now."
    for product in products:
        Permit.objects.create(product=product, kind="pirt", number="1", expires_on=date(2020, 1, 1))
    assert _nothing(world).startswith(
        "Every group that could supply has an expired permit (P-IRT (home industry food))"
    )
    products.update(active=False)
    assert _nothing(world) == "No active group lists Snacks (chips, crackers) products."
    with translation.override("id"):
        assert (
            _nothing(world)
            == "Tidak ada kelompok aktif yang menjual produk Makanan ringan (kripik, kerupuk)."
        )


def test_an_expired_permit_keeps_a_product_out_of_the_split(world) -> None:
    Permit.objects.create(
        product=world["bogor"]["product"], kind="halal", number="H-1", expires_on=date(2020, 1, 1)
    )
    order = services.demand_allocate(actor=world["buyer"], demand_id=world["demand"].pk)
    assert {p.kube.name for p in order.parts.all()} == {"KUBE bandung"}


def test_migration_gives_accepted_parts_their_order_s_step(world) -> None:
    order = _confirmed(world)
    OrderPart.objects.filter(order=order).update(status="accepted")
    Order.objects.filter(pk=order.pk).update(status="shipped")
    migration = importlib.import_module("sinergi.market.migrations.0006_part_fulfilment")
    migration.forward(django_apps, None)
    assert set(order.parts.values_list("status", flat=True)) == {"shipped"}
    migration.backward(django_apps, None)
    assert set(order.parts.values_list("status", flat=True)) == {"accepted"}
