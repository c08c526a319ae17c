"""Two centre officers approve one cycle at the same moment, on a real PostgreSQL database.

Run by test_concurrency.py in its own process and its own database (row locks need committed
data that two connections can see, which a test transaction cannot give). Prints JSON.
"""

from __future__ import annotations

import json
import sys

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
    from sinergi.aid.models import Cycle, Programme, Proposal
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
        for i in range(2)
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
        for o in race([lambda u=u: cycle_approve(actor=u, cycle_id=cycle.pk) for u in approvers])
    ]
    approvals = Proposal.objects.filter(status="approved").count()
    events = cycle.programme.cycles.get().approved_by_id
    print(json.dumps({"outcomes": sorted(outcomes), "approved": approvals, "approved_by": events}))
    drop_database(database)


if __name__ == "__main__":
    main(sys.argv[1])
