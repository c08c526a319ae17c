"""Every menu page in a real browser, as each kind of user opens it, in both languages.

The demo is set up in its own data folder and served by a real server process; Debian's
Chromium (driven by Playwright) signs in and opens every entry of the user's menu. A page
fails when it answers an error status, logs a script error, or the browser reports a
Content-Security-Policy violation (so an inline script or a foreign asset added later is
caught here, not by a user). Screenshots of each page are left in the data folder.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "sinergi-demo-2026"
# The national admin's menu has every page, so it is opened in both languages; each other
# kind of user once, alternating languages, which covers their own menus and scoping.
VISITS = [
    ("admin", "id"),
    ("admin", "en"),
    ("dinsos.bandung", "id"),
    ("pendamping.bandung", "en"),
    ("iwapi.jabar", "id"),
    ("mentor.bandung", "en"),
    ("kube.bandung", "id"),
    ("pembeli", "en"),
]

pytestmark = pytest.mark.skipif(
    os.environ.get("SINERGI_SKIP_BROWSER") == "1", reason="SINERGI_SKIP_BROWSER=1"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    """Poll /health/ for at most a minute; waiting on the process notices if it dies."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:  # noqa: S310 (loopback)
                if answer.status == 200:
                    return
        except OSError:
            pass
        try:
            server.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            continue
        raise RuntimeError(f"the server stopped with code {server.returncode}")
    raise RuntimeError("the server did not answer /health/ in time")


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `python3 run.py test` (it installs it)")
    data = tmp_path_factory.mktemp("browser-demo")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "SINERGI_ENV", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(SINERGI_ENV="demo", SINERGI_DATA_DIR=str(data), SINERGI_IMPORT_WORKERS="0")
    sinergi = str(Path(sys.executable).with_name("sinergi"))
    seeded = subprocess.run(
        [sinergi, "demo", "--no-serve"], env=env, capture_output=True, text=True, timeout=300
    )
    assert seeded.returncode == 0, f"the demo did not set up:\n{seeded.stderr[-3000:]}"
    port = _free_port()
    server = subprocess.Popen(
        [sinergi, "manage", "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/health/", server)
        yield base, data
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(data / "media", ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        yield chromium
        chromium.close()


def _open_menu(browser: Any, base: str, shots: Path, username: str, language: str) -> list[str]:
    """Sign in, open every menu entry; return the problems found (empty when all is well)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sinergi_language", "value": language, "url": base}])
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: (
            problems.append(f"{page.url}: console {msg.type}: {msg.text}")
            if msg.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: script error {exc}"))
    page.goto(base + "/akun/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form:has(#id_username) [type=submit]")
    page.wait_for_load_state()
    assert "/akun/masuk/" not in page.url, f"{username} could not sign in"
    # A CSP violation is reported to the page as an event; the listener keeps the evidence.
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    links = page.eval_on_selector_all(
        "ul.nav-main a[href]", "els => els.map(e => e.getAttribute('href'))"
    )
    assert links, f"{username} has no menu"
    for href in dict.fromkeys(links):
        answer = page.goto(base + href)
        page.wait_for_load_state("load")
        if answer is None or answer.status >= 400:
            problems.append(f"{href}: status {answer.status if answer else 'none'}")
        expected_lang = page.get_attribute("html", "lang")
        if expected_lang != language:
            problems.append(f"{href}: page language {expected_lang}, wanted {language}")
        name = f"{username}-{language}-{href.strip('/').replace('/', '_') or 'home'}.png"
        page.screenshot(path=str(shots / name))
    context.close()
    return problems


@pytest.mark.parametrize(("username", "language"), VISITS)
def test_every_menu_page_opens_cleanly(
    demo_site: tuple[str, Path], browser: Any, username: str, language: str
) -> None:
    base, data = demo_site
    shots = data / "screenshots"
    shots.mkdir(exist_ok=True)
    problems = _open_menu(browser, base, shots, username, language)
    assert not problems, "\n".join(problems)
