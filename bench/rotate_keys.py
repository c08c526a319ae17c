#!/usr/bin/env python3
"""Benchmark: re-encrypting the registry under a new personal-data key (issue 16).

    .venv/bin/python bench/rotate_keys.py [--persons 1000000] [--batch 5000] [--reuse]

Fills a PostgreSQL database (``sinergi_bench_rotate``) with ``--persons`` persons in households
of four, NIK and KK numbers encrypted under key ``old`` (COPY), then adds key ``new`` to the
ring, makes it active and times ``registry.key_rotation.rotate`` (the work of ``sinergi manage
rotate_pii_key``): every value re-encrypted in batches, each batch one transaction with its
progress. Reports values per second, the time extrapolated to 1,000,000 persons (and their
250,000 households), and checks that no value is left under the old key and that a sample of
values decrypts to what was stored.

Target (issue 16): key rotation of 1M persons under 10 minutes on this machine.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

import access_log  # noqa: E402  (the bench's regions)
import dashboard  # noqa: E402  (database set-up and COPY)

dashboard.DB = "sinergi_bench_rotate"
# The run's keys (outside the repository), so --reuse can read the data it made.
KEYS = Path(tempfile.gettempdir()) / "sinergi-bench-rotate-keys.json"


def keys(reuse: bool) -> dict[str, str]:
    if reuse and KEYS.exists():
        return dict(json.loads(KEYS.read_text()))
    made = {name: base64.b64encode(secrets.token_bytes(32)).decode() for name in ("old", "new")}
    made["hmac"] = base64.b64encode(secrets.token_bytes(32)).decode()
    KEYS.write_text(json.dumps(made))
    KEYS.chmod(0o600)
    return made


def use_ring(k: dict[str, str], *ids: str) -> None:
    from sinergi.core import crypto

    os.environ["SINERGI_PII_KEYS"] = ",".join(f"{i}:{k[i]}" for i in ids)
    os.environ["SINERGI_PII_KEY_ID"] = ids[-1]
    os.environ["SINERGI_PII_HMAC_KEY"] = k["hmac"]
    crypto.keyring.cache_clear()
    crypto._cipher.cache_clear()


def fill(persons: int) -> float:
    from django.core.management import call_command
    from django.utils import timezone

    from sinergi.core import crypto
    from sinergi.registry.models import Household, Person

    call_command("migrate", verbosity=0)
    village = access_log.regions()
    started = time.perf_counter()
    n = persons // 4
    kks = [f"3273010101{i:06d}" for i in range(n)]
    dashboard.copy_into(
        Household,
        (
            {
                "kk_cipher": c,
                "kk_hash": h,
                "kk_mask": "3273••••••••0000",
                "village_id": village.pk,
                "graduated_from": "",  # columns with a database default: COPY names them all
                "graduation_reason": "",
                "area_code": access_log.VILLAGE,
            }
            for c, h in zip(
                crypto.encrypt_many(kks, field="kk"),
                crypto.lookup_hashes(kks, field="kk"),
                strict=True,
            )
        ),
    )
    ids = list(Household.objects.order_by("id").values_list("id", flat=True))
    born = timezone.localdate() - timedelta(days=365 * 30)

    def rows() -> Iterable[dict[str, Any]]:
        step = 100_000
        for start in range(0, 4 * n, step):
            niks = [f"3273011506{i:06d}" for i in range(start, min(4 * n, start + step))]
            ciphers = crypto.encrypt_many(niks, field="nik")
            hashes = crypto.lookup_hashes(niks, field="nik")
            for j, (c, h) in enumerate(zip(ciphers, hashes, strict=True)):
                yield {
                    "household_id": ids[(start + j) // 4],
                    "nik_cipher": c,
                    "nik_hash": h,
                    "nik_mask": "3273••••••••0000",
                    "name": "Warga",
                    "sex": "L",
                    "birth_date": born,
                    "relation": "kepala",
                    "area_code": access_log.VILLAGE,
                    "flags": [],
                }

    dashboard.copy_into(Person, rows())
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    k = keys(args.reuse)
    use_ring(k, "old")
    dashboard.setup(args.reuse)
    from sinergi.core import crypto
    from sinergi.core.models import Job
    from sinergi.registry.key_rotation import rotate
    from sinergi.registry.models import Household, Person

    if not (args.reuse and Person.objects.exists()):
        print(f"filled in {fill(args.persons):.0f} s")
    Job.objects.filter(kind="registry.key_rotation").delete()
    persons, households = Person.objects.count(), Household.objects.count()
    rng = random.Random(5)
    sample = rng.sample(range(persons), min(1000, persons))
    expected = {
        pk: crypto.decrypt(token, field="nik")
        for pk, token in Person.objects.filter(pk__in=[p + 1 for p in sample]).values_list(
            "pk", "nik_cipher"
        )
    }
    under = crypto.key_usage()
    source = "old" if under["registry.Person.nik_cipher"].get("old") else "new"
    target = "new" if source == "old" else "old"
    use_ring(k, source, target)  # the new key added and made active; the server restarted

    started = time.perf_counter()
    last = [0.0]

    def progress(label: str, done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 15:
            last[0] = time.perf_counter()
            print(f"  {label}: {done:,}/{total:,} after {last[0] - started:.0f} s", flush=True)

    job = rotate(batch_size=args.batch, progress=progress)
    seconds = time.perf_counter() - started
    rotated = sum(s["rotated"] for s in job.result["columns"].values())
    usage = crypto.key_usage()
    assert all(set(c) <= {target} for c in usage.values()), usage
    got = dict(Person.objects.filter(pk__in=list(expected)).values_list("pk", "nik_cipher"))
    assert all(crypto.decrypt(got[pk], field="nik") == nik for pk, nik in expected.items())
    rate = rotated / seconds
    print(
        json.dumps(
            {
                "persons": persons,
                "households": households,
                "values_rotated": rotated,
                "batch": args.batch,
                "seconds": round(seconds, 1),
                "values_per_second": round(rate),
                "extrapolated_1M_persons_minutes": round(1_250_000 / rate / 60, 1),
                "left_under_old_key": sum(job.result["left"].values()),
                "removable": crypto.removable_keys(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
