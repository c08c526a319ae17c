"""Scoped reads of orders: each party sees its own part and what the buyer must know.

An order is split over groups of several regencies, and a group's part carries its name,
village, price and reasons. The buyer, the coordinators who split demands, and offices above
a regency whose area holds the delivery regency see every part. Everyone else who reads
orders (a group's officers, its mentor, a regency office, a regency's facilitator) sees only
the parts of groups it already sees, and an order where it sees none does not exist for it.
The page, the API and any export read orders through here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from sinergi.core.scoping import user_area
from sinergi.engines import wilayah as regions
from sinergi.market.models import Order, OrderPart


@dataclass(frozen=True)
class OrderView:
    """An order as one actor may see it."""

    order: Order
    parts: QuerySet[OrderPart]
    whole: bool  # every part, as the buyer sees it; False: only the actor's groups' parts


def sees_whole_order(actor: Any, order: Order) -> bool:
    """The buyer, a coordinator, or an office above a regency, with the order in its area."""
    if not actor.has_perm("market.view_order"):
        return False
    if order.demand.buyer_id == actor.pk:
        return True
    # Buyers cannot read groups' parts at all, so another buyer never sees this order whole.
    if not actor.has_perm("market.view_orderpart"):
        return False
    # No kube or mentor lookup on orders: accounts bound to a group or a mentor get none here.
    if not Order.objects.for_user(actor).filter(pk=order.pk).exists():
        return False
    if actor.has_perm("market.allocate_demand"):
        return True
    area = user_area(actor)
    return area is None or regions.level_of(area) == regions.Level.PROVINCE


def order_view(actor: Any, order_id: int) -> OrderView:
    """The order and the parts the actor may see; 404 when it may see none."""
    order = (
        Order.objects.select_related("demand", "demand__category", "demand__regency")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise Http404
    whole = sees_whole_order(actor, order)
    parts = order.parts.all() if whole else OrderPart.objects.for_user(actor).filter(order=order)
    if not whole and not parts.exists():
        raise Http404
    return OrderView(
        order=order,
        parts=parts.select_related("kube", "kube__village", "product").order_by("pk"),
        whole=whole,
    )
