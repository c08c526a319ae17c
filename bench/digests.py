#!/usr/bin/env python3
"""Benchmark: the daily digest for every user of a 5,000-user installation.

    .venv/bin/python bench/digests.py [--users 5000] [--reuse] [--old-users 300]

Fills its own PostgreSQL database (``sinergi_bench_digests``): the official regions, the demo's
world (``sinergi.synthetic.demo``: groups, aid, mentoring, market, monitoring, so the real
inbox providers find real waiting work), then ``--users`` more accounts spread over the roles
and the demo's areas (officers and facilitators of Kota Bandung, Kabupaten Bogor, Jawa Barat
and Jawa Tengah, national admins, auditors, coordinators, buyers), each with an e-mail address.
Then ``sinergi manage send_digests`` as the command runs it (``services.send_digests``):
every user's inbox computed through ``core.inbox.gather_many`` (once per audience, personal
parts set-wise), one ``Digest`` row and one message per channel for each user with waiting
work (bulk inserts), the messages sent by ``deliver_batch`` tasks of 100.

Backends for the timing: e-mail through Django's locmem backend (no network; the SMTP path is
tested against a real server in tests/notifications), tasks through the immediate backend (the
``deliver_batch`` tasks run inline, so the figure includes sending, not only queueing). Each
timing gives wall time, this process's CPU and the database backend's CPU (wall time on a
shared machine is inflated by the others' load). ``--old-users N`` also times the former
path (one user at a time) on N users, for the ratio.
Target (issue 12): under 60 s. A second run the same day must send nothing (timed too).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dashboard  # bench/dashboard.py: setup (own database, Django configured)

dashboard.DB = "sinergi_bench_digests"

AREAS: dict[str, list[str | None]] = {
    "social_officer": ["32.73", "32.01", "32", "33"],
    "facilitator": ["32.73", "32.01", "32", "33"],
    "national_admin": [None],
    "auditor": [None, "32"],
    "partner_coordinator": ["32", None],
    "buyer": [None],
}
# Shares of the extra accounts by role (officers and facilitators are most of an installation).
SHARES = {
    "social_officer": 0.35,
    "facilitator": 0.45,
    "national_admin": 0.02,
    "auditor": 0.04,
    "partner_coordinator": 0.04,
    "buyer": 0.10,
}


def fill(users: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from sinergi.accounts.models import User
    from sinergi.synthetic import demo
    from sinergi.wilayah.models import Region
    from sinergi.wilayah.services import regions_load

    call_command("migrate", verbosity=0)
    regions_load()
    demo.seed_demo()
    demo.seed_registry(households=60)
    demo.seed_kube()
    demo.seed_aid()
    demo.seed_mentoring()
    demo.seed_market()
    demo.seed_monitoring()
    regions = {r.code: r for r in Region.objects.filter(code__in=["32.73", "32.01", "32", "33"])}
    password = make_password("bench-digests-2026")
    rows = []
    n = 0
    for role, share in SHARES.items():
        areas = AREAS[role]
        for i in range(round(users * share)):
            code = areas[i % len(areas)]
            n += 1
            rows.append(
                User(
                    username=f"bench.{role}.{n}",
                    email=f"bench.{n}@dinsos.example",
                    password=password,
                    role=role,
                    area=regions[code] if code else None,
                )
            )
    User.objects.bulk_create(rows[:users], batch_size=1000)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc), for the database backend."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Timer:
    """Wall time, this process's CPU and the database backend's CPU of a block."""

    def __init__(self, backend_pid: int | None) -> None:
        self.pid = backend_pid

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        self.db = cpu_seconds(self.pid) if self.pid else 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        self.db = (cpu_seconds(self.pid) if self.pid else 0.0) - self.db

    def __str__(self) -> str:
        db = f", database {self.db:.1f} s CPU" if self.pid else ""
        return f"{self.wall:.1f} s wall, {self.cpu:.1f} s CPU here{db}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--stub-inbox",
        action="store_true",
        help="give every user the same 3 items instead of computing the inbox: times the "
        "digest's own work (queries, rows, tasks, sending) without the inbox providers",
    )
    parser.add_argument(
        "--old-users",
        type=int,
        default=0,
        help="also time the former path (each user's inbox, rows and message task one by one) "
        "on this many candidates, for yesterday's digest, and compare per user",
    )
    args = parser.parse_args()
    dashboard.setup(args.reuse)

    import datetime
    import os

    from django.conf import settings
    from django.core import mail
    from django.db import connection
    from django.utils import timezone

    from sinergi.accounts.models import User
    from sinergi.notifications import selectors, services
    from sinergi.notifications.models import Digest, Message, Preference

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    if not args.reuse:
        started = time.perf_counter()
        fill(args.users)
        print(f"filled in {time.perf_counter() - started:.0f} s")
    if args.stub_inbox:
        from sinergi.core.inbox import InboxItem

        since = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
        stub = [
            InboxItem("kube.verify", f"Verifikasi KUBE {n}", "/kube/1/", since) for n in range(3)
        ]
        selectors.waiting_for = lambda user: stub
        selectors.waiting_for_many = lambda users: {u.pk: stub for u in users}
    Digest.objects.all().delete()
    Message.objects.filter(kind="digest").delete()
    total = User.objects.filter(is_active=True).count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
    local = Path(f"/proc/{backend}/stat").exists()
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    today = timezone.localdate()
    if args.old_users:
        yesterday = today - datetime.timedelta(days=1)
        sample = list(selectors.digest_candidates(yesterday)[: args.old_users])
        with Timer(backend if local else None) as old:
            old_sent = sum(
                1
                for user in sample
                if services.send_digest(
                    user,
                    getattr(user, "notification_preference", None) or Preference(user_id=user.pk),
                    yesterday,
                )
            )
        old_ms = old.wall / max(len(sample), 1) * 1000
        print(
            f"former path, {len(sample)} users one by one: {old_sent} digests, {old} "
            f"({old_ms:.1f} ms a user wall, {old.cpu / max(len(sample), 1) * 1000:.1f} ms CPU)"
        )

    with Timer(backend if local else None) as first_run:
        first = services.send_digests(day=today)
    with Timer(backend if local else None) as again_run:
        again = services.send_digests(day=today)

    sent = Message.objects.filter(kind="digest", status="sent", created_at__date=today).count()
    print(f"users: {total} active ({first['users']} looked at)")
    print(
        f"digests: {first['sent']} users had waiting work; {sent} messages sent, "
        f"{len(mail.outbox)} in the outbox"
    )
    per_user = first_run.wall / max(total, 1) * 1000
    print(f"first run: {first_run} ({per_user:.1f} ms a user)")
    print(f"second run the same day: {again['sent']} sent, {again_run}")
    if args.old_users:
        print(f"former / new, per user (wall): {old_ms / max(per_user, 1e-9):.0f}x")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("target: under 60 s —", "met" if first_run.wall < 60 else "NOT MET")


if __name__ == "__main__":
    main()
