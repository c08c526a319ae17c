"""Market steps at the same moment on PostgreSQL.

1. Two answers to one part; 2. two parts on too little stock; 3. fifty pairs of a group
accepting its part while the buyer cancels the order; 4. two transactions locking two rows
in opposite order inside ``atomic_retrying``: PostgreSQL aborts one, which runs again.

Run by test_concurrency.py in its own process and database (see tests/racekit.py). Prints JSON.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from datetime import date, timedelta
from typing import Any

from tests.racekit import (
    PASSWORD,
    drop_database,
    fresh_database,
    load_regions,
    make_group,
    race,
    race_each,
)


class Retries(logging.Handler):
    """Counts the transactions ``atomic_retrying`` had to run again."""

    count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def main(database: str) -> None:
    fresh_database(database)
    from sinergi.accounts.services import user_create
    from sinergi.core.transactions import atomic_retrying
    from sinergi.market import services
    from sinergi.market.models import Order, Product

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
    # 3. Accept against cancel, fifty pairs, ten pairs (twenty threads) at a time.
    Product.objects.filter(pk=product.pk).update(available=1_000)
    retried = Retries()
    logging.getLogger("sinergi.core.transactions").addHandler(retried)
    pairs: list[dict[str, Any]] = []
    for _batch in range(5):
        parts = [split(5) for _ in range(10)]
        actions: list[Any] = []
        for part in parts:
            actions.append(
                lambda p=part: services.part_respond(actor=officers[0], part_id=p.pk, accept=True)
            )
            actions.append(
                lambda p=part: services.order_step(
                    actor=buyer, order_id=p.order_id, to="cancelled", reason="Acara batal"
                )
            )
        outcomes = race_each(actions)
        for i, part in enumerate(parts):
            part.refresh_from_db()
            pairs.append(
                {
                    "accept": outcomes[2 * i],
                    "cancel": outcomes[2 * i + 1],
                    "part": part.status,
                    "order": Order.objects.get(pk=part.order_id).status,
                }
            )
    after_pairs = Product.objects.get(pk=product.pk).available
    logging.getLogger("sinergi.core.transactions").removeHandler(retried)

    # 4. A deadlock made on purpose: both lock their first row, meet, then want the other's.
    other = services.product_save(
        actor=officers[0],
        data=services.ProductData(kube.pk, "makanan_ringan", "Rempeyek", "kg", 15_000, 10),
    )
    meet = threading.Barrier(2)
    runs: list[int] = []

    @atomic_retrying
    def cross(first: int, second: int) -> None:
        runs.append(first)
        Product.objects.select_for_update().get(pk=first)
        if len(runs) <= 2:  # only the first attempts meet; the retry must go through
            meet.wait(timeout=30)
        Product.objects.select_for_update().get(pk=second)

    crossed = race([lambda: cross(product.pk, other.pk), lambda: cross(other.pk, product.pk)])
    print(json.dumps({"same": same, "after_same": after_same, "stock": stock,
                      "after_stock": after_stock, "pairs": pairs, "after_pairs": after_pairs,
                      "pair_retries": retried.count,
                      "crossed": crossed,
                      "runs": len(runs)}))  # fmt: skip
    drop_database(database)


if __name__ == "__main__":
    main(sys.argv[1])
