"""Who sees what of an order split over two groups: each party its own part, the buyer's side all.

One order for Kota Bandung, split between a Bandung group (accepted) and a Bogor group
(declined, with a reason). Every role opens the page and the API: the whole order, only its
own group's part (no other group's name, village, price or reason), or nothing (404).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core.errors import Forbidden
from sinergi.market import services
from sinergi.mentoring import services as mentoring
from sinergi.mentoring.models import Assignment, Organisation, Unit, UnitLevel
from sinergi.wilayah.models import Region
from tests.mentoring.conftest import make_active_group

pytestmark = pytest.mark.django_db

GROUPS = {
    "bandung": ("32.73.01.1001", 20_000, 60),
    "bogor": ("32.01.01.1001", 18_000, 50),
}


@pytest.fixture
def world(
    officer_bandung: User,
    officer_bogor: User,
    admin_user: User,
    make_user: Callable[..., User],
) -> dict[str, Any]:
    """The order, the secrets of each group's part, and one account per role and area."""
    accounts: dict[str, User] = {}
    kubes = {}
    for key, (village, price, stock) in GROUPS.items():
        officer = officer_bandung if key == "bandung" else officer_bogor
        kube = make_active_group(officer, village, name=f"KUBE {key}")
        user = make_user(Role.KUBE_OFFICER, village[:5])
        user.kube = kube
        user.save(update_fields=["kube"])
        accounts[f"kube_{key}"] = User.objects.get(pk=user.pk)
        services.product_save(
            actor=accounts[f"kube_{key}"],
            data=services.ProductData(kube.pk, "makanan_ringan", "Kripik", "kg", price, stock),
        )
        kubes[key] = kube
    buyer = make_user(Role.BUYER, None)
    demand = services.demand_create(
        actor=buyer,
        data=services.DemandData(
            "makanan_ringan", 100, "kg", "32.73", date.today() + timedelta(14), 25_000, 20
        ),
    )
    order = services.demand_allocate(actor=buyer, demand_id=demand.pk)
    services.order_send(actor=buyer, order_id=order.pk)
    parts = {key: order.parts.get(kube=kubes[key]) for key in GROUPS}
    services.part_respond(actor=accounts["kube_bandung"], part_id=parts["bandung"].pk, accept=True)
    services.part_respond(
        actor=accounts["kube_bogor"], part_id=parts["bogor"].pk, accept=False,
        reason="Bahan baku habis",
    )  # fmt: skip

    unit = Unit.objects.create(
        organisation=Organisation.objects.get(acronym="IWAPI"),
        level=UnitLevel.PROVINCE,
        name="DPD IWAPI Jawa Barat",
        region=Region.objects.get(code="32"),
    )
    mentor = mentoring.mentor_save(
        actor=admin_user,
        data=mentoring.MentorData(
            name="Rina", unit_id=unit.pk, base_regency="32.73", sectors=["makanan_minuman"],
            capacity=2,
        ),
    )  # fmt: skip
    Assignment.objects.create(kube=kubes["bandung"], mentor=mentor, status="accepted")
    mentor_user = make_user(Role.MENTOR, "32")
    mentor_user.mentor = mentor
    mentor_user.save(update_fields=["mentor"])

    accounts |= {
        "buyer": buyer,
        "national_admin": admin_user,
        "coordinator_jabar": make_user(Role.PARTNER_COORDINATOR, "32"),
        "officer_jabar": make_user(Role.SOCIAL_OFFICER, "32"),
        "auditor": make_user(Role.AUDITOR, None),
        "officer_bandung": officer_bandung,
        "facilitator_bandung": make_user(Role.FACILITATOR, "32.73"),
        "mentor_bandung": User.objects.get(pk=mentor_user.pk),
        "officer_bogor": officer_bogor,
        "coordinator_bogor": make_user(Role.PARTNER_COORDINATOR, "32.01"),
        "other_buyer": make_user(Role.BUYER, None),
        "officer_kab_bandung": make_user(Role.SOCIAL_OFFICER, "32.04"),
        "officer_jateng": make_user(Role.SOCIAL_OFFICER, "33"),
        "coordinator_jateng": make_user(Role.PARTNER_COORDINATOR, "33"),
    }
    secrets = {
        key: [
            f"KUBE {key}",
            Region.objects.get(code=village).name,
            f"Rp{price // 1000}.000",
        ]
        for key, (village, price, _stock) in GROUPS.items()
    }
    secrets["bogor"].append("Bahan baku habis")
    return {"order": order, "accounts": accounts, "secrets": secrets}


WHOLE = ["buyer", "national_admin", "coordinator_jabar", "officer_jabar", "auditor"]
ONLY_BANDUNG = ["kube_bandung", "officer_bandung", "facilitator_bandung", "mentor_bandung"]
ONLY_BOGOR = ["kube_bogor", "officer_bogor", "coordinator_bogor"]
NOTHING = ["other_buyer", "officer_kab_bandung", "officer_jateng", "coordinator_jateng"]


def _sees(world: dict[str, Any], client_for: Callable[..., Client], who: str) -> tuple[Any, ...]:
    client = client_for(world["accounts"][who])
    order_id = world["order"].pk
    page = client.get(f"/pasar/pesanan/{order_id}/")
    api = client.get(f"/api/v1/market/orders/{order_id}")
    return page, api


@pytest.mark.parametrize("who", WHOLE)
def test_the_buying_side_sees_every_part(world, client_for, who: str) -> None:
    page, api = _sees(world, client_for, who)
    assert (page.status_code, api.status_code) == (200, 200)
    html = page.content.decode()
    for secret in world["secrets"]["bandung"] + world["secrets"]["bogor"]:
        assert secret in html, secret
    assert {p["kube_name"] for p in api.json()["parts"]} == {"KUBE bandung", "KUBE bogor"}


@pytest.mark.parametrize(
    ("who", "own", "other"),
    [(who, "bandung", "bogor") for who in ONLY_BANDUNG]
    + [(who, "bogor", "bandung") for who in ONLY_BOGOR],
)
def test_a_group_side_sees_only_its_own_part(
    world, client_for, who: str, own: str, other: str
) -> None:
    page, api = _sees(world, client_for, who)
    assert (page.status_code, api.status_code) == (200, 200)
    html = page.content.decode()
    for secret in world["secrets"][own]:
        assert secret in html, secret
    for secret in world["secrets"][other]:
        assert secret not in html, secret
        assert secret not in api.content.decode(), secret
    assert [p["kube_name"] for p in api.json()["parts"]] == [f"KUBE {own}"]


@pytest.mark.parametrize("who", NOTHING)
def test_an_order_without_a_part_in_reach_does_not_exist(world, client_for, who: str) -> None:
    page, api = _sees(world, client_for, who)
    assert (page.status_code, api.status_code) == (404, 404)


def test_a_group_moving_the_order_through_the_api_gets_its_part_back_only(
    world, client_for
) -> None:
    """Every order endpoint answers with the order: still without the other group's part."""
    accounts, order = world["accounts"], world["order"]
    services.order_step(actor=accounts["buyer"], order_id=order.pk, to="confirmed")
    step = client_for(accounts["kube_bandung"]).post(
        f"/api/v1/market/orders/{order.pk}/step",
        {"to": "in_production"},
        content_type="application/json",
    )
    assert step.status_code == 200
    assert [p["kube_name"] for p in step.json()["parts"]] == ["KUBE bandung"]


def test_a_coordinator_elsewhere_cannot_act_for_the_buyer(world) -> None:
    """Seeing her group's part lets a coordinator of another regency read, not cancel."""
    coordinator, order = world["accounts"]["coordinator_bogor"], world["order"]
    with pytest.raises(Forbidden):
        services.order_step(actor=coordinator, order_id=order.pk, to="cancelled", reason="x")
    with pytest.raises(Forbidden):
        services.order_reallocate(actor=coordinator, order_id=order.pk)
    order.refresh_from_db()
    assert order.status == "proposed"
