"""The records of processing and the DPIA follow the configuration they are generated from."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import translation

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.compliance import events, register
from sinergi.core.models import AuditEvent
from sinergi.registry.models import LegalBasis

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def _row(code: str) -> register.Row:
    return next(r for r in register.rows() if r.category == code)


def test_the_register_reads_the_legal_basis_valid_today(time_machine: Any) -> None:
    time_machine.move_to(TODAY, tick=False)
    with translation.override("en"):
        assert _row("welfare").legal_basis == "Public task"
        # A change recorded for later is not today's basis yet.
        LegalBasis.objects.create(
            category="welfare",
            basis="consent",
            reference="Persetujuan tertulis v2",
            valid_from=datetime.date(2026, 4, 1),
        )
        assert _row("welfare").legal_basis == "Public task"
        time_machine.move_to(datetime.datetime(2026, 4, 2, tzinfo=datetime.UTC), tick=False)
        row = _row("welfare")
        assert row.legal_basis == "Consent"
        assert row.legal_reference == "Persetujuan tertulis v2"
        assert row.basis_since == datetime.date(2026, 4, 1)
        # A category without any basis says so as a gap.
        assert any("No legal basis" in g for g in _row("income").gaps)


def test_uses_resting_on_consent_are_their_own_rows(time_machine: Any) -> None:
    time_machine.move_to(TODAY, tick=False)
    with translation.override("en"):
        rows = register.rows()
        phone = next(r for r in rows if r.use == "officer_phone")
        assert phone.category == "contact" and phone.legal_basis == "Consent"
        assert {r.role for r in phone.recipients} >= {"Buyer — market partner"}
        photo = next(r for r in rows if r.category == "photo" and not r.use)
        assert photo.legal_basis == "per purpose (below)"
        assert not any("legal basis" in g for g in photo.gaps)


def test_recipients_follow_the_role_permissions_and_partners_are_flagged(
    time_machine: Any,
) -> None:
    time_machine.move_to(TODAY, tick=False)
    with translation.override("en"):
        identity = _row("identity")
        roles = {r.role for r in identity.recipients}
        assert "Social office officer" in roles
        assert not [r for r in identity.recipients if r.partner]
        assert not identity.gaps or all("partner" not in g for g in identity.gaps)
        # An admin who gives a partner role a registry permission sees it in the register.
        group = Group.objects.get(name=Role.MENTOR)
        group.permissions.add(
            Permission.objects.get(content_type__app_label="registry", codename="view_person")
        )
        identity = _row("identity")
        assert [r.role for r in identity.recipients if r.partner] == ["Mentor — IWAPI partner"]
        assert any("partner role receives" in g for g in identity.gaps)


def test_retention_comes_from_the_pdp_retention_rules_in_force(time_machine: Any) -> None:
    from sinergi.pdp.models import RetentionRule

    time_machine.move_to(TODAY, tick=False)
    with translation.override("en"):
        assert "1825 days, then anonymise" in _row("identity").retention
        assert _row("photo").retention == "not configured"
        assert any("retention" in g for g in _row("photo").gaps)
        RetentionRule.objects.create(
            category="former_households", days=1000, action="anonymise", valid_from=TODAY.date()
        )
        assert "1000 days, then anonymise" in _row("welfare").retention
        _title, sections = register.dpia()
        retention = next(s for s in sections if s.heading.startswith("4."))
        assert any("730 days" in item for item in retention.items)  # the access log's rule


def test_downloads_csv_pdf_and_dpia_in_both_languages(
    admin_user: User, client_for: Callable[[User], Client], time_machine: Any
) -> None:
    time_machine.move_to(TODAY, tick=False)
    client = client_for(admin_user)
    page = client.get("/pdp/pemrosesan/")
    assert page.status_code == 200 and "Tugas pelayanan publik" in page.content.decode()
    response = client.get("/pdp/pemrosesan/?format=csv&bahasa=en")
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0] == register.HEADER
    welfare = next(r for r in table if r[0] == "welfare")
    assert welfare[4] == "Public task"
    pdf = client.get("/pdp/pemrosesan/?format=pdf")
    assert pdf.content.startswith(b"%PDF")

    indonesian = client.get("/pdp/dpia/?format=md&bahasa=id").content.decode()
    english = client.get("/pdp/dpia/?format=md&bahasa=en").content.decode()
    assert indonesian.startswith("# Penilaian dampak pelindungan data pribadi")
    assert english.startswith("# Data protection impact assessment")
    assert "Tugas pelayanan publik" in indonesian and "Public task" in english
    assert client.get("/pdp/dpia/?format=pdf&bahasa=en").content.startswith(b"%PDF")
    assert client.get("/pdp/dpia/").status_code == 200
    assert AuditEvent.objects.filter(event_type=events.REGISTER_EXPORTED.code).count() == 5


def test_a_formula_typed_into_a_legal_reference_is_neutralised_in_the_csv(
    admin_user: User, client_for: Callable[[User], Client], time_machine: Any
) -> None:
    time_machine.move_to(TODAY, tick=False)
    LegalBasis.objects.create(
        category="contact",
        basis="public_task",
        reference='=HYPERLINK("http://x")',
        valid_from=datetime.date(2026, 1, 1),
    )
    response = client_for(admin_user).get("/pdp/pemrosesan/?format=csv")
    table = list(csv.reader(io.StringIO(response.content.decode())))
    contact = next(r for r in table if r[0] == "contact")
    assert contact[5] == '\'=HYPERLINK("http://x")'


def test_the_register_api(admin_user: User, client_for: Callable[[User], Client]) -> None:
    rows = client_for(admin_user).get("/api/v1/compliance/processing-register").json()
    codes = [r["category"] for r in rows]
    assert {"identity", "demographic", "contact", "welfare", "income"} <= set(codes)
    assert all(r["partner_recipients"] == [] for r in rows if r["category"] == "identity")
