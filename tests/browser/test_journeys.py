"""Every role's main journey, end to end through the screens, as a person does it.

Each test signs a demo login in (tests/browser/conftest.py), finds what it needs by label, role
or visible text — never by a page's CSS — and checks what a person would check: the words on
the screen, what stays typed after a mistake, which buttons a role is (not) offered. Field
roles work at phone width; the buyer's journey is in English, the others in Bahasa Indonesia.
Screens worth a picture are taken with ``shot(..., guide=True)``: with SINERGI_GUIDE_SHOTS=1
they become the screen guide's images (docs/guide/img/).

The journeys change the demo (a new group, a proposal, a report...), so each one makes its own
records with names of its own, and tolerates a demo an earlier run already changed.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import expect

# A mark of this run, so records made by a journey can be told from the demo's and from an
# earlier run's (SINERGI_BROWSER_BASE reuses one demo while writing tests).
RUN = time.strftime("%H%M%S")


def _clean(person: Any) -> None:
    """Nothing went wrong along the way. A refused form page may answer 400 (aid and
    monitoring do, the other apps answer 200; the browser logs it as a failed load): the
    journeys check what such a page says instead, so that one log line is not a problem."""
    refused_form = "the server responded with a status of 400 (Bad Request)"
    problems = [p for p in person.problems if not p.endswith(refused_form)]
    assert not problems, "\n".join(problems)


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
    group = f"KUBE Uji {RUN}"
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
