#!/usr/bin/env python3
"""Benchmark: the search box over a national registry, for the national admin and a regency.

    .venv/bin/python bench/search.py [--persons 1000000 --groups 50000 --sales 20000
                                      --sessions 20000 --products 20000] [--runs 30] [--reuse]

Fills a PostgreSQL database (``sinergi_bench_search``) with the data set of
``bench/dashboard.py`` (the same ``fill``: persons through the real importer, then groups,
members, mentors, sessions, aid, reports and sales by ``COPY``), then makes the names a person
would search realistic: the groups get names of the kind offices give (``KUBE Mawar Indah``),
the mentors Indonesian names, and ``--products`` products of active groups get product names.
The search app's migration has built the trigram and name-start indexes.

Timed in the same run, warm (each query once before, then ``--runs`` times), p50/p95 of
``search.selectors.search`` over every kind the user may search (households, persons, KUBE,
mentors, products, orders, regions; 5 hits each, as the results page asks) for typical
queries: a common name, a rare name, a typo of it, a KUBE name and a region; for the national
admin and for the officer of the regency with the most persons (her own names). Also the
suggestion fragment (``/cari/saran/``) and the results page through the test client, the
number of SQL statements, the database's own time (EXPLAIN ANALYZE), the CPU time of this
process per search (the Python around the statements, which other work on a shared machine
disturbs less than the wall time), and the load average and one trivial ORM read as the
yardstick of the machine's state.

Target (issue 19): p95 under 100 ms warm. ``--reuse`` keeps a database filled by an earlier run.
The keys the persons were encrypted under are kept in ``--data-dir`` between runs.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

import dashboard  # noqa: E402  (the shared data builder: fill, copy_into, percentiles)

DB = "sinergi_bench_search"
dashboard.DB = DB

GROUP_WORDS = [
    "Mawar",
    "Melati",
    "Anggrek",
    "Cempaka",
    "Kenanga",
    "Dahlia",
    "Teratai",
    "Flamboyan",
    "Sejahtera",
    "Makmur",
    "Mandiri",
    "Berkah",
    "Harapan",
    "Sentosa",
    "Lestari",
    "Barokah",
    "Rukun",
    "Sumber",
    "Bina",
    "Karya",
    "Tunas",
    "Cahaya",
    "Mekar",
    "Jaya",
    "Abadi",
    "Bersama",
    "Usaha",
    "Maju",
    "Sakinah",
    "Amanah",
    "Rezeki",
    "Bahagia",
    "Indah",
    "Sari",
    "Murni",
    "Mulia",
    "Wijaya",
]
PRODUCTS = [
    "Keripik Singkong",
    "Keripik Tempe",
    "Rengginang",
    "Opak",
    "Dodol Garut",
    "Kerupuk Udang",
    "Abon Ikan",
    "Sambal Botol",
    "Kopi Bubuk",
    "Gula Aren",
    "Madu Hutan",
    "Tas Anyaman",
    "Tikar Pandan",
    "Batik Tulis",
    "Kain Tenun",
    "Sandal Jepit",
    "Sabun Sereh",
    "Minyak Kelapa",
    "Telur Asin",
    "Ikan Asin",
    "Bawang Goreng",
    "Emping Melinjo",
    "Kacang Sangrai",
    "Kue Kering",
    "Jamu Kunyit",
]
TASTES = ["", " Pedas", " Manis", " Original", " Balado", " Premium", " Kemasan 250 g"]


def setup(reuse: bool, data_dir: Path) -> None:
    """dashboard.setup with a data folder that outlives the run: the persons' NIK and KK were
    encrypted (and hashed for look-up) under its keys."""
    import psycopg

    with psycopg.connect(dashboard.PG + "postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone()
        if not (reuse and exists):
            admin.execute(f"DROP DATABASE IF EXISTS {DB}")
            admin.execute(f"CREATE DATABASE {DB}")
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "SINERGI_DATA_DIR": str(data_dir),
            "SINERGI_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "sinergi.config.settings",
            "DATABASE_URL": dashboard.PG.replace("postgresql", "postgres") + DB,
        }
    )
    import django

    django.setup()


def names(args: argparse.Namespace) -> None:
    """Realistic group, mentor and product names (once: the builder's are "KUBE Bench 12")."""
    from django.db import connection
    from faker import Faker

    from sinergi.kube.models import Kube
    from sinergi.market.models import Category, Product

    if not Kube.objects.filter(name__startswith="KUBE Bench").exists():
        return
    rng = random.Random(19)
    faker = Faker("id_ID")
    faker.seed_instance(19)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        ids = [row[0] for row in Kube.objects.order_by("id").values_list("id")]
        pairs = [(f"KUBE {rng.choice(GROUP_WORDS)} {rng.choice(GROUP_WORDS)}", pk) for pk in ids]
        cursor.executemany("UPDATE kube_kube SET name = %s WHERE id = %s", pairs)
        cursor.execute("SELECT id FROM mentoring_mentor ORDER BY id")
        cursor.executemany(
            "UPDATE mentoring_mentor SET name = %s WHERE id = %s",
            [(faker.name(), pk) for (pk,) in cursor.fetchall()],
        )
    categories = list(Category.objects.values_list("id", flat=True))
    active = list(Kube.objects.filter(status="active").order_by("id").values_list("id", flat=True))
    dashboard.copy_into(
        Product,
        (
            {
                "kube_id": active[i % len(active)],
                "category_id": categories[i % len(categories)],
                "name": f"{rng.choice(PRODUCTS)}{TASTES[i % len(TASTES)]} {i % 97}",
                "unit": "pak",
                "price": rng.randrange(5_000, 80_000),
                "available": rng.randrange(0, 200),
                "monthly_capacity": 500,
                "min_order": 1,
                "active": rng.random() < 0.9,
            }
            for i in range(args.products)
        ),
    )
    with connection.cursor() as cursor:
        # The state autovacuum brings a live database to (visibility map set, the renamed
        # groups' dead rows gone): right after a fill without it, a region search's database
        # time was 2.7 s, and 30 ms after it (2026-11-29, same load).
        cursor.execute("VACUUM (ANALYZE)")
    print(
        f"names: groups, mentors and {args.products:,} products "
        f"in {time.perf_counter() - started:.0f} s"
    )


def user(username: str, role: str, area: str | None) -> Any:
    from sinergi.accounts.models import User
    from sinergi.accounts.services import user_create

    found = User.objects.filter(username=username).first()
    if found is None:
        found = user_create(
            actor=None, username=username, password="bench-" + "x" * 20, role=role, area_code=area
        )
    return User.objects.get(pk=found.pk)


def queries_for(area: str | None) -> dict[str, str]:
    """The typical queries of someone working in ``area``: names from her own registry."""
    from django.db import connection

    scope = "" if area is None else "WHERE area_code >= %(a)s AND area_code < %(b)s"
    params = {} if area is None else {"a": area, "b": area + "/"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT split_part(name, ' ', 1) AS w FROM registry_person "  # noqa: S608
            f"{scope} GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
            params,
        )
        (common,) = cursor.fetchone()
        cursor.execute(
            "SELECT name FROM registry_person "  # noqa: S608
            f"{scope} GROUP BY 1 HAVING count(*) = 1 ORDER BY 1 LIMIT 1 OFFSET 7",
            params,
        )
        (rare,) = cursor.fetchone()
        kube_scope = "" if area is None else "WHERE area_code >= %(a)s AND area_code < %(b)s"
        cursor.execute(
            f"SELECT name FROM kube_kube {kube_scope} ORDER BY id LIMIT 1",  # noqa: S608
            params,
        )
        (group,) = cursor.fetchone()
    # A typo: a letter of the last name dropped ("Kani Winarsih" -> "Kani Winarsh").
    first, _space, last = rare.rpartition(" ")
    typo = f"{first} {last[:-2]}{last[-1]}" if len(last) > 3 else rare[:-1]
    return {
        "common first name": common,
        "rare full name": rare,
        "typo of it": typo,
        "KUBE name": group.removeprefix("KUBE ").lower(),
        "region": "sukamaju",
    }


def time_search(actor: Any, text: str, runs: int) -> tuple[float, float, float, int, int]:
    """p50 and p95 of the wall time, the median CPU time of this process (the Python around
    the statements: less disturbed by other work on a shared machine than the wall time), the
    statements and the hits of one search."""
    import statistics

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sinergi.search import providers, selectors

    query = providers.parse(text)
    found = selectors.search(actor=actor, query=query)
    samples = []
    cpu = []
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        selectors.search(actor=actor, query=query)
        cpu.append((time.process_time() - used) * 1000)
        samples.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        selectors.search(actor=actor, query=query)
    p50, p95 = dashboard.percentiles(samples)
    hits = sum(len(g.hits) for g in found.groups)
    return p50, p95, statistics.median(cpu), len(captured), hits


def database_time(actor: Any, text: str, runs: int = 5) -> float:
    """The database's own time for one search (planning + execution of each statement, from
    EXPLAIN ANALYZE), median of ``runs``: what the search costs PostgreSQL, without the
    round trips and the Python of a loaded machine."""
    import statistics

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sinergi.search import providers, selectors

    with CaptureQueriesContext(connection) as captured:
        selectors.search(actor=actor, query=providers.parse(text))
    statements = [q["sql"] for q in captured if q["sql"].lstrip(" (").upper().startswith("SELECT")]
    totals = []
    with connection.cursor() as cursor:
        for _ in range(runs):
            total = 0.0
            for sql in statements:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0][0]
                total += plan["Planning Time"] + plan["Execution Time"]
            totals.append(total)
    return statistics.median(totals)


def load() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def trivial_read(runs: int) -> float:
    from sinergi.accounts.models import User

    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        User.objects.filter(pk=1).first()
        samples.append((time.perf_counter() - started) * 1000)
    return dashboard.percentiles(samples)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, default=50_000)
    parser.add_argument("--sales", type=int, default=20_000)
    parser.add_argument("--sessions", type=int, default=20_000)
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "sinergi-bench-search"
    )
    args = parser.parse_args()
    setup(args.reuse, args.data_dir)

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from sinergi.kube.models import Kube

    if not (args.reuse and Kube.objects.exists()):
        for what, seconds in dashboard.fill(args).items():
            print(f"fill  {what:<34} {seconds:7.1f} s")
    from django.db.migrations.recorder import MigrationRecorder

    if not MigrationRecorder(connection).migration_qs.filter(app="search").exists():
        started = time.perf_counter()
        call_command("migrate", verbosity=0)  # the search indexes, on a database from before
        print(f"migrate (search indexes)  {time.perf_counter() - started:.1f} s")
    names(args)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT substr(area_code, 1, 5) FROM registry_person GROUP BY 1 "
            "ORDER BY count(*) DESC LIMIT 1"
        )
        (regency,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM registry_person")
        (persons,) = cursor.fetchone()
    print(f"\n{persons:,} persons; the officer works in regency {regency}")
    print(f"load average {load()} (the machine's state, with the trivial read)")
    print(f"trivial ORM read p50 {trivial_read(50):.2f} ms\n")
    people = {
        "national admin": (user("bench-admin", "national_admin", None), None),
        f"regency officer {regency}": (user("bench-officer", "social_officer", regency), regency),
    }
    print(
        f"{'who':<24} {'query':<20} {'text':<24} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>7} "
        f"{'SQL':>4} {'hits':>5} {'DB ms':>6}"
    )
    worst = 0.0
    for who, (actor, area) in people.items():
        for label, text in queries_for(area).items():
            p50, p95, cpu, statements, hits = time_search(actor, text, args.runs)
            worst = max(worst, p95)
            print(
                f"{who:<24} {label:<20} {text[:24]:<24} {p50:8.1f} {p95:8.1f} {cpu:7.1f} "
                f"{statements:4d} {hits:5d} {database_time(actor, text):6.1f}"
            )
        client = Client()
        client.force_login(actor)
        text = queries_for(area)["rare full name"]
        for page, path in (("suggestions", "/cari/saran/"), ("results page", "/cari/")):
            client.get(path, {"q": text})
            samples = []
            for _ in range(max(5, args.runs // 3)):
                started = time.perf_counter()
                client.get(path, {"q": text})
                samples.append((time.perf_counter() - started) * 1000)
            p50, p95 = dashboard.percentiles(samples)
            print(f"{who:<24} {page:<20} {text[:24]:<24} {p50:8.1f} {p95:8.1f}")
    print(f"\nworst search p95 warm {worst:.1f} ms (target < 100 ms); load average {load()}")


if __name__ == "__main__":
    main()
