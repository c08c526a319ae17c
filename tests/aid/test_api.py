"""Aid for an integrator: every list paged, filtered and sorted, with changed_since; programmes
and cycles written through the API by the centre only (403 for other roles)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.aid.models import Cycle, Programme, Proposal
from sinergi.core.models import AuditEvent
from tests.aid.conftest import JUTA

pytestmark = pytest.mark.django_db

PROGRAMME = {
    "name": "Penguatan KUBE",
    "year": 2027,
    "funding_source": "apbd_province",
    "amount_rule": "per_group",
    "amount": "5.000.000",
    "budget_ceiling": 100 * JUTA,
    "area_code": "32",
}


def test_the_centre_defines_programmes_and_opens_cycles(
    client_for: Callable[..., Any], admin_user: User, officer_jabar: User
) -> None:
    centre, province = client_for(admin_user), client_for(officer_jabar)
    refused = province.post("/api/v1/aid/programmes", PROGRAMME, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    made = centre.post("/api/v1/aid/programmes", PROGRAMME, content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["amount"], body["budget_remaining"], body["cycles"]) == (5 * JUTA, 100 * JUTA, [])
    assert body["funding_source_label"] == "APBD provinsi"
    programme_id = body["id"]
    event = AuditEvent.objects.get(event_type="aid.programme.created")
    assert event.changes["amount"] == [None, 5 * JUTA]
    assert province.post(f"/api/v1/aid/programmes/{programme_id}/cycles").status_code == 403
    first = centre.post(f"/api/v1/aid/programmes/{programme_id}/cycles")
    second = centre.post(f"/api/v1/aid/programmes/{programme_id}/cycles")
    assert (first.status_code, first.json()["number"], second.json()["number"]) == (201, 1, 2)
    assert first.json()["status_label"] == "Terbuka untuk usulan"
    changed = centre.patch(
        f"/api/v1/aid/programmes/{programme_id}",
        {"budget_ceiling": "150.000.000"},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["budget_ceiling"] == 150 * JUTA
    assert AuditEvent.objects.get(event_type="aid.programme.changed").changes == {
        "budget_ceiling": [100 * JUTA, 150 * JUTA]
    }
    assert (
        province.patch(
            f"/api/v1/aid/programmes/{programme_id}", {"name": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    bad = centre.post(
        "/api/v1/aid/programmes", {**PROGRAMME, "amount": 0}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert Programme.objects.count() == 1 and Cycle.objects.count() == 2


def test_the_ceiling_cannot_fall_below_what_is_approved(
    client_for: Callable[..., Any], paid_proposal: Proposal, admin_user: User
) -> None:
    too_low = client_for(admin_user).patch(
        f"/api/v1/aid/programmes/{paid_proposal.cycle.programme_id}",
        {"budget_ceiling": 10 * JUTA},
        content_type="application/json",
    )
    assert too_low.status_code == 400 and too_low.json()["field"] == "budget_ceiling"
    assert Programme.objects.get().budget_ceiling == 50 * JUTA


def test_lists_are_paged_filtered_sorted_and_say_what_changed(
    client_for: Callable[..., Any],
    paid_proposal: Proposal,
    officer_jabar: User,
    officer_bogor: User,
    facilitator_bandung: User,
) -> None:
    client = client_for(officer_jabar)
    for path in ("programmes", "cycles", "proposals", "disbursements"):
        page = client.get(f"/api/v1/aid/{path}", {"page_size": 1})
        assert page.status_code == 200, path
        assert set(page.json()) == {"items", "count"} and page.json()["count"] == 1, path
    proposals = client.get("/api/v1/aid/proposals", {"status": "approved"}).json()["items"]
    assert proposals[0]["status_label"] == "Disetujui pusat"
    assert proposals[0]["kube_name"] == "KUBE Mawar" and proposals[0]["paid"] == 12 * JUTA
    english = client.get("/api/v1/aid/proposals", HTTP_ACCEPT_LANGUAGE="en").json()["items"]
    assert english[0]["status_label"] == "Approved by the centre"
    assert client.get("/api/v1/aid/proposals", {"status": "rejected"}).json()["count"] == 0
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    for path in ("programmes", "cycles", "proposals", "disbursements"):
        assert client.get(f"/api/v1/aid/{path}", {"changed_since": later}).json()["count"] == 0
    earlier = (timezone.now() - timedelta(days=1)).isoformat()
    assert client.get("/api/v1/aid/proposals", {"changed_since": earlier}).json()["count"] == 1
    sorted_ = client.get("/api/v1/aid/disbursements", {"ordering": "-amount,day"})
    assert sorted_.status_code == 200 and sorted_.json()["count"] == 1
    assert client.get("/api/v1/aid/disbursements", {"day_from": "2026-11-03"}).json()["count"] == 0
    assert client.get("/api/v1/aid/disbursements", {"day_to": "2026-11-02"}).json()["count"] == 1
    bad = client.get("/api/v1/aid/proposals", {"ordering": "kube__bank_account"})
    assert bad.status_code == 422 and "kube__bank_account" in bad.content.decode()
    assert client_for(officer_bogor).get("/api/v1/aid/proposals").json()["count"] == 0
    reports = client_for(facilitator_bandung).get("/api/v1/aid/lpj")
    assert reports.status_code == 200 and reports.json()["count"] == 0  # none started yet
    assert client_for(officer_bogor).get("/api/v1/aid/lpj").json()["count"] == 0
    assert client_for(None).get("/api/v1/aid/proposals").status_code == 401
