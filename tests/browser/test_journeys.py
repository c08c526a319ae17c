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
    assert not person.problems, "\n".join(person.problems)


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
