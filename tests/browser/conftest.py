"""The live demo every browser test drives: seeded once, served by a real server process.

Debian's Chromium (driven by Playwright) is the browser. ``Visit`` signs a demo user in with
a language and a screen size and collects what a person would notice: error statuses, script
errors and Content-Security-Policy violations (reported to the console by an init script).
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "sinergi-demo-2026"
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
# Screenshots for docs/guide/ are written here when SINERGI_GUIDE_SHOTS=1 (see docs/guide/).
GUIDE_SHOTS = ROOT / "docs" / "guide" / "img"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if os.environ.get("SINERGI_SKIP_BROWSER") == "1":
        skip = pytest.mark.skip(reason="SINERGI_SKIP_BROWSER=1")
        for item in items:
            if "tests/browser" in str(item.path):
                item.add_marker(skip)


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


@dataclass
class Mailbox:
    """A real SMTP server (aiosmtpd) on a local port; the live server sends its mail here."""

    port: int
    received: list[Any] = field(default_factory=list)

    def to(self, address: str) -> list[str]:
        """The text of every message sent to ``address``, oldest first."""
        from email import message_from_bytes
        from email.message import Message

        texts = []
        for envelope in list(self.received):
            if address in envelope.rcpt_tos:
                message: Message = message_from_bytes(envelope.content)
                parts = message.walk() if message.is_multipart() else [message]
                for part in parts:
                    if part.get_content_type() == "text/plain":
                        payload = part.get_payload(decode=True)
                        texts.append(bytes(payload).decode(part.get_content_charset() or "utf-8"))
        return texts


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    """The live server's mail (SINERGI_EMAIL_URL=smtp://127.0.0.1:port). With
    SINERGI_BROWSER_BASE, start that server with SINERGI_EMAIL_URL=smtp://127.0.0.1:P and set
    SINERGI_BROWSER_SMTP_PORT=P here."""
    from aiosmtpd.controller import Controller

    box = Mailbox(int(os.environ.get("SINERGI_BROWSER_SMTP_PORT") or _free_port()))

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            box.received.append(envelope)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def demo_site(
    tmp_path_factory: pytest.TempPathFactory, mailbox: Mailbox
) -> Iterator[tuple[str, Path]]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `python3 run.py test` (it installs it)")
    data = tmp_path_factory.mktemp("browser-demo")
    running = os.environ.get("SINERGI_BROWSER_BASE")
    if running:
        # A demo already served (while writing a test): the seed takes minutes under load.
        # The journeys leave their marks in it, so a second run must tolerate the first's.
        yield running.rstrip("/"), data
        return
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "SINERGI_ENV", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(SINERGI_ENV="demo", SINERGI_DATA_DIR=str(data), SINERGI_IMPORT_WORKERS="0")
    env["SINERGI_EMAIL_URL"] = f"smtp://127.0.0.1:{mailbox.port}"
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
    # The background worker, as `sinergi demo` runs it: access files, exports and imports.
    worker = subprocess.Popen(
        [sinergi, "manage", "db_worker", "--queue-name", "*", "--no-reload", "--verbosity", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/health/", server)
        yield base, data
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=20)
        shutil.rmtree(data / "media", ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """One person at one screen: a signed-in page and the problems seen along the way."""

    base: str
    shots: Path
    context: Any
    page: Any
    username: str
    language: str
    problems: list[str] = field(default_factory=list)

    def go(self, path: str) -> Any:
        answer = self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")
        if answer is None or answer.status >= 400:
            self.problems.append(f"{path}: status {answer.status if answer else 'none'}")
        return answer

    def shot(self, name: str, *, guide: bool = False) -> Path:
        """What the screen shows now; JPEG of the viewport only, so the guide's copies stay
        small (well under 100 kB) in the repository. ``guide`` shots are the screen guide's
        pictures (docs/guide/), copied there when SINERGI_GUIDE_SHOTS=1."""
        target = self.shots / f"{self.username}-{self.language}-{name}.jpg"
        self.page.screenshot(path=str(target), type="jpeg", quality=65)
        if guide and os.environ.get("SINERGI_GUIDE_SHOTS") == "1":
            GUIDE_SHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(target, GUIDE_SHOTS / target.name)
        return target

    def text(self) -> str:
        """What a person reads in the page's main part. Form values and ``<kbd>`` (text the
        person is to type, such as a file's column names) are left out: they may be codes."""
        return str(
            self.page.evaluate(
                """() => { const main = document.querySelector('main').cloneNode(true);
                main.querySelectorAll('kbd, input, textarea, select, script, template')
                    .forEach(e => e.remove());
                return main.textContent; }"""
            )
        )


@pytest.fixture
def visit(demo_site: tuple[str, Path], browser: Any) -> Iterator[Any]:
    base, data = demo_site
    shots = data / "screenshots"
    shots.mkdir(exist_ok=True)
    opened: list[Visit] = []

    def open_as(
        username: str, language: str = "id", *, phone: bool = False, bypass_csp: bool = False
    ) -> Visit:
        context = browser.new_context(
            viewport=PHONE if phone else DESK, bypass_csp=bypass_csp, locale="id-ID"
        )
        context.add_cookies([{"name": "sinergi_language", "value": language, "url": base}])
        page = context.new_page()
        seen = Visit(base, shots, context, page, username, language)
        page.on(
            "console",
            lambda msg: (
                seen.problems.append(f"{page.url}: console {msg.type}: {msg.text}")
                if msg.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda exc: seen.problems.append(f"{page.url}: script error {exc}"))
        # A CSP violation is reported to the page as an event; the listener keeps the evidence.
        context.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "console.error('CSP ' + e.violatedDirective + ' ' + e.blockedURI));"
        )
        page.goto(base + "/akun/masuk/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("form:has(#id_username) [type=submit]")
        page.wait_for_load_state()
        assert "/akun/masuk/" not in page.url, f"{username} could not sign in"
        opened.append(seen)
        return seen

    yield open_as
    for seen in opened:
        seen.context.close()
