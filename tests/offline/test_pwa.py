"""The installable app's addresses: what a browser needs from them to install Sinergi, run its
service worker over the whole site and keep the right things (and nothing else)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

from sinergi.accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_manifest_installs_sinergi_in_indonesian_opening_on_the_task_list() -> None:
    answer = Client().get("/manifest.webmanifest")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(answer.content)
    assert manifest["name"] == "Sinergi"
    assert manifest["lang"] == "id"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/tugas/"
    assert manifest["scope"] == "/"
    assert "tidak ada sinyal" in manifest["description"]
    # The brand green of the site's styles.
    assert manifest["theme_color"] == "#0b6e4f"
    css = finders.find("core/sinergi.css")
    assert isinstance(css, str) and "#0b6e4f" in Path(css).read_text(encoding="utf-8")
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert sizes == {
        ("192x192", "any"),
        ("512x512", "any"),
        ("192x192", "maskable"),
        ("512x512", "maskable"),
    }
    for icon in manifest["icons"]:
        # Each icon is a PNG of the size it claims, served from the static files.
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        with Image.open(path) as picture:
            width = int(icon["sizes"].split("x")[0])
            assert picture.format == "PNG" and picture.size == (width, width)
            if icon.get("purpose") == "maskable":
                # Full bleed: the corners are the brand colour, not transparent.
                assert picture.convert("RGB").getpixel((0, 0)) == (11, 110, 79)


def test_the_service_worker_may_control_the_whole_site_and_is_never_cached() -> None:
    answer = Client().get("/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/javascript; charset=utf-8"
    assert answer["Service-Worker-Allowed"] == "/"
    assert "no-store" in answer["Cache-Control"] and "max-age=0" in answer["Cache-Control"]
    script = answer.content.decode()
    # Rendered: the build's asset URLs and its version, no template syntax left over.
    assert "{{" not in script and "{%" not in script
    assert 'importScripts("/static/offline/queue.js")' in script
    build = re.search(r'const BUILD = "([0-9a-f]{12})"', script)
    assert build, "the worker names its build (its caches follow it)"
    assert '"/luring/"' in script and '"/api/v1/sync/"' in script
    # API answers are never kept.
    assert r"/^\/api\//" in script
    # Writes are not touched (the pages queue them), the same worker for everyone.
    assert 'if (request.method !== "GET") return;' in script
    assert Client().post("/sw.js").status_code == 405


def test_every_page_links_the_manifest_and_loads_the_offline_scripts(
    client_for: Callable[[User | None], Client], facilitator_bandung: User
) -> None:
    page = client_for(facilitator_bandung).get("/tugas/")
    html = page.content.decode()
    head = html.split("</head>")[0]
    assert '<link rel="manifest" href="/manifest.webmanifest">' in head
    assert '<meta name="theme-color" content="#0b6e4f">' in head
    assert 'rel="apple-touch-icon"' in head
    assert '<script src="/static/offline/offline.js" defer></script>' in head
    config = _config(html)
    # The worker reads the page's user from the start of this block: it must come first.
    assert re.search(
        r'id="sinergi-offline-config" type="application/json">\{"user": '
        + str(facilitator_bandung.pk),
        html,
    )
    assert config["user"] == facilitator_bandung.pk
    assert config["days"] == 14
    assert config["sw"] == "/sw.js" and config["queue"] == "/luring/antrian/"
    assert config["strings"]["waiting"] == "Menunggu dikirim ({n})"


def test_the_offline_days_reach_the_page_scripts(
    client_for: Callable[[User | None], Client], facilitator_bandung: User, settings: Any
) -> None:
    settings.SINERGI_OFFLINE_DAYS = 3
    html = client_for(facilitator_bandung).get("/luring/antrian/").content.decode()
    assert _config(html)["days"] == 3
    assert "3 hari" in html


def test_the_sign_in_page_tells_the_scripts_nobody_is_signed_in() -> None:
    html = Client().get("/akun/masuk/").content.decode()
    config = _config(html)
    assert config["user"] is None and config["neutral"] is False
    assert config["strings"] == {}


def test_the_offline_page_is_the_same_for_every_account_and_in_both_languages(
    client_for: Callable[[User | None], Client], facilitator_bandung: User
) -> None:
    client = client_for(facilitator_bandung)
    page = client.get("/luring/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Tidak ada sambungan" in html
    # Kept once for every account of the phone: no name, no menu, no user for the scripts.
    assert facilitator_bandung.username not in html
    assert 'action="/akun/keluar/"' not in html and "nav-count" not in html
    config = _config(html)
    assert config["user"] is None and config["neutral"] is True
    client.cookies["sinergi_language"] = "en"
    english = client.get("/luring/").content.decode()
    assert "No connection" in english and "What you can do now" in english


def test_the_queue_page_is_a_frame_for_the_device_list_with_a_fresh_token(
    client_for: Callable[[User | None], Client], facilitator_bandung: User
) -> None:
    assert Client().get("/luring/antrian/").status_code == 302
    client = client_for(facilitator_bandung)
    html = client.get("/luring/antrian/").content.decode()
    assert 'id="offline-queue"' in html
    assert re.search(r'data-csrf="[A-Za-z0-9]{32,}"', html), "the worker sends with this token"
    assert "Menunggu dikirim" in html
    client.cookies["sinergi_language"] = "en"
    assert (
        "Work recorded on this phone without a connection"
        in client.get("/luring/antrian/").content.decode()
    )


def test_signing_out_clears_what_the_browser_keeps(
    client_for: Callable[[User | None], Client], facilitator_bandung: User
) -> None:
    client = client_for(facilitator_bandung)
    answer = client.post("/akun/keluar/")
    assert answer.status_code == 302
    assert answer["Clear-Site-Data"] == '"cache", "storage"'
    # Signed out for real: the queue page now asks for a sign-in.
    assert client.get("/luring/antrian/").status_code == 302


def _config(html: str) -> dict[str, Any]:
    found = re.search(
        r'<script id="sinergi-offline-config" type="application/json">(.*?)</script>', html, re.S
    )
    assert found, "the page carries the offline config"
    return dict(json.loads(found.group(1)))
