"""Submitted is final: a submitted report changes only after the facilitator returns it for
correction with a reason; then the group corrects it and submits again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sinergi.accounts.models import User
from sinergi.aid import services
from sinergi.aid.models import Lpj, LpjItem, Proposal
from sinergi.core.errors import InvalidInput
from sinergi.core.models import AuditEvent
from tests import samples
from tests.aid.conftest import JUTA, opened

pytestmark = pytest.mark.django_db


def _receipt() -> SimpleUploadedFile:
    return SimpleUploadedFile("nota.png", samples.png())


def _submitted(proposal: Proposal, ketua: User) -> LpjItem:
    item = services.lpj_add_item(
        actor=ketua, proposal_id=proposal.pk, description="Mesin jahit", amount=11 * JUTA,
        day=date(2026, 11, 5), receipt=_receipt(),
    )  # fmt: skip
    services.lpj_submit(actor=ketua, proposal_id=proposal.pk)
    return item


def test_a_submitted_report_cannot_be_changed_by_a_later_save(
    paid_proposal: Proposal, ketua: User, media: None, client_for: Callable[..., Any]
) -> None:
    client = client_for(ketua)
    url = f"/bantuan/usulan/{paid_proposal.pk}/lpj/"
    services.lpj_add_item(
        actor=ketua, proposal_id=paid_proposal.pk, description="Kain", amount=JUTA,
        day=date(2026, 11, 5), receipt=_receipt(),
    )  # fmt: skip
    before_submit = opened(client, url)  # the form a second person still has open
    item = _submitted(paid_proposal, ketua)
    with pytest.raises(InvalidInput) as info:
        services.lpj_save_items(
            actor=ketua,
            proposal_id=paid_proposal.pk,
            rows=[services.ItemRow("Mesin jahit", 12 * JUTA, date(2026, 11, 5), item_id=item.pk)],
        )
    assert info.value.field == "status"
    api = client.post(
        f"/api/v1/aid/proposals/{paid_proposal.pk}/lpj/items",
        {"description": "Kain", "amount": JUTA, "day": "2026-11-06", "receipt": _receipt()},
    )
    assert api.status_code == 400 and api.json()["field"] == "status"
    deleted = client.delete(f"/api/v1/aid/proposals/{paid_proposal.pk}/lpj/items/{item.pk}")
    assert deleted.status_code == 400
    later_save = {
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "1",
        "items-0-item_id": str(item.pk),
        "items-0-description": "Mesin jahit",
        "items-0-amount": "12.000.000",
        "items-0-day": "2026-11-05",
    }
    page = client.post(url, {**later_save, **before_submit}, follow=True)
    assert "tidak dapat diubah sekarang" in page.content.decode()
    item.refresh_from_db()
    assert item.amount == 11 * JUTA and Lpj.objects.get().status == "submitted"
    assert LpjItem.objects.count() == 2
    # The form is not even offered on a submitted report.
    assert (
        "Simpan belanja"
        not in client.get(f"/bantuan/usulan/{paid_proposal.pk}/lpj/").content.decode()
    )


def test_return_for_correction_then_correct_and_resubmit(
    paid_proposal: Proposal,
    ketua: User,
    facilitator_bandung: User,
    media: None,
    client_for: Callable[..., Any],
) -> None:
    item = _submitted(paid_proposal, ketua)
    checker = client_for(facilitator_bandung)
    base = f"/api/v1/aid/proposals/{paid_proposal.pk}/lpj"
    no_reason = checker.post(f"{base}/return", {"reason": " "}, content_type="application/json")
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    assert (
        client_for(ketua)
        .post(f"{base}/return", {"reason": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    returned = checker.post(
        f"{base}/return", {"reason": "Nota Rp1 juta belum ada"}, content_type="application/json"
    )
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned"
    assert returned.json()["status_label"] == "Dikembalikan untuk diperbaiki"
    event = AuditEvent.objects.get(event_type="aid.lpj.returned")
    assert event.reason == "Nota Rp1 juta belum ada"
    assert event.changes == {"status": ["submitted", "returned"]}
    # The group sees the reason and corrects through the form: the stored row and a new one.
    ketua_client = client_for(ketua)
    page = ketua_client.get(f"/bantuan/usulan/{paid_proposal.pk}/lpj/").content.decode()
    assert "Nota Rp1 juta belum ada" in page and "Simpan belanja" in page
    saved = ketua_client.post(
        f"/bantuan/usulan/{paid_proposal.pk}/lpj/",
        {
            **opened(ketua_client, f"/bantuan/usulan/{paid_proposal.pk}/lpj/"),
            "items-TOTAL_FORMS": "2",
            "items-INITIAL_FORMS": "1",
            "items-0-item_id": str(item.pk),
            "items-0-description": "Mesin jahit portable",
            "items-0-amount": "11.000.000",
            "items-0-day": "2026-11-05",
            "items-1-description": "Benang",
            "items-1-amount": "1.000.000",
            "items-1-day": "2026-11-07",
            "items-1-receipt": _receipt(),
        },
    )
    assert saved.status_code == 302
    assert sorted(LpjItem.objects.values_list("description", "amount")) == [
        ("Benang", JUTA),
        ("Mesin jahit portable", 11 * JUTA),
    ]
    ketua_client.post(f"/bantuan/usulan/{paid_proposal.pk}/lpj/kirim/")
    assert Lpj.objects.get().status == "submitted"
    # The page form returns too, with a reason typed there.
    short = checker.post(f"/bantuan/usulan/{paid_proposal.pk}/lpj/kembalikan/", {"reason": "x"})
    assert short.status_code == 400 and Lpj.objects.get().status == "submitted"
    accepted = checker.post(f"{base}/accept", {"note": "Lengkap"}, content_type="application/json")
    assert accepted.json()["status"] == "accepted" and accepted.json()["difference"] == 0


def test_a_purchase_is_removed_while_the_report_is_open(
    paid_proposal: Proposal, ketua: User, media: None, client_for: Callable[..., Any]
) -> None:
    item = services.lpj_add_item(
        actor=ketua, proposal_id=paid_proposal.pk, description="Salah ketik", amount=JUTA,
        day=date(2026, 11, 5), receipt=_receipt(),
    )  # fmt: skip
    client = client_for(ketua)
    gone = client.delete(f"/api/v1/aid/proposals/{paid_proposal.pk}/lpj/items/{item.pk}")
    assert gone.status_code == 200 and gone.json()["items"] == []
    assert AuditEvent.objects.filter(event_type="aid.lpj.items_saved").count() == 1
