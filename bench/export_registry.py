#!/usr/bin/env python3
"""Benchmark: the registry export (issue 19) — time and memory for an area's persons.

    .venv/bin/python bench/export_registry.py [--persons 100000] [--reuse] [--formats csv,xlsx]

Fills a PostgreSQL database (``sinergi_bench_export``) with households of four persons (real
ciphertexts and keyed hashes, COPY) in two villages of Kota Bandung: a tenth in the first, the
rest in the second. Then runs the export job's own function (``registry.export.run_export``,
as the worker does: chunked read, the one spreadsheet writer, the file handed to the storage,
audit and access log) as a regency officer, for the small village first and then for the whole
regency, masked and revealed, CSV and XLSX. Prints rows, seconds, rows/s, the resident memory
before each run and its peak during the run (Linux: the peak is reset before each): the peak
must not grow with the area (rows are read in chunks of ``registry.export.CHUNK``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
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

dashboard.DB = "sinergi_bench_export"
VILLAGES = ("32.73.01.1001", "32.73.01.1002")


def _regions() -> list[Any]:
    from sinergi.wilayah.models import Region

    parent = None
    for code, level, name in (
        ("32", 1, "JAWA BARAT"),
        ("32.73", 2, "KOTA BANDUNG"),
        ("32.73.01", 3, "SUKASARI"),
    ):
        parent, _new = Region.objects.get_or_create(
            code=code, defaults={"level": level, "name": name, "parent": parent, "decree": "bench"}
        )
    return [
        Region.objects.get_or_create(
            code=code, defaults={"level": 4, "name": name, "parent": parent, "decree": "bench"}
        )[0]
        for code, name in zip(VILLAGES, ("SUKARASA", "GEGERKALONG"), strict=True)
    ]


def fill(persons: int) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from sinergi.core import crypto
    from sinergi.registry.models import Household, Person

    call_command("migrate", verbosity=0)
    villages = _regions()
    started = time.perf_counter()
    n = persons // 4
    small = n // 10

    def village_of(i: int) -> Any:
        return villages[0] if i < small else villages[1]

    kks = [f"3273010101{i:06d}" for i in range(n)]
    dashboard.copy_into(
        Household,
        (
            {
                "kk_cipher": c,
                "kk_hash": h,
                "kk_mask": kk[:4] + "••••••••" + kk[-4:],
                "village_id": village_of(i).pk,
                "graduated_from": "",
                "graduation_reason": "",
                "area_code": village_of(i).code,
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
    ids = list(Household.objects.order_by("id").values_list("id", "area_code"))
    niks = [f"3273011506{i:06d}" for i in range(4 * n)]

    def rows() -> Iterable[dict[str, Any]]:
        ciphers = crypto.encrypt_many(niks, field="nik")
        hashes = crypto.lookup_hashes(niks, field="nik")
        for i, nik in enumerate(niks):
            household, area = ids[i // 4]
            yield {
                "household_id": household,
                "nik_cipher": ciphers[i],
                "nik_hash": hashes[i],
                "nik_mask": nik[:4] + "••••••••" + nik[-4:],
                "name": f"Warga {i}",
                "sex": "L" if i % 2 else "P",
                "birth_place": "Bandung",
                "birth_date": timezone.localdate() - timedelta(days=365 * 20 + i % 9000),
                "relation": "kepala" if i % 4 == 0 else "anak",
                "is_head": i % 4 == 0,
                "phone": "081234567890" if i % 4 == 0 else "",
                "area_code": area,
                "flags": [],
            }

    dashboard.copy_into(Person, rows())
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"registry: {n:,} households, {4 * n:,} persons in {time.perf_counter() - started:.0f} s")


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _reset_peak() -> None:
    """Start the peak (VmHWM) again from the current size, so each run shows its own."""
    # Not Linux: the figures are then the process's peak so far.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def run(officer: Any, area: str, fmt: str, reveal: bool) -> dict[str, Any]:
    from sinergi.core import jobs
    from sinergi.core.models import JobStatus
    from sinergi.registry import export
    from sinergi.registry.jobs import EXPORT

    purpose = "Bench: pemutakhiran data" if reveal else ""
    code = export.check_request(actor=officer, fmt=fmt, reveal=reveal, purpose=purpose, area=area)
    # The row the service would queue, run here by the worker's own function (no queue).
    job = jobs.create(
        EXPORT.code,
        actor=officer,
        area_code=code,
        params={"fmt": fmt, "reveal": reveal, "purpose": purpose, "language": "id"},
        status=JobStatus.RUNNING,
    )
    before = _status_mb("VmRSS")
    _reset_peak()
    started = time.perf_counter()
    export.run_export(job)
    seconds = time.perf_counter() - started
    peak = _status_mb("VmHWM")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    size = job.result_file.size
    jobs.delete_result(job)
    rows = job.progress_done
    return {
        "area": code,
        "format": fmt,
        "revealed": reveal,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "file_mb": round(size / 1e6, 1),
        "rss_mb_before": before,
        "peak_rss_mb_during": peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--formats", default="csv,xlsx", help="e.g. csv (XLSX is the slow one)")
    args = parser.parse_args()
    dashboard.setup(args.reuse)
    from sinergi.accounts.models import User
    from sinergi.accounts.services import user_create
    from sinergi.registry.models import Person

    if not (args.reuse and Person.objects.exists()):
        fill(args.persons)
    officer = User.objects.filter(username="bench-officer").first() or user_create(
        actor=None,
        username="bench-officer",
        password="bench-sandi-panjang-2026",  # noqa: S106  (a bench login)
        role="social_officer",
        area_code="32.73",
    )
    results = [run(officer, VILLAGES[0], "csv", False)]
    for fmt in args.formats.split(","):
        for reveal in (False, True):
            results.append(run(officer, "", fmt, reveal))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
