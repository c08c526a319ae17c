#!/usr/bin/env python3
"""Benchmark: what logging reads costs a household page (UU PDP access log, issue 16).

    .venv/bin/python bench/access_log.py [--households 50000 --log-rows 1000000] [--runs 300]
                                         [--reuse]

Fills a PostgreSQL database (``sinergi_bench_access``): households of four persons in one
Bandung village with real ciphertexts and keyed hashes (COPY), and an access log already holding
``--log-rows`` rows (35 days, 60 users, every index in place) so each new row is inserted into
large indexes, as in production. Then, in the same run, a social officer opens household pages
through the whole Django stack (test client: middleware, session, template), alternating request
by request between the access log on and off (``registry.access_log.record`` replaced by a
no-op), and reports p50/p95 of both and the ratio of the p95s.

Target (issue 16): logging reads adds under 10% to the p95 of a household page.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

import dashboard  # noqa: E402  (database set-up and COPY)

dashboard.DB = "sinergi_bench_access"
VILLAGE = "32.73.01.1001"


def regions() -> Any:
    from sinergi.wilayah.models import Region

    parent = None
    for code, level, name in (
        ("32", 1, "JAWA BARAT"),
        ("32.73", 2, "KOTA BANDUNG"),
        ("32.73.01", 3, "SUKASARI"),
        (VILLAGE, 4, "SUKARASA"),
    ):
        parent, _new = Region.objects.get_or_create(
            code=code, defaults={"level": level, "name": name, "parent": parent, "decree": "bench"}
        )
    return parent


def fill(args: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from sinergi.accounts.models import User
    from sinergi.accounts.services import user_create
    from sinergi.core import crypto
    from sinergi.registry.models import AccessLog, Household, Person

    call_command("migrate", verbosity=0)
    village = regions()
    started = time.perf_counter()
    n = args.households
    kks = [f"3273010101{i:06d}" for i in range(n)]
    dashboard.copy_into(
        Household,
        (
            {
                "kk_cipher": c,
                "kk_hash": h,
                "kk_mask": kk[:4] + "••••••••" + kk[-4:],
                "village_id": village.pk,
                "graduated_from": "",  # columns with a database default: COPY names them all
                "graduation_reason": "",
                "area_code": VILLAGE,
                "address": f"Jl. Bench {i}",
                "desil": 1 + i % 10,
                "desil_date": timezone.localdate(),
            }
            for i, (kk, c, h) in enumerate(
                zip(
                    kks,
                    crypto.encrypt_many(kks, field="kk"),
                    crypto.lookup_hashes(kks, field="kk"),
                    strict=True,
                )
            )
        ),
    )
    ids = list(Household.objects.order_by("id").values_list("id", flat=True))
    niks = [f"3273011506{i:06d}" for i in range(4 * n)]

    def persons() -> Iterable[dict[str, Any]]:
        ciphers = crypto.encrypt_many(niks, field="nik")
        hashes = crypto.lookup_hashes(niks, field="nik")
        for i, nik in enumerate(niks):
            yield {
                "household_id": ids[i // 4],
                "nik_cipher": ciphers[i],
                "nik_hash": hashes[i],
                "nik_mask": nik[:4] + "••••••••" + nik[-4:],
                "name": f"Warga {i}",
                "sex": "L" if i % 2 else "P",
                "birth_date": timezone.localdate() - timedelta(days=365 * 20 + i % 9000),
                "relation": "kepala" if i % 4 == 0 else "anak",
                "is_head": i % 4 == 0,
                "area_code": VILLAGE,
                "flags": [],
            }

    dashboard.copy_into(Person, persons())
    print(f"registry: {n:,} households, {4 * n:,} persons in {time.perf_counter() - started:.0f} s")

    started = time.perf_counter()
    users = [
        user_create(
            actor=None,
            username=f"bench{u}",
            password="bench-sandi-panjang-2026",  # noqa: S106  (a bench login)
            role="social_officer",
            area_code="32.73",
        )
        for u in range(60)
    ]
    rng = random.Random(16)
    now = timezone.now()
    dashboard.copy_into(
        AccessLog,
        (
            {
                "at": now - timedelta(seconds=rng.randrange(35 * 86400)),
                "user_id": users[rng.randrange(60)].pk,
                "household_id": ids[rng.randrange(len(ids))],
                "person_id": None,
                "area_code": VILLAGE,
                "purpose": "household_page",
            }
            for _ in range(args.log_rows)
        ),
    )
    call_command("migrate", verbosity=0)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"access log: {args.log_rows:,} rows in {time.perf_counter() - started:.0f} s")
    assert User.objects.filter(username="bench0").exists()


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from django.test import Client

    from sinergi.accounts.models import User
    from sinergi.registry import access_log
    from sinergi.registry.models import AccessLog, Household

    real = access_log.record
    client = Client()
    client.force_login(User.objects.get(username="bench0"))
    rng = random.Random(7)
    ids = list(Household.objects.order_by("?").values_list("id", flat=True)[:2000])
    for pk in ids[:30]:  # warm up: templates, connection, caches
        assert client.get(f"/registri/kk/{pk}/").status_code == 200
    before = AccessLog.objects.count()
    timings: dict[bool, list[float]] = {True: [], False: []}
    for run in range(args.runs):
        order = (True, False) if run % 2 else (False, True)
        for logging in order:
            access_log.record = real if logging else (lambda *a, **k: None)
            pk = ids[rng.randrange(len(ids))]
            started = time.perf_counter()
            response = client.get(f"/registri/kk/{pk}/")
            timings[logging].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    access_log.record = real
    written = AccessLog.objects.count() - before
    on_p50, on_p95 = percentiles(timings[True])
    off_p50, off_p95 = percentiles(timings[False])
    return {
        "households": Household.objects.count(),
        "access_log_rows": AccessLog.objects.count(),
        "runs_each": args.runs,
        "rows_written": written,
        "without_log_ms": {"p50": round(off_p50, 2), "p95": round(off_p95, 2)},
        "with_log_ms": {"p50": round(on_p50, 2), "p95": round(on_p95, 2)},
        "p95_ratio": round(on_p95 / off_p95, 3),
        "p50_ratio": round(on_p50 / off_p50, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--log-rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    dashboard.setup(args.reuse)
    from sinergi.registry.models import Household

    if not (args.reuse and Household.objects.exists()):
        fill(args)
    result = measure(args)
    print(json.dumps(result, indent=2))
    assert result["rows_written"] == args.runs, "one row per logged page view"


if __name__ == "__main__":
    main()
