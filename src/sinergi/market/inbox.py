"""Market steps waiting for a person (core.inbox): a group's parts to answer, make and ship;
the buying side's orders to send, confirm, receive and pay."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.core.inbox import (
    InboxItem,
    any_row,
    batch_provider,
    bounded,
    by_audience,
    kind,
    personal_ids,
    provider,
)
from sinergi.core.templatetags.fast_lists import row_url
from sinergi.market import selectors
from sinergi.market.models import Demand, Order, OrderPart, OrderStatus, PartStatus

PART = kind("market.part", gettext_lazy("Order parts to accept or decline"))
PART_STEP = kind("market.part_step", gettext_lazy("Order parts to make and ship"))
ORDER = kind("market.order", gettext_lazy("Orders waiting for your step"))


def _order_url(order_id: int) -> str:
    return row_url("market:order_detail", order_id)


@provider("market.steps")
def steps(user: Any) -> Iterable[InboxItem]:
    items: list[InboxItem] = []

    def answer(p: Any) -> InboxItem:
        return InboxItem(
            PART,
            _("Accept or decline %(qty)s %(unit)s of %(product)s for %(kube)s (order #%(order)s)")
            % {"qty": p.quantity, "unit": p.product.unit, "product": p.product.name,
               "kube": p.kube.name, "order": p.order_id},
            _order_url(p.order_id), p.order.sent_at or p.updated_at,
            due=p.order.demand.latest_date, area=p.kube.area_code,
        )  # fmt: skip

    def answer_more(count: str, p: Any) -> InboxItem:
        return InboxItem(
            PART, _("%(n)s more order parts to answer") % {"n": count},
            reverse("market:demand_list"), p.order.sent_at or p.updated_at,
        )  # fmt: skip

    items += bounded(
        selectors.parts_to_answer(user), answer, answer_more,
        guard=lambda: any_row(OrderPart, status=PartStatus.PROPOSED),
    )  # fmt: skip

    def move(p: Any) -> InboxItem:
        text = (
            _("Start making %(qty)s %(unit)s of %(product)s for order #%(order)s (%(kube)s)")
            if p.status == PartStatus.ACCEPTED
            else _("Ship %(qty)s %(unit)s of %(product)s for order #%(order)s (%(kube)s)")
        )
        return InboxItem(
            PART_STEP,
            text % {"qty": p.quantity, "unit": p.product.unit, "product": p.product.name,
                    "order": p.order_id, "kube": p.kube.name},
            _order_url(p.order_id), p.updated_at, due=p.order.demand.latest_date,
            area=p.kube.area_code,
        )  # fmt: skip

    def move_more(count: str, p: Any) -> InboxItem:
        return InboxItem(
            PART_STEP, _("%(n)s more order parts to make or ship") % {"n": count},
            reverse("market:demand_list"), p.updated_at,
        )  # fmt: skip

    items += bounded(
        selectors.parts_to_move(user), move, move_more,
        guard=lambda: any_row(OrderPart, status=PartStatus.ACCEPTED)
        or any_row(OrderPart, status=PartStatus.IN_PRODUCTION),
    )  # fmt: skip

    def step(o: Any) -> InboxItem:
        values = {"order": o.pk, "category": o.demand.category.label}
        if o.status == OrderStatus.PROPOSED and o.sent_at is None:
            text = _("Send the split of order #%(order)s (%(category)s) to the groups")
        elif o.status == OrderStatus.PROPOSED:
            text = _("Every group has answered: confirm order #%(order)s (%(category)s)")
        elif o.has_shipped:
            text = _("Receive the shipped parts of order #%(order)s (%(category)s)")
        else:
            text = _("Pay the delivered parts of order #%(order)s (%(category)s)")
        return InboxItem(
            ORDER, text % values, _order_url(o.pk), o.updated_at,
            due=o.demand.latest_date, area=o.demand.regency_code,
        )  # fmt: skip

    def step_more(count: str, o: Any) -> InboxItem:
        return InboxItem(
            ORDER, _("%(n)s more orders waiting for your step") % {"n": count},
            reverse("market:demand_list"), o.updated_at,
        )  # fmt: skip

    # Every order listed is the user's as its demand's buyer or as who split it; the guard
    # first, as the selector's statement (buying side or area, four part tests) costs ~2 ms to
    # build.
    items += bounded(
        lambda: selectors.orders_to_step(user), step, step_more,
        guard=lambda: any_row(Order, created_by=user.pk) or any_row(Demand, buyer=user.pk),
    )  # fmt: skip
    return items


@batch_provider("market.steps")
def steps_for_users(users: Sequence[Any]) -> Mapping[int, Iterable[InboxItem]]:
    # Personal: the buyer of an open order's demand, and whoever split it (their steps).
    open_orders = Order.objects.exclude(status__in=[OrderStatus.PAID, OrderStatus.CANCELLED])
    mine = personal_ids(open_orders, "demand__buyer_id", users)
    mine |= personal_ids(open_orders, "created_by_id", users)
    return by_audience("market.steps", users, steps, personal=mine)
