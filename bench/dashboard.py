#!/usr/bin/env python3
"""Benchmark: the monitoring dashboards' data calls against the raw SQL aggregates they rest on.

    .venv/bin/python bench/dashboard.py [--persons 1000000 --groups 50000 --sales 1000000
                                         --sessions 200000] [--runs 30] [--reuse]

Fills a PostgreSQL database (``sinergi_bench_dashboard``): persons from the registry generator
through the real importer; groups, memberships, mentors, assignments, sessions, action items,
aid proposals and disbursements, monthly reports and sales with set-based ``COPY`` (seeded
random, spread over all 514 regencies and the last 24 months). Then, in the same run:

* the nightly work: classing every active group and rebuilding the summary tables;
* the national and a province dashboard's data call (``monitoring.selectors.dashboard``), cold
  (a fresh connection) and warm, p50/p95;
* the raw aggregates behind the same figures, straight from the base tables, p50/p95;
* the whole national page (map, charts, tables) through Django's test client.

Targets (issue 7): national dashboard p95 under 300 ms warm and within 3x the raw aggregates.
``--reuse`` keeps a database filled by an earlier run (same sizes) and only times.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
PG = "postgresql://postgres@127.0.0.1:5432/"
DB = "sinergi_bench_dashboard"


def setup(reuse: bool) -> None:
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone()
        if not (reuse and exists):
            admin.execute(f"DROP DATABASE IF EXISTS {DB}")
            admin.execute(f"CREATE DATABASE {DB}")
    os.environ.update(
        {
            "SINERGI_DATA_DIR": tempfile.mkdtemp(prefix="sinergi-bench-"),
            "SINERGI_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "sinergi.config.settings",
            "DATABASE_URL": PG.replace("postgresql", "postgres") + DB,
        }
    )
    import django

    django.setup()


def copy_into(model: Any, rows: Iterable[dict[str, Any]]) -> int:
    """COPY rows into a model's table; fields not given take their default (or now / NULL)."""
    from django.db import connection
    from django.db.models import AutoField, BigAutoField, JSONField
    from django.utils import timezone

    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoField | BigAutoField)]
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        else:
            defaults[f.attname] = f.get_default()  # "" for blank text, None for nullable
    columns = ", ".join(f'"{f.column}"' for f in fields)
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                values = []
                for f in fields:
                    value = row.get(f.attname, defaults[f.attname])
                    if isinstance(f, JSONField):
                        value = json.dumps(value)
                    values.append(value)
                copy.write_row(values)
                count += 1
    return count


def fill(args: argparse.Namespace) -> dict[str, float]:
    from django.core.management import call_command
    from django.utils import timezone

    from sinergi.aid.models import Cycle, Disbursement, Programme, Proposal
    from sinergi.kube.models import BusinessType, Kube, Membership, Transition
    from sinergi.market.models import Sale
    from sinergi.mentoring.models import ActionItem, Assignment, Mentor, Organisation, Session, Unit
    from sinergi.monitoring.models import GroupReport
    from sinergi.monitoring.services import add_months
    from sinergi.registry.imports import import_check, import_create
    from sinergi.registry.models import Person
    from sinergi.synthetic.registry import registry_file
    from sinergi.wilayah.models import Region
    from sinergi.wilayah.services import regions_load

    timings: dict[str, float] = {}
    call_command("migrate", verbosity=0)
    regions_load()
    rng = random.Random(7)
    today = timezone.localdate()

    started = time.perf_counter()
    path = registry_file(args.persons)
    batch = import_create(actor=None, source=path, file_name=path.name)
    batch = import_check(batch.pk, commit=True)
    timings["persons (generator + importer)"] = time.perf_counter() - started
    print(f"persons: {batch.rows_committed:,} in {timings['persons (generator + importer)']:.0f} s")

    started = time.perf_counter()
    villages = list(Region.objects.filter(level=4, retired=False).values_list("id", "code"))
    types = list(BusinessType.objects.values_list("id", flat=True))
    statuses = ["active"] * 70 + ["graduated"] * 8 + ["verified"] * 8 + ["submitted"] * 6
    statuses += ["draft"] * 5 + ["dissolved"] * 3
    groups = []
    for i in range(args.groups):
        village_id, code = villages[rng.randrange(len(villages))]
        groups.append(
            {
                "name": f"KUBE Bench {i}",
                "business_type_id": types[i % len(types)],
                "village_id": village_id,
                "area_code": code,
                "status": statuses[i % len(statuses)],
            }
        )
    copy_into(Kube, groups)
    kubes = list(Kube.objects.values_list("id", "area_code", "status").order_by("id"))
    active = [k for k in kubes if k[2] == "active"]
    start = today - timedelta(days=400)
    copy_into(
        Transition,
        ({"kube_id": k, "from_status": "verified", "to_status": "active"} for k, _c, s in active),
    )
    Transition.objects.update(at=timezone.now() - timedelta(days=400))
    # A list, not a server-side cursor: the connection is busy with the COPY while it is read.
    persons = list(Person.objects.order_by("id").values_list("id", flat=True))
    per_group = max(5, min(20, args.persons // (2 * len(kubes))))

    def members() -> Iterable[dict[str, Any]]:
        for (kube_id, _code, _s), slot in zip(
            (k for k in kubes for _ in range(per_group)), iter(persons), strict=False
        ):
            yield {"kube_id": kube_id, "person_id": slot, "role": "anggota", "start_date": start}

    copy_into(Membership, members())
    timings["groups and members (COPY)"] = time.perf_counter() - started

    started = time.perf_counter()
    iwapi = Organisation.objects.get(acronym="IWAPI")
    unit = Unit.objects.create(organisation=iwapi, level="national", name="DPP IWAPI (bench)")
    regencies = list(Region.objects.filter(level=2).values_list("id", "code"))
    mentor_count = max(1, len(active) // 6)
    copy_into(
        Mentor,
        (
            {
                "unit_id": unit.pk,
                "name": f"Mentor {i}",
                "base_regency_id": regencies[i % len(regencies)][0],
                "area_code": regencies[i % len(regencies)][1],
                "capacity": 8,
            }
            for i in range(mentor_count)
        ),
    )
    mentor_ids = list(Mentor.objects.values_list("id", flat=True))
    mentored = active[: int(len(active) * 0.65)]
    pairs = {k: mentor_ids[i % len(mentor_ids)] for i, (k, _c, _s) in enumerate(mentored)}
    copy_into(
        Assignment,
        (
            {"kube_id": k, "mentor_id": m, "status": "accepted", "start_date": start}
            for k, m in pairs.items()
        ),
    )
    mentored_ids = list(pairs)
    copy_into(
        Session,
        (
            {
                "kube_id": (k := mentored_ids[rng.randrange(len(mentored_ids))]),
                "mentor_id": pairs[k],
                "held_on": today - timedelta(days=rng.randrange(720)),
                "place": "Rumah ketua",
                "topics": "Pembukuan",
            }
            for _ in range(args.sessions)
        ),
    )
    sessions = list(Session.objects.values_list("id", "kube_id")[: args.sessions // 4])
    copy_into(
        ActionItem,
        (
            {
                "kube_id": k,
                "raised_in_id": s,
                "description": "Tindak lanjut",
                "owner": "Ketua",
                "due_on": today - timedelta(days=rng.randrange(-60, 300)),
                "status": "open" if rng.random() < 0.4 else "done",
            }
            for s, k in sessions
        ),
    )
    timings["mentors, sessions, items (COPY)"] = time.perf_counter() - started

    started = time.perf_counter()
    programme = Programme.objects.create(
        name="Bench",
        year=today.year,
        funding_source="apbn",
        amount_rule="fixed",
        amount=20_000_000,
        budget_ceiling=20_000_000 * len(active),
    )
    cycle = Cycle.objects.create(programme=programme, number=1, status="approved")
    aided = active[: int(len(active) * 0.8)]
    copy_into(
        Proposal,
        (
            {
                "cycle_id": cycle.pk,
                "kube_id": k,
                "area_code": c,
                "member_count": per_group,
                "amount": 20_000_000,
                "status": "approved",
            }
            for k, c, _s in aided
        ),
    )
    proposals = list(Proposal.objects.values_list("id", "area_code"))
    copy_into(
        Disbursement,
        (
            {
                "proposal_id": p,
                "amount": 20_000_000,
                "day": today - timedelta(days=rng.randrange(300)),
                "reference": f"TRF{p:09d}",
                "account": "1234567890",
                "area_code": c,
            }
            for p, c in proposals[: int(len(proposals) * 0.9)]
        ),
    )
    this_month = today.replace(day=1)
    months = [add_months(this_month, -b) for b in range(1, 7)]
    copy_into(
        GroupReport,
        (
            {
                "kube_id": k,
                "period": m,
                "turnover": (t := rng.randrange(500_000, 12_000_000)),
                "costs": int(t * 0.8),
                "profit": t - int(t * 0.8),
                "savings": rng.randrange(0, 5_000_000),
                "iks_paid": rng.choice([0, 50_000, 120_000]),
                "active_members": per_group,
                "status": "submitted",
            }
            for k, _c, _s in active
            for m in months
        ),
    )
    copy_into(
        Sale,
        (
            {
                "kube_id": active[rng.randrange(len(active))][0],
                "description": "Penjualan",
                "quantity": rng.randrange(1, 50),
                "price": rng.randrange(5_000, 80_000),
                "buyer_type": "market_stall",
                "day": today - timedelta(days=rng.randrange(720)),
            }
            for _ in range(args.sales)
        ),
    )
    timings["aid, reports, sales (COPY)"] = time.perf_counter() - started
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return timings


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def timed(fn: Callable[[], Any], runs: int, *, cold: bool = False) -> tuple[float, float]:
    from django.db import connection

    samples = []
    for _ in range(runs):
        if cold:
            connection.close()  # a new connection: no prepared plans, no session caches
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


RAW = {
    # The figures a dashboard shows, straight from the base tables ({scope} limits the area).
    "groups by status and class": """
        SELECT substr(area_code, 1, 5), status, klass, count(*) FROM kube_kube
        WHERE {scope} GROUP BY 1, 2, 3""",
    "active members": """
        SELECT substr(k.area_code, 1, 5), count(*) FROM kube_membership m
        JOIN kube_kube k ON k.id = m.kube_id
        WHERE m.end_date IS NULL AND k.status = 'active' AND {scope_k} GROUP BY 1""",
    "groups with a mentor": """
        SELECT substr(k.area_code, 1, 5), count(DISTINCT a.kube_id)
        FROM mentoring_assignment a JOIN kube_kube k ON k.id = a.kube_id
        WHERE a.status = 'accepted' AND k.status = 'active' AND {scope_k} GROUP BY 1""",
    "overdue action items": """
        SELECT substr(k.area_code, 1, 5), count(*) FROM mentoring_actionitem i
        JOIN kube_kube k ON k.id = i.kube_id
        WHERE i.status = 'open' AND i.due_on < CURRENT_DATE AND {scope_k} GROUP BY 1""",
    "aid approved and disbursed": """
        SELECT (SELECT sum(amount) FROM aid_proposal WHERE status = 'approved' AND {scope}),
               (SELECT sum(amount) FROM aid_disbursement WHERE {scope})""",
    "sales per month (12)": """
        SELECT date_trunc('month', s.day), sum(s.quantity * s.price) FROM market_sale s
        JOIN kube_kube k ON k.id = s.kube_id
        WHERE s.day >= CURRENT_DATE - 365 AND {scope_k} GROUP BY 1""",
    "sessions per month (12)": """
        SELECT date_trunc('month', s.held_on), count(*) FROM mentoring_session s
        JOIN kube_kube k ON k.id = s.kube_id
        WHERE s.held_on >= CURRENT_DATE - 365 AND {scope_k} GROUP BY 1""",
    "turnover per month (12)": """
        SELECT r.period, sum(r.turnover) FROM monitoring_groupreport r
        JOIN kube_kube k ON k.id = r.kube_id
        WHERE r.status = 'submitted' AND r.period >= CURRENT_DATE - 365 AND {scope_k}
        GROUP BY 1""",
}


def raw_aggregates(code: str) -> None:
    from django.db import connection

    scope = "TRUE" if not code else f"area_code LIKE '{code}.%%'"
    scope_k = "TRUE" if not code else f"k.area_code LIKE '{code}.%%'"
    with connection.cursor() as cursor:
        for sql in RAW.values():
            cursor.execute(sql.format(scope=scope, scope_k=scope_k))
            cursor.fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, default=50_000)
    parser.add_argument("--sales", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    setup(args.reuse)

    from django.test import Client
    from django.utils import timezone

    from sinergi.accounts.models import User
    from sinergi.kube.models import Kube
    from sinergi.monitoring import selectors, services, summaries

    if not (args.reuse and Kube.objects.exists()):
        for what, seconds in fill(args).items():
            print(f"fill  {what:<34} {seconds:7.1f} s")
    today = timezone.localdate()
    admin = User.objects.filter(username="bench-admin").first()
    if admin is None:
        from sinergi.accounts.services import user_create

        admin = user_create(
            actor=None,
            username="bench-admin",
            password=secrets.token_urlsafe(16),
            role="national_admin",
        )
    admin = User.objects.get(pk=admin.pk)

    started = time.perf_counter()
    classed = services.classify_groups(
        Kube.objects.all(), services.add_months(today.replace(day=1), -1)
    )
    seconds = time.perf_counter() - started
    print(f"nightly  class {classed.groups:,} active groups          {seconds:7.1f} s")
    refreshes = []
    for _ in range(3):
        started = time.perf_counter()
        summaries.refresh()
        refreshes.append(time.perf_counter() - started)
    print(f"nightly  rebuild summary tables (median of 3)   {statistics.median(refreshes):7.1f} s")

    print(f"\n{'call':<44} {'p50 ms':>9} {'p95 ms':>9}")
    results: dict[str, tuple[float, float]] = {}
    for label, code in (("national", ""), ("province 32", "32")):
        call = lambda code=code: selectors.dashboard(admin, code, today=today)  # noqa: E731
        results[f"{label} dashboard, cold"] = timed(call, 5, cold=True)
        call()
        results[f"{label} dashboard, warm"] = timed(call, args.runs)
        raw = lambda code=code: raw_aggregates(code)  # noqa: E731
        raw()
        results[f"{label} raw aggregates, warm"] = timed(raw, max(5, args.runs // 3))
    client = Client()
    client.force_login(admin)
    client.get("/pantau/wilayah/ID/")
    results["national page (HTML, map, charts), warm"] = timed(
        lambda: client.get("/pantau/wilayah/ID/"), max(5, args.runs // 3)
    )
    for label, (p50, p95) in results.items():
        print(f"{label:<44} {p50:9.1f} {p95:9.1f}")
    national = results["national dashboard, warm"][1]
    raw95 = results["national raw aggregates, warm"][1]
    print(
        f"\nnational dashboard p95 warm {national:.1f} ms (target < 300 ms); "
        f"ratio to raw aggregates p95 {national / raw95:.3f} (target <= 3)"
    )


if __name__ == "__main__":
    main()
