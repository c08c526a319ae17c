"""Bank statement profiles in use: the shipped rows, the page and the API reading a bank's own
layout or MT940 (chosen or found by content), the refusals, and the profiles in the admin."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sinergi.accounts.models import User
from sinergi.aid.models import Proposal, StatementProfile
from sinergi.core.models import AuditEvent
from sinergi.engines.statements import BUILTIN, Transfer

from .test_statements_engine import MT940, write_statement

pytestmark = pytest.mark.django_db

# The paid proposal's transfer (tests/aid/conftest.py): TRX1, Rp12.000.000 on 2 November 2026
# to the group's account.
PAID = Transfer("TRX1", "012301000001501", 12_000_000, date(2026, 11, 2))


def test_the_shipped_profiles_are_the_engines_layouts() -> None:
    rows = {p.name: p for p in StatementProfile.objects.filter(builtin=True)}
    assert set(rows) == set(BUILTIN)
    for name, row in rows.items():
        assert row.layout() == BUILTIN[name], name
        assert row.active and (name == "sinergi" or "check it" in row.notes)


def test_a_bri_statement_is_found_by_content_and_reconciled_through_the_api(
    client_for: Callable[..., Client], paid_proposal: Proposal, officer_bandung: User
) -> None:
    late = Transfer("TRX1", PAID.account, PAID.amount, date(2026, 11, 3))
    data = write_statement(BUILTIN["bri"], [PAID, Transfer("TRX7", "0999", 5_000, PAID.day)])
    client = client_for(officer_bandung)
    answer = client.post("/api/v1/aid/reconcile", {"file": SimpleUploadedFile("bri.csv", data)})
    result = answer.json()
    assert answer.status_code == 200, result
    assert (result["profile"], result["matched"], result["missing"]) == ("bri", ["TRX1"], [])
    assert [u["reference"] for u in result["unknown"]] == ["TRX7"]
    assert result["skipped"] == 3  # the money in, the fee, the closing balance
    event = AuditEvent.objects.get(event_type="aid.statement.reconciled")
    assert event.data["profile"] == "bri" and event.data["matched"] == 1
    # Chosen by name, a later date is named as the difference.
    moved = write_statement(BUILTIN["bca"], [late])
    result = client.post(
        "/api/v1/aid/reconcile",
        {"file": SimpleUploadedFile("bca.csv", moved), "profile": "bca"},
    ).json()
    assert result["profile"] == "bca"
    assert result["mismatched"][0]["differences"] == ["date"]


def test_an_mt940_statement_on_the_page(
    client_for: Callable[..., Client], paid_proposal: Proposal, officer_bandung: User
) -> None:
    client = client_for(officer_bandung)
    client.cookies["sinergi_language"] = "en"
    page = client.get("/bantuan/rekonsiliasi/").content.decode()
    assert 'name="profile"' in page and "Automatic (by content)" in page and "BCA" in page
    body = client.post(
        "/bantuan/rekonsiliasi/", {"file": SimpleUploadedFile("nov.sta", MT940.encode())}
    ).content.decode()
    assert "Read as: mt940" in body and "1 line is no transfer" in body
    assert "BNI0003" in body  # not one of Sinergi's transfers


def test_bad_statements_are_refused_saying_why(
    client_for: Callable[..., Client], paid_proposal: Proposal, officer_bandung: User
) -> None:
    client = client_for(officer_bandung)
    client.cookies["sinergi_language"] = "en"
    url = "/api/v1/aid/reconcile"
    unknown = client.post(
        url, {"file": SimpleUploadedFile("x.csv", b"a,b\n"), "profile": "bank-lain"}
    )
    assert unknown.status_code == 400 and unknown.json()["field"] == "profile"
    assert "bank-lain" in unknown.json()["detail"] and "mandiri" in unknown.json()["detail"]
    nothing = client.post(url, {"file": SimpleUploadedFile("x.csv", b"tgl;ket;nominal\n")})
    detail = nothing.json()["detail"]
    assert nothing.status_code == 400 and nothing.json()["field"] == "file"
    assert "none of the statement profiles" in detail and "bri" in detail and "mt940" in detail
    bri = write_statement(BUILTIN["bri"], [PAID])
    wrong = client.post(url, {"file": SimpleUploadedFile("b.csv", bri), "profile": "mandiri"})
    assert wrong.status_code == 400 and "profile mandiri expects" in wrong.json()["detail"]
    bad_amount = bri.decode().replace("12.000.000,00", "12,000,000.00").encode()
    problems = client.post(url, {"file": SimpleUploadedFile("b.csv", bad_amount)}).json()
    assert problems["problems"] == [
        {
            "line": 6,
            "problem": "amount",
            "label": "the amount is not a whole number of rupiah: “12,000,000.00” "
            "(expected like 1.234.567,00)",
            "value": "12,000,000.00",
            "expected": "1.234.567,00",
        }
    ]
    assert problems["missing"] == ["TRX1"]
    page = client.post(
        "/bantuan/rekonsiliasi/", {"file": SimpleUploadedFile("x.csv", b"tgl;ket;nominal\n")}
    )
    assert page.status_code == 400 and "none of the statement profiles" in page.content.decode()
    assert AuditEvent.objects.filter(event_type="aid.statement.reconciled").count() == 1


def test_the_profiles_are_listed_for_api_clients(
    client_for: Callable[..., Client], officer_bandung: User, facilitator_bandung: User
) -> None:
    StatementProfile.objects.filter(name="bni").update(active=False)
    listed = client_for(officer_bandung).get("/api/v1/aid/statement-profiles").json()
    assert [p["name"] for p in listed["items"]] == ["bca", "bri", "mandiri", "mt940", "sinergi"]
    assert listed["items"][3] == {
        "name": "mt940",
        "label": "MT940 (SWIFT)",
        "kind": "mt940",
        "builtin": True,
    }
    assert client_for(facilitator_bandung).get("/api/v1/aid/statement-profiles").status_code == 403


def _form(**fields: Any) -> dict[str, Any]:
    base = {
        "name": "bank-jabar",
        "label": "Bank BJB",
        "kind": "csv",
        "active": "on",
        "notes": "",
        "delimiter": ";",
        "encoding": "",
        "skip_rows": "2",
        "date_column": "Tanggal",
        "reference_column": "",
        "account_column": "",
        "amount_column": "Nominal",
        "debit_column": "",
        "credit_column": "",
        "description_column": "Keterangan",
        "reference_pattern": r"REF\s*(\w+)",
        "account_pattern": "",
        "date_style": "dmy",
        "amount_style": "id",
        "direction": "debit",
    }
    return {**base, **fields}


def test_an_admin_adds_a_profile_the_reader_can_use_and_it_is_audited(
    admin_user: User,
    client_for: Callable[..., Client],
    paid_proposal: Proposal,
    officer_bandung: User,
) -> None:
    admin = client_for(admin_user)
    admin.cookies["sinergi_language"] = "en"
    refused = admin.post("/admin/aid/statementprofile/add/", _form(reference_pattern="REF (\\w+"))
    assert (
        refused.status_code == 200 and "not a valid regular expression" in refused.content.decode()
    )
    both = admin.post("/admin/aid/statementprofile/add/", _form(debit_column="Debet"))
    assert "not both" in both.content.decode()
    assert not StatementProfile.objects.filter(name="bank-jabar").exists()
    saved = admin.post("/admin/aid/statementprofile/add/", _form())
    assert saved.status_code == 302
    profile = StatementProfile.objects.get(name="bank-jabar")
    event = AuditEvent.objects.get(event_type="core.reference.added")
    assert event.object_id == str(profile.pk)
    # An officer's BJB statement is now read with it, found by content.
    text = (
        "Rekening: 0012\nPeriode: November 2026\n"
        "Tanggal;Keterangan;Nominal\n"
        "02/11/2026;PEMINDAHBUKUAN REF TRX1 KUBE MAWAR;-12.000.000,00\n"
    )
    result = (
        client_for(officer_bandung)
        .post("/api/v1/aid/reconcile", {"file": SimpleUploadedFile("bjb.csv", text.encode())})
        .json()
    )
    assert (result["profile"], result["matched"]) == ("bank-jabar", ["TRX1"])
    shipped = StatementProfile.objects.get(name="bri")
    assert admin.get(f"/admin/aid/statementprofile/{shipped.pk}/delete/").status_code == 403
    assert admin.get(f"/admin/aid/statementprofile/{profile.pk}/delete/").status_code == 200
