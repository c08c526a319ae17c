#!/usr/bin/env python3
"""Benchmark: the duplicate check after an import, and the full scan by district, as the
registry grows.

    .venv/bin/python bench/dedupe_incremental.py [--sizes 1000000 2000000] [--new 10000]
                                                 [--runs 3] [--db sinergi_i] [--full]

Fills a PostgreSQL database with generated persons (the registry generator, all 514 regencies,
2% planted duplicates; NIK and KK encrypted and keyed as the importer stores them, written with
``COPY`` so the fill is not the importer's benchmark). At each size it stores a file of
``--new`` generated rows as one import batch (1% of them mistyped copies of stored persons),
times ``dedupe_new_rows`` (the step ``commit_import`` runs after a batch) and removes the batch
again; medians of ``--runs``. ``--full`` also runs the full scan, district by district in one
process as one worker would run the district tasks, with the peak memory of the process and the
largest district.

Targets (issue 17): the check of 10,000 rows under 10 s at 1M persons and not growing when the
registry doubles; the full scan's memory bounded by the largest district, not the registry.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
PG = "postgresql://postgres@127.0.0.1:5432/"
COLUMNS_PERSON = [
    "id",
    "household_id",
    "nik_cipher",
    "nik_hash",
    "nik_mask",
    "nik_prefix_key",
    "name",
    "sex",
    "birth_place",
    "birth_date",
    "relation",
    "is_head",
    "phone",
    "area_code",
    "source_id",
    "import_key",
    "flags",
    "created_at",
    "updated_at",
]
COLUMNS_HOUSEHOLD = [
    "id",
    "kk_cipher",
    "kk_hash",
    "kk_mask",
    "village_id",
    "area_code",
    "address",
    "desil",
    "desil_date",
    "created_at",
    "updated_at",
]


def setup(db: str, fresh: bool) -> None:
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as admin:
        if fresh:
            admin.execute(f"DROP DATABASE IF EXISTS {db}")
            admin.execute(f"CREATE DATABASE {db}")
    os.environ.update(
        {
            "SINERGI_DATA_DIR": os.environ.get("SINERGI_DATA_DIR")
            or tempfile.mkdtemp(prefix="sinergi-bench-"),
            "SINERGI_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "sinergi.config.settings",
            "DATABASE_URL": PG.replace("postgresql", "postgres") + db,
        }
    )
    import django

    django.setup()
    if fresh:
        from django.core.management import call_command

        from sinergi.wilayah.services import regions_load

        call_command("migrate", verbosity=0)
        regions_load()


class Filler:
    """Writes generated rows as the importer stores them; ids handed out here."""

    def __init__(self) -> None:
        from django.db import connection

        from sinergi.registry.models import Household, Person
        from sinergi.wilayah.models import Region

        self.villages = dict(Region.objects.filter(level=4).values_list("code", "pk"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM registry_household")
            self.household_id = cursor.fetchone()[0]
            cursor.execute("SELECT coalesce(max(id), 0) FROM registry_person")
            self.person_id = cursor.fetchone()[0]
        self.kk: dict[str, int] = {}
        self.niks: set[str] = set()
        self.models = (Household, Person)

    def persons(self, rows: Iterator[list[str]], import_key: str = "") -> list[int]:
        from django.db import connection
        from django.utils import timezone

        from sinergi.registry.services import protect_kk, protect_nik

        now = timezone.now()
        households: list[list[Any]] = []
        persons: list[list[Any]] = []
        for number, row in enumerate(rows, start=2):
            source, kk, nik, name, sex, place, born, relation, head, address, code = row[:11]
            if nik in self.niks or code not in self.villages:
                continue  # the same NIK twice is refused by the importer too
            self.niks.add(nik)
            if kk not in self.kk:
                self.household_id += 1
                self.kk[kk] = self.household_id
                protected = protect_kk(kk)
                households.append(
                    [
                        self.household_id,
                        *protected.values(),
                        self.villages[code],
                        code,
                        address,
                        int(row[11]) if row[11] else None,
                        row[12] or None,
                        now,
                        now,
                    ]
                )
            self.person_id += 1
            persons.append(
                [
                    self.person_id,
                    self.kk[kk],
                    *protect_nik(nik).values(),
                    name,
                    sex,
                    place,
                    born,
                    relation,
                    head == "1",
                    row[13],
                    code,
                    source,
                    f"{import_key}:{number}" if import_key else None,
                    "[]",
                    now,
                    now,
                ]
            )
        with connection.cursor() as wrapper:
            raw = wrapper.cursor
            for table, columns, values in (
                ("registry_household", COLUMNS_HOUSEHOLD, households),
                ("registry_person", COLUMNS_PERSON, persons),
            ):
                names = ", ".join(columns)
                with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for value in values:
                        copy.write_row(value)
            for table in ("registry_household", "registry_person"):
                raw.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT max(id) FROM {table}))"
                )
            raw.execute("ANALYZE registry_person")
        return [p[0] for p in persons]


def grow(filler: Filler, target: int, seed: int, sample: list[list[str]]) -> None:
    """Add generated persons until the registry holds ``target``; keep a few rows to copy."""
    from sinergi.registry.models import Person
    from sinergi.synthetic.registry import RegistryGenerator

    have = Person.objects.count()
    generator = RegistryGenerator(seed, duplicate_share=0.02)
    rng = random.Random(seed)
    started = time.perf_counter()
    chunk: list[list[str]] = []
    for row in generator.rows(10**9):
        if have >= target:
            break
        chunk.append(row)
        if rng.random() < 0.001:
            sample.append(row)
        if len(chunk) >= min(50_000, target - have):
            have += len(filler.persons(iter(chunk)))
            chunk = []
    print(f"registry: {have:,} persons ({time.perf_counter() - started:.0f} s to add)", flush=True)


def new_file(rows: int, sample: list[list[str]], seed: int) -> list[list[str]]:
    """``rows`` fresh rows, 1% of them mistyped copies of stored persons."""
    from sinergi.synthetic.registry import RegistryGenerator

    generator = RegistryGenerator(seed)
    out: list[list[str]] = []
    copies = rows // 100
    for row in generator.rows(rows):
        out.append(row)
        if len(out) >= rows - copies:
            break
    rng = random.Random(seed)
    for row in rng.sample(sample, min(copies, len(sample))):
        out.append(generator.duplicate_of(row))
    return out


def check_once(filler: Filler, rows: list[list[str]], run: int) -> tuple[float, Any]:
    import hashlib

    from sinergi.registry.dedupe import dedupe_new_rows
    from sinergi.registry.models import DuplicateCandidate, ImportBatch, Person

    sha = hashlib.sha256(f"bench-{run}-{time.time()}".encode()).hexdigest()
    batch = ImportBatch.objects.create(file_name="new.csv", file_sha256=sha, status="committed")
    saved_niks = set(filler.niks)
    ids = filler.persons(iter(rows), import_key=sha[:20])
    started = time.perf_counter()
    result = dedupe_new_rows(batch)
    seconds = time.perf_counter() - started
    DuplicateCandidate.objects.filter(person_b_id__in=ids).delete()
    DuplicateCandidate.objects.filter(person_a_id__in=ids).delete()
    Person.objects.filter(pk__in=ids).delete()  # the next run (and the next size) starts clean
    batch.delete()
    filler.niks = saved_niks
    return seconds, result


def full_scan() -> dict[str, float]:
    from django.db.models import Count
    from django.db.models.functions import Substr

    from sinergi.registry.dedupe import dedupe_district, districts
    from sinergi.registry.models import DuplicateCandidate, Person

    DuplicateCandidate.objects.all().delete()
    largest = (
        Person.objects.order_by()
        .annotate(d=Substr("area_code", 1, 8))
        .values("d")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    parts = districts()
    slowest = 0.0
    created = 0
    for district in parts:
        t = time.perf_counter()
        created += dedupe_district(district)
        slowest = max(slowest, time.perf_counter() - t)
    return {
        "districts": len(parts),
        "largest_district_persons": largest["n"] if largest else 0,
        "seconds": time.perf_counter() - started,
        "slowest_district_s": slowest,
        "pairs": created,
        "rss_before_mb": before,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 2_000_000])
    parser.add_argument("--new", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", default="sinergi_i")
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    setup(args.db, fresh=True)
    filler = Filler()
    sample: list[list[str]] = []
    medians = []
    for number, size in enumerate(sorted(args.sizes)):
        grow(filler, size, seed=1000 + number, sample=sample)
        rows = new_file(args.new, sample, seed=77)
        times, result = [], None
        for run in range(args.runs):
            seconds, result = check_once(filler, rows, run)
            times.append(seconds)
        median = statistics.median(times)
        medians.append(median)
        print(
            f"size {size:>10,}: check of {result.new:,} new rows  median {median:.2f} s  "
            f"(runs {', '.join(f'{t:.2f}' for t in times)})  stored persons compared "
            f"{result.stored:,}  pairs queued {result.created:,}",
            flush=True,
        )
        if args.full:
            scan = full_scan()
            print(f"size {size:>10,}: full scan by district {scan}", flush=True)
    if len(medians) > 1:
        print(f"ratio largest/smallest registry: {medians[-1] / medians[0]:.2f}x")
    print(f"target (under 10 s): {'met' if max(medians) < 10 else 'NOT met'}  ({date.today()})")


if __name__ == "__main__":
    main()
