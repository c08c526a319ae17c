"""The production path the README names: gunicorn with production settings serves a signed-in page.

A real gunicorn process on a free port, production mode (HTTPS-only cookies, hashed static
files, personal-data keys from the environment) against its own database (a copy of the run's
migrated template, SQLite or PostgreSQL, so its migrate has nothing left to do): migrate,
collect static files, create a user, sign in through the login form, open the registry list.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyotp
import pytest

from tests import racekit

BIN = Path(sys.executable).parent
PASSWORD = "uji-sandi-produksi-2026"  # a throwaway user in a throwaway database


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str, cookies: dict[str, str], form: dict[str, str] | None = None) -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request("POST" if form else "GET", path, urlencode(form or {}) or None, headers)
        response = conn.getresponse()
        body = response.read()
        # Production cookies are Secure: a browser would not send them over plain HTTP, so the
        # test carries them itself (the TLS proxy in front of gunicorn is not under test).
        for line in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = line.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, body
    finally:
        conn.close()


ENROL = """
import datetime
from urllib.parse import parse_qs, urlparse
import pyotp
from sinergi.accounts.services import totp_begin, totp_confirm, user_create
user = user_create(actor=None, username='petugas', password='{password}', role='national_admin')
totp = pyotp.TOTP(parse_qs(urlparse(totp_begin(user=user)).query)['secret'][0])
step = totp.timecode(datetime.datetime.now(datetime.timezone.utc))
totp_confirm(user=user, code=totp.generate_otp(step - 1))
print(totp.secret)
"""


@pytest.fixture
def database_url(tmp_path: Path, db_template: str) -> Iterator[str]:
    """Its own database, already migrated: a copy of the run's migrated template (SQLite file
    or PostgreSQL database; tests/testdb.py built it by migrating from nothing), so the
    server's own migrate finds nothing left to apply. Without a template, an empty file."""
    if not db_template or db_template.endswith(".sqlite3"):
        if db_template and Path(db_template).exists():
            shutil.copyfile(db_template, tmp_path / "db.sqlite3")
        yield f"sqlite:///{tmp_path / 'db.sqlite3'}"
        return
    import psycopg

    name = f"sinergi_production_{os.getpid()}"
    with psycopg.connect(racekit.BASE + "postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{db_template}"')
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(racekit.BASE + "postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow(cpu=15)
def test_gunicorn_serves_a_signed_in_page(tmp_path: Path, database_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env.update(
        SINERGI_ENV="production",
        SECRET_KEY="k" + "x7Hq2!pZ9mW#4rT8vL0sY6nB3cF1dG5jK" * 2,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SINERGI_DATA_DIR=str(tmp_path),
        STATIC_ROOT=str(tmp_path / "static"),
        SINERGI_PII_KEYS="k1:" + "A" * 43 + "=",
        SINERGI_PII_KEY_ID="k1",
        SINERGI_PII_HMAC_KEY="B" * 43 + "=",
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
    )

    def manage(*args: str) -> None:
        done = subprocess.run(
            [str(BIN / "sinergi"), "manage", *args], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr

    manage("migrate", "--verbosity", "0")
    manage("collectstatic", "--noinput", "--verbosity", "0")
    # The national admin may reveal NIK, so production asks her for a second factor: she has
    # set up an authenticator (its first code, of the previous 30-second step, confirmed it).
    enrol = subprocess.run(
        [str(BIN / "sinergi"), "manage", "shell", "-c", ENROL.format(password=PASSWORD)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert enrol.returncode == 0, enrol.stdout + enrol.stderr
    secret = enrol.stdout.strip().splitlines()[-1]
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "sinergi.config.wsgi", "--workers=2", f"--bind=127.0.0.1:{port}"],
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        status = 0
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status = _get(port, "/health/", {})[0]
                break
            except OSError:
                time.sleep(0.1)
        assert status == 200, (tmp_path / "gunicorn.log").read_text()

        cookies: dict[str, str] = {}
        status, page = _get(port, "/akun/masuk/", cookies)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert status == 200 and token is not None
        form = {"csrfmiddlewaretoken": token.group(1).decode(), "username": "petugas"}
        form["password"] = PASSWORD
        status, _ = _get(port, "/akun/masuk/", cookies, form)
        assert status == 302
        status, page = _get(port, "/akun/masuk/kode/", cookies)
        assert status == 200, page
        fields = dict(re.findall(rb'type="hidden" name="([^"]+)" value="([^"]*)"', page))
        form = {k.decode(): v.decode() for k, v in fields.items()}
        form["code"] = pyotp.TOTP(secret).now()
        status, _ = _get(port, "/akun/masuk/kode/", cookies, form)
        assert status == 302 and "sessionid" in cookies

        status, page = _get(port, "/registri/", cookies)
        assert status == 200 and b"Registri" in page
        # Hashed static names: the manifest of collectstatic is what the page links to.
        assert re.search(rb'/static/[^"]+\.[0-9a-f]{12}\.css', page)
        assert _get(port, "/registri/", {})[0] == 302  # and without the session, the login
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        log.close()
