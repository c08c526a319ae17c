#!/usr/bin/env python3
"""CPU per request of every menu page, in-process, against ``/health/``.

    .venv/bin/python bench/render.py [--db sinergi_render] [--data-dir $TMPDIR/render]
                                     [--requests 30] [--profile /kube/] [--user admin]
                                     [--only kube,/api/v1/] [--no-api]

Builds the demo world on PostgreSQL (``sinergi demo``'s own seeding, once; the registry with
enough households that its list shows full pages, KUBE groups copied up to full pages), then
signs in with Django's test client as the national admin and as a regency officer, in the
demo's production-like settings (DEBUG off, so Django's cached template loader is on), and
prints for every page the user's menu shows and every API list of ``bench/load.py`` the median
``time.process_time()`` per request over ``--requests`` warm requests, and its ratio to
``/health/``'s. CPU time, not wall time, so the
figure holds on a machine busy with other work; under gunicorn it is what bounds requests/s on
two cores. ``--profile PATH`` prints a cProfile of that page (for ``--user``, the national admin
unless told) instead; ``--only`` keeps the addresses containing one of its comma-separated parts.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
PG = "postgres://postgres@127.0.0.1:5432/"
USERS = ("admin", "dinsos.bandung")  # national admin, regency officer (Kota Bandung)
FULL_PAGE = 60


def setup(db: str, data_dir: str) -> None:
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone():
            conn.execute(f'CREATE DATABASE "{db}"')
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "SINERGI_DATA_DIR": data_dir,
            "SINERGI_ENV": "demo",
            "DJANGO_SETTINGS_MODULE": "sinergi.config.settings",
            "DATABASE_URL": PG + db,
        }
    )
    os.environ.pop("SINERGI_DEBUG", None)
    import django

    django.setup()


def build() -> None:
    from sinergi.demo import run_demo

    # Idempotent: migrates, loads the regions and seeds only what is missing.
    run_demo(host="127.0.0.1", port=0, serve=False)
    _top_up_kube()


def _top_up_kube() -> None:
    """Copies of the demo's groups in Kota Bandung until both users' lists show full pages."""
    from sinergi.kube.models import Kube

    seen = Kube.objects.filter(area_code__startswith="32.73.")
    models = list(seen.order_by("id")[:5])
    n = seen.count()
    while n < FULL_PAGE and models:
        for model in models:
            copy = Kube.objects.get(pk=model.pk)
            copy.pk = None
            copy.id = None
            copy.name = f"{model.name} {n}"
            for field in ("code", "registration_number"):
                if hasattr(copy, field) and getattr(copy, field):
                    setattr(copy, field, f"{getattr(copy, field)}-{n}")
            copy.save()
            n += 1


def menu_paths(client: Any) -> list[str]:
    response = client.get("/")
    items = response.context["nav_items"] if response.context else []
    return ["/"] + [item["url"] for item in items if item["url"] != "/"]


def cpu_ms(client: Any, path: str, n: int) -> tuple[float, int]:
    for _ in range(3):  # warm: caches, compiled templates, connection
        response = client.get(path, follow=True)
    times = []
    for _ in range(n):
        started = time.process_time()
        response = client.get(path, follow=True)
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times), response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sinergi_render")
    parser.add_argument("--data-dir", default=str(Path(tempfile.gettempdir()) / "render"))
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--profile", default="")
    parser.add_argument("--callers", nargs="*", default=[])
    parser.add_argument("--user", default=USERS[0])
    parser.add_argument("--only", default="")
    parser.add_argument("--no-api", action="store_true")
    args = parser.parse_args()
    setup(args.db, args.data_dir)
    build()

    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment
    from load import API_LISTS

    from sinergi.accounts.models import User

    assert not settings.DEBUG
    print(f"database {args.db}; DEBUG={settings.DEBUG}; {args.requests} warm requests each")
    for username in USERS:
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.get(username=username))
        # The test client sees the rendered context (the menu's entries) only with Django's
        # instrumented rendering, which costs CPU of its own: on for finding the menu only.
        setup_test_environment()
        paths = menu_paths(client) + ([] if args.no_api else API_LISTS)
        teardown_test_environment()
        if args.only:
            parts = args.only.split(",")
            # "/" alone would match every address: it stands for the home page only.
            paths = [p for p in paths if any(x in p if x != "/" else p == x for x in parts)]
        if args.profile and username == args.user:
            cpu_ms(client, args.profile, 3)
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            for _ in range(args.requests):
                client.get(args.profile)
            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats("cumulative")
            stats.print_stats(45)
            stats.sort_stats("tottime").print_stats(30)
            for name in args.callers:
                stats.print_callers(name)
            return
        if args.profile:
            continue
        health, _ = cpu_ms(client, "/health/", args.requests)
        print(f"\n{username}: /health/ {health:.2f} ms CPU")
        print(f"{'page':<34} {'status':>6} {'ms CPU':>8} {'x health':>9}")
        for path in paths:
            ms, status = cpu_ms(client, path, args.requests)
            print(f"{path:<34} {status:>6} {ms:>8.1f} {ms / health:>9.1f}", flush=True)


if __name__ == "__main__":
    main()
