"""Centre officers approving at the same moment, on a real PostgreSQL database.

1. Two officers approve one cycle: one approval. 2. Four cycles of one programme, and then
four cycles of four programmes, each holding the same group, are approved at once: the
group is aided once (the programmes do not allow previously aided groups).

Run by test_concurrency.py in its own process and its own database (row locks need committed
data that two connections can see, which a test transaction cannot give). Prints JSON.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from tests.racekit import (
    PASSWORD,
    drop_database,
    fresh_database,
    load_regions,
    make_group,
    race,
)


def main(database: str) -> None:
    fresh_database(database)
    from django.db import connection

    from sinergi.accounts.services import user_create
    from sinergi.aid.models import AidGrant, Cycle, Programme, Proposal
    from sinergi.aid.services import cycle_approve, proposal_create, proposal_recommend

    load_regions()
    regency = user_create(
        actor=None, username="kab", password=PASSWORD, role="social_officer", area_code="32.73"
    )
    province = user_create(
        actor=None, username="prov", password=PASSWORD, role="social_officer", area_code="32"
    )
    approvers = [
        user_create(actor=None, username=f"pusat{i}", password=PASSWORD, role="national_admin")
        for i in range(4)
    ]
    kube = make_group(regency)
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

    outcomes = [
        "approved" if o == "ok" else o
        for o in race(
            [lambda u=u: cycle_approve(actor=u, cycle_id=cycle.pk) for u in approvers[:2]]
        )
    ]
    approvals = Proposal.objects.filter(status="approved").count()
    events = cycle.programme.cycles.get().approved_by_id

    def programme(name: str) -> Any:
        return Programme.objects.create(
            name=name, year=2026, funding_source="apbn", amount_rule="per_group",
            amount=1_000_000, budget_ceiling=100_000_000,
        )  # fmt: skip

    def aided_once(index: int, cycles: list[Any]) -> dict[str, Any]:
        group = make_group(regency, index)
        for cycle in cycles:
            proposal = proposal_create(actor=regency, cycle_id=cycle.pk, kube_id=group.pk)
            proposal_recommend(actor=province, proposal_id=proposal.pk)
        connection.close()
        outcomes = race(
            [
                lambda u=u, c=c: cycle_approve(actor=u, cycle_id=c.pk)
                for u, c in zip(approvers, cycles, strict=True)
            ]
        )
        return {
            "name": group.name,
            "outcomes": outcomes,
            "approved": Proposal.objects.filter(kube=group, status="approved").count(),
            "grants": AidGrant.objects.filter(kube=group).count(),
        }

    shared = programme("Satu program")
    one_programme = aided_once(
        1, [Cycle.objects.create(programme=shared, number=n) for n in range(1, 5)]
    )
    many_programmes = aided_once(
        2, [Cycle.objects.create(programme=programme(f"Program {n}"), number=1) for n in range(4)]
    )
    print(
        json.dumps(
            {
                "outcomes": sorted(outcomes),
                "approved": approvals,
                "approved_by": events,
                "one_programme": one_programme,
                "many_programmes": many_programmes,
            }
        )
    )
    drop_database(database)


if __name__ == "__main__":
    main(sys.argv[1])
