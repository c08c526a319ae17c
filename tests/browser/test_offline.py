"""A village visit in airplane mode: the installable app keeps pages and forms on the phone.

The mentor and the KUBE officer open Sinergi online once (the service worker takes control and
keeps what they open), lose the connection, open their pages from the phone's copy, record work
that waits on the phone ("Menunggu dikirim (n)"), and get the connection back: each record
reaches the server exactly once (counted in the demo's database). A report queued offline while
someone else submits it online comes back refused with the server's reason, and can be
discarded.
"""

from __future__ import annotations

import io
import os
import re
import sqlite3
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.xdist_group("browser-offline")


def _photo(width: int = 2400, height: int = 1800) -> bytes:
    """A phone camera's photo: larger than the app sends (1,600 px at most)."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (width, height), (200, 180, 120))
    ImageDraw.Draw(picture).ellipse((300, 300, 1500, 1500), fill=(30, 120, 80))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def _data(demo_site: tuple[str, Path]) -> Path:
    """The demo's data folder (with SINERGI_BROWSER_BASE, name it in SINERGI_BROWSER_DATA)."""
    return Path(os.environ.get("SINERGI_BROWSER_DATA") or demo_site[1])


def _database(demo_site: tuple[str, Path]) -> sqlite3.Connection:
    return sqlite3.connect(_data(demo_site) / "sinergi.sqlite3", timeout=30)


def _count(demo_site: tuple[str, Path], sql: str, *args: Any) -> int:
    with _database(demo_site) as db:
        return int(db.execute(sql, args).fetchone()[0])


def _controlled(page: Any) -> None:
    """Wait until the service worker controls the page. It claims open pages on activation;
    on a loaded machine the claim can miss the page, and a page loaded after the worker is
    active is always controlled, as a person's next page would be: reload once then."""
    page.wait_for_function(
        "() => { navigator.serviceWorker.ready.then(() => { window.__swReady = true; });"
        " return window.__swReady === true; }",
        polling=200,
        timeout=45000,
    )
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=45000)


def _kept(page: Any, *paths: str) -> None:
    """Wait until the worker has kept these pages (it stores a page just after serving it)."""
    # A predicate's promise would count as true at once: each poll starts a look in the
    # caches and answers what the previous one found.
    page.evaluate("window.__kept = false")
    page.wait_for_function(
        """(paths) => {
            Promise.all(paths.map((p) => caches.match(p)))
                .then((found) => { window.__kept = found.every(Boolean); });
            return window.__kept === true;
        }""",
        arg=[urljoin(page.url, path) for path in paths],
        polling=200,
        timeout=30000,
    )


def _badge(page: Any) -> Any:
    return page.locator("#offline-badge")


def test_a_village_visit_offline_arrives_once(visit: Any, demo_site: tuple[str, Path]) -> None:
    mentor = visit("mentor.bandung", "id", phone=True)
    page = mentor.page
    mentor.go("/pendampingan/")
    # The mentor's group (an offer waiting in a fresh demo is accepted first).
    offer = page.get_by_role("button", name="Terima")
    if offer.count():
        offer.first.click()
        expect(page.get_by_role("status").first).to_contain_text("Anda sekarang mendampingi")
    group_link = page.locator("a[href^='/pendampingan/kelompok/']").first
    group_path = urlsplit(group_link.get_attribute("href") or "").path
    _controlled(page)
    # Opened once online: kept on the phone. The sale form and the queue page are never
    # opened: the worker keeps them from the sync read's list of pages.
    for path in ("/tugas/", group_path + "sesi/baru/", group_path):
        mentor.go(path)
    group_name = page.get_by_role("heading", level=1).inner_text()
    _kept(page, "/tugas/", group_path, group_path + "sesi/baru/", "/pasar/penjualan/")
    _kept(page, "/luring/antrian/")

    mentor.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(group_name)
    expect(page.locator("#offline-now")).to_be_visible()
    page.goto(mentor.base + "/tugas/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # A page never opened: the offline page says what to do.
    page.goto(mentor.base + "/pasar/permintaan/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tidak ada sambungan")
    mentor.shot("offline-page")

    # A session with a photo, recorded with no connection.
    marker = f"Balai desa {int(time.time())}"
    page.goto(mentor.base + group_path + "sesi/baru/")
    page.get_by_label("Tanggal", exact=True).fill(time.strftime("%Y-%m-%d"))
    page.get_by_label("Tempat").fill(marker)
    page.get_by_label("Topik").fill("Pembukuan kas")
    # A photo of the stock, with nobody ticked as present: a photo of people needs the consent
    # of those present (UU PDP), which the demo has not recorded for every member.
    for box in page.locator("input[name=present]").all():
        box.uncheck()
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "kamera.png", "mimeType": "image/png", "buffer": _photo()}]
    )
    page.get_by_role("button", name="Simpan sesi").click()
    expect(page.get_by_text("disimpan di ponsel ini")).to_be_visible()
    expect(_badge(page)).to_have_text("Menunggu dikirim (1)")

    # A sale at the market stall, still offline. A phone with no room left says so before
    # anything is lost (what was typed stays); with room, the sale waits.
    sale = f"Kripik lapak desa {int(time.time())}"
    page.goto(mentor.base + "/pasar/penjualan/")
    page.evaluate("navigator.storage.estimate = async () => ({ usage: 999000, quota: 1000000 })")
    page.get_by_label("Apa", exact=True).fill(sale)
    page.get_by_role("button", name="Catat penjualan").click()
    expect(page.get_by_role("alert")).to_contain_text("Ruang penyimpanan ponsel ini tidak cukup")
    expect(page.get_by_label("Apa", exact=True)).to_have_value(sale)
    expect(_badge(page)).to_have_text("Menunggu dikirim (1)")
    page.reload()
    page.get_by_label("Dijual kepada").select_option(label="Lapak pasar")
    page.get_by_label("Apa", exact=True).fill(sale)
    page.get_by_label("Jumlah", exact=True).fill("3")
    page.get_by_label("Harga per satuan (Rp)").fill("15.000")
    page.get_by_role("button", name="Catat penjualan").click()
    expect(_badge(page)).to_have_text("Menunggu dikirim (2)")
    # A second sale from the same kept page (the phone shows the same copy, with the same
    # one-time form token the server put in it): a record of its own, not an echo of the first.
    second = sale + " kedua"
    page.reload()
    page.get_by_label("Dijual kepada").select_option(label="Lapak pasar")
    page.get_by_label("Apa", exact=True).fill(second)
    page.get_by_label("Jumlah", exact=True).fill("2")
    page.get_by_label("Harga per satuan (Rp)").fill("15.000")
    page.get_by_role("button", name="Catat penjualan").click()
    expect(_badge(page)).to_have_text("Menunggu dikirim (3)")
    mentor.shot("waiting-two")
    page.goto(mentor.base + "/luring/antrian/")
    expect(page.locator(".offline-item")).to_have_count(3)
    expect(page.locator(".offline-item").first).to_contain_text("Menunggu dikirim")
    mentor.shot("queue-offline")
    assert _count(demo_site, "SELECT COUNT(*) FROM mentoring_session WHERE place = ?", marker) == 0

    # The connection returns: both are sent by themselves (by the page, or by the worker's
    # Background Sync), once.
    mentor.context.set_offline(False)
    expect(page.locator(".offline-item[data-status=sent]")).to_have_count(3, timeout=20000)
    expect(_badge(page)).to_have_text("Terkirim (3) ✓")
    mentor.shot("queue-sent")
    # Every page load sends what waits; nothing waits now, nothing is sent again.
    page.reload()
    mentor.go(group_path)
    expect(page.get_by_text(marker)).to_be_visible()
    assert _count(demo_site, "SELECT COUNT(*) FROM mentoring_session WHERE place = ?", marker) == 1
    assert _count(demo_site, "SELECT COUNT(*) FROM market_sale WHERE description = ?", sale) == 1
    assert _count(demo_site, "SELECT COUNT(*) FROM market_sale WHERE description = ?", second) == 1
    # The photo arrived, made smaller on the phone.
    with _database(demo_site) as db:
        row = db.execute(
            "SELECT p.image FROM mentoring_sessionphoto p JOIN mentoring_session s "
            "ON s.id = p.session_id WHERE s.place = ?",
            (marker,),
        ).fetchall()
    assert len(row) == 1
    from PIL import Image

    with Image.open(_data(demo_site) / "media" / row[0][0]) as stored:
        assert max(stored.size) <= 1600

    # Sent again, as a phone that lost the server's answer would: the idempotency key makes
    # the server answer the first result, and nothing is stored twice.
    page.goto(mentor.base + "/luring/antrian/")
    page.evaluate(
        """async () => { for (const item of await SinergiQueue.all()) {
            item.status = "waiting"; await SinergiQueue.put(item); } }"""
    )
    page.reload()
    expect(page.locator(".offline-item[data-status=sent]")).to_have_count(3, timeout=20000)
    assert _count(demo_site, "SELECT COUNT(*) FROM mentoring_session WHERE place = ?", marker) == 1
    assert _count(demo_site, "SELECT COUNT(*) FROM market_sale WHERE description = ?", sale) == 1
    assert _count(demo_site, "SELECT COUNT(*) FROM market_sale WHERE description = ?", second) == 1
    _clean(mentor)


def test_a_report_queued_offline_and_submitted_meanwhile_comes_back_refused(
    visit: Any, demo_site: tuple[str, Path]
) -> None:
    officer = visit("kube.bandung", "en", phone=True)
    page = officer.page
    officer.go("/tugas/")
    _controlled(page)
    kube = _count(demo_site, "SELECT kube_id FROM accounts_user WHERE username = 'kube.bandung'")
    # A month long past that nobody reported (another one on each run against the same demo).
    now = int(time.time())
    month = f"{2000 + now % 20}-{1 + (now // 20) % 12:02d}"
    report = f"/pantau/kube/{kube}/laporan/{month}/"
    officer.go(report)
    _kept(page, report, "/luring/antrian/")
    # Signal bars but nothing passes: the page believes it is online and sends the form the
    # ordinary way; the worker keeps it when the sending fails, and shows the queue.
    officer.context.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'onLine', { get: () => true })"
    )
    officer.context.set_offline(True)
    page.reload()
    page.get_by_label("Turnover (Rp)").fill("1500000")
    page.get_by_label("Costs (Rp)").fill("900000")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page).to_have_url(re.compile(r"/luring/antrian/$"))
    kept = page.locator(".offline-item")
    expect(kept).to_have_count(1)
    expect(kept).to_contain_text(f"Group report {month}")
    expect(_badge(page)).to_have_text("Waiting to send (1)")
    page.goto(officer.base + "/pdp/permintaan/")
    expect(page.get_by_role("heading", level=1)).to_have_text("No connection")
    officer.shot("offline-page")

    # Meanwhile the facilitator submits the same month's report online.
    facilitator = visit("pendamping.bandung", "id")
    facilitator.go(report)
    facilitator.page.get_by_label("Omzet (Rp)").fill("2000000")
    facilitator.page.get_by_label("Biaya (Rp)").fill("1000000")
    facilitator.page.get_by_role("button", name="Kirim", exact=True).click()
    expect(facilitator.page.get_by_text("final").first).to_be_visible()

    officer.context.set_offline(False)
    page.goto(officer.base + "/luring/antrian/")
    refused = page.locator(".offline-item[data-status=refused]")
    expect(refused).to_have_count(1, timeout=20000)
    expect(refused).to_contain_text("Refused by the server")
    expect(refused.locator(".offline-reasons")).to_contain_text(re.compile("submitted|final", re.I))
    expect(_badge(page)).to_have_text("To correct (1)")
    officer.shot("queue-refused")
    # "Open & correct" brings the form back filled in, with the reason.
    refused.get_by_role("button", name="Open & correct").click()
    expect(page.get_by_label("Turnover (Rp)")).to_have_value("1500000")
    page.go_back()
    refused = page.locator(".offline-item[data-status=refused]")
    refused.get_by_role("button", name="Discard").click()
    refused.get_by_role("button", name=re.compile("Discard for good")).click()
    expect(page.get_by_text("Nothing recorded on this phone waits to be sent.")).to_be_visible()
    expect(_badge(page)).to_have_count(0)
    # Signing out leaves nothing of the officer's on the phone (Clear-Site-Data).
    page.locator("form[action='/akun/keluar/'] button").first.dispatch_event("click")
    expect(page).to_have_url(re.compile(r"/akun/masuk/"))
    # What was the officer's goes: her kept pages and the queue's database. The sign-in page
    # may fill the static cache again at once (the site's own CSS and scripts, nobody's data).
    page.wait_for_function(
        """() => {
            Promise.all([caches.keys(), indexedDB.databases()])
                .then(([kept, bases]) => {
                    const pages = kept.filter((name) => !name.startsWith("sinergi-static-"));
                    window.__gone = !pages.length && !bases.length;
                });
            return window.__gone === true;
        }""",
        polling=200,
        timeout=30000,
    )
    # The server kept the facilitator's report only, submitted once.
    assert (
        _count(
            demo_site,
            "SELECT COUNT(*) FROM monitoring_groupreport WHERE kube_id = ? AND period = ?",
            kube,
            f"{month}-01",
        )
        == 1
    )
    _clean(officer)


def _clean(person: Any) -> None:
    """Nothing went wrong but what offline work must show: failed loads while offline and a
    refused form's 400 are expected; script errors and CSP violations are not."""
    expected = ("net::ERR_INTERNET_DISCONNECTED", "status of 400", "Failed to fetch")
    problems = [p for p in person.problems if not any(e in p for e in expected)]
    assert not problems, "\n".join(problems)


def test_a_photo_is_made_smaller_on_a_phone_without_image_bitmaps(
    visit: Any, demo_site: tuple[str, Path]
) -> None:
    # Safari before 15 has no createImageBitmap: the photo is decoded by an <img> instead.
    mentor = visit("mentor.bandung", "en", phone=True)
    mentor.context.add_init_script("delete window.createImageBitmap")
    page = mentor.page
    mentor.go("/pendampingan/")
    offer = page.get_by_role("button", name="Accept")
    if offer.count():
        offer.first.click()
    group_link = page.locator("a[href^='/pendampingan/kelompok/']").first
    group_path = urlsplit(group_link.get_attribute("href") or "").path
    mentor.go(group_path + "sesi/baru/")
    assert page.evaluate("typeof window.createImageBitmap") == "undefined"
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "kamera.png", "mimeType": "image/png", "buffer": _photo(3000, 2000)}]
    )
    page.wait_for_function(
        "() => { const f = document.querySelector('input[type=file]').files[0];"
        " return f && f.type === 'image/jpeg'; }",
        timeout=20000,
    )
    size = page.evaluate(
        """async () => {
            const file = document.querySelector("input[type=file]").files[0];
            const image = new Image();
            image.src = await new Promise((done) => {
                const reader = new FileReader();
                reader.onload = () => done(reader.result);
                reader.readAsDataURL(file);
            });
            await image.decode();
            return [file.name, image.naturalWidth, image.naturalHeight];
        }"""
    )
    assert size == ["kamera.jpg", 1600, 1067]
