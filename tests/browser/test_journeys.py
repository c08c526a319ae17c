"""Every role's main journey, end to end through the screens, as a person does it.

Each test signs a demo login in (tests/browser/conftest.py), finds what it needs by label, role
or visible text — never by a page's CSS — and checks what a person would check: the words on
the screen, what stays typed after a mistake, which buttons a role is (not) offered. Field
roles work at phone width; the buyer's journey is in English, the others in Bahasa Indonesia.
Screens worth a picture are taken with ``shot(..., guide=True)``: with SINERGI_GUIDE_SHOTS=1
they become the screen guide's images (docs/guide/img/).

The journeys change the demo (a new group, an approved cycle, a submitted report, an accepted
offer...) and run in this file's order on the session's fresh demo: the mentor accepts the
offer the partner coordinator's journey sent.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.test_pages import raw_codes

# One demo for all the journeys, in this file's order (under pytest-xdist: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("browser-journeys")


def _clean(person: Any) -> None:
    """Nothing went wrong along the way. A refused form page may answer 400 (aid and
    monitoring do, the other apps answer 200; the browser logs it as a failed load): the
    journeys check what such a page says instead, so that one log line is not a problem."""
    refused_form = "the server responded with a status of 400 (Bad Request)"
    problems = [p for p in person.problems if not p.endswith(refused_form)]
    assert not problems, "\n".join(problems)


def _menu(page: Any, entry: str) -> None:
    """Open a menu entry as a person would: on a phone the menu is folded under "Menu"."""
    folded = page.get_by_role("navigation", name="Menu")
    if folded.is_visible():
        # The summary reads "Menu" and, when work waits, its count ("Menu 3").
        folded.locator("summary").first.click()
        folded.get_by_role("link", name=entry, exact=True).click()
    else:
        # A closed group's links are hidden, so the role query must include hidden ones.
        name = page.get_by_role("link", name=entry, exact=True, include_hidden=True)
        link = page.locator("header nav.nav-desktop").get_by_role(
            "link", name=entry, exact=True, include_hidden=True
        )
        if not link.is_visible():  # under a group of the menu: open the group first
            group = page.locator("header nav.nav-desktop details").filter(has=name)
            group.locator("summary").click()
        link.click()


def test_officer_forms_a_kube_and_another_officer_verifies(visit: Any) -> None:
    officer = visit("dinsos.bandung", "id")
    page = officer.page
    officer.go("/kube/")
    page.get_by_role("button", name="Bentuk KUBE baru").click()
    # The village is found by typing part of its name; the list narrows as one types.
    page.get_by_role("searchbox", name="Desa/kelurahan").fill("gegerk")
    expect(page.get_by_role("radio")).to_have_count(1)
    page.get_by_role("radio", name=re.compile("^Gegerkalong")).check()
    officer.shot("kube-village", guide=True)
    page.get_by_role("button", name="Tampilkan kepala keluarga di kecamatan ini").click()

    # Candidates come with age, decile and membership; those who cannot join are greyed out
    # with the reason, before anyone ticks them.
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader", name="Usia")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Desil", exact=True)).to_be_visible()
    expect(table.get_by_role("columnheader", name="Anggota KUBE")).to_be_visible()
    too_old = table.get_by_role("row").filter(has_text="anggota harus berusia 18 sampai 60").first
    expect(too_old.get_by_role("checkbox")).to_be_disabled()
    taken = table.get_by_role("row").filter(has_text="Sudah menjadi anggota KUBE lain").first
    expect(taken.get_by_role("checkbox")).to_be_disabled()
    officer.shot("kube-candidates", guide=True)

    free = table.get_by_role("checkbox", disabled=False)
    names = [free.nth(i).get_attribute("aria-label") or "" for i in range(5)]
    for name in names:
        page.get_by_role("checkbox", name=name, exact=True).check()
    page.get_by_label("Jenis usaha").select_option(label="Kerajinan")
    page.get_by_label("Ketua").select_option(label=names[0])
    page.get_by_label("Sekretaris").select_option(label=names[1])
    page.get_by_label("Bendahara").select_option(label=names[2])
    page.get_by_label("Nomor rekening").fill("0123-01-777777-50-1")
    # Saved without a name: refused beside the name, and nothing ticked or typed is lost.
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.get_by_text("wajib diisi").first).to_be_visible()
    for name in names:
        expect(page.get_by_role("checkbox", name=name, exact=True)).to_be_checked()
    expect(page.get_by_label("Jenis usaha")).to_have_value(re.compile(".+"))
    expect(page.get_by_label("Nomor rekening")).to_have_value("0123-01-777777-50-1")
    expect(page.get_by_label("Bendahara").locator("option:checked")).to_have_text(names[2])
    group = "KUBE Anyaman Gegerkalong"
    page.get_by_label("Nama kelompok").fill(group)
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(group)
    expect(page.get_by_text("Draf", exact=True)).to_be_visible()
    page.get_by_role("button", name="Ajukan untuk verifikasi").click()
    expect(page.get_by_text("Diajukan", exact=True)).to_be_visible()
    # Four eyes: who submitted may not verify; the button says why instead of working.
    expect(page.get_by_role("button", name="Verifikasi")).to_be_disabled()
    expect(page.get_by_text("petugas lain harus memverifikasinya")).to_be_visible()
    officer.shot("kube-submitted", guide=True)
    kube_url = page.url
    _clean(officer)

    checker = visit("dinsos.jabar", "id")
    checker.go(urlsplit(kube_url).path)
    checker.page.get_by_role("button", name="Verifikasi").click()
    expect(checker.page.get_by_text("Diverifikasi", exact=True)).to_be_visible()
    _clean(checker)


def test_aid_proposed_recommended_and_approved_after_confirmation(visit: Any) -> None:
    regency = visit("dinsos.bandung", "id")
    page = regency.page
    regency.go("/bantuan/")
    page.get_by_role("link", name="Tahap 2").click()
    picker = page.get_by_label("Kelompok", exact=True)
    # Only active groups can be chosen; the others say why not.
    expect(picker.locator("option", has_text="belum aktif").first).to_be_disabled()
    choice = picker.locator("option:not([disabled]):not([value=''])").first
    group = choice.inner_text().split(" (")[0]
    picker.select_option(choice.get_attribute("value"))
    # A double click on the create button proposes the group once.
    page.get_by_role("button", name="Usulkan kelompok ini").dblclick()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=group, exact=True))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Diusulkan")
    regency.shot("aid-proposed", guide=True)
    _clean(regency)

    province = visit("dinsos.jabar", "id")
    province.go(urlsplit(page.url).path)
    row = province.page.get_by_role("row").filter(
        has=province.page.get_by_role("link", name=group, exact=True)
    )
    row.get_by_role("button", name="Rekomendasikan").click()
    expect(row).to_contain_text("Direkomendasikan")
    # The province recommends; approving is the centre's, so it is not offered here.
    expect(province.page.get_by_role("button", name=re.compile("^Setujui"))).to_have_count(0)
    _clean(province)

    centre = visit("admin", "id")
    centre.go(urlsplit(page.url).path)
    centre.page.get_by_role("button", name=re.compile("^Setujui usulan")).click()
    # The confirmation says what will happen before anything does.
    expect(centre.page.get_by_text("Yang akan terjadi")).to_be_visible()
    expect(centre.page.get_by_text("tidak dapat dibatalkan").first).to_be_visible()
    centre.shot("aid-approve-confirm", guide=True)
    centre.page.get_by_role("button", name="Setujui dan bekukan").click()
    # Without the tick nothing happens, and the page says what is missing.
    expect(centre.page.get_by_role("heading", name="Setujui tahap")).to_be_visible()
    centre.page.get_by_role("checkbox", name=re.compile("^Saya mengerti")).check()
    centre.page.get_by_role("button", name="Setujui dan bekukan").click()
    row = centre.page.get_by_role("row").filter(
        has=centre.page.get_by_role("link", name=group, exact=True)
    )
    expect(row).to_contain_text("Disetujui")
    _clean(centre)


def test_facilitator_submits_the_monthly_report_on_a_phone(visit: Any) -> None:
    facilitator = visit("pendamping.bandung", "id", phone=True)
    page = facilitator.page
    facilitator.go("/pendampingan/")
    page.get_by_role("link", name="KUBE Teratai Sukasari").click()
    page.get_by_role("button", name="Laporan bulan ini").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Laporan pendamping")
    # The activities are drafted from the month's records; the facilitator rewrites them.
    activities = page.get_by_label("Kegiatan")
    expect(activities).not_to_have_value("")
    activities.fill("")
    page.get_by_label("Masalah").fill("Stok kain menipis menjelang pameran.")
    page.get_by_label("Tindak lanjut").fill("Ketua menghubungi pemasok di Cigondewah.")
    page.get_by_role("button", name="Kirim", exact=True).click()
    # Refused beside the empty field; what was typed in the others is still there.
    expect(page.get_by_text("wajib diisi").first).to_be_visible()
    expect(page.get_by_label("Masalah")).to_have_value("Stok kain menipis menjelang pameran.")
    expect(page.get_by_label("Tindak lanjut")).to_have_value(
        "Ketua menghubungi pemasok di Cigondewah."
    )
    facilitator.shot("report-error", guide=True)
    page.get_by_label("Kegiatan").fill("Kunjungan ke rumah produksi; pencatatan stok.")
    page.get_by_role("button", name="Kirim", exact=True).click()
    # Submitted is final: the page says so and offers no form to change it.
    expect(page.get_by_text("laporan ini sudah final")).to_be_visible()
    expect(page.get_by_label("Kegiatan")).to_have_count(0)
    expect(page.get_by_role("button", name="Simpan draf")).to_have_count(0)
    facilitator.shot("report-final", guide=True)
    report = urlsplit(page.url).path
    _clean(facilitator)

    # The reviewer (the regency's social officer) can send it back with a reason.
    reviewer = visit("dinsos.bandung", "id")
    reviewer.go(report)
    reviewer.page.get_by_text("Kembalikan untuk diperbaiki").first.click()
    reviewer.page.get_by_label("Yang perlu diperbaiki").fill(
        "Lampirkan jumlah stok per jenis kain."
    )
    reviewer.page.get_by_role("button", name="Kembalikan untuk diperbaiki").click()
    expect(reviewer.page.get_by_text("Lampirkan jumlah stok per jenis kain.")).to_be_visible()
    _clean(reviewer)

    # Back with its author, open again, the reason on top.
    facilitator.go(report)
    expect(page.get_by_text("Lampirkan jumlah stok per jenis kain.")).to_be_visible()
    expect(page.get_by_label("Masalah")).to_have_value("Stok kain menipis menjelang pameran.")
    _clean(facilitator)


def test_partner_coordinator_runs_matching_and_sends_offers(visit: Any) -> None:
    coordinator = visit("iwapi.jabar", "id")
    page = coordinator.page
    coordinator.go("/")
    _menu(page, "Pencocokan")
    expect(page.get_by_text("menunggu mentor")).to_be_visible()
    page.get_by_role("button", name="Buat usulan penugasan").click()
    # The proposal lists each waiting group with its mentor and why that mentor was chosen.
    send = page.get_by_role("button", name="Kirim tawaran ke mentor")
    expect(send).to_be_visible(timeout=60_000)
    rows = page.get_by_role("row").filter(has_text="Rina Marlina")
    expect(rows.first).to_contain_text("kabupaten/kota sama")
    coordinator.shot("matching-proposal", guide=True)
    send.click()
    expect(page.get_by_role("status").first).to_contain_text("tawaran dikirim ke mentor")
    expect(rows.first).to_contain_text("Menunggu jawaban mentor")
    # Sent is sent: the button is gone.
    expect(send).to_have_count(0)
    _clean(coordinator)


def test_mentor_accepts_an_offer_and_logs_a_session_on_a_phone(visit: Any) -> None:
    mentor = visit("mentor.bandung", "id", phone=True)
    page = mentor.page
    mentor.go("/pendampingan/")
    offer = page.get_by_role("article").filter(has_text="ditawarkan kepada Anda")
    group = offer.locator("strong").nth(1).inner_text()
    mentor.shot("mentor-offer", guide=True)
    offer.get_by_role("button", name="Terima").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Anda sekarang mendampingi {group}")
    page.get_by_role("button", name="Catat sesi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Catat sesi")
    today = time.strftime("%Y-%m-%d")
    page.get_by_label("Tanggal", exact=True).fill(today)
    page.get_by_label("Tempat").fill("Rumah ketua")
    page.get_by_label("Topik").fill("Harga pokok produksi")
    page.get_by_label("Apa yang harus dikerjakan (butir 1)").fill("Catat biaya bahan")
    page.get_by_label("Siapa (butir 1)").fill("Bendahara")
    page.get_by_label("Tenggat (butir 1)").fill("2099-01-31")
    page.get_by_label("Apa yang harus dikerjakan (butir 2)").fill("Hitung harga jual")
    page.get_by_label("Siapa (butir 2)").fill("Ketua")
    # Row 2's due date is before the session: the error names row 2, nothing is lost.
    page.get_by_label("Tenggat (butir 2)").fill("2020-01-01")
    page.get_by_role("button", name="Simpan sesi").click()
    expect(page.get_by_text("Tindak lanjut 2: tenggatnya sebelum tanggal sesi.")).to_be_visible()
    expect(page.get_by_label("Tanggal", exact=True)).to_have_value(today)
    expect(page.get_by_label("Tempat")).to_have_value("Rumah ketua")
    expect(page.get_by_label("Apa yang harus dikerjakan (butir 1)")).to_have_value(
        "Catat biaya bahan"
    )
    expect(page.get_by_label("Tenggat (butir 1)")).to_have_value("2099-01-31")
    expect(page.get_by_label("Apa yang harus dikerjakan (butir 2)")).to_have_value(
        "Hitung harga jual"
    )
    expect(page.get_by_label("Tenggat (butir 2)")).to_have_value("2020-01-01")
    expect(page.get_by_label("Siapa (butir 2)")).to_have_value("Ketua")
    page.get_by_text(
        "Tindak lanjut 2: tenggatnya sebelum tanggal sesi."
    ).scroll_into_view_if_needed()
    mentor.shot("session-error", guide=True)
    page.get_by_label("Tenggat (butir 2)").fill("2099-02-28")
    page.get_by_role("button", name="Simpan sesi").click()
    # Back on the group: the session and both action items are there.
    expect(page.get_by_role("heading", level=1)).to_have_text(group)
    expect(page.get_by_role("row").filter(has_text="Catat biaya bahan")).to_have_count(1)
    expect(page.get_by_role("row").filter(has_text="Hitung harga jual")).to_have_count(1)
    _clean(mentor)


# The buyer's journey leaves its order's address here for the KUBE officer's journey.
ORDER: dict[str, str] = {}


def test_buyer_finds_products_by_region_name_posts_a_demand_and_sees_its_order(
    visit: Any,
) -> None:
    buyer = visit("pembeli", "en")
    page = buyer.page
    buyer.go("/pasar/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # The region filter understands a name: only groups of the Bandung regencies remain.
    page.get_by_label("Region").fill("Kota Bandung")
    page.get_by_role("button", name="Filter").click()
    products = page.get_by_role("article")
    expect(products.first).to_be_visible()
    expect(products.filter(has_text="Kota Bandung")).to_have_count(products.count())
    expect(products.filter(has_text="Kabupaten Bogor")).to_have_count(0)
    buyer.shot("catalogue", guide=True)

    _menu(page, "Demands")
    # The snacks category, by its English name (or the Indonesian one while the demand form
    # still lists categories untranslated).
    category = page.get_by_label("Category")
    snacks = category.locator("option").filter(has_text=re.compile("^(Snacks|Makanan ringan)"))
    category.select_option(snacks.first.get_attribute("value"))
    page.get_by_role("searchbox", name="Delivery regency").fill("kota bandung")
    expect(page.get_by_role("radio", name=re.compile("^Kota Bandung "))).to_have_count(1)
    page.get_by_role("radio", name=re.compile("^Kota Bandung ")).check()
    # 90 kg at one go: more than the cheapest group (in Bogor) has ready, so it goes to
    # the Bandung group whose officer answers in the next journey.
    page.get_by_label("Quantity", exact=True).fill("90")
    page.get_by_label("Unit", exact=True).fill("kg")
    page.get_by_label("Maximum price per unit (Rp)").fill("45,000")
    page.get_by_label("Minimum lot per group").fill("90")
    page.get_by_label("Needed by").fill("2099-06-30")
    page.get_by_label("Note").fill("For a souvenir shop network in Bandung")
    page.get_by_role("button", name="Post the demand").click()
    expect(page.get_by_role("status").first).to_contain_text("Demand posted")
    expect(page.get_by_text("Rp45,000")).to_be_visible()
    page.get_by_role("button", name="Split over groups").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Order")
    page.get_by_role("button", name="Send to the groups").click()
    expect(page.get_by_text("Waiting for the group").first).to_be_visible()
    buyer.shot("order-sent", guide=True)
    ORDER["path"] = urlsplit(page.url).path
    # The demand lists its order.
    _menu(page, "Demands")
    page.get_by_role("row").filter(has_text="2099-06-30").get_by_role("link").first.click()
    expect(page.get_by_role("link", name=re.compile(r"^#\d+"))).to_have_count(1)
    _clean(buyer)


def test_kube_officer_moves_its_part_through_production_and_records_a_sale(
    visit: Any,
) -> None:
    officer = visit("kube.bandung", "id", phone=True)
    page = officer.page
    officer.go("/pasar/produk-kelompok/")
    waiting = page.get_by_role("listitem").filter(has_text="90 kg Kripik singkong pedas")
    waiting.get_by_role("link", name="jawab").click()
    part = page.get_by_role("row").filter(has_text="KUBE Mawar Sukasari")
    part.get_by_role("button", name="Terima").click()
    expect(page.get_by_role("status").first).to_contain_text("Jawaban tercatat")
    expect(part).to_contain_text("Diterima")
    order = urlsplit(page.url).path
    _clean(officer)

    buyer = visit("pembeli", "en")
    buyer.go(order)
    buyer.page.get_by_role("button", name="Confirm the order").click()
    expect(buyer.page.get_by_role("heading", level=1)).to_contain_text("Confirmed")
    _clean(buyer)

    # The group moves its own part; the buyer's steps are not offered to it.
    officer.go(order)
    page.get_by_role("button", name="Mulai produksi").click()
    expect(part).to_contain_text("Diproduksi")
    # On a phone the part's steps are at the end of its row: a person scrolls to them.
    page.get_by_role("button", name="Tandai sudah dikirim").scroll_into_view_if_needed()
    officer.shot("part-in-production", guide=True)
    page.get_by_role("button", name="Tandai sudah dikirim").click()
    expect(part).to_contain_text("Dikirim")
    expect(page.get_by_role("button", name="Konfirmasi penerimaan")).to_have_count(0)

    # A sale made outside Sinergi, at the market stall.
    _menu(page, "Penjualan")
    page.get_by_label("Dijual kepada").select_option(label="Lapak pasar")
    page.get_by_label("Apa", exact=True).fill("Kripik pedas, lapak Minggu")
    page.get_by_label("Jumlah", exact=True).fill("12")
    page.get_by_label("Harga per satuan (Rp)").fill("40.000")
    page.get_by_role("button", name="Catat penjualan").click()
    sale = page.get_by_role("row").filter(has_text="Kripik pedas, lapak Minggu")
    expect(sale).to_have_count(1)
    expect(sale).to_contain_text("40.000")
    officer.shot("sale-recorded", guide=True)
    _clean(officer)


def test_auditor_filters_the_audit_trail_by_words(visit: Any) -> None:
    auditor = visit("auditor", "id")
    page = auditor.page
    _menu(page, "Jejak audit")
    # The filter searches the events' labels in the page's language, not their codes.
    page.get_by_role("searchbox", name="Peristiwa").fill("tawaran pendampingan")
    page.get_by_role("button", name="Saring").click()
    rows = page.get_by_role("row").filter(has_text=re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d"))
    expect(rows.first).to_be_visible()
    events = rows.locator("td:nth-child(2)").all_inner_texts()
    assert all("tawaran pendampingan" in event.lower() for event in events), events
    # What the journeys above did is there, in words: the mentor's accepted offer.
    expect(rows.filter(has_text="Tawaran pendampingan diterima").first).to_be_visible()
    assert not raw_codes(auditor.text()), raw_codes(auditor.text())
    auditor.shot("audit-filtered", guide=True)
    _clean(auditor)


def test_admin_reads_the_dashboard_and_map_and_refreshes_the_figures(visit: Any) -> None:
    admin = visit("admin", "id")
    page = admin.page
    _menu(page, "Pemantauan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Indonesia")
    expect(page.get_by_text(re.compile(r"^Angka per \d{4}-\d\d-\d\d"))).to_be_visible()
    # The map colours by the chosen figure; a province opens its own dashboard.
    page.get_by_label("Warnai menurut").select_option(label="Anggota")
    figure = page.get_by_role("group", name="Peta: Anggota")
    expect(figure).to_be_visible()
    figure.scroll_into_view_if_needed()
    admin.shot("dashboard-map", guide=True)
    page.get_by_role("link", name=re.compile("^Jawa Barat: ")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jawa Barat")
    # Refreshing says honestly what happens: the job waits for the demo's worker, runs, or
    # (a quick worker) has already finished by the time the page shows it.
    page.get_by_role("button", name="Perbarui angka").click()
    expect(page.get_by_role("status").first).to_contain_text("Angka sedang dihitung ulang")
    expect(page.locator(".job-progress").first).to_contain_text(
        re.compile("Menunggu pekerja latar|Sudah berjalan|selesai|Selesai")
    )
    admin.shot("dashboard-refresh", guide=True)
    _clean(admin)

    # The button is offered only to who may refresh: not to the auditor.
    auditor = visit("auditor", "id")
    _menu(auditor.page, "Pemantauan")
    expect(auditor.page.get_by_role("heading", level=1)).to_be_visible()
    expect(auditor.page.get_by_role("button", name="Perbarui angka")).to_have_count(0)
    _clean(auditor)
