#!/usr/bin/env python3
"""Benchmark: the duplicate check after an import, and the full scan by district, as the
registry grows.

    .venv/bin/python bench/dedupe_incremental.py [--sizes 1000000 2000000] [--new 10000]
                                                 [--runs 3] [--db sinergi_i] [--full]
                                                 [--tasks largest:50,random:50] [--reuse]

Fills a PostgreSQL database with generated persons (the registry generator, all 514 regencies,
2% planted duplicates; NIK and KK encrypted and keyed as the importer stores them, written with
``COPY`` so the fill is not the importer's benchmark). At each size it stores a file of
``--new`` generated rows as one import batch (1% of them mistyped copies of stored persons),
times ``dedupe_new_rows`` (the step ``commit_import`` runs after a batch) and removes the batch
again; medians of ``--runs``. ``--full`` also runs the full scan, district by district in one
process as one worker would run the district tasks, with the peak memory of the process and the
largest district. ``--tasks`` runs chosen districts' ``scan_district`` tasks each in a process of
its own (the largest N, N random others, or ``all``) with each task's peak resident memory.
``--reuse`` keeps the database (and its keys, kept per database) from an earlier run, so a 10M
fill is paid once; ``--runs 0`` skips the check. The fill builds the secondary indexes once at
the end when it starts from an empty table, as a first import does.

Targets (issue 17): the check of 10,000 rows under 10 s at 1M persons and not growing when the
registry doubles; the full scan's memory bounded by the largest district, not the registry
(every task under 1 GB at 10M persons).
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


def data_dir(db: str) -> str:
    path = Path(tempfile.gettempdir()) / f"sinergi-bench-{db}"
    path.mkdir(exist_ok=True)
    return str(path)


def setup(db: str, fresh: bool) -> None:
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as admin:
        if fresh:
            admin.execute(f"DROP DATABASE IF EXISTS {db}")
            admin.execute(f"CREATE DATABASE {db}")
    os.environ.update(
        {
            # One data directory per database: it holds the PII keys, which --reuse (and the
            # task processes) need to read what an earlier run wrote.
            "SINERGI_DATA_DIR": os.environ.get("SINERGI_DATA_DIR") or data_dir(db),
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

    def persons(
        self, rows: Iterator[list[str]], import_key: str = "", *, analyze: bool = True
    ) -> list[int]:
        """Write the rows; ``analyze=False`` leaves the planner's statistics to the caller (a
        long fill analyzes once at its end instead of after every chunk)."""
        from django.db import connection
        from django.utils import timezone

        from sinergi.registry.services import protect_kks, protect_niks

        now = timezone.now()
        households: list[list[Any]] = []
        persons: list[list[Any]] = []
        new_niks: list[str] = []
        new_kks: list[str] = []
        for number, row in enumerate(rows, start=2):
            source, kk, nik, name, sex, place, born, relation, head, address, code = row[:11]
            if nik in self.niks or code not in self.villages:
                continue  # the same NIK twice is refused by the importer too
            self.niks.add(nik)
            if kk not in self.kk:
                self.household_id += 1
                self.kk[kk] = self.household_id
                new_kks.append(kk)
                households.append(
                    [
                        self.household_id,
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
            new_niks.append(nik)
            persons.append(
                [
                    self.person_id,
                    self.kk[kk],
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
        # The numbers protected in bulk, as the importer's workers do (one nonce draw and one
        # keyed-hash pass per chunk instead of per row); the stored form is the same.
        for household, protected in zip(households, protect_kks(new_kks), strict=True):
            household[1:1] = protected.values()
        for person, protected in zip(persons, protect_niks(new_niks), strict=True):
            person[2:2] = protected.values()
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
            if analyze:
                raw.execute("ANALYZE registry_person")
        return [p[0] for p in persons]


def grow(filler: Filler, target: int, seed: int, sample: list[list[str]]) -> None:
    """Add generated persons until the registry holds ``target``; keep a few rows to copy.

    Into an empty person table the secondary indexes are left out and built once at the end
    (``deferred_indexes``, as the importer's first load does), and the tables are analyzed
    once at the end rather than after every chunk."""
    from django.db import connection

    from sinergi.registry import deferred_indexes
    from sinergi.registry.models import ImportBatch, Person
    from sinergi.synthetic.registry import RegistryGenerator

    have = Person.objects.count()
    if have >= target:
        print(f"registry: {have:,} persons already (nothing added)", flush=True)
        return
    batch = ImportBatch.objects.create(
        file_name="bench-fill.csv",
        file_sha256=f"bench-fill-{seed}-{time.time()}".encode().hex()[:64],
        status="committed",
    )
    deferred = deferred_indexes.defer(batch)
    generator = RegistryGenerator(seed, duplicate_share=0.02)
    rng = random.Random(seed)
    started, cpu = time.perf_counter(), time.process_time()
    chunk: list[list[str]] = []
    for row in generator.rows(10**9):
        if have >= target:
            break
        chunk.append(row)
        if rng.random() < 0.001:
            sample.append(row)
        if len(chunk) >= min(50_000, target - have):
            have += len(filler.persons(iter(chunk), analyze=False))
            chunk = []
            if have % 1_000_000 < 50_000:
                print(f"  {have:,} rows  {time.perf_counter() - started:.0f} s", flush=True)
    written = time.perf_counter() - started
    indexed = time.perf_counter()
    rebuilt = deferred_indexes.restore() if deferred else []
    indexed = time.perf_counter() - indexed
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_household")
        cursor.execute("ANALYZE registry_person")
    batch.delete()
    total = time.perf_counter() - started
    print(
        f"registry: {have:,} persons ({total:.0f} s to add: rows written {written:.0f} s, "
        f"{len(rebuilt)} secondary indexes built {indexed:.0f} s, analyze "
        f"{total - written - indexed:.0f} s; this process's CPU "
        f"{time.process_time() - cpu:.0f} s)",
        flush=True,
    )


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


def district_sizes() -> dict[str, int]:
    """Active persons per district, as ``districts()`` partitions them."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    from sinergi.registry.dedupe import DISTRICT
    from sinergi.registry.models import Person

    rows = (
        Person.objects.active()
        .order_by()
        .annotate(d=Substr("area_code", 1, DISTRICT))
        .values("d")
        .annotate(n=Count("id"))
        .values_list("d", "n")
    )
    return dict(rows)


def pick(spec: str, sizes: dict[str, int], seed: int = 17) -> list[str]:
    """``all``, or parts like ``largest:50,random:50`` (random ones among the rest, seeded)."""
    if spec == "all":
        return sorted(sizes, key=lambda d: (-sizes[d], d))
    chosen: list[str] = []
    rng = random.Random(seed)
    for part in spec.split(","):
        kind, _sep, count = part.partition(":")
        rest = [d for d in sorted(sizes, key=lambda d: (-sizes[d], d)) if d not in chosen]
        if kind == "largest":
            chosen += rest[: int(count)]
        elif kind == "random":
            chosen += rng.sample(rest, min(int(count), len(rest)))
        else:
            raise SystemExit(f"--tasks: {part!r} is not largest:N, random:N or all")
    return chosen


def _memory_mb() -> tuple[float, float]:
    """This process's resident size now and its peak (VmRSS, VmHWM). Not ``ru_maxrss``: on
    Linux a spawned child's ``ru_maxrss`` starts at its parent's size at the fork (kept across
    the exec), so it would report the bench's fill state, not the task."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return (int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024)


def one_task(db: str, district: str) -> dict[str, Any]:
    """One ``scan_district`` task in a fresh process (a pool worker that ends after one task):
    Django set up and the task's module imported, as in a worker, then the task itself."""
    setup(db, fresh=False)
    from django.db import connection

    from sinergi.registry.tasks import scan_district

    connection.ensure_connection()
    rss_before, peak_before = _memory_mb()
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu = time.perf_counter(), time.process_time()
    pairs = scan_district.call(district)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    connection.close()
    return {
        "district": district,
        "seconds": seconds,
        "cpu_s": cpu,
        "pairs": pairs,
        "rss_before_mb": rss_before,
        "peak_before_mb": peak_before,
        "peak_rss_mb": _memory_mb()[1],
        "ru_maxrss_before_mb": maxrss_before,
        "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_tasks(db: str, spec: str, workers: int) -> None:
    """The district tasks of the full scan, each in its own worker process (spawned, one task
    per process), with each task's peak RSS; printed one line a task, then the summary."""
    import multiprocessing

    from django.db import connection

    from sinergi.registry.models import DuplicateCandidate

    DuplicateCandidate.objects.all().delete()  # pairs found by this run, not earlier ones
    listed = time.perf_counter()
    sizes = district_sizes()
    chosen = pick(spec, sizes)
    print(
        f"tasks: {len(chosen)} of {len(sizes):,} districts ({spec}), {workers} worker(s); "
        f"persons per district listed in {time.perf_counter() - listed:.1f} s",
        flush=True,
    )
    connection.close()  # nothing shared with the children
    context = multiprocessing.get_context("spawn")
    results: list[dict[str, Any]] = []
    started = time.perf_counter()
    with context.Pool(workers, maxtasksperchild=1) as pool:
        jobs = [pool.apply_async(one_task, (db, d)) for d in chosen]
        for job in jobs:
            result = job.get()
            result["persons"] = sizes[result["district"]]
            results.append(result)
            print(
                "  {district}  {persons:>6,} persons  {seconds:6.2f} s (CPU {cpu_s:.2f} s)  "
                "{pairs:>5,} pairs  RSS before {rss_before_mb:.1f} MB (peak {peak_before_mb:.1f})  "
                "peak {peak_rss_mb:.1f} MB  (ru_maxrss {ru_maxrss_before_mb:.0f} -> "
                "{ru_maxrss_mb:.0f} MB)".format(**result),
                flush=True,
            )
    peaks = [r["peak_rss_mb"] for r in results]
    largest = max(results, key=lambda r: r["persons"])
    top = max(results, key=lambda r: r["peak_rss_mb"])
    print(
        f"tasks: {len(results)} in {time.perf_counter() - started:.0f} s; peak RSS max "
        f"{top['peak_rss_mb']:.1f} MB ({top['district']}, {top['persons']:,} persons), median "
        f"{statistics.median(peaks):.1f} MB, RSS before median "
        f"{statistics.median(r['rss_before_mb'] for r in results):.1f} MB; largest district "
        f"{largest['district']} {largest['persons']:,} persons: {largest['seconds']:.2f} s, "
        f"{largest['pairs']:,} pairs, peak {largest['peak_rss_mb']:.1f} MB; median task "
        f"{statistics.median(r['seconds'] for r in results):.2f} s; pairs "
        f"{sum(r['pairs'] for r in results):,}",
        flush=True,
    )
    print(f"target (every task's peak under 1 GB): {'met' if max(peaks) < 1024 else 'NOT met'}")


def check(
    filler: Filler, size: int, new: int, runs: int, sample: list[list[str]], medians: list[float]
) -> None:
    rows = new_file(new, sample, seed=77)
    checks = [check_once(filler, rows, run) for run in range(runs)]
    times, result = [seconds for seconds, _ in checks], checks[-1][1]
    median = statistics.median(times)
    medians.append(median)
    print(
        f"size {size:>10,}: check of {result.new:,} new rows  median {median:.2f} s  "
        f"(runs {', '.join(f'{t:.2f}' for t in times)})  stored persons compared "
        f"{result.stored:,}  pairs queued {result.created:,}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 2_000_000])
    parser.add_argument("--new", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", default="sinergi_i")
    parser.add_argument("--full", action="store_true")
    parser.add_argument(
        "--tasks",
        metavar="SPEC",
        help="after the largest size, run district tasks each in its own process: "
        "'largest:50,random:50' or 'all'",
    )
    parser.add_argument("--task-workers", type=int, default=1)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database --db as it is (fill only up to --sizes) instead of a fresh one",
    )
    args = parser.parse_args()
    setup(args.db, fresh=not args.reuse)
    filler = Filler()
    sample: list[list[str]] = []
    medians: list[float] = []
    for number, size in enumerate(sorted(args.sizes)):
        grow(filler, size, seed=1000 + number, sample=sample)
        if args.runs > 0:  # --runs 0: the fill (and the scans) only
            check(filler, size, args.new, args.runs, sample, medians)
        if args.full:
            scan = full_scan()
            print(f"size {size:>10,}: full scan by district {scan}", flush=True)
    if len(medians) > 1:
        print(f"ratio largest/smallest registry: {medians[-1] / medians[0]:.2f}x")
    if medians:
        print(f"target (under 10 s): {'met' if max(medians) < 10 else 'NOT met'}  ({date.today()})")
    if args.tasks:
        run_tasks(args.db, args.tasks, args.task_workers)


if __name__ == "__main__":
    main()
