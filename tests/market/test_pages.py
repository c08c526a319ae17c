"""Market pages as people use them: forms that keep what was typed, one demand per double
click, a cancel that says what it will do, only the steps a role can take; the public
catalogue with region names, honest permits and a sign-in link; the API's orders list and its
permit and photo writes."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core.errors import InvalidInput
from sinergi.market import services
from sinergi.market.models import Demand, Order, Permit, Product
from tests.mentoring.conftest import make_active_group
from tests.samples import png

pytestmark = pytest.mark.django_db
SOON = date.today() + timedelta(days=14)


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden {name}"
    return match.group(1)


@pytest.fixture
def world(officer_bandung: User, officer_bogor: User, make_user) -> dict[str, Any]:
    out: dict[str, Any] = {"officer_bandung": officer_bandung}
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
    out["buyer"] = make_user(Role.BUYER, None)
    return out


def _order(world: dict[str, Any], *, accept: bool = True) -> Order:
    buyer = world["buyer"]
    demand = services.demand_create(
        actor=buyer,
        data=services.DemandData("makanan_ringan", 100, "kg", "32.73", SOON, 25_000, 20),
    )
    order = services.demand_allocate(actor=buyer, demand_id=demand.pk)
    services.order_send(actor=buyer, order_id=order.pk)
    if accept:
        for key in ("bandung", "bogor"):
            part = order.parts.get(kube=world[key]["kube"])
            services.part_respond(actor=world[key]["user"], part_id=part.pk, accept=True)
    return order


# Public catalogue


def test_catalogue_filters_by_region_name_and_shows_names(world, client_for) -> None:
    anonymous = client_for(None)
    page = anonymous.get("/pasar/", {"wilayah": "Bandung"}).content.decode()
    assert "KUBE bandung" in page and "KUBE bogor" not in page
    assert "Kota Bandung" in page  # the group's regency by name
    assert 'class="region-code"' not in page
    assert "/akun/masuk/?next=" in page  # a way in for a buyer
    by_code = anonymous.get("/pasar/", {"wilayah": "32.01"}).content.decode()
    assert "KUBE bogor" in by_code and "KUBE bandung" not in by_code
    nowhere = anonymous.get("/pasar/", {"wilayah": "Atlantis"}).content.decode()
    assert "Atlantis" in nowhere and "KUBE bogor" not in nowhere and "KUBE bandung" not in nowhere
    api = anonymous.get("/api/v1/market/catalogue", {"region": "kota bandung"}).json()
    assert [(p["kube_name"], p["regency_name"]) for p in api["items"]] == [
        ("KUBE bandung", "Kota Bandung")
    ]


def test_an_expired_permit_is_never_shown_as_valid(world, client_for) -> None:
    product = world["bandung"]["product"]
    Permit.objects.create(product=product, kind="pirt", number="P-1", expires_on=date(2020, 1, 1))
    Permit.objects.create(product=world["bogor"]["product"], kind="pirt", number="P-2")
    anonymous = client_for(None)
    page = anonymous.get("/pasar/").content.decode()
    assert "P-IRT (home industry food): expired" in page or "kedaluwarsa" in page
    only_valid = anonymous.get("/pasar/", {"izin": "pirt"}).content.decode()
    assert "KUBE bogor" in only_valid and "KUBE bandung" not in only_valid
    detail = anonymous.get(f"/pasar/produk/{product.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "not valid" in detail.content.decode() or "tidak berlaku" in detail.content.decode()
    api = anonymous.get("/api/v1/market/catalogue").json()["items"]
    permits = {p["kube_name"]: p["permits"] for p in api}
    assert permits["KUBE bandung"][0]["valid"] is False
    assert permits["KUBE bogor"][0]["valid"] is True
    with pytest.raises(InvalidInput, match=r"expired|kedaluwarsa"):
        services.permit_save(
            actor=world["bandung"]["user"], product_id=product.pk, kind="halal", number="H",
            expires_on=date(2020, 1, 1),
        )  # fmt: skip


# Forms


def test_demand_form_keeps_what_was_typed_and_posts_once(world, client_for) -> None:
    client = client_for(world["buyer"])
    token = _hidden(client.get("/pasar/permintaan/").content.decode(), "submit_token")
    typed = {"category": "makanan_ringan", "regency": "32.73", "quantity": "1.500",
             "max_price": "25.000", "min_lot": "2.000", "latest_date": SOON.isoformat(),
             "note": "untuk hajatan", "submit_token": token}  # fmt: skip
    refused = client.post("/pasar/permintaan/", typed)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Lot minimum per kelompok tidak boleh melebihi jumlah." in html
    assert 'value="1.500"' in html and 'value="untuk hajatan"' in html
    assert 'value="25.000"' in html
    good = {**typed, "min_lot": "500"}
    first = client.post("/pasar/permintaan/", good)
    second = client.post("/pasar/permintaan/", good)  # the double click
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    demand = Demand.objects.get()
    assert (demand.quantity, demand.min_lot, demand.max_price) == (1500, 500, 25_000)


def test_a_bad_quantity_is_told_as_a_count_not_as_money(world, client_for) -> None:
    client = client_for(world["buyer"])
    token = _hidden(client.get("/pasar/permintaan/").content.decode(), "submit_token")
    typed = {"category": "makanan_ringan", "regency": "32.73", "quantity": "-5",
             "max_price": "25.000", "min_lot": "1", "latest_date": SOON.isoformat(),
             "submit_token": token}  # fmt: skip
    refused = client.post("/pasar/permintaan/", typed)
    assert refused.status_code == 400
    html = refused.content.decode()
    # The quantity's own sentence; the rupiah reader's words belong to money fields only.
    assert "Masukkan bilangan bulat, mis. 1.500." in html
    assert "Bukan jumlah rupiah" not in html
    assert 'value="-5"' in html and not Demand.objects.exists()


def test_product_form_with_photo_and_errors_beside_the_field(world, client_for) -> None:
    user, kube = world["bandung"]["user"], world["bandung"]["kube"]
    client = client_for(user)
    data = {"kube": kube.pk, "category": "makanan_ringan", "name": "Sambal", "unit": "botol",
            "price": "15.000", "available": "1.200", "monthly_capacity": "", "min_order": "1",
            "active": "on"}  # fmt: skip
    bad = client.post(
        "/pasar/produk-kelompok/",
        {**data, "photo": SimpleUploadedFile("x.png", b"not a picture", "image/png")},
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'class="field-error" id="id_photo-err"' in html
    assert 'value="Sambal"' in html and 'value="1.200"' in html
    made = client.post(
        "/pasar/produk-kelompok/",
        {**data, "photo": SimpleUploadedFile("s.png", png(), "image/png")},
    )
    assert made.status_code == 302
    product = Product.objects.get(name="Sambal")
    assert product.available == 1200 and product.photo
    assert client_for(None).get(f"/pasar/produk/{product.pk}/foto/").status_code == 200


def test_a_stale_product_form_is_refused_saying_what_changed(world, client_for) -> None:
    user, product = world["bandung"]["user"], world["bandung"]["product"]
    client = client_for(user)
    page = client.get(f"/pasar/produk-kelompok/?ubah={product.pk}").content.decode()
    stamp = _hidden(page, "record_version")
    Product.objects.filter(pk=product.pk).update(price=21_000, updated_at=timezone.now())
    refused = client.post(
        f"/pasar/produk-kelompok/?ubah={product.pk}",
        {"kube": product.kube_id, "category": "makanan_ringan", "name": "Kripik", "unit": "kg",
         "price": "19.000", "available": "60", "min_order": "1", "active": "on",
         "record_version": stamp},
    )  # fmt: skip
    assert refused.status_code == 400
    assert "21.000" in refused.content.decode()
    assert Product.objects.get(pk=product.pk).price == 21_000


def test_cancel_says_what_will_happen_and_needs_a_confirmation(world, client_for) -> None:
    order = _order(world)
    client = client_for(world["buyer"])
    page = client.get(f"/pasar/pesanan/{order.pk}/batal/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "2 accepted parts will be cancelled and 100 kg given back" in html or (
        "2 bagian yang diterima akan dibatalkan" in html
    )
    unconfirmed = client.post(f"/pasar/pesanan/{order.pk}/batal/", {"reason": "Acara batal"})
    assert unconfirmed.status_code == 400
    assert 'value="Acara batal"' in unconfirmed.content.decode()
    order.refresh_from_db()
    assert order.status == "proposed"
    done = client.post(
        f"/pasar/pesanan/{order.pk}/batal/", {"reason": "Acara batal", "confirm": "on"}
    )
    assert done.status_code == 302
    order.refresh_from_db()
    assert order.status == "cancelled"


def test_only_the_steps_a_role_can_take_are_shown(world, client_for) -> None:
    order = _order(world)
    path = f"/pasar/pesanan/{order.pk}/"
    buyer = client_for(world["buyer"]).get(path).content.decode()
    assert "/batal/" in buyer and "/langkah/" in buyer  # confirm, and cancel
    office = client_for(world["officer_bandung"]).get(path).content.decode()
    assert not re.search(rf"/pasar/pesanan/{order.pk}/[a-z]", office)  # no step at all
    group = client_for(world["bandung"]["user"]).get(path).content.decode()
    assert "/batal/" not in group and "/kirim/" not in group
    assert client_for(world["bandung"]["user"]).get(f"{path}batal/").status_code == 403
    assert (
        client_for(world["officer_bandung"])
        .post(f"{path}langkah/", {"to": "confirmed"})
        .status_code
        == 403
    )


def test_answer_refused_keeps_the_form_on_the_right_part(world, client_for) -> None:
    order = _order(world, accept=False)
    part = order.parts.get(kube=world["bandung"]["kube"])
    client = client_for(world["bandung"]["user"])
    refused = client.post(
        f"/pasar/pesanan/{order.pk}/bagian/{part.pk}/jawab/", {"answer": "decline", "reason": ""}
    )
    assert refused.status_code == 400
    assert "Sebutkan alasan Anda menolak." in refused.content.decode()
    other = order.parts.get(kube=world["bogor"]["kube"])
    assert (
        client.post(
            f"/pasar/pesanan/{order.pk}/bagian/{other.pk}/jawab/", {"answer": "accept"}
        ).status_code
        == 403  # a party to the order, not to that part: refused before the form
    )


# API


def test_orders_list_is_scoped(world, client_for, make_user) -> None:
    order = _order(world)
    buyer = client_for(world["buyer"]).get("/api/v1/market/orders").json()
    assert [(o["id"], o["whole"], len(o["parts"])) for o in buyer["items"]] == [(order.pk, True, 2)]
    group = client_for(world["bandung"]["user"]).get("/api/v1/market/orders").json()
    assert [[p["kube_name"] for p in o["parts"]] for o in group["items"]] == [["KUBE bandung"]]
    for outsider in (make_user(Role.BUYER, None), make_user(Role.SOCIAL_OFFICER, "33")):
        assert client_for(outsider).get("/api/v1/market/orders").json()["count"] == 0
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert (
        client_for(world["buyer"])
        .get("/api/v1/market/orders", {"changed_since": later})
        .json()["count"]
        == 0
    )
    assert (
        client_for(world["buyer"]).get("/api/v1/market/orders", {"ordering": "secret"}).status_code
        == 422
    )
    anonymous = client_for(None).get("/api/v1/market/orders")
    assert anonymous.status_code in (401, 403)


def test_api_writes_permits_and_photos_with_403_for_roles(world, client_for) -> None:
    product = world["bandung"]["product"]
    officer = client_for(world["bandung"]["user"])
    permit = officer.post(
        f"/api/v1/market/products/{product.pk}/permits",
        {"kind": "halal", "number": "ID-123", "expires_on": (SOON + timedelta(300)).isoformat()},
        content_type="application/json",
    )
    assert permit.status_code == 200
    assert permit.json()["permits"][0]["valid"] is True
    photo = officer.post(
        f"/api/v1/market/products/{product.pk}/photo",
        {"photo": SimpleUploadedFile("p.png", png(), "image/png")},
    )
    assert photo.status_code == 200 and photo.json()["has_photo"] is True
    buyer = client_for(world["buyer"])
    refused = buyer.post(
        f"/api/v1/market/products/{product.pk}/permits",
        {"kind": "pirt", "number": "X"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    other = client_for(world["bogor"]["user"]).post(
        f"/api/v1/market/products/{product.pk}/permits",
        {"kind": "pirt", "number": "X"},
        content_type="application/json",
    )
    assert other.status_code == 404
    assert buyer.post(
        "/api/v1/market/sales",
        {"kube_id": world["bandung"]["kube"].pk, "description": "x", "quantity": 1,
         "price": 1, "buyer_type": "consumer", "day": date.today().isoformat()},
        content_type="application/json",
    ).status_code == 403  # fmt: skip


def test_reoffer_on_the_page_says_why_nothing_could_be_offered(world, client_for) -> None:
    order = _order(world, accept=False)
    bogor = world["bogor"]
    services.part_respond(
        actor=bogor["user"], part_id=order.parts.get(kube=bogor["kube"]).pk, accept=False,
        reason="Bahan habis",
    )  # fmt: skip
    page = client_for(world["buyer"]).post(
        f"/pasar/pesanan/{order.pk}/tawarkan-ulang/", follow=True
    )
    assert page.status_code == 400
    assert (
        "Tidak ada kelompok yang memiliki sisa stok sebesar lot minimum 20 kg dengan harga "
        "tersebut; paling banyak yang dimiliki satu kelompok adalah 10."
    ) in page.content.decode()
    assert order.parts.count() == 2
