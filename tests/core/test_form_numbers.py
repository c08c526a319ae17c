"""Numbers typed in HTML forms and files: bounded by their column, ASCII digits only.

A price of 2^31 fits SQLite but not PostgreSQL's int4; "²" passes ``str.isdigit()`` but not
``int()``. Either must come back as a message naming the field, with nothing stored, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation
from django.utils.text import capfirst

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core.errors import InvalidInput
from sinergi.core.numbers import ascii_id, posted_ids, posted_number
from sinergi.engines.filecheck import whole_number
from sinergi.engines.numbers import ascii_int
from sinergi.engines.registry_rows import parse_row
from sinergi.kube.models import Kube
from sinergi.market.models import Demand, Product, Sale
from sinergi.mentoring.models import MatchRun, Mentor
from sinergi.monitoring.models import GroupReport, PovertyLine
from sinergi.monitoring.poverty import load_lines
from tests.engines.test_registry_rows import _with
from tests.mentoring.conftest import make_active_group

INT4_OVER = str(2**31)  # one past PostgreSQL's integer: SQLite would have stored it
NOT_ASCII = ["²", "١٢٣", "１２"]  # superscript, Arabic-Indic, full-width digits


def test_only_ascii_digits_are_numbers() -> None:
    assert ascii_int(" 42 ") == 42 and ascii_int("-7") == -7
    for text in [*NOT_ASCII, "", "-", "1.5", "9" * 20]:
        assert ascii_int(text) is None, text
    assert ascii_id("0") is None and ascii_id(str(2**63)) is None and ascii_id("12") == 12
    assert posted_ids(["3", "²", "x", str(2**64), "5"]) == [3, 5]


def test_posted_number_is_bounded_by_the_column_and_names_the_field() -> None:
    assert posted_number({"price": "15.000"}, "price", model=Product, rupiah=True) == 15_000
    assert posted_number({}, "price", model=Product, default=-1) == -1
    for raw in [INT4_OVER, *NOT_ASCII]:
        with pytest.raises(InvalidInput) as caught, translation.override("en"):
            posted_number({"price": raw}, "price", model=Product, rupiah=True)
        assert caught.value.field == "price"
        assert caught.value.message.lower().startswith("price per unit"), caught.value.message
    # The same reading for a count: a small-integer column stops at 32767.
    with pytest.raises(InvalidInput, match="32767"):
        posted_number({"capacity": "40000"}, "capacity", model=Mentor)


@pytest.mark.parametrize("raw", NOT_ASCII)
def test_engines_refuse_unicode_digits_as_a_problem_not_a_crash(raw: str) -> None:
    problems: list[Any] = []
    assert whole_number(raw, ("f.csv", 2, "n"), problems, minimum=0) is None
    assert len(problems) == 1
    row, errors = parse_row(_with(desil=raw), today=date(2026, 4, 1))
    assert row is None and [e.column for e in errors] == ["desil"]


def test_poverty_lines_with_unicode_digits_are_listed_not_crashed(admin_user: User) -> None:
    before = PovertyLine.objects.count()
    text = (
        "province_code,year,semester,area_type,amount\n"
        "32,20²5,1,urban,600000\n32,2025,1,rural,6²0000\n"
    )
    with pytest.raises(InvalidInput) as caught:
        load_lines(SimpleUploadedFile("gk.csv", text.encode()), actor=admin_user, source="")
    assert len(caught.value.params["problems"]) == 2
    assert PovertyLine.objects.count() == before


@pytest.fixture
def kube_officer(officer_bandung: User, make_user: Callable[..., User]) -> User:
    kube = make_active_group(officer_bandung, "32.73.01.1001", name="KUBE Angka")
    user = make_user(Role.KUBE_OFFICER, "32.73")
    user.kube = kube
    user.save(update_fields=["kube"])
    return User.objects.get(pk=user.pk)


def _label(model: Any, name: str) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))


def _english(client: Client) -> Client:
    client.cookies["sinergi_language"] = "en"
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["price", "available", "min_order"])
@pytest.mark.parametrize("raw", [INT4_OVER, "²"])
def test_product_form_refuses_out_of_column_numbers(
    kube_officer: User, client_for: Callable[..., Client], field: str, raw: str
) -> None:
    good = {"kube": kube_officer.kube_id, "category": "makanan_ringan", "name": "Sambal",
            "unit": "botol", "price": "15.000", "available": "5", "min_order": "1"}  # fmt: skip
    response = _english(client_for(kube_officer)).post(
        "/pasar/produk-kelompok/", {**good, field: raw}
    )
    assert response.status_code == 400
    page = response.content.decode()
    label = _label(Product, field)
    assert label in page, page[-3000:]
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_sale_and_demand_forms_refuse_out_of_column_numbers(
    kube_officer: User, make_user: Callable[..., User], client_for: Callable[..., Client]
) -> None:
    client = _english(client_for(kube_officer))
    sale = {"kube": kube_officer.kube_id, "description": "Kripik", "quantity": INT4_OVER,
            "price": "1000", "buyer_type": "local_shop"}  # fmt: skip
    response = client.post("/pasar/penjualan/", sale)
    assert response.status_code == 400 and "Quantity" in response.content.decode()
    response = client.post("/pasar/penjualan/", {**sale, "quantity": "1", "price": "2²"})
    assert response.status_code == 400 and "Price per unit" in response.content.decode()
    assert not Sale.objects.exists()
    buyer = _english(client_for(make_user(Role.BUYER, None)))
    demand = {"category": "makanan_ringan", "quantity": "60", "regency": "32.73",
              "max_price": INT4_OVER, "min_lot": "20", "latest_date": "2099-01-01"}  # fmt: skip
    response = buyer.post("/pasar/permintaan/", demand)
    assert response.status_code == 400 and "Maximum price" in response.content.decode()
    assert not Demand.objects.exists()


@pytest.mark.django_db
def test_monthly_report_refuses_a_count_beyond_its_column(
    kube_officer: User, facilitator_bandung: User, client_for: Callable[..., Client]
) -> None:
    assert kube_officer.kube_id is not None
    kube = Kube.objects.get(pk=kube_officer.kube_id)
    month = f"{timezone.localdate():%Y-%m}"
    client = _english(client_for(facilitator_bandung))
    for name, raw in [("active_members", "40000"), ("turnover", "１２"), ("costs", "9" * 20)]:
        response = client.post(f"/pantau/kube/{kube.pk}/laporan/{month}/", {name: raw})
        assert response.status_code == 400, (name, response.status_code)
        label = _label(GroupReport, name)
        assert label in response.content.decode(), name
    # Unicode digits in a member's field name are not a member: ignored, not a crash.
    response = client.post(f"/pantau/kube/{kube.pk}/laporan/{month}/", {"income_²": "1000"})
    assert response.status_code in (200, 302)
    assert not GroupReport.objects.filter(kube=kube, status="submitted").exists()


@pytest.mark.django_db
def test_mentoring_forms_refuse_bad_numbers(
    admin_user: User, make_user: Callable[..., User], client_for: Callable[..., Client]
) -> None:
    client = _english(client_for(admin_user))
    response = client.post("/pendampingan/pencocokan/", {"other_regency": "²", "area": "32"})
    assert response.status_code == 400
    assert "Cost of a mentor from another regency" in response.content.decode()
    response = client.post("/pendampingan/pencocokan/", {"history_bonus": "70000", "area": "32"})
    assert response.status_code == 400
    assert "Bonus when they worked together before" in response.content.decode()
    assert not MatchRun.objects.exists()
    response = client.post(
        "/pendampingan/mentor/baru/",
        {"name": "Rina", "unit": "²", "base_regency": "32.73", "capacity": INT4_OVER},
    )
    assert response.status_code == 400
    assert not Mentor.objects.filter(name="Rina").exists()


@pytest.mark.django_db
def test_ids_and_filters_with_unicode_digits_are_not_crashes(
    kube_officer: User, officer_bandung: User, client_for: Callable[..., Client]
) -> None:
    officer = client_for(officer_bandung)
    assert client_for(kube_officer).get("/pasar/produk-kelompok/?ubah=²").status_code == 200
    assert officer.get("/wilayah/?q=bandung&tingkat=²").status_code == 200
    response = officer.post(
        f"/kube/{kube_officer.kube_id}/anggota/", {"action": "add", "person": "9" * 25}
    )
    # Refused next to the field: the group page comes back with the member form's error.
    assert response.status_code == 400
    assert "Pilih dari daftar" in response.content.decode() or "Choose from the list" in (
        response.content.decode()
    )
    response = officer.post(
        "/kube/baru/?desa=32.73.01.1001",
        {"name": "KUBE X", "members": ["²", str(2**70)], "ketua": "²", "business_type": "jasa"},
    )
    assert response.status_code in (400, 302)  # refused next to the field, never a crash
