"""Two centre officers approve one cycle at the same moment, on a real PostgreSQL database.

Run by test_concurrency.py in its own process and its own database (row locks need committed
data that two connections can see, which a test transaction cannot give). Prints JSON.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from datetime import date


def main(database: str) -> None:
    import psycopg

    base = "postgresql://postgres@127.0.0.1:5432/"
    with psycopg.connect(base + "postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}"')
        admin.execute(f'CREATE DATABASE "{database}"')
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ["SINERGI_ENV"] = "test"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from sinergi.accounts.services import user_create
    from sinergi.aid.models import Cycle, Programme, Proposal
    from sinergi.aid.services import cycle_approve, proposal_create, proposal_recommend
    from sinergi.core.errors import InvalidInput
    from sinergi.kube.models import Status
    from sinergi.kube.services import kube_create, kube_transition
    from sinergi.registry import services as registry
    from sinergi.wilayah.models import Region

    call_command("migrate", verbosity=0)
    parent = None
    for level, code, name in [
        (1, "32", "Jawa Barat"),
        (2, "32.73", "Kota Bandung"),
        (3, "32.73.01", "Sukasari"),
        (4, "32.73.01.1001", "Sukarasa"),
    ]:
        parent = Region.objects.create(
            code=code, level=level, name=name, parent=parent, decree="test"
        )
    password = "uji-sandi-panjang-2026"
    regency = user_create(
        actor=None, username="kab", password=password, role="social_officer", area_code="32.73"
    )
    province = user_create(
        actor=None, username="prov", password=password, role="social_officer", area_code="32"
    )
    approvers = [
        user_create(actor=None, username=f"pusat{i}", password=password, role="national_admin")
        for i in range(2)
    ]
    heads = []
    for i in range(1, 7):
        household = registry.household_create(
            actor=regency,
            kk=f"32730101012{i:05d}",
            village_code="3273011001",
            desil=2,
            desil_date=date.today(),
        )
        heads.append(
            registry.person_create(
                actor=regency,
                household_id=household.pk,
                nik=f"327301050580{i:04d}",
                name=f"Kepala {i}",
                sex="L",
                birth_place="",
                birth_date=date(1980, 5, 5),
                relation="kepala",
                is_head=True,
            )
        )
    kube, failures = kube_create(
        actor=regency,
        name="KUBE Uji",
        business_type="jasa",
        village_code="3273011001",
        member_ids=[p.pk for p in heads],
        officers={"ketua": heads[0].pk, "sekretaris": heads[1].pk, "bendahara": heads[2].pk},
    )
    assert not failures, failures
    for step in (Status.SUBMITTED, Status.VERIFIED, Status.ACTIVE):
        kube_transition(actor=regency, kube_id=kube.pk, to_status=step)
    programme = Programme.objects.create(
        name="Uji",
        year=2026,
        funding_source="apbn",
        amount_rule="per_group",
        amount=20_000_000,
        budget_ceiling=100_000_000,
    )
    cycle = Cycle.objects.create(programme=programme, number=1)
    proposal = proposal_create(actor=regency, cycle_id=cycle.pk, kube_id=kube.pk)
    proposal_recommend(actor=province, proposal_id=proposal.pk)
    connection.close()

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(user: object) -> None:
        from django.db import connection as own

        barrier.wait()
        try:
            cycle_approve(actor=user, cycle_id=cycle.pk)
            outcomes.append("approved")
        except InvalidInput as exc:
            outcomes.append("refused: " + exc.message)
        finally:
            own.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in approvers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    approvals = Proposal.objects.filter(status="approved").count()
    events = cycle.programme.cycles.get().approved_by_id
    print(json.dumps({"outcomes": sorted(outcomes), "approved": approvals, "approved_by": events}))
    connection.close()
    with psycopg.connect(base + "postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}"')


if __name__ == "__main__":
    main(sys.argv[1])
