#!/usr/bin/env python3
"""Benchmark: the task inbox (core.inbox) of a regency officer and of the national admin.

    .venv/bin/python bench/inbox.py [--persons 1000000 --groups 50000 --sales 1000000
                                     --sessions 200000] [--runs 30] [--reuse]

Fills its own PostgreSQL database (``sinergi_bench_inbox``) with the data set of
``bench/dashboard.py`` (the same ``fill``: persons through the real importer, groups in every
status, members, mentors, sessions, action items, aid, reports, sales by ``COPY``), then adds the
queues the inbox reads at national scale: an open aid cycle with proposals waiting for the
province and recommended ones waiting for the centre, possible duplicates, graduation proposals
and returned group reports. Then, in the same run, ``core.inbox.gather`` for the officer of the
regency with the most groups and for the national admin: cold (a new connection) and warm
p50/p95, the number of SQL queries, the number of items, and the whole ``/tugas/`` page and
``GET /api/v1/inbox/`` warm.

Target (issue 12): each inbox under 50 ms at p95 warm, with a bounded number of queries.
``--reuse`` keeps a database filled by an earlier run (same sizes) and only times.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dashboard  # bench/dashboard.py: setup, fill, copy_into, timed

dashboard.DB = "sinergi_bench_inbox"


def queues(rng: random.Random) -> dict[str, int]:
    """The waiting work a national installation has on an ordinary day."""
    from django.utils import timezone

    from sinergi.aid.models import Cycle, Programme, Proposal
    from sinergi.kube.models import Kube, Membership
    from sinergi.monitoring.models import Graduation, GroupReport
    from sinergi.registry.models import DuplicateCandidate, Person

    programme = Programme.objects.get(name="Bench")
    cycle = Cycle.objects.create(programme=programme, number=2)
    aided = set(Proposal.objects.values_list("kube_id", flat=True))
    waiting = [
        (k, c)
        for k, c in Kube.objects.filter(status="active").values_list("id", "area_code")
        if k not in aided
    ]
    proposed = waiting[: len(waiting) // 2]
    dashboard.copy_into(
        Proposal,
        (
            {
                "cycle_id": cycle.pk,
                "kube_id": k,
                "area_code": c,
                "member_count": 10,
                "amount": 20_000_000,
                "status": "proposed" if i % 3 else "recommended",
            }
            for i, (k, c) in enumerate(proposed)
        ),
    )
    persons = list(Person.objects.order_by("?").values_list("id", "area_code")[:20_000])
    pairs = [(persons[i], persons[i + 1]) for i in range(0, len(persons) - 1, 2)]
    dashboard.copy_into(
        DuplicateCandidate,
        (
            {
                "person_a_id": a[0],
                "person_b_id": b[0],
                "score": 0.9,
                "reason": "name",
                "area_code": a[1],
                "status": "pending",
            }
            for a, b in pairs
        ),
    )
    members = list(
        Membership.objects.filter(end_date__isnull=True, kube__status="active")
        .values_list("person__household_id", "kube_id", "person_id", "kube__area_code")
        .order_by("?")[:5_000]
    )
    seen: set[int] = set()
    dashboard.copy_into(
        Graduation,
        (
            {
                "household_id": h,
                "kube_id": k,
                "person_id": p,
                "area_code": c,
                "months": [],
                "status": "proposed",
            }
            for h, k, p, c in members
            if not (h in seen or seen.add(h))  # type: ignore[func-returns-value]
        ),
    )
    returned = GroupReport.objects.filter(
        pk__in=list(GroupReport.objects.order_by("?").values_list("pk", flat=True)[:2_000])
    ).update(status="returned", returned_at=timezone.now())
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "proposals waiting": len(proposed),
        "possible duplicates": len(pairs),
        "graduation proposals": len(seen),
        "returned reports": returned,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, default=50_000)
    parser.add_argument("--sales", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    dashboard.setup(args.reuse)

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from sinergi.accounts.models import User
    from sinergi.accounts.services import user_create
    from sinergi.core import inbox
    from sinergi.kube.models import Kube

    call_command("migrate", verbosity=0)  # a reused database gets this branch's indexes
    if not (args.reuse and Kube.objects.exists()):
        started = time.perf_counter()
        for what, seconds in dashboard.fill(args).items():
            print(f"fill  {what:<34} {seconds:7.1f} s")
        for what, n in queues(random.Random(12)).items():
            print(f"fill  {what:<34} {n:9,}")
        print(f"fill  total {time.perf_counter() - started:.0f} s")
    busiest = (
        Kube.objects.values("area_code")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("area_code", flat=True)
        .first()
    )
    regency = (busiest or "11.01")[:5]

    def login(username: str, role: str, area: str | None) -> Any:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=None,
                username=username,
                password=secrets.token_urlsafe(16),
                role=role,
                area_code=area,
            )
        return User.objects.get(pk=user.pk)  # fresh: no permission cache

    people = {
        f"regency officer {regency}": login(f"bench-dinsos-{regency}", "social_officer", regency),
        "national admin": login("bench-admin", "national_admin", None),
    }
    # What one trivial ORM read costs on this machine right now: the yardstick for the rest
    # when the machine is shared (the inbox is a dozen such reads, a little heavier).
    one = people["national admin"].pk
    trivial = dashboard.timed(lambda: User.objects.filter(pk=one).first(), args.runs * 3)
    print(f"\none trivial ORM read (User by pk): p50 {trivial[0]:.2f} ms, p95 {trivial[1]:.2f} ms")
    print(f"\n{'inbox':<40} {'items':>6} {'queries':>8} {'p50 ms':>8} {'p95 ms':>8}")
    worst = 0.0
    for label, user in people.items():

        def call(user: Any = user) -> list[Any]:
            # Permissions stay cached on the user, as within one request.
            return inbox.gather(user)

        items = call()
        with CaptureQueriesContext(connection) as capture:
            call()
        queries = list(capture.captured_queries)  # the log is a bounded deque: keep a copy
        # The database's own time for the same queries (EXPLAIN ANALYZE: planning + execution),
        # which a machine shared with other work inflates far less than Python's.
        database = 0.0
        with connection.cursor() as cursor:
            for query in queries:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"])
                plan = cursor.fetchone()[0][0]
                database += plan["Planning Time"] + plan["Execution Time"]
        cold = dashboard.timed(call, 5, cold=True)
        warm = dashboard.timed(call, args.runs)
        worst = max(worst, warm[1])
        print(
            f"{label + ', cold':<40} {len(items):6} {len(queries):8} {cold[0]:8.1f} {cold[1]:8.1f}"
        )
        print(
            f"{label + ', warm':<40} {len(items):6} {len(queries):8} {warm[0]:8.1f} {warm[1]:8.1f}"
        )
        client = Client()
        client.force_login(user)
        for path in ("/tugas/", "/api/v1/inbox/"):
            client.get(path)

            def page(path: str = path, client: Client = client) -> Any:
                return client.get(path)

            p50, p95 = dashboard.timed(page, max(5, args.runs // 3))
            print(f"{label + ' ' + path:<40} {'':6} {'':8} {p50:8.1f} {p95:8.1f}")
        kinds: dict[str, int] = {}
        for item in items:
            kinds[item.kind] = kinds.get(item.kind, 0) + 1
        print("   kinds: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
        print(f"   database time of its {len(queries)} queries: {database:.1f} ms")
    print(f"\nworst inbox p95 warm {worst:.1f} ms (target < 50 ms)")
    print("load average while measured: " + " ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
