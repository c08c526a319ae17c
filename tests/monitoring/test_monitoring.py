"""Monitoring end to end: reports, poverty lines, classes, graduation, summaries, pages, exports."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F, Sum
from django.http import Http404
from django.test import Client
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core.errors import Forbidden, InvalidInput
from sinergi.core.models import AuditEvent
from sinergi.kube.models import Kube, Membership, Status
from sinergi.market.models import BuyerType, Sale
from sinergi.monitoring import services, summaries
from sinergi.monitoring.models import (
    ClassResult,
    Graduation,
    GroupReport,
    MemberIncome,
    PovertyLine,
    RegencyFigures,
    RegencyMonth,
    Rubric,
    RubricIndicator,
)
from sinergi.monitoring.poverty import LineTable, area_type_of, load_lines
from tests.mentoring.conftest import make_active_group

pytestmark = pytest.mark.django_db
THIS_MONTH = timezone.localdate().replace(day=1)


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def client_for(client_for: Callable[..., Client]) -> Callable[..., Client]:
    """Pages in English unless a test asks for Indonesian (the default language)."""

    def make(user: User | None) -> Client:
        client = client_for(user)
        client.cookies["sinergi_language"] = "en"
        return client

    return make


def in_indonesian(client: Client) -> Client:
    client.cookies["sinergi_language"] = "id"
    return client


@pytest.fixture
def bandung(officer_bandung: User) -> Kube:
    return make_active_group(officer_bandung, "32.73.01.1001", name="KUBE Mawar")


@pytest.fixture
def bogor(officer_bogor: User) -> Kube:
    return make_active_group(officer_bogor, "32.01.01.1001", name="KUBE Melati")


def members(kube: Kube) -> list[int]:
    return list(
        Membership.objects.filter(kube=kube, end_date__isnull=True).values_list(
            "person_id", flat=True
        )
    )


def month(back: int) -> date:
    return services.add_months(THIS_MONTH, -back)


def file_report(
    actor: User, kube: Kube, period: date, *, income: int = 1_000_000, submit: bool = True
) -> GroupReport:
    return services.save_report(
        actor=actor,
        kube_id=kube.pk,
        period=period,
        figures={
            "turnover": 5_000_000,
            "costs": 3_500_000,
            "assets": 10_000_000,
            "savings": 2_400_000,
            "iks_paid": 150_000,
            "active_members": 6,
        },
        incomes=dict.fromkeys(members(kube), income),
        submit=submit,
    )


# --- Poverty lines ---------------------------------------------------------------------------


def test_the_line_that_applies(db: Any) -> None:
    PovertyLine.objects.create(
        province_code="32", year=2025, semester=1, area_type="urban", amount=650_000
    )
    table = LineTable()
    # Bandung (a kelurahan, urban) in May 2025: Jawa Barat's own urban March line.
    assert table.find("32", "urban", date(2025, 5, 1)).amount == 650_000  # type: ignore[union-attr]
    # Jawa Barat rural: no province line of that type, no province total: the national rural.
    found = table.find("32", "rural", date(2025, 5, 1))
    assert found is not None and (found.amount, found.label) == (580_349, "ID 2025-S1 rural")
    # Bali (51) in November 2025: the newer national September total beats March urban.
    found = table.find("51", "urban", date(2025, 11, 1))
    assert found is not None and found.amount == 641_443
    # Jawa Tengah's own 2024 line is used until a newer one for the province is loaded.
    assert table.find("33", "total", date(2026, 2, 1)).amount == 507_001  # type: ignore[union-attr]
    # Before any survey loaded: nothing to compare with.
    assert table.find("32", "urban", date(2019, 1, 1)) is None
    assert area_type_of("32.73.01.1001") == "urban"
    assert area_type_of("32.01.01.2001") == "rural"
    assert area_type_of("32.73") == "total"


def _upload(text: str, name: str = "gk.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode())


def test_loading_the_bps_table(admin_user: User) -> None:
    before = PovertyLine.objects.count()
    result = load_lines(
        _upload(
            "province_code,year,semester,area_type,amount\n"
            "32,2025,1,urban,612.345\n"
            "32,2025,Maret,perdesaan,590000\n"
            "ID,2025,1,total,609160\n"
            "ID,2025,2,total,641500\n"
        ),
        actor=admin_user,
        source="BPS BRS Juli 2025",
    )
    assert (result.added, result.changed, result.unchanged) == (2, 1, 1)
    assert PovertyLine.objects.count() == before + 2
    line = PovertyLine.objects.get(province_code="", year=2025, semester=2, area_type="total")
    assert line.amount == 641_500
    # The old value stays in the history.
    assert [h.amount for h in line.history.order_by("history_date")] == [641_443, 641_500]
    assert AuditEvent.objects.filter(event_type="monitoring.poverty_lines.loaded").count() == 1


def test_a_bad_table_loads_nothing_and_says_where(admin_user: User) -> None:
    before = list(PovertyLine.objects.values_list("amount", flat=True).order_by("pk"))
    with pytest.raises(InvalidInput) as caught:
        load_lines(
            _upload(
                "province_code,year,semester,area_type,amount\n"
                "32,2025,1,urban,650000\n"
                "3X,2025,1,urban,650000\n"
                "32,2025,3,urban,650000\n"
                "32,2025,1,urban,65\n"
                "32,2025,1,urban,650000\n"
            ),
            actor=admin_user,
            source="x",
        )
    message = caught.value.message
    assert "row 3, province_code" in message
    assert "row 4, semester" in message
    assert "row 5, amount" in message
    assert "row 6: the same line as row 2" in message
    assert list(PovertyLine.objects.values_list("amount", flat=True).order_by("pk")) == before
    with pytest.raises(InvalidInput, match="Missing column"):
        load_lines(_upload("province,year\n32,2025\n"), actor=admin_user, source="x")


def test_lines_page_upload_in_indonesian(admin_user: User, client_for: Callable[..., Client]):
    client = in_indonesian(client_for(admin_user))
    response = client.post(
        "/pantau/garis-kemiskinan/",
        {"file": _upload("province_code,year\n32,2025\n"), "source": "BPS"},
    )
    assert response.status_code == 400
    # The message stands at the file field, and the source typed is kept.
    page = response.content.decode()
    assert page.index("Kolom tidak ada") < page.index('name="file"')
    assert 'value="BPS"' in page
    assert "Kolom tidak ada" in response.content.decode()
    listed = client.post(
        "/pantau/garis-kemiskinan/",
        {"file": _upload("province_code,year,semester,area_type,amount\n32,2025,5,urban,1\n")},
    ).content.decode()
    assert "Tidak ada yang dimuat" in listed and "<li>baris 2, semester" in listed


# --- Reports, incomes, classes -----------------------------------------------------------------


def test_report_is_prefilled_from_market_sales(bandung: Kube, facilitator_bandung: User) -> None:
    period = month(1)
    Sale.objects.create(
        kube=bandung,
        description="Kripik",
        quantity=10,
        price=25_000,
        buyer_type=BuyerType.LOCAL_SHOP,
        day=period + timedelta(days=4),
    )
    Sale.objects.create(  # another month: not in this report
        kube=bandung,
        description="Kripik",
        quantity=99,
        price=25_000,
        buyer_type=BuyerType.LOCAL_SHOP,
        day=period - timedelta(days=2),
    )
    draft = services.report_for(facilitator_bandung, bandung.pk, period)
    assert draft.pk is None and draft.market_sales == 250_000 and draft.turnover == 250_000
    report = file_report(facilitator_bandung, bandung, period)
    assert report.profit == 1_500_000 and report.market_sales == 250_000
    assert report.status == "submitted"


def test_incomes_are_encrypted_and_compared_with_the_line(
    bandung: Kube, facilitator_bandung: User
) -> None:
    period = date(2025, 5, 1) if date(2025, 5, 1) < THIS_MONTH else month(1)
    report = file_report(facilitator_bandung, bandung, period, income=700_000, submit=False)
    rows = list(MemberIncome.objects.filter(report=report))
    assert len(rows) == 6
    for row in rows:
        assert "700000" not in row.income_cipher
        assert services.reveal_income(row) == (700_000, 700_000)  # one person per household
        assert row.line_amount == 629_561 and row.line_label == "ID 2025-S1 urban"
        assert row.above_line
    low = file_report(facilitator_bandung, bandung, period, income=629_561)
    assert not MemberIncome.objects.filter(report=low, above_line=True).exists()


def test_bad_reports_are_refused(
    bandung: Kube, bogor: Kube, facilitator_bandung: User, make_user: Callable[..., User]
) -> None:
    mentor_like = make_user(Role.PARTNER_COORDINATOR, "32.73")

    def attempt(**change: Any) -> None:
        figures = {"turnover": 1, "costs": 0, "active_members": 6, **change.pop("figures", {})}
        services.save_report(
            actor=change.pop("actor", facilitator_bandung),
            kube_id=change.pop("kube", bandung).pk,
            period=change.pop("period", month(1)),
            figures=figures,
            incomes=change.pop("incomes", {}),
            submit=True,
        )

    with pytest.raises(InvalidInput) as caught:
        attempt(figures={"costs": -5})
    assert caught.value.field == "costs"
    with pytest.raises(InvalidInput, match="between 0 and the group's 6 members"):
        attempt(figures={"active_members": 7})
    with pytest.raises(InvalidInput, match="still to come"):
        attempt(period=month(-1))
    with pytest.raises(InvalidInput, match="current members"):
        attempt(incomes={999_999: 1})
    with pytest.raises(Http404):
        attempt(kube=bogor)  # outside the facilitator's regency: looks absent
    assert not GroupReport.objects.exists()
    with pytest.raises(Forbidden, match="role"):
        attempt(actor=mentor_like, figures={})
    Kube.objects.filter(pk=bandung.pk).update(status=Status.GRADUATED)
    with pytest.raises(InvalidInput, match="active group"):
        attempt()


def test_class_follows_the_rubric_and_says_why(bandung: Kube, facilitator_bandung: User) -> None:
    for back in range(6, 0, -1):
        file_report(facilitator_bandung, bandung, month(back), income=400_000)
    result = ClassResult.objects.get(kube=bandung, period=month(1))
    bandung.refresh_from_db()
    assert bandung.klass == result.klass
    explained = result.explanation
    keys = {row["key"] for row in explained["indicators"]}
    assert {"turnover", "reporting", "margin", "sessions"} <= keys
    by_key = {row["key"]: row for row in explained["indicators"]}
    assert by_key["reporting"]["value"] == 100.0  # six reports in a six-month window
    assert by_key["margin"]["value"] == 30.0  # 1.5 of 5 million
    assert by_key["above_line"]["value"] == 0.0  # 400k per capita is below every line
    assert sum(r["contribution"] for r in explained["indicators"]) == pytest.approx(
        float(result.score), abs=0.3
    )
    assert explained["decided_by"]  # something lifted it out of the lowest score
    # A stricter rubric from this month on: maju needs 99 points; re-classing lowers it.
    strict = Rubric.objects.create(
        valid_from=month(1), name="Resmi", provisional=False, berkembang_from=90, maju_from=99
    )
    RubricIndicator.objects.create(rubric=strict, metric="sales", weight=1, bands=[[0, 0]])
    services.classify_groups(Kube.objects.filter(pk=bandung.pk), month(1))
    result = ClassResult.objects.get(kube=bandung, period=month(1))
    assert (result.klass, result.rubric_id) == ("tumbuh", strict.pk)
    assert result.explanation["held_back_by"] == []  # nothing can lift it: full marks are 0


def test_rubric_bands_are_checked(db: Any) -> None:
    from django.core.exceptions import ValidationError

    rubric = Rubric.objects.first()
    assert rubric is not None and rubric.provisional
    bad = RubricIndicator(rubric=rubric, metric="iks", weight=1, bands=[[50, 80], [10, 90]])
    with pytest.raises(ValidationError, match="thresholds must rise"):
        bad.clean()
    with pytest.raises(ValidationError, match="threshold, points"):
        RubricIndicator(rubric=rubric, metric="iks", weight=1, bands=[["a", 1]]).clean()


# --- Graduation ---------------------------------------------------------------------------


def test_households_above_the_line_long_enough_are_proposed(
    bandung: Kube, facilitator_bandung: User, officer_bandung: User, officer_bogor: User
) -> None:
    for back in range(6, 1, -1):
        file_report(facilitator_bandung, bandung, month(back), income=2_000_000)
    assert not Graduation.objects.exists()  # five months: one short
    file_report(facilitator_bandung, bandung, month(1), income=2_000_000)
    proposals = list(Graduation.objects.filter(kube=bandung))
    assert len(proposals) == 6
    assert proposals[0].months == [f"{month(b):%Y-%m}" for b in range(6, 0, -1)]
    assert {g.person_id for g in proposals} == set(members(bandung))
    # Proposing again (the nightly run after the filing) does not propose twice.
    assert services.propose_graduations() == 0
    assert Graduation.objects.count() == 6
    first, second = proposals[0], proposals[1]
    with pytest.raises(Http404):
        services.decide_graduation(actor=officer_bogor, pk=first.pk, confirm=True)
    with pytest.raises(InvalidInput, match="Say why"):
        services.decide_graduation(actor=officer_bandung, pk=second.pk, confirm=False)
    services.decide_graduation(actor=officer_bandung, pk=first.pk, confirm=True)
    services.decide_graduation(
        actor=officer_bandung, pk=second.pk, confirm=False, reason="Income from a one-off sale"
    )
    with pytest.raises(InvalidInput, match="already been decided"):
        services.decide_graduation(actor=officer_bandung, pk=first.pk, confirm=False, reason="x")
    # The rejected household is not proposed again on the same months.
    assert services.propose_graduations() == 0
    assert AuditEvent.objects.filter(event_type="monitoring.graduation.confirmed").count() == 1


# --- Summaries and dashboards --------------------------------------------------------------


def test_summaries_match_the_raw_records(
    bandung: Kube, bogor: Kube, facilitator_bandung: User, officer_bogor: User
) -> None:
    file_report(facilitator_bandung, bandung, month(1))
    file_report(officer_bogor, bogor, month(2))
    Sale.objects.create(
        kube=bogor, description="x", quantity=3, price=10_000, buyer_type="other", day=month(2)
    )
    run = summaries.refresh()
    assert run.status == "succeeded" and run.finished_at is not None
    figures = {r.regency_code: r for r in RegencyFigures.objects.all()}
    assert set(figures) == {"32.73", "32.01"}
    for code, kube in (("32.73", bandung), ("32.01", bogor)):
        assert figures[code].groups_active == 1
        assert (
            figures[code].members
            == Membership.objects.filter(kube=kube, end_date__isnull=True).count()
        )
    sales = {(r.regency_code, r.month): r.sales for r in RegencyMonth.objects.filter(sales__gt=0)}
    raw = Sale.objects.filter(kube=bogor).aggregate(s=Sum(F("quantity") * F("price")))["s"]
    assert sales == {("32.01", month(2)): raw}
    turnover = RegencyMonth.objects.get(regency_code="32.73", month=month(1)).turnover
    assert turnover == 5_000_000


def test_dashboards_are_scoped_and_in_both_languages(
    bandung: Kube,
    bogor: Kube,
    facilitator_bandung: User,
    officer_bandung: User,
    officer_jabar: User,
    admin_user: User,
    client_for: Callable[..., Client],
) -> None:
    file_report(facilitator_bandung, bandung, month(1))
    summaries.refresh()
    admin = client_for(admin_user)
    national = admin.get("/pantau/wilayah/ID/")
    page = national.content.decode()
    assert national.status_code == 200
    assert 'href="/pantau/wilayah/32/"' in page  # the map and table open the province
    assert page.count("<path ") == 38
    assert "Figures as of" in page
    province = client_for(officer_jabar).get("/pantau/wilayah/32/")
    assert province.status_code == 200
    assert 'href="/pantau/wilayah/32.73/"' in province.content.decode()
    own = client_for(officer_bandung)
    assert own.get("/pantau/").headers["Location"] == "/pantau/wilayah/32.73/"
    for outside in ("/pantau/wilayah/ID/", "/pantau/wilayah/32/", "/pantau/wilayah/32.01/"):
        assert own.get(outside).status_code == 404
    text = own.get("/pantau/wilayah/32.73/").content.decode()
    assert "KUBE Mawar" in text and "KUBE Melati" not in text
    assert f"{bandung.village.name} <code" in text  # the village by its name, code beside
    # Only her own regency is coloured and linked on the province map.
    assert 'href="/pantau/wilayah/32.01/"' not in text
    text_id = in_indonesian(own).get("/pantau/wilayah/32.73/").content.decode()
    assert "Peta" in text_id and "Kelompok" in text_id
    assert admin.get("/pantau/wilayah/99/").status_code == 404
    assert admin.get("/pantau/wilayah/32.7/").status_code == 404


def test_dashboard_exports_and_pdf(
    bandung: Kube, facilitator_bandung: User, officer_jabar: User, client_for: Callable[..., Client]
) -> None:
    file_report(facilitator_bandung, bandung, month(1))
    summaries.refresh()
    client = client_for(officer_jabar)
    rows = list(
        csv.reader(io.StringIO(client.get("/pantau/wilayah/32/?format=csv").content.decode()))
    )
    assert rows[0][:3] == ["Code", "Name", "Active groups"]
    assert rows[1][0] == "32.73" and rows[1][2] == "1"
    book = load_workbook(
        io.BytesIO(client.get("/pantau/wilayah/32/?format=xlsx&tabel=bulan").content)
    )
    sheet = book.active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Month" and values[-2][3] == 5_000_000  # last month's turnover
    pdf = client.get("/pantau/wilayah/32/ringkasan.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    group_pdf = client.get(f"/pantau/kube/{bandung.pk}/ringkasan.pdf")
    assert group_pdf.content.startswith(b"%PDF")


def test_income_export_is_logged_and_partners_never_get_it(
    bandung: Kube,
    facilitator_bandung: User,
    officer_bandung: User,
    make_user: Callable[..., User],
    client_for: Callable[..., Client],
) -> None:
    file_report(facilitator_bandung, bandung, month(1), income=1_234_000)
    client = client_for(officer_bandung)
    text = client.get("/pantau/wilayah/32.73/ekspor/pendapatan.csv").content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 7 and rows[1][6] == "1234000"
    assert all(
        "••••••••" in r[4] and len(r[4]) == 16 for r in rows[1:]
    )  # NIKs masked even in an export
    event = AuditEvent.objects.get(event_type="monitoring.member_income.exported")
    assert event.data["rows"] == 6 and event.actor_id == officer_bandung.pk
    coordinator = make_user(Role.PARTNER_COORDINATOR, "32")
    partner = client_for(coordinator)
    assert partner.get("/pantau/wilayah/32.73/ekspor/pendapatan.csv").status_code == 404
    report_page = partner.get(f"/pantau/kube/{bandung.pk}/laporan/{month(1):%Y-%m}/")
    assert report_page.status_code == 200
    assert "1.234.000" not in report_page.content.decode()
    assert not re.search(r"\bincome_\d", report_page.content.decode())


def test_report_page_round_trip(
    bandung: Kube, facilitator_bandung: User, client_for: Callable[..., Client]
) -> None:
    client = client_for(facilitator_bandung)
    url = f"/pantau/kube/{bandung.pk}/laporan/{month(1):%Y-%m}/"
    form = {
        "turnover": "4.000.000",
        "costs": "1.000.000",
        "assets": "0",
        "savings": "0",
        "iks_paid": "0",
        "active_members": "6",
    }
    bad = client.post(url, {**form, "costs": "1,5 juta", "action": "submit"})
    page = bad.content.decode()
    assert bad.status_code == 400 and "Not an amount in rupiah" in page
    # The message stands in the costs field's label; what was typed is kept.
    costs = page[page.index('for="id_costs"') :]
    assert costs.index("Not an amount in rupiah") < costs.index("</label>")
    assert 'value="1,5 juta"' in page and 'value="4.000.000"' in page
    assert not GroupReport.objects.exists()
    person = members(bandung)[0]
    saved = client.post(url, {**form, f"income_{person}": "900.000", "action": "submit"})
    assert saved.status_code == 302
    report = GroupReport.objects.get()
    assert (report.turnover, report.profit) == (4_000_000, 3_000_000)
    assert MemberIncome.objects.get(report=report).person_id == person
    page = client.get(url).content.decode()
    assert "900000" in page and "Submitted" in page
    assert "Laporan kelompok" in in_indonesian(client).get(url).content.decode()
    assert client.get(f"/pantau/kube/{bandung.pk}/laporan/2026-13/").status_code == 302


def test_api_dashboard_and_reports(
    bandung: Kube,
    facilitator_bandung: User,
    officer_bogor: User,
    client_for: Callable[..., Client],
) -> None:
    client = client_for(facilitator_bandung)
    url = f"/api/v1/monitoring/groups/{bandung.pk}/reports/{month(1):%Y-%m}"
    bad = client.put(url, {"turnover": -1}, content_type="application/json")
    assert bad.status_code in (400, 422)
    person = members(bandung)[0]
    ok = client.put(
        url,
        {
            "turnover": 3_000_000,
            "costs": 1_000_000,
            "active_members": 6,
            "incomes": [{"person_id": person, "household_income": 800_000}],
            "submit": True,
        },
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["profit"] == 2_000_000
    summaries.refresh()
    board = client.get("/api/v1/monitoring/dashboard/32.73").json()
    assert board["totals"]["groups_active"] == 1 and board["level"] == "regency"
    assert client_for(officer_bogor).get(url).status_code == 404
    classes = client.get(f"/api/v1/monitoring/groups/{bandung.pk}/classes").json()["items"]
    assert classes[0]["provisional"] is True and classes[0]["klass"] in (
        "tumbuh",
        "berkembang",
        "maju",
    )


def test_refresh_button_rebuilds_the_figures(
    bandung: Kube,
    officer_bandung: User,
    facilitator_bandung: User,
    client_for: Callable[..., Client],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    assert not RegencyFigures.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(officer_bandung).post(
            "/pantau/segarkan/", {"next": "/pantau/wilayah/32.73/"}
        )
    assert response.headers["Location"] == "/pantau/wilayah/32.73/"
    assert RegencyFigures.objects.get(regency_code="32.73").groups_active == 1
    # A facilitator cannot trigger it.
    # The facilitator reads the figures but may not rebuild them: refused, not hidden.
    assert client_for(facilitator_bandung).post("/pantau/segarkan/").status_code == 403


def test_line_table_exports_in_the_loader_format(
    admin_user: User, client_for: Callable[..., Client]
) -> None:
    exported = client_for(admin_user).get("/pantau/garis-kemiskinan/?format=csv").content
    assert exported.decode().splitlines()[0] == (
        "province_code,year,semester,area_type,amount,source"
    )
    again = load_lines(_upload(exported.decode(), "back.csv"), actor=admin_user, source="x")
    assert (again.added, again.changed, again.unchanged) == (0, 0, PovertyLine.objects.count())


def test_group_officer_files_and_graduation_export_is_logged(
    bandung: Kube,
    make_user: Callable[..., User],
    officer_bandung: User,
    client_for: Callable[..., Client],
) -> None:
    treasurer = make_user(Role.KUBE_OFFICER, "32.73")
    treasurer.kube = bandung
    treasurer.save(update_fields=["kube"])
    client = client_for(treasurer)
    assert client.get("/pantau/").headers["Location"] == f"/pantau/kube/{bandung.pk}/"
    for back in range(6, 0, -1):
        response = client.post(
            f"/pantau/kube/{bandung.pk}/laporan/{month(back):%Y-%m}/",
            {
                "turnover": "2.000.000",
                "costs": "500.000",
                "active_members": "6",
                **{f"income_{p}": "3.000.000" for p in members(bandung)},
                "action": "submit",
            },
        )
        assert response.status_code == 302
    assert GroupReport.objects.filter(kube=bandung, status="submitted").count() == 6
    rows = client_for(officer_bandung).get("/pantau/graduasi/?format=csv").content.decode()
    assert len(rows.strip().splitlines()) == 7 and "Kepala" in rows
    assert AuditEvent.objects.get(event_type="monitoring.graduation.exported").data == {"rows": 6}
    # The officer sees the evidence: each month's income per capita against the line.
    page = client_for(officer_bandung).get("/pantau/graduasi/").content.decode()
    assert page.count("3,000,000") == 36 and "641,443" in page  # national Sep 2025 line


def test_confirmed_graduation_ends_membership_and_counts_at_once(
    bandung: Kube, facilitator_bandung: User, officer_bandung: User
) -> None:
    for back in range(6, 0, -1):
        file_report(facilitator_bandung, bandung, month(back), income=2_000_000)
    summaries.refresh()
    figures = RegencyFigures.objects.get(regency_code="32.73")
    assert (figures.graduations_open, figures.households_graduated, figures.members) == (6, 0, 6)
    first, second = Graduation.objects.filter(kube=bandung).order_by("pk")[:2]
    services.decide_graduation(actor=officer_bandung, pk=first.pk, confirm=True, reason="Warung")
    services.decide_graduation(actor=officer_bandung, pk=second.pk, confirm=False, reason="Once")
    left = Membership.objects.get(kube=bandung, person_id=first.person_id)
    assert left.end_date == timezone.localdate()
    assert "Graduated" in left.end_reason and "Warung" in left.end_reason
    # The set-aside household stays in the group.
    assert Membership.objects.get(kube=bandung, person_id=second.person_id).end_date is None
    figures.refresh_from_db()
    assert (figures.graduations_open, figures.households_graduated, figures.members) == (4, 1, 5)
    this_month = RegencyMonth.objects.get(regency_code="32.73", month=THIS_MONTH)
    assert this_month.graduations == 1
    # The rebuild from the rows agrees with the figures counted at the decision.
    summaries.refresh()
    again = RegencyFigures.objects.get(regency_code="32.73")
    assert (again.graduations_open, again.households_graduated, again.members) == (4, 1, 5)
    assert RegencyMonth.objects.get(regency_code="32.73", month=THIS_MONTH).graduations == 1
    event = AuditEvent.objects.get(event_type="monitoring.graduation.confirmed")
    assert event.data["changes"]["status"] == ["proposed", "confirmed"]
    assert event.data["memberships_ended"] == [left.pk]
    assert AuditEvent.objects.filter(event_type="kube.member.left", object_id=str(bandung.pk))


def test_graduation_is_decided_on_its_own_page_with_a_confirmation(
    bandung: Kube,
    facilitator_bandung: User,
    officer_bandung: User,
    client_for: Callable[..., Client],
) -> None:
    for back in range(6, 0, -1):
        file_report(facilitator_bandung, bandung, month(back), income=2_000_000)
    item = Graduation.objects.filter(kube=bandung).order_by("pk").first()
    assert item is not None
    client = client_for(officer_bandung)
    url = f"/pantau/graduasi/{item.pk}/putuskan/"
    page = client.get(url).content.decode()
    assert "What confirming does" in page and "KUBE Mawar" in page
    # Confirming without ticking the box, or refusing without a reason, changes nothing.
    unticked = client.post(url, {"decision": "confirm", "reason": "Usaha jalan"})
    assert unticked.status_code == 400 and "Tick this box" in unticked.content.decode()
    assert 'value="Usaha jalan"' in unticked.content.decode()
    no_reason = client.post(url, {"decision": "reject"})
    assert no_reason.status_code == 400 and "Say why" in no_reason.content.decode()
    item.refresh_from_db()
    assert item.status == "proposed"
    token = re.search(r'name="submit_token" value="([^"]+)"', page)
    assert token is not None
    sent = {"decision": "confirm", "understood": "on", "submit_token": token.group(1)}
    done = client.post(url, sent)
    assert done.headers["Location"] == "/pantau/graduasi/"
    # A double click goes where the first went, instead of "already decided".
    twice = client.post(url, sent, follow=True)
    assert "already been sent" in twice.content.decode()
    assert AuditEvent.objects.filter(event_type="monitoring.graduation.confirmed").count() == 1
    item.refresh_from_db()
    assert item.status == "confirmed"
    assert Membership.objects.get(kube=bandung, person_id=item.person_id).end_date is not None
    # Words, not codes, in Indonesian too; a facilitator may not decide.
    text = in_indonesian(client).get(url).content.decode()
    assert "Lulus" in text or "Graduasi" in text
    assert client_for(facilitator_bandung).get(url).status_code == 403


def test_map_and_charts_are_readable_on_a_phone(
    bandung: Kube, facilitator_bandung: User, admin_user: User, client_for: Callable[..., Client]
) -> None:
    from sinergi.core.numbers import format_number
    from sinergi.monitoring import charts, geo

    assert format_number(1234567, "id") == "1.234.567"
    assert format_number(1234567, "en") == "1,234,567"
    # Visible steps, grey for none, and ranges that cover every value.
    colours, legend = geo.colour_scale({"a": 1, "b": 2, "c": 50, "d": 3000, "e": 0, "f": 12000})
    assert len(set(colours.values())) == 5 and "e" not in colours
    with translation.override("id"):
        assert geo.colour_scale({"a": 1500, "b": 12000})[1][-1][1] == "12.000"
    assert legend[0][1] == "1" and legend[-1][1] == "12,000"
    # The whole country lies inside the view, with room for the outline.
    national = geo.outline()
    points = [p for s in national.shapes for p in absolute_points(s.d)]
    assert min(x for x, _ in points) >= geo.PAD and max(x for x, _ in points) <= national.width
    assert min(y for _, y in points) >= geo.PAD and max(y for _, y in points) <= national.height
    # The map is most of the dashboard's bytes, sent on every visit over weak connections.
    assert sum(len(s.d) for s in national.shapes) < 40_000
    # Text at least 12 px on a 375 px phone (a card ~300 px wide), nothing drawn past the view.
    assert charts.FONT * 300 / charts.WIDTH >= 12
    # ...and no stylesheet rule puts a fixed pixel size on the chart text instead.
    from django.contrib.staticfiles import finders

    css = Path(str(finders.find("core/sinergi.css"))).read_text()
    assert not re.search(r"\.chart-(label|value)\s*\{[^}]*font-size", css)
    long = "Kabupaten Kepulauan Siau Tagulandang Biaro Selatan"
    bars = charts.bars([(long, 123_456_789), ("Dua", 5)])
    first = bars.bars[0]
    assert first.short.endswith("…") and len(first.short) * charts.CHAR <= charts.WIDTH
    assert first.value_x + len(first.text) * charts.CHAR <= charts.WIDTH
    cols = charts.columns([f"{m:02d}/25" for m in range(1, 13)], [10_000_000] * 12)
    shown = [c for c in cols.columns if c.label_x is not None]
    half = (len("01/25") * charts.CHAR) / 2
    assert cols.columns[-1].label_x is not None
    assert all(half <= c.label_x <= charts.WIDTH - half for c in shown)  # type: ignore[operator]
    assert all(b.label_x - a.label_x >= 2 * half for a, b in pairwise(shown))  # type: ignore[operator]
    file_report(facilitator_bandung, bandung, month(1))
    summaries.refresh()
    page = client_for(admin_user).get("/pantau/wilayah/ID/").content.decode()
    assert f'font-size="{charts.FONT}"' in page and "<title>Tumbuh (growing): 0</title>" in page
    assert 'class="legend"' in page
    # Coordinates stay machine numbers in Indonesian (no decimal comma inside the SVG).
    id_page = in_indonesian(client_for(admin_user)).get("/pantau/wilayah/ID/").content.decode()
    assert "Tumbuh" in id_page
    assert not re.search(r'(x|y|width|height)="-?\d+,\d', id_page)


def test_freshness_and_refresh_button_follow_the_permission(
    bandung: Kube,
    officer_bandung: User,
    facilitator_bandung: User,
    client_for: Callable[..., Client],
) -> None:
    summaries.refresh()
    url = "/pantau/wilayah/32.73/"
    officer = client_for(officer_bandung).get(url).content.decode()
    assert "Figures as of" in officer and "Refresh figures" in officer
    facilitator = client_for(facilitator_bandung).get(url).content.decode()
    assert "Figures as of" in facilitator and "Refresh figures" not in facilitator
    summaries.start_refresh(actor=officer_bandung)  # queued, no worker in the test
    waiting = client_for(facilitator_bandung).get(url).content.decode()
    assert "being rebuilt" in waiting and "Figures as of" in waiting
    assert "Refresh figures" not in client_for(officer_bandung).get(url).content.decode()
    board = client_for(facilitator_bandung).get("/api/v1/monitoring/dashboard/32.73").json()
    assert board["being_rebuilt"] is True and board["figures_as_of"]


def test_api_writes_a_poverty_line_and_pages_the_list(
    admin_user: User, facilitator_bandung: User, client_for: Callable[..., Client]
) -> None:
    body = {"province_code": "32", "year": 2026, "semester": 1, "area_type": "urban"}
    refused = client_for(facilitator_bandung).put(
        "/api/v1/monitoring/poverty-lines",
        {**body, "amount": 700_000},
        content_type="application/json",
    )
    assert refused.status_code == 403
    admin = client_for(admin_user)
    for amount in (700_000, 710_000):
        saved = admin.put(
            "/api/v1/monitoring/poverty-lines",
            {**body, "amount": amount, "source": "BRS"},
            content_type="application/json",
        )
        assert saved.status_code == 200 and saved.json()["amount"] == amount
    line = PovertyLine.objects.get(province_code="32", year=2026, semester=1, area_type="urban")
    assert line.amount == 710_000
    changed = (
        AuditEvent.objects.filter(event_type="monitoring.poverty_line.saved").order_by("pk").last()
    )
    assert changed is not None and changed.data["changes"]["amount"] == [700_000, 710_000]
    listed = admin.get("/api/v1/monitoring/poverty-lines").json()
    assert listed["count"] == PovertyLine.objects.count() and listed["items"]


def test_api_lists_filter_sort_and_say_what_changed(
    bandung: Kube,
    facilitator_bandung: User,
    officer_bandung: User,
    client_for: Callable[..., Client],
) -> None:
    for back in range(6, 0, -1):
        file_report(facilitator_bandung, bandung, month(back), income=2_000_000)
    first = Graduation.objects.filter(kube=bandung).order_by("pk").first()
    assert first is not None
    services.decide_graduation(actor=officer_bandung, pk=first.pk, confirm=True)
    client = client_for(officer_bandung)
    base = "/api/v1/monitoring/graduations"
    done = client.get(f"{base}?status=confirmed").json()
    assert done["count"] == 1 and done["items"][0]["status_label"] == "Graduated"
    assert client.get(f"{base}?area=32.01").json()["count"] == 0
    assert client.get(f"{base}?area=32.73&ordering=-decided").json()["count"] == 6
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    assert client.get(base, {"changed_since": later}).json()["count"] == 0
    assert client.get(f"{base}?ordering=colour").status_code in (400, 422)
    reports = client.get(
        f"/api/v1/monitoring/groups/{bandung.pk}/reports?ordering=period&page_size=2"
    ).json()
    assert reports["count"] == 6 and reports["items"][0]["period"] == f"{month(6):%Y-%m-%d}"
    classes = client.get(f"/api/v1/monitoring/groups/{bandung.pk}/classes").json()
    assert classes["items"][0]["klass_label"] in (
        "Tumbuh (growing)",
        "Berkembang (developing)",
        "Maju (advanced)",
    )
    lines = client.get("/api/v1/monitoring/poverty-lines?province_code=&year=2025").json()
    assert lines["count"] and all(r["province_code"] == "" for r in lines["items"])


def test_the_centre_writes_a_rubric_on_the_page_and_in_the_api(
    admin_user: User,
    officer_bandung: User,
    bandung: Kube,
    facilitator_bandung: User,
    client_for: Callable[..., Client],
) -> None:
    client = client_for(admin_user)
    page = client.get("/pantau/rubrik/").content.decode()
    assert "Add a rubric" in page and 'name="ind-0-bands"' in page
    assert "Add a rubric" not in client_for(officer_bandung).get("/pantau/rubrik/").content.decode()
    day = month(-1)
    form = {
        "valid_from": f"{day:%Y-%m-%d}",
        "name": "Kriteria resmi 2027",
        "window_months": "6",
        "berkembang_from": "40",
        "maju_from": "75",
        "ind-TOTAL_FORMS": "2",
        "ind-INITIAL_FORMS": "0",
        "ind-0-metric": "turnover",
        "ind-0-weight": "2",
        "ind-0-bands": "0=0; 1.000.000=60; 5.000.000=100",
        "ind-1-metric": "reporting",
        "ind-1-weight": "1",
        "ind-1-bands": "50 points",
    }
    bad = client.post("/pantau/rubrik/", form)
    text = bad.content.decode()
    assert bad.status_code == 400 and "threshold=points" in text and "Row 2:" in text
    assert 'value="0=0; 1.000.000=60; 5.000.000=100"' in text  # kept as typed
    saved = client.post("/pantau/rubrik/", {**form, "ind-1-bands": "0=0; 100=100"})
    assert saved.status_code == 302
    rubric = Rubric.objects.get(valid_from=day)
    assert sorted(i.metric for i in rubric.indicators.all()) == ["reporting", "turnover"]
    assert rubric.indicators.get(metric="turnover").bands == [
        [0, 0],
        [1_000_000, 60],
        [5_000_000, 100],
    ]
    assert AuditEvent.objects.filter(event_type="monitoring.rubric.saved").count() == 1
    # The API: roles refused with 403, bad bands with the field named, a used rubric kept.
    body = {
        "valid_from": f"{day:%Y-%m-%d}",
        "name": "Resmi",
        "berkembang_from": 40,
        "maju_from": 75,
        "indicators": [{"metric": "sales", "weight": 1, "bands": [[0, 0], [10, 100]]}],
    }
    url = "/api/v1/monitoring/rubrics"
    officer = client_for(officer_bandung)
    assert officer.put(url, body, content_type="application/json").status_code == 403
    changed = client.put(url, body, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["indicators"][0]["metric"] == "sales"
    event = AuditEvent.objects.filter(event_type="monitoring.rubric.saved").order_by("pk").last()
    assert event is not None and event.data["changes"]["name"] == ["Kriteria resmi 2027", "Resmi"]
    wrong = {
        **body,
        "indicators": [{"metric": "sales", "weight": 1, "bands": [[50, 80], [10, 90]]}],
    }
    refused = client.put(url, wrong, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["field"] == "indicators"
    used = Rubric.on(THIS_MONTH)
    assert used is not None
    file_report(facilitator_bandung, bandung, month(1))  # classes the group with it
    again = client.put(
        url, {**body, "valid_from": f"{used.valid_from:%Y-%m-%d}"}, content_type="application/json"
    )
    assert again.status_code == 409
    listed = client.get("/api/v1/monitoring/rubrics").json()
    assert listed["count"] == Rubric.objects.count()


def test_a_regency_dashboard_pages_its_groups_and_exports_them_all(
    bandung: Kube,
    officer_bandung: User,
    client_for: Callable[..., Client],
    settings: Any,
) -> None:
    # A large regency has thousands of groups: the page shows one page of them (it drew 300
    # rows at once, a third of its CPU), the table's export all of them.
    settings.SINERGI_PAGE_SIZE = 2
    for n in range(3):
        Kube.objects.create(
            name=f"KUBE Anggrek {n}",
            business_type=bandung.business_type,
            village=bandung.village,
            area_code=bandung.area_code,
            status=bandung.status,
        )
    client = client_for(officer_bandung)
    names = {bandung.name, "KUBE Anggrek 0", "KUBE Anggrek 1", "KUBE Anggrek 2"}
    seen: list[str] = []
    for number in (1, 2):
        text = client.get(f"/pantau/wilayah/32.73/?page={number}").content.decode()
        shown = [name for name in names if f">{name}</a>" in text]
        assert len(shown) == 2
        assert f"Page {number} of 2" in text
        seen += shown
    assert sorted(seen) == sorted(names)  # no group twice, none left out
    rows = list(
        csv.reader(io.StringIO(client.get("/pantau/wilayah/32.73/?format=csv").content.decode()))
    )
    assert sorted(r[1] for r in rows[1:]) == sorted(names)


def absolute_points(d: str) -> list[tuple[int, int]]:
    """The points of path data as ``geo.ring_path`` writes it: ``M x y l dx dy ... z`` rings."""
    points = []
    for ring in re.findall(r"M(-?\d+) (-?\d+)l([-\d ]*)z", d):
        x, y = int(ring[0]), int(ring[1])
        points.append((x, y))
        steps = [int(n) for n in ring[2].split()]
        for dx, dy in zip(steps[0::2], steps[1::2], strict=True):
            x, y = x + dx, y + dy
            points.append((x, y))
    assert len(re.findall("M", d)) == len(re.findall("z", d)) > 0
    return points


def test_a_ring_path_draws_the_points_it_was_given() -> None:
    from sinergi.monitoring import geo

    ring = [(7, 15), (9, 15), (7, 13), (6, 14), (12, 40)]
    assert absolute_points(geo.ring_path(ring) + geo.ring_path(ring[1:])) == ring + ring[1:]


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 60), st.integers(0, 60)).map(lambda p: (p[0] / 3, p[1] / 3)),
        min_size=2,
        max_size=40,
    ),
    st.sampled_from([0.3, 0.6, 2.0]),
)
def test_thinning_keeps_every_dropped_point_within_the_tolerance(
    points: list[tuple[float, float]], tolerance: float
) -> None:
    """The oracle: for each dropped point, its distance to the kept segment around it,
    computed directly; the kept points are the first, the last, and a subsequence."""
    from sinergi.monitoring import geo

    kept = geo.simplify(points, tolerance)
    assert kept[0] == points[0] and kept[-1] == points[-1]
    index = []
    at = 0
    for p in kept:  # a subsequence of the input, in order
        while points[at] != p:
            at += 1
        index.append(at)
        at += 1
    for a, b in pairwise(index):
        (ax, ay), (bx, by) = points[a], points[b]
        for px, py in points[a + 1 : b]:
            # Nearest point of the segment: sampled finely, no projection formula shared.
            nearest = min(
                math.hypot(ax + (bx - ax) * t / 1000 - px, ay + (by - ay) * t / 1000 - py)
                for t in range(1001)
            )
            assert nearest <= tolerance + math.hypot(bx - ax, by - ay) / 1000
