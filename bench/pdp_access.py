#!/usr/bin/env python3
"""Benchmark: one person's access file (UU PDP) from a large registry.

    .venv/bin/python bench/pdp_access.py [--persons 1000000 --groups 50000 --sales 1000000
                                          --sessions 200000] [--runs 20] [--reuse]

Fills a PostgreSQL database (``sinergi_bench_pdp``) with the same data builder as
``bench/dashboard.py`` (persons through the real importer; groups, memberships, sessions, aid,
reports and sales by COPY), then gives one member of an aided, mentored group a life worth
exporting: attendance at sessions, monthly incomes, consents, reveals in the audit trail. Then
it times, p50/p95 over ``--runs``, cold (a fresh connection) and warm:

* ``collect``: every row the access file holds (the JSON document's content);
* the whole command-line path, ``services.access_export`` + JSON + the PDF (audited, as
  ``sinergi pdp export`` does it);
* for information, one erasure (rolled back): its sweep reads every text column of the database.

Target (issue 16): under 2 s for one person from a 1,000,000-person registry. ``--reuse`` keeps a
database filled by an earlier run (same sizes) and only times.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

import dashboard  # noqa: E402  (the shared data builder)

dashboard.DB = "sinergi_bench_pdp"


def give_a_life() -> tuple[int, str]:
    """A member of an aided, mentored group, with sessions attended, incomes and consents."""
    from datetime import UTC, datetime

    from sinergi.core.crypto import decrypt, encrypt
    from sinergi.core.models import AuditEvent
    from sinergi.kube.models import Membership
    from sinergi.mentoring.models import Session
    from sinergi.monitoring.models import GroupReport, MemberIncome
    from sinergi.monitoring.services import INCOME_FIELD
    from sinergi.pdp import events
    from sinergi.registry.models import ConsentRecord

    session = Session.objects.order_by("id").first()
    assert session is not None, "the builder made no sessions"
    membership = Membership.objects.filter(kube_id=session.kube_id).order_by("id").first()
    assert membership is not None
    person = membership.person
    if not MemberIncome.objects.filter(person=person).exists():
        for s in Session.objects.filter(kube_id=session.kube_id):
            s.present.add(membership)
        for report in GroupReport.objects.filter(kube_id=session.kube_id):
            MemberIncome.objects.create(
                report=report,
                person=person,
                household=person.household,
                household_size=4,
                income_cipher=encrypt("1500000", field=INCOME_FIELD),
                per_capita_cipher=encrypt("375000", field=INCOME_FIELD),
                line_amount=550_000,
                line_label="bench",
                above_line=False,
            )
        ConsentRecord.objects.create(
            person=person,
            category="contact",
            purpose="Nomor telepon untuk pembeli",
            notice_version="v1",
            given_at=datetime(2026, 1, 5, tzinfo=UTC),
        )
        for n in range(20):
            AuditEvent.record(
                events.REQUEST_RECORDED, obj=person, area_code=person.area_code, reason=f"cek {n}"
            )
    return person.pk, decrypt(person.nik_cipher, field="nik")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, default=50_000)
    parser.add_argument("--sales", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()

    dashboard.setup(args.reuse)
    from sinergi.registry.models import Person

    if not args.reuse:
        started = time.perf_counter()
        dashboard.fill(args)
        print(f"built in {time.perf_counter() - started:.0f} s")
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    person_id, nik = give_a_life()
    print(f"registry: {Person.objects.count():,} persons")

    from sinergi.pdp import access, services

    def collect() -> None:
        access.collect(Person.objects.select_related("household__village").get(pk=person_id))

    def export() -> None:
        data = services.access_export(actor=None, nik=nik)
        json.dumps(data, ensure_ascii=False)
        access.pdf(data)

    data = services.access_export(actor=None, nik=nik)
    sizes = {k: len(v) for k, v in data.items() if isinstance(v, list)}
    print(f"file holds: {sizes}")
    results = {}
    for name, fn in (("collect", collect), ("export (JSON + PDF, audited)", export)):
        for cold in (True, False):
            p50, p95 = dashboard.timed(fn, args.runs, cold=cold)
            label = f"{name}, {'cold' if cold else 'warm'}"
            results[label] = (p50, p95)
            print(f"{label:42s} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms")
    worst = max(p95 for _p50, p95 in results.values())
    # One erasure of a person without holds (rolled back): the sweep reads every text column.
    from django.db import transaction

    from sinergi.pdp.erasure import anonymise

    free = Person.objects.filter(kube_memberships__isnull=True).order_by("id").first()
    if free is not None:
        started = time.perf_counter()
        with transaction.atomic():
            anonymise(Person.objects.select_for_update().get(pk=free.pk))
            transaction.set_rollback(True)
        took = time.perf_counter() - started
        print(f"one erasure (anonymise + sweep, rolled back): {took:.1f} s")
    print(f"target < 2000 ms: {'met' if worst < 2000 else 'NOT met'} (worst p95 {worst:.0f} ms)")


if __name__ == "__main__":
    main()
