"""Two answers at the same moment on PostgreSQL: one part accepted twice, one stock taken twice.

Run by test_concurrency.py in its own process and database (see tests/racekit.py). Prints JSON.
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
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
    from sinergi.accounts.services import user_create
    from sinergi.market import services
    from sinergi.market.models import Product

    load_regions()
    regency = user_create(
        actor=None, username="kab", password=PASSWORD, role="social_officer", area_code="32.73"
    )
    kube = make_group(regency)
    officers = []
    for i in range(2):
        officer = user_create(
            actor=None, username=f"ketua{i}", password=PASSWORD, role="kube_officer",
            area_code="32.73",
        )  # fmt: skip
        officer.kube = kube
        officer.save(update_fields=["kube"])
        officers.append(officer)
    buyer = user_create(actor=None, username="pembeli", password=PASSWORD, role="buyer")
    product = services.product_save(
        actor=officers[0],
        data=services.ProductData(kube.pk, "makanan_ringan", "Kripik", "kg", 20_000, 10),
    )

    def demand(quantity: int) -> Any:
        return services.demand_create(
            actor=buyer,
            data=services.DemandData(
                "makanan_ringan", quantity, "kg", "32.73", date.today() + timedelta(7), 25_000, 1
            ),
        )

    def split(quantity: int) -> Any:
        order = services.demand_allocate(actor=buyer, demand_id=demand(quantity).pk)
        services.order_send(actor=buyer, order_id=order.pk)
        return order.parts.get()

    # 1. Two officers accept the same part at once.
    part = split(4)
    same = race(
        [lambda u=u: services.part_respond(actor=u, part_id=part.pk, accept=True) for u in officers]
    )
    after_same = Product.objects.get(pk=product.pk).available
    # 2. Two parts of two orders, 5 each, on the 6 left: only one can be accepted.
    parts = [split(5) for _ in range(2)]
    stock = race(
        [
            lambda p=p, u=u: services.part_respond(actor=u, part_id=p.pk, accept=True)
            for p, u in zip(parts, officers, strict=True)
        ]
    )
    after_stock = Product.objects.get(pk=product.pk).available
    print(json.dumps({"same": same, "after_same": after_same, "stock": stock,
                      "after_stock": after_stock}))  # fmt: skip
    drop_database(database)


if __name__ == "__main__":
    main(sys.argv[1])
