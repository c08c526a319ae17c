"""The work that finds its person and the privacy pages, end to end in a real browser.

A regency officer lands on their tasks and works one off; a newcomer is invited, chooses a
password, forgets it and resets it from the mail, protects the account with a second factor
and uses a recovery code; a data-subject access request is recorded and its file downloaded; a
breach starts the 3×24-hour clock on the responsible officer's pages (not a mentor's); and the
new pages read well in English and at phone width.

Mail is read from the live server's real SMTP server (``mailbox``, tests/browser/conftest.py).
The tests run in this file's order on the journeys' demo: the newcomer invited first is the
person of the password and second-factor journeys (no demo login's password changes).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESK, PHONE, Mailbox
from tests.browser.test_pages import raw_codes

pytestmark = pytest.mark.xdist_group("browser-journeys")

# One newcomer per run (a second run against a kept demo, SINERGI_BROWSER_BASE, needs a new name).
STAMP = f"{int(time.time()) % 1_000_000:06d}"
NEWCOMER = f"dinsos.bandung.uji{STAMP}"
NEWCOMER_MAIL = f"uji{STAMP}@example.org"
FIRST_PASSWORD = "Pertama-sandi-2026!"
SECOND_PASSWORD = "Kedua-sandi-baru-2026!"
SHOTS = Path(os.environ.get("SINERGI_BROWSER_SHOTS") or tempfile.gettempdir()) / "sinergi-shots"
LINK = re.compile(r"https?://\S+?(/akun/(?:undangan|sandi/atur)/\S+)")
# Words a page in English should not show (Indonesian-only text left untranslated).
INDONESIAN = re.compile(
    r"\b(yang|untuk|dengan|tidak|belum|menunggu|simpan|tugas|sandi|permintaan|sudah|"
    r"pengguna|wilayah|keluarga|diisi|tanggal|berkas|kirim)\b",
    re.IGNORECASE,
)


def _clean(person: Any) -> None:
    refused_form = "the server responded with a status of 400 (Bad Request)"
    problems = [p for p in person.problems if not p.endswith(refused_form)]
    assert not problems, "\n".join(problems)


def _links(mailbox: Mailbox, address: str) -> list[str]:
    return [m.group(1) for text in mailbox.to(address) for m in LINK.finditer(text)]


def _png(page: Any, name: str) -> None:
    """A screenshot (PNG, whole page) to look at: under the session's tmp dir."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _nav_count(page: Any) -> int:
    badge = page.locator("ul.nav-main .nav-count")
    return int(badge.inner_text()) if badge.count() else 0


@pytest.fixture
def stranger(demo_site: tuple[str, Path], browser: Any) -> Iterator[Any]:
    """A browser nobody is signed in to (the newcomer's own)."""
    base, _data = demo_site
    opened: list[Any] = []

    def open_(language: str = "id", *, phone: bool = False) -> Any:
        context = browser.new_context(viewport=PHONE if phone else DESK, locale="id-ID")
        context.add_cookies([{"name": "sinergi_language", "value": language, "url": base}])
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: script error {exc}"))
        page.errors = errors
        opened.append(context)
        return page

    yield open_
    for context in opened:
        context.close()


def _sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(base + "/akun/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form:has(#id_username) [type=submit]")
    page.wait_for_load_state()


def test_officer_lands_on_tasks_and_works_one_off(visit: Any) -> None:
    officer = visit("dinsos.bandung", "id")
    page = officer.page
    # Signing in lands on the tasks, with their number in the menu.
    assert urlsplit(page.url).path == "/tugas/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Tugas saya")
    before = _nav_count(page)
    assert before > 0, "the menu shows no task count"
    expect(page.get_by_text(f"{before} tugas menunggu Anda")).to_be_visible()
    _png(page, "tasks")
    # Every group of tasks is named in words, not by its code (``pdp.request``).
    headings = page.locator("main h2").all_inner_texts()
    assert not [h for h in headings if re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", h.strip())], headings
    items = page.get_by_role("link", name=re.compile("^Konfirmasi atau tolak graduasi"))
    waiting = items.count()
    assert waiting > 0
    target = urlsplit(items.first.get_attribute("href") or "").path
    items.first.click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == target
    expect(page.get_by_role("heading", name="Bulan di atas garis")).to_be_visible()
    # The work: confirm the graduation.
    page.get_by_role("radio", name="Konfirmasi graduasi").check()
    page.get_by_role("checkbox", name=re.compile("^Saya sudah memeriksa")).check()
    page.get_by_role("button", name="Simpan keputusan").click()
    page.wait_for_load_state()
    officer.go("/tugas/")
    after = page.get_by_role("link", name=re.compile("^Konfirmasi atau tolak graduasi"))
    expect(after).to_have_count(waiting - 1)
    assert target not in [
        urlsplit(after.nth(i).get_attribute("href") or "").path for i in range(after.count())
    ]
    assert _nav_count(page) == before - 1
    _clean(officer)


def test_officer_invites_a_newcomer_who_sets_a_password(
    visit: Any, stranger: Any, mailbox: Mailbox, demo_site: tuple[str, Path]
) -> None:
    base, _data = demo_site
    officer = visit("dinsos.bandung", "id")
    page = officer.page
    officer.go("/akun/pengguna/")
    page.locator("main").get_by_text("Pengguna baru", exact=True).first.click()
    page.get_by_label("Nama pengguna").fill(NEWCOMER)
    page.get_by_label("Nama depan").fill("Rina")
    page.get_by_label("Nama belakang").fill("Uji")
    page.get_by_label("Surel").fill(NEWCOMER_MAIL)
    role = page.get_by_label("Peran")
    # Only the office's own roles are offered.
    offered = role.locator("option").all_inner_texts()
    assert "Admin nasional" not in offered and "Auditor" not in offered
    page.get_by_role("radio", name=re.compile("^Kota Bandung")).check()
    page.get_by_label("Peran").select_option(label="Petugas Dinas Sosial")
    page.get_by_role("button", name="Buat dan undang").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("Rina|" + NEWCOMER))
    _clean(officer)

    links = _links(mailbox, NEWCOMER_MAIL)
    assert links and "/akun/undangan/" in links[-1], mailbox.to(NEWCOMER_MAIL)
    invite = links[-1]
    newcomer = stranger("id", phone=True)
    newcomer.goto(base + invite)
    expect(newcomer.get_by_text(NEWCOMER)).to_be_visible()
    newcomer.locator("#id_new_password1").fill(FIRST_PASSWORD)
    newcomer.locator("#id_new_password2").fill(FIRST_PASSWORD)
    newcomer.get_by_role("button", name="Simpan kata sandi").click()
    newcomer.wait_for_load_state()
    assert "/akun/masuk/" in newcomer.url
    newcomer.fill("#id_username", NEWCOMER)
    newcomer.fill("#id_password", FIRST_PASSWORD)
    newcomer.click("form:has(#id_username) [type=submit]")
    newcomer.wait_for_load_state()
    assert urlsplit(newcomer.url).path == "/tugas/"
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Tugas saya")
    _png(newcomer, "newcomer-tasks-phone")
    # The invitation works once.
    newcomer.goto(base + invite)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Tautan ini tidak dapat dipakai")
    assert not newcomer.errors

    # A role above the officer's own, slipped into the form, is refused with the reason
    # beside the field (not Django's "not one of the available choices" naming a code), and
    # nothing typed is lost.
    officer.go("/akun/pengguna/baru/")
    page.get_by_label("Nama pengguna").fill(NEWCOMER + "b")
    page.get_by_label("Surel").fill("b" + NEWCOMER_MAIL)
    page.get_by_role("radio", name=re.compile("^Kota Bandung")).check()
    page.get_by_label("Peran").evaluate(
        "s => { const o = new Option('Admin nasional', 'national_admin'); s.add(o); "
        "o.selected = true; }"
    )
    page.get_by_role("button", name="Buat dan undang").click()
    _png(page, "user-role-refused")
    expect(page.locator("#id_role-err")).to_contain_text(
        "Anda tidak boleh memberikan peran Admin nasional"
    )
    assert "national_admin" not in page.locator("main form").inner_text()
    expect(page.get_by_label("Surel")).to_have_value("b" + NEWCOMER_MAIL)


def _english(page: Any, where: str) -> None:
    """The page's main text is English: no Indonesian-only word, no raw code."""
    text = page.locator("main").inner_text()
    words = sorted({w.lower() for w in INDONESIAN.findall(text)})
    assert not words, f"{where}: Indonesian words {words}"
    assert not raw_codes(text), f"{where}: raw codes {raw_codes(text)}"


def test_forgotten_password_reset_from_the_mail_in_english(
    stranger: Any, mailbox: Mailbox, demo_site: tuple[str, Path]
) -> None:
    base, _data = demo_site
    page = stranger("en")
    page.goto(base + "/akun/masuk/")
    _english(page, "sign-in")
    page.get_by_role("link", name="Forgot password?").click()
    _english(page, "forgot password")
    page.get_by_label("E-mail").fill(NEWCOMER_MAIL)
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_load_state()
    assert "/akun/sandi/lupa/terkirim/" in page.url
    _english(page, "link sent")
    links = [link for link in _links(mailbox, NEWCOMER_MAIL) if "/akun/sandi/atur/" in link]
    assert links, mailbox.to(NEWCOMER_MAIL)
    reset = links[-1]
    page.goto(base + reset)
    _english(page, "choose a new password")
    page.locator("#id_new_password1").fill(SECOND_PASSWORD)
    page.locator("#id_new_password2").fill(SECOND_PASSWORD)
    page.get_by_role("button", name="Save password").click()
    page.wait_for_load_state()
    _english(page, "password saved")
    # The old password no longer opens the account; the new one does.
    _sign_in(page, base, NEWCOMER, FIRST_PASSWORD)
    assert "/akun/masuk/" in page.url
    _sign_in(page, base, NEWCOMER, SECOND_PASSWORD)
    assert urlsplit(page.url).path == "/tugas/"
    # The same link a second time says plainly that it cannot be used.
    other = stranger("en")
    answer = other.goto(base + reset)
    assert answer is not None and answer.status == 410
    expect(other.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
    expect(other.locator("main [role=alert]")).to_contain_text(re.compile(r"\w{4,}"))
    expect(other.locator("input[type=password]")).to_have_count(0)
    expect(other.get_by_role("button", name="Ask for a new link")).to_be_visible()
    _english(other, "link used twice")
    _png(other, "reset-link-again")
    assert not page.errors and not other.errors


def test_second_factor_enrolled_and_recovery_code_used_once(
    stranger: Any, demo_site: tuple[str, Path]
) -> None:
    base, _data = demo_site
    page = stranger("id")
    _sign_in(page, base, NEWCOMER, SECOND_PASSWORD)
    page.goto(base + "/akun/profil/")
    page.get_by_role("link", name="Pasang faktor kedua").click()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    _png(page, "newcomer-enrol")
    enrolled_with = totp.now()
    page.get_by_role("textbox", name="Kode").fill(enrolled_with)
    page.get_by_role("button", name="Konfirmasi").click()
    codes = page.locator("ul.recovery-codes code").all_inner_texts()
    assert len(codes) >= 5
    page.get_by_role("button", name=re.compile("^Sudah saya simpan")).click()

    # Signing in now asks for the code.
    fresh = stranger("id")
    _sign_in(fresh, base, NEWCOMER, SECOND_PASSWORD)
    assert "/akun/masuk/kode/" in fresh.url
    # A code already used is refused (replay); the app's next code (a phone clock a little
    # ahead: the server accepts one step either side) opens the account.
    fresh.get_by_role("textbox", name="Kode").fill(enrolled_with)
    fresh.get_by_role("button", name="Lanjut").click()
    expect(fresh.locator("#id_code-err")).to_be_visible()
    _png(fresh, "code-refused")
    fresh.get_by_role("textbox", name="Kode").fill(totp.at(time.time() + 30))
    fresh.get_by_role("button", name="Lanjut").click()
    fresh.wait_for_load_state()
    assert urlsplit(fresh.url).path == "/tugas/"

    # A recovery code works once.
    for attempt in range(2):
        other = stranger("id")
        _sign_in(other, base, NEWCOMER, SECOND_PASSWORD)
        other.get_by_role("textbox", name="Kode").fill(codes[0])
        other.get_by_role("button", name="Lanjut").click()
        other.wait_for_load_state()
        if attempt == 0:
            assert urlsplit(other.url).path == "/tugas/"
        else:
            assert "/akun/masuk/kode/" in other.url
            expect(other.locator("#id_code-err")).to_be_visible()
            _png(other, "recovery-code-again")
    assert not page.errors and not fresh.errors


def test_access_request_file_and_breach_clock(visit: Any) -> None:
    officer = visit("dinsos.bandung", "id")
    page = officer.page
    # A NIK of the officer's area, read where it may be revealed.
    nik = _a_nik(officer)
    officer.go("/pdp/permintaan/")
    page.get_by_role("button", name="Catat permintaan").click()
    page.get_by_label("Permintaan", exact=True).select_option(index=0)
    page.get_by_label("NIK orang tersebut").fill(nik)
    page.get_by_role("button", name=re.compile("Simpan|Catat")).click()
    page.wait_for_load_state()
    assert re.search(r"/pdp/permintaan/\d+/$", page.url), page.url
    page.get_by_role("button", name="Buat berkas akses").click()
    # The file is made in the background; the job's page says when it is ready.
    ready = page.get_by_role("link", name=re.compile("^Unduh"))
    expect(ready).to_be_visible(timeout=60_000)
    with page.expect_download() as got:
        ready.click()
    path = got.value.path()
    assert path and Path(path).stat().st_size > 100
    held = json.loads(Path(path).read_text())
    assert held and isinstance(held, dict), held
    _png(page, "pdp-request")
    _clean(officer)

    officer.go("/pdp/insiden/")
    page.get_by_role("button", name="Catat insiden").click()
    title = f"Laptop hilang {STAMP}"
    page.get_by_label("Judul").fill(title)
    page.get_by_role("radio", name=re.compile("^Kota Bandung")).check()
    page.get_by_role("checkbox").first.check()
    page.get_by_label("Jumlah orang terdampak (perkiraan)").fill("40")
    now = time.strftime("%Y-%m-%dT%H:%M", time.localtime())
    page.get_by_label("Waktu kejadian").fill(now)
    page.get_by_label("Waktu diketahui").fill(now)
    page.get_by_label("Apa yang terjadi dan bagaimana").fill("Laptop petugas tertinggal di angkot.")
    page.get_by_role("button", name=re.compile("Simpan|Catat")).click()
    page.wait_for_load_state()
    officer.go("/tugas/")
    banner = page.get_by_role("region", name="Insiden data pribadi")
    expect(banner.get_by_role("link", name=re.compile(title))).to_be_visible()
    _png(page, "breach-banner")
    _clean(officer)

    mentor = visit("mentor.bandung", "id", phone=True)
    mentor.go("/tugas/")
    expect(mentor.page.get_by_text(title)).to_have_count(0)
    _clean(mentor)

    # Both notices recorded: the clock stops and the banner goes.
    banner.get_by_role("link", name=re.compile(title)).click()
    for recipient in range(2):
        page.get_by_label("Diberi tahu").select_option(index=recipient)
        page.get_by_label("Dikirim pada").fill(time.strftime("%Y-%m-%dT%H:%M", time.localtime()))
        page.get_by_label("Sarana").fill("Surat tercatat")
        page.get_by_role("button", name="Catat pemberitahuan ini").click()
        page.wait_for_load_state()
    expect(page.get_by_role("status").filter(has_text="sudah diberi tahu")).to_be_visible()
    officer.go("/tugas/")
    expect(page.get_by_text(title)).to_have_count(0)
    _clean(officer)


def test_correction_request_reads_in_words(visit: Any) -> None:
    """A correction proposed on a request shows each field by its label, not its code."""
    officer = visit("dinsos.bandung", "id")
    page = officer.page
    nik = _a_nik(officer)
    officer.go("/pdp/permintaan/baru/")
    page.get_by_label("Permintaan", exact=True).select_option(label="Perbaikan")
    page.get_by_label("NIK orang tersebut").fill(nik)
    page.get_by_role("button", name="Simpan").click()
    page.get_by_label("Tempat lahir").fill("Cimahi")
    page.get_by_label("Hubungan dengan kepala keluarga").select_option(label="Lainnya")
    page.locator("main form:has(#id_birth_place)").get_by_role("button", name="Usulkan").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text("Tempat lahir: Cimahi")
    expect(table).to_contain_text("Hubungan dengan kepala keluarga: Lainnya")
    codes = raw_codes(table.inner_text())
    assert not codes, codes
    _png(page, "correction-proposed")
    _clean(officer)


def _a_nik(officer: Any) -> str:
    """A person's NIK as an officer reads it: revealed on a household page, with a reason."""
    page = officer.context.new_page()
    page.goto(officer.base + "/registri/")
    page.locator("main table a[href*='/registri/kk/']").first.click()
    cell = page.locator("main table tbody tr").first.locator("[id^=reveal-nik-]")
    cell.get_by_text("Tampilkan").first.click()
    cell.get_by_role("textbox", name="Alasan").fill("permintaan akses subjek data")
    cell.get_by_role("button", name="Tampilkan").click()
    shown = page.locator("[id^=reveal-nik-] strong.masked").first
    expect(shown).to_have_text(re.compile(r"^\d{16}$"))
    nik = shown.inner_text()
    page.close()
    return nik


# Roles whose only demo work a journey in tests/browser/test_journeys.py does (the coordinator
# sends the mentor offers), when both modules share one worker's demo.
DONE_BY_JOURNEYS = {"iwapi.jabar"}


@pytest.mark.parametrize(
    ("username", "language", "phone"),
    [
        ("admin", "en", False),
        ("dinsos.jabar", "id", False),
        ("pendamping.bandung", "id", True),
        ("mentor.bandung", "id", True),
        ("kube.bandung", "en", True),
        ("iwapi.jabar", "id", False),
        ("pembeli", "en", False),
        ("auditor", "id", False),
    ],
)
def test_every_task_link_opens(visit: Any, username: str, language: str, phone: bool) -> None:
    """Each role lands on its tasks; every item's link opens for that person, in their
    language, without a raw code; the count in the menu is the page's."""
    person = visit(username, language, phone=phone)
    page = person.page
    assert urlsplit(page.url).path == "/tugas/"
    hrefs = page.eval_on_selector_all(
        "main .inbox-item a[href]", "els => els.map(e => e.getAttribute('href'))"
    )
    if not hrefs and username in DONE_BY_JOURNEYS:
        # Its only demo work (groups waiting for a mentor) is done by a journey that may have
        # run before on this worker's demo; an empty list must then say so, without a count.
        # That the fresh demo leaves it work is tests/core/test_inbox.py's to check.
        expect(page.get_by_text("Tidak ada yang menunggu Anda saat ini.")).to_be_visible()
        expect(page.locator(".nav-count")).to_have_count(0)
        return
    # The demo leaves every role work to do.
    assert hrefs, f"{username} has no task"
    expect(page.locator(".nav-count").first).to_have_text(re.compile(r"^[1-9]\d*$"))
    headings = page.locator("main h2").all_inner_texts()
    assert not [h for h in headings if re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", h.strip())], headings
    for href in dict.fromkeys(hrefs):
        person.go(href)
        if page.get_attribute("html", "lang") != language:
            person.problems.append(f"{href}: not in {language}")
        codes = raw_codes(person.text())
        if codes:
            person.problems.append(f"{href}: raw codes {sorted(codes)}")
    _clean(person)


ENGLISH_PAGES = [
    "/tugas/",
    "/notifikasi/",
    "/akun/profil/",
    "/akun/pengguna/",
    "/akun/pengguna/baru/",
    "/akun/pengguna/impor/",
    "/pdp/permintaan/",
    "/pdp/permintaan/baru/",
    "/pdp/retensi/",
    "/pdp/insiden/",
    "/pdp/insiden/baru/",
    "/pdp/pemrosesan/",
    "/pdp/dpia/",
    "/registri/akses-tidak-biasa/",
]


@pytest.mark.parametrize("phone", [False, True], ids=["desk", "phone"])
def test_new_pages_in_english_and_at_phone_width(visit: Any, phone: bool) -> None:
    officer = visit("dinsos.bandung", "id", phone=phone)
    page = officer.page
    # Switch the language as a person does: the EN button.
    page.get_by_role("button", name="EN").first.click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    found: list[str] = []
    for path in ENGLISH_PAGES:
        officer.go(path)
        text = officer.text()
        words = sorted({w.lower() for w in INDONESIAN.findall(text)})
        if words:
            found.append(f"{path}: Indonesian words {words}")
        # Codes a person is to type (a CSV's column names, shown in <kbd> on the page) and the
        # example username of the username field's help are not raw codes.
        typed = set(page.locator("main kbd").all_inner_texts()) | {"dinsos.garut.rina"}
        codes = raw_codes(text) - typed
        if codes:
            found.append(f"{path}: raw codes {sorted(codes)}")
        if "{%" in text or "{{" in text:
            found.append(f"{path}: template code shown")
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if wide > 1:
            found.append(f"{path}: {wide}px wider than the screen")
        _png(page, ("phone-" if phone else "en-") + path.strip("/").replace("/", "_"))
    assert not found, "\n".join(found)
    _clean(officer)


@pytest.mark.parametrize("username", ["dinsos.bandung", "iwapi.jabar", "kube.bandung"])
def test_every_menu_page_fits_a_phone_screen(visit: Any, username: str) -> None:
    """Nothing on a module's page is wider than a phone: a wide table scrolls inside its own
    box, and a search row of five fields stacks (it once kept five columns and pushed its
    buttons off the screen; the aid programmes' figures did the same)."""
    person = visit(username, "id", phone=True)
    page = person.page
    addresses = page.eval_on_selector_all(
        "nav.nav-mobile a[href^='/']", "links => links.map(a => a.getAttribute('href'))"
    )
    assert len(addresses) >= 3, addresses
    wider: list[str] = []
    for path in dict.fromkeys(addresses):
        person.go(path)
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if wide > 1:
            wider.append(f"{path}: {wide}px wider than the screen")
            _png(page, f"phone-wide-{username}-" + path.strip("/").replace("/", "_"))
    assert not wider, "\n".join(wider)
    _clean(person)
