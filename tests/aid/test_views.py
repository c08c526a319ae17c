"""The aid pages as each role uses them: forms that keep what was typed, name the field or the
row at fault, show only the steps the role can take, and confirm the irreversible one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sinergi.accounts.models import User
from sinergi.aid.models import Cycle, CycleStatus, Lpj, LpjItem, Proposal, ProposalStatus
from sinergi.kube.models import Kube
from tests import samples
from tests.aid.conftest import JUTA

pytestmark = pytest.mark.django_db


def _page(client: Any, url: str, **extra: Any) -> str:
    response = client.get(url, **extra)
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def test_the_whole_journey_through_the_pages(
    client_for: Callable[..., Any],
    active_kube: Kube,
    cycle: Cycle,
    officer_bandung: User,
    officer_jabar: User,
    admin_user: User,
    facilitator_bandung: User,
    ketua: User,
    media: None,
) -> None:
    regency, province, centre = (
        client_for(u) for u in (officer_bandung, officer_jabar, admin_user)
    )
    page = _page(regency, f"/bantuan/tahap/{cycle.pk}/")
    assert "Usulkan kelompok ini" in page and "KUBE Mawar" in page
    assert "Rekomendasikan" not in page and "setujui/" not in page
    regency.post(f"/bantuan/tahap/{cycle.pk}/usul/", {"kube": active_kube.pk})
    proposal = Proposal.objects.get()
    # The province sees recommend and reject, never the proposal form or the approval.
    page = _page(province, f"/bantuan/tahap/{cycle.pk}/")
    assert "Rekomendasikan" in page and "Usulkan kelompok ini" not in page
    assert f"/bantuan/tahap/{cycle.pk}/setujui/" not in page
    province.post(f"/bantuan/usulan/{proposal.pk}/rekomendasi/")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.RECOMMENDED
    # Approving is irreversible: the page says what happens and needs the box ticked.
    confirm = _page(centre, f"/bantuan/tahap/{cycle.pk}/setujui/")
    assert "tidak dapat dibatalkan" in confirm and "Rp12.000.000" in confirm
    unticked = centre.post(f"/bantuan/tahap/{cycle.pk}/setujui/", {})
    assert unticked.status_code == 400 and "Centang kotak ini" in unticked.content.decode()
    assert Cycle.objects.get().status == CycleStatus.OPEN
    centre.post(f"/bantuan/tahap/{cycle.pk}/setujui/", {"confirm": "on"})
    assert Cycle.objects.get().status == CycleStatus.APPROVED
    # A transfer: rupiah with dots; too much is refused next to the amount, typed kept.
    url = f"/bantuan/usulan/{proposal.pk}/transfer/"
    form = _page(regency, url)
    assert 'value="12.000.000"' in form  # what is left to pay, shown with separators
    too_much = regency.post(url, {"amount": "13.000.000", "day": "2026-11-02", "reference": "T1"})
    body = too_much.content.decode()
    assert too_much.status_code == 400 and "Rp12.000.000" in body
    assert 'value="13.000.000"' in body and 'value="T1"' in body
    regency.post(url, {"amount": "12.000.000", "day": "2026-11-02", "reference": "TRX1"})
    assert proposal.disbursements.get().amount == 12 * JUTA
    assert "Rp38.000.000" in _page(province, "/bantuan/")
    # The group's officer writes the report; the facilitator checks it.
    lpj_url = f"/bantuan/usulan/{proposal.pk}/lpj/"
    ketua_client = client_for(ketua)
    saved = ketua_client.post(
        lpj_url,
        {
            **_management(1),
            "items-0-description": "Mesin jahit",
            "items-0-amount": "12.000.000",
            "items-0-day": "2026-11-05",
            "items-0-receipt": SimpleUploadedFile("nota.png", samples.png()),
        },
    )
    assert saved.status_code == 302
    ketua_client.post(f"/bantuan/usulan/{proposal.pk}/lpj/kirim/")
    checker = client_for(facilitator_bandung)
    page = _page(checker, lpj_url)
    assert "Kembalikan untuk diperbaiki" in page and "Simpan belanja" not in page
    checker.post(f"/bantuan/usulan/{proposal.pk}/lpj/terima/", {"note": ""})
    assert Lpj.objects.get().status == "accepted"


def _management(total: int, initial: int = 0) -> dict[str, str]:
    return {
        "items-TOTAL_FORMS": str(total),
        "items-INITIAL_FORMS": str(initial),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }


def test_the_report_form_names_the_row_and_keeps_what_was_typed(
    client_for: Callable[..., Any], paid_proposal: Proposal, ketua: User, media: None
) -> None:
    client = client_for(ketua)
    url = f"/bantuan/usulan/{paid_proposal.pk}/lpj/"
    refused = client.post(
        url,
        {
            **_management(3),
            "items-0-description": "Mesin jahit",
            "items-0-amount": "8.000.000",
            "items-0-day": "2026-11-05",
            "items-0-receipt": SimpleUploadedFile("a.png", samples.png()),
            "items-1-description": "Kain batik",
            "items-1-amount": "tiga juta",
            "items-1-day": "2026-11-06",
            "items-1-receipt": SimpleUploadedFile("b.png", samples.png()),
            "items-2-description": "Benang",
            "items-2-amount": "1.000.000",
            "items-2-day": "2026-11-07",
            "items-2-receipt": SimpleUploadedFile("c.txt", b"not a receipt"),
        },
    )
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "Baris 2, Jumlah (Rp)" in body  # the row at fault, by its number
    assert 'value="tiga juta"' in body and 'value="Kain batik"' in body
    assert 'value="8.000.000"' in body and 'value="Benang"' in body
    assert not Lpj.objects.filter(items__isnull=False).exists()  # nothing saved
    # Row 3's receipt is refused by the service after the form passed: named on its row.
    refused = client.post(
        url,
        {
            **_management(2),
            "items-0-description": "Mesin jahit",
            "items-0-amount": "8.000.000",
            "items-0-day": "2026-11-05",
            "items-0-receipt": SimpleUploadedFile("a.png", samples.png()),
            "items-1-description": "Benang",
            "items-1-amount": "1.000.000",
            "items-1-day": "2026-11-07",
            "items-1-receipt": SimpleUploadedFile("c.png", b"not a receipt"),
        },
    )
    body = refused.content.decode()
    assert refused.status_code == 400 and "Baris 2, Nota" in body
    assert not Lpj.objects.filter(items__isnull=False).exists()


def test_each_role_sees_only_its_steps(
    client_for: Callable[..., Any],
    paid_proposal: Proposal,
    officer_bandung: User,
    facilitator_bandung: User,
    ketua: User,
    make_user: Callable[..., User],
) -> None:
    cycle_url = f"/bantuan/tahap/{paid_proposal.cycle_id}/"
    facilitator = _page(client_for(facilitator_bandung), cycle_url)
    assert "/transfer/" not in facilitator and "Laporan penggunaan dana" in facilitator
    auditor = _page(client_for(make_user("auditor", "32")), cycle_url)
    assert "/transfer/" not in auditor and "/tolak/" not in auditor
    lpj_page = _page(client_for(facilitator_bandung), f"/bantuan/usulan/{paid_proposal.pk}/lpj/")
    assert "Simpan belanja" not in lpj_page and "/lpj/terima/" not in lpj_page  # nothing yet
    # Pages a role cannot use are refused, not merely hidden.
    assert (
        client_for(ketua).get(f"/bantuan/tahap/{paid_proposal.cycle_id}/setujui/").status_code
        == 403
    )
    assert (
        client_for(officer_bandung).get(f"/bantuan/usulan/{paid_proposal.pk}/tolak/").status_code
        == 403
    )
    assert (
        client_for(facilitator_bandung)
        .get(f"/bantuan/usulan/{paid_proposal.pk}/transfer/")
        .status_code
        == 403
    )


def test_rejection_needs_a_reason_and_keeps_it(
    client_for: Callable[..., Any], active_kube: Kube, cycle: Cycle, officer_bandung: User,
    officer_jabar: User,
) -> None:  # fmt: skip
    from sinergi.aid import services

    proposal = services.proposal_create(
        actor=officer_bandung, cycle_id=cycle.pk, kube_id=active_kube.pk
    )
    client = client_for(officer_jabar)
    url = f"/bantuan/usulan/{proposal.pk}/tolak/"
    short = client.post(url, {"reason": "no"})
    assert short.status_code == 400 and "no</textarea>" in short.content.decode()
    client.post(url, {"reason": "Usaha belum berjalan"})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_reason) == ("rejected", "Usaha belum berjalan")


def test_reconciliation_differences_in_words_in_both_languages(
    client_for: Callable[..., Any], paid_proposal: Proposal, officer_bandung: User
) -> None:
    statement = (
        b"reference,account,amount,date\n"
        b"TRX1,012301000001501,11500000,2026-11-03\n"
        b"X,1,abc,2026-11-01\n"
    )
    client = client_for(officer_bandung)
    body = client.post(
        "/bantuan/rekonsiliasi/", {"file": SimpleUploadedFile("r.csv", statement)}
    ).content.decode()
    assert "Jumlah" in body and "Rp12.000.000" in body and "Rp11.500.000" in body
    assert "Tanggal transfer" in body and "2026-11-02" in body and "2026-11-03" in body
    assert "jumlahnya bukan bilangan bulat rupiah" in body
    client.cookies["sinergi_language"] = "en"
    english = client.post(
        "/bantuan/rekonsiliasi/", {"file": SimpleUploadedFile("r.csv", statement)}
    ).content.decode()
    assert "Transfer date" in english and "In the statement" in english
    assert "the amount is not a whole number of rupiah" in english
    no_file = client.post("/bantuan/rekonsiliasi/", {})
    assert no_file.status_code == 400


def test_a_form_sent_twice_records_once(
    client_for: Callable[..., Any], active_kube: Kube, cycle: Cycle, officer_bandung: User
) -> None:
    from sinergi.core.forms import new_submit_token

    client = client_for(officer_bandung)
    assert 'name="submit_token"' in client.get(f"/bantuan/tahap/{cycle.pk}/").content.decode()
    token = new_submit_token()
    first = client.post(
        f"/bantuan/tahap/{cycle.pk}/usul/", {"kube": active_kube.pk, "submit_token": token}
    )
    again = client.post(
        f"/bantuan/tahap/{cycle.pk}/usul/",
        {"kube": active_kube.pk, "submit_token": token},
        follow=True,
    )
    assert first.status_code == 302 and again.status_code == 200
    assert Proposal.objects.count() == 1


def test_a_report_changed_meanwhile_is_not_overwritten(
    client_for: Callable[..., Any],
    paid_proposal: Proposal,
    ketua: User,
    officer_bandung: User,
    media: None,
) -> None:
    import re

    from sinergi.aid import services

    services.lpj_add_item(
        actor=ketua, proposal_id=paid_proposal.pk, description="Mesin jahit", amount=8 * JUTA,
        day=date(2026, 11, 5), receipt=SimpleUploadedFile("a.png", samples.png()),
    )  # fmt: skip
    url = f"/bantuan/usulan/{paid_proposal.pk}/lpj/"
    page = client_for(ketua).get(url).content.decode()
    stamp = re.search(r'name="record_version" value="([^"]+)"', page)
    item_id = re.search(r'name="items-0-item_id" value="(\d+)"', page)
    assert stamp and item_id
    # Meanwhile the social office corrects the amount.
    services.lpj_save_items(
        actor=officer_bandung,
        proposal_id=paid_proposal.pk,
        rows=[services.ItemRow("Mesin jahit", 9 * JUTA, date(2026, 11, 5), int(item_id[1]))],
    )
    stale = client_for(ketua).post(
        url,
        {
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "1",
            "record_version": stamp[1],
            "items-0-item_id": item_id[1],
            "items-0-description": "Mesin jahit bekas",
            "items-0-amount": "8.000.000",
            "items-0-day": "2026-11-05",
        },
    )
    body = stale.content.decode()
    assert stale.status_code == 400
    assert "Rp8.000.000" in body and "Rp9.000.000" in body  # what changed, old → new
    assert 'value="Mesin jahit bekas"' in body  # what was typed is kept
    assert LpjItem.objects.get().amount == 9 * JUTA
