#!/usr/bin/env python3
"""HTTP load: every menu page and API list at national size, against ``/health/`` in the same run.

    .venv/bin/python bench/load.py [--db sinergi_bench_dashboard] [--fill] [--seconds 10]
                                   [--clients 20] [--workers 3] [--port 8117]

Starts gunicorn (``--workers`` sync workers, production settings, persistent database
connections) on the national-size PostgreSQL database that ``bench/dashboard.py`` fills
(``--fill`` fills it here first with the same code: 1M persons, 50k groups). Signs in through the
login form as a national admin and as the officer of the regency with the most households, then,
for each user, drives ``--clients`` clients without think time for ``--seconds`` per address:
``/health/`` first, then every menu page the user's permissions show and every API list. Prints
requests/s, p50/p95/p99 and errors per address, and the ratio to ``/health/``'s requests/s.

Targets (issue 17): every page at least 1/10 of ``/health/``'s requests/s, p95 under 1 s, no errors.
The server is stopped at the end; every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
PG = "postgres://postgres@127.0.0.1:5432/"

API_LISTS = [
    "/api/v1/registry/households",
    "/api/v1/registry/persons",
    "/api/v1/registry/duplicates",
    "/api/v1/kube/",
    "/api/v1/aid/programmes",
    "/api/v1/aid/proposals",
    "/api/v1/aid/disbursements",
    "/api/v1/mentoring/units",
    "/api/v1/mentoring/agreements",
    "/api/v1/mentoring/mentors",
    "/api/v1/mentoring/assignments",
    "/api/v1/mentoring/groups",
    "/api/v1/market/catalogue",
    "/api/v1/market/products",
    "/api/v1/market/demands",
    "/api/v1/market/sales",
    "/api/v1/monitoring/graduations",
    "/api/v1/monitoring/poverty-lines",
    "/api/v1/regions/",
    "/api/v1/users/",
]


def django_setup(db: str, data_dir: str) -> None:
    os.environ.update(
        {
            "SINERGI_DATA_DIR": data_dir,
            "SINERGI_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "sinergi.config.settings",
            "DATABASE_URL": PG + db,
        }
    )
    import django

    django.setup()


def prepare(db: str) -> tuple[dict[str, tuple[str, str]], dict[str, list[str]]]:
    """Users (label -> (username, password)) and the addresses each of them may open."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.urls import reverse

    from sinergi.accounts.models import User
    from sinergi.accounts.services import user_create
    from sinergi.core.navigation import MENU

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT substr(area_code, 1, 5) FROM registry_household GROUP BY 1"
            " ORDER BY count(*) DESC LIMIT 1"
        )
        regency = cursor.fetchone()[0]
    users, paths = {}, {}
    for label, username, role, area in (
        ("national admin", "load-national", "national_admin", None),
        (f"regency {regency}", "load-regency", "social_officer", regency),
    ):
        password = secrets.token_urlsafe(16)
        User.objects.filter(username=username).delete()
        user = user_create(
            actor=None, username=username, password=password, role=role, area_code=area
        )
        # The server runs production settings: argon2, whatever hasher this process prefers.
        User.objects.filter(pk=user.pk).update(password=make_password(password, hasher="argon2"))
        user = User.objects.get(pk=user.pk)
        users[label] = (username, password)
        menu = [
            reverse(i.url_name) for i in MENU if not i.permission or user.has_perm(i.permission)
        ]
        paths[label] = ["/health/", *menu, *API_LISTS]
    connection.close()
    return users, paths


class Server:
    def __init__(self, db: str, port: int, workers: int) -> None:
        self.port = port
        static = Path(tempfile.gettempdir()) / "sinergi-load-static"
        # The server refuses to start without the keys the registry was encrypted with: the
        # filling run's generated key file, given as production settings.
        ring = json.loads((Path(os.environ["SINERGI_DATA_DIR"]) / "pii_keys.json").read_text())
        self.env = {
            **os.environ,
            "SINERGI_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": PG + db,
            "DB_CONN_MAX_AGE": "600",
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_ROOT": str(static),
            "SINERGI_DATA_DIR": tempfile.mkdtemp(prefix="sinergi-load-"),
            "SINERGI_PII_KEYS": ",".join(f"{k}:{v}" for k, v in ring["keys"].items()),
            "SINERGI_PII_KEY_ID": ring["active"],
            "SINERGI_PII_HMAC_KEY": ring["hmac"],
            "LOG_LEVEL": "WARNING",
            # Production asks for a second factor at sign-in, which the script's form login does
            # not give: without this every page answered the sign-in redirect (measured nothing).
            "SINERGI_REQUIRE_2FA": "0",
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        if not (static / "staticfiles.json").exists():
            subprocess.run(
                [
                    str(Path(sys.executable).with_name("sinergi")),
                    "manage",
                    "collectstatic",
                    "--noinput",
                ],
                env=self.env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.log = Path(self.env["SINERGI_DATA_DIR"]) / "gunicorn.log"
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "sinergi.config.wsgi",
                f"--workers={workers}",
                f"--bind=127.0.0.1:{port}",
                "--timeout=120",
                "--backlog=256",
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("wb"),  # closed with the process
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if request(port, "/health/", {})[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not answer /health/ within 90 s; its log: {self.log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def request(
    port: int, path: str, cookies: dict[str, str], body: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes, list[str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": "127.0.0.1"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    try:
        if body is None:
            conn.request("GET", path, headers=headers)
        else:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request("POST", path, body=urlencode(body), headers=headers)
        response = conn.getresponse()
        data = response.read()
        set_cookies = response.headers.get_all("Set-Cookie") or []
        return response.status, dict(response.getheaders()), data, set_cookies
    finally:
        conn.close()


def sign_in(port: int, username: str, password: str) -> dict[str, str]:
    """The real login form: CSRF token from the page, session cookie from the answer."""
    cookies: dict[str, str] = {}

    def keep(set_cookies: list[str]) -> None:
        for line in set_cookies:
            name, _, rest = line.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]

    status, _h, page, set_cookies = request(port, "/akun/masuk/", cookies)
    keep(set_cookies)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or token is None:
        raise SystemExit(f"login page answered {status}")
    form = {"csrfmiddlewaretoken": token.group(1).decode(), "username": username}
    form["password"] = password
    status, _h, body, set_cookies = request(port, "/akun/masuk/", cookies, form)
    keep(set_cookies)
    if status != 302 or "sessionid" not in cookies or "/akun/masuk/" in _h.get("Location", ""):
        errors = re.findall(rb'class="[^"]*error[^"]*"[^>]*>([^<]+)', body)
        raise SystemExit(f"sign-in answered {status}: {errors[:3]}")
    return cookies


def hammer(port: int, path: str, cookies: dict[str, str], clients: int, seconds: float) -> dict:
    """``clients`` threads request ``path`` back to back for ``seconds``; latencies in ms."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        mine, bad = [], []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                status = request(port, path, cookies)[0]
            except OSError:
                status = 0
            mine.append((time.perf_counter() - started) * 1000)
            if status != 200:
                bad.append(status)
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 120)
    elapsed = time.monotonic() - started
    ordered = sorted(latencies) or [0.0]

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]

    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(ordered),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "errors": len(errors),
        "statuses": sorted(set(errors)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sinergi_bench_dashboard")
    parser.add_argument("--fill", action="store_true", help="fill --db as bench/dashboard.py does")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8117)
    parser.add_argument(
        "--data-dir",
        default="",
        help="with an existing --db: the data folder of the run that filled it (its key file)",
    )
    parser.add_argument(
        "--only",
        default="",
        help="measure only addresses containing one of these comma-separated strings",
    )
    args = parser.parse_args()
    if not args.fill and not args.data_dir:
        parser.error("give --fill, or --data-dir with the key file of the run that filled --db")

    if args.fill:
        import dashboard

        dashboard.DB = args.db
        dashboard.setup(False)
        sizes = argparse.Namespace(
            persons=1_000_000, groups=50_000, sales=1_000_000, sessions=200_000
        )
        dashboard.fill(sizes)
        from sinergi.monitoring import summaries

        summaries.refresh()
    else:
        django_setup(args.db, args.data_dir)
    users, paths = prepare(args.db)

    server = Server(args.db, args.port, args.workers)
    results: list[tuple[str, str, dict]] = []
    try:
        for label, (username, password) in users.items():
            cookies = sign_in(args.port, username, password)
            for path in paths[label]:
                wanted = [w for w in args.only.split(",") if w]
                if wanted and path != "/health/" and not any(w in path for w in wanted):
                    continue
                status, headers, _b, _c = request(args.port, path, cookies)  # warm it
                if status in (301, 302) and headers.get("Location", "").startswith("/"):
                    path = headers["Location"]  # a menu entry that picks its page: measure that
                    status = request(args.port, path, cookies)[0]
                if status in (403, 404):
                    continue  # not this user's page (the menu hides it, the API refuses it)
                outcome = hammer(args.port, path, cookies, args.clients, args.seconds)
                results.append((label, path, outcome))
                print(
                    f"{label:<18} {path:<36} {outcome['rps']:8.1f}/s p50 {outcome['p50']:7.0f}"
                    f" p95 {outcome['p95']:7.0f} p99 {outcome['p99']:7.0f} ms"
                    f" errors {outcome['errors']} {outcome['statuses'] or ''}",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        server.stop()

    print(
        f"\n{args.clients} clients, {args.seconds:.0f} s per address, gunicorn {args.workers} "
        "sync workers, production settings, persistent connections\n"
    )
    header = f"{'user':<18} {'address':<36} {'req/s':>8} {'p50':>6} {'p95':>6} {'p99':>6}"
    print(f"{header} {'errors':>6} {'vs /health/':>11}")
    failed = []
    for label in users:
        health = next(o["rps"] for u, p, o in results if u == label and p == "/health/")
        for user, path, o in results:
            if user != label:
                continue
            ratio = o["rps"] / health if health else 0
            ok = path == "/health/" or (ratio >= 0.1 and o["p95"] < 1000 and not o["errors"])
            if not ok:
                failed.append((user, path))
            share = f"1/{1 / ratio:.1f}" if ratio else "-"
            print(
                f"{user:<18} {path:<36} {o['rps']:8.1f} {o['p50']:6.0f} {o['p95']:6.0f}"
                f" {o['p99']:6.0f} {o['errors']:6d} {share:>11}"
                f"{'' if ok else '  MISSED'}"
            )
    print(f"\ntargets (>= 1/10 of /health/, p95 < 1 s, no errors): {len(failed)} missed")


if __name__ == "__main__":
    main()
