#!/usr/bin/env python3
"""Benchmark: the daily digest for every user of a 5,000-user installation.

    .venv/bin/python bench/digests.py [--users 5000] [--reuse]

Fills its own PostgreSQL database (``sinergi_bench_digests``): the official regions, the demo's
world (``sinergi.synthetic.demo``: groups, aid, mentoring, market, monitoring, so the real
inbox providers find real waiting work), then ``--users`` more accounts spread over the roles
and the demo's areas (officers and facilitators of Kota Bandung, Kabupaten Bogor, Jawa Barat
and Jawa Tengah, national admins, auditors, coordinators, buyers), each with an e-mail address.
Then ``sinergi manage send_digests`` as the command runs it (``services.send_digests``):
every user's inbox computed through ``core.inbox``, one ``Digest`` row and one message per
channel for each user with waiting work, each message sent by its task.

Backends for the timing: e-mail through Django's locmem backend (no network; the SMTP path is
tested against a real server in tests/notifications), tasks through the immediate backend (each
message's ``deliver`` task runs inline, so the figure includes sending, not only queueing).
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

AREAS = {
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
    args = parser.parse_args()
    dashboard.setup(args.reuse)

    from django.conf import settings
    from django.core import mail

    from sinergi.accounts.models import User
    from sinergi.notifications import services
    from sinergi.notifications.models import Digest, Message

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    if not args.reuse:
        started = time.perf_counter()
        fill(args.users)
        print(f"filled in {time.perf_counter() - started:.0f} s")
    if args.stub_inbox:
        import datetime

        from sinergi.core.inbox import InboxItem
        from sinergi.notifications import selectors

        since = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
        stub = [
            InboxItem("kube.verify", f"Verifikasi KUBE {n}", "/kube/1/", since) for n in range(3)
        ]
        selectors.waiting_for = lambda user: stub  # type: ignore[assignment]
    Digest.objects.all().delete()
    Message.objects.filter(kind="digest").delete()
    total = User.objects.filter(is_active=True).count()

    started = time.perf_counter()
    first = services.send_digests()
    took = time.perf_counter() - started
    started = time.perf_counter()
    again = services.send_digests()
    took_again = time.perf_counter() - started

    sent = Message.objects.filter(kind="digest", status="sent").count()
    print(f"users: {total} active ({first['users']} looked at)")
    print(
        f"digests: {first['sent']} users had waiting work; {sent} messages sent, "
        f"{len(mail.outbox)} in the outbox"
    )
    print(f"first run: {took:.1f} s ({took / max(total, 1) * 1000:.1f} ms a user)")
    print(f"second run the same day: {again['sent']} sent, {took_again:.1f} s")
    print("target: under 60 s —", "met" if took < 60 else "NOT MET")


if __name__ == "__main__":
    main()
