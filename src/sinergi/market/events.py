"""Audit event types of the market (see core/events.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sinergi.core.events import event_type

PRODUCT_SAVED = event_type("market.product.saved", _("Product saved"))
PRODUCT_PHOTO = event_type("market.product.photo", _("Product photo changed"))
PERMIT_SAVED = event_type("market.permit.saved", _("Product permit saved"))
AVAILABILITY_SET = event_type("market.product.availability", _("Weekly availability saved"))
DEMAND_CREATED = event_type("market.demand.created", _("Demand posted"))
ORDER_PROPOSED = event_type("market.order.proposed", _("Demand split over groups"))
# The split's effect on the demand, recorded on the demand: its fields are the ones changed.
DEMAND_ORDERED = event_type("market.demand.ordered", _("Demand given an order"))
ORDER_SENT = event_type("market.order.sent", _("Order sent to the groups"))
ORDER_REALLOCATED = event_type("market.order.reallocated", _("Missing quantity re-offered"))
ORDER_RATED = event_type("market.order.rated", _("Delivery rated"))
PART_ACCEPTED = event_type("market.part.accepted", _("Order part accepted by the group"))
PART_DECLINED = event_type("market.part.declined", _("Order part declined by the group"))
PART_ADJUSTED = event_type("market.part.adjusted", _("Order part changed before the answer"))
SALE_RECORDED = event_type("market.sale.recorded", _("Sale recorded"))

# The buyer's steps on the whole order.
ORDER_STEP = {
    "confirmed": event_type("market.order.confirmed", _("Order confirmed")),
    "cancelled": event_type("market.order.cancelled", _("Order cancelled")),
}
# Each group's steps on its own part, and the buyer's receipt and payment of it.
PART_STEP = {
    "in_production": event_type("market.part.in_production", _("Order part in production")),
    "shipped": event_type("market.part.shipped", _("Order part shipped")),
    "delivered": event_type("market.part.delivered", _("Order part delivered")),
    "paid": event_type("market.part.paid", _("Order part paid")),
}
# The order reached a step because every supplying part did (recorded on the order since parts
# have their own steps; before that, the order itself was moved with these codes).
ORDER_DERIVED = {
    "in_production": event_type("market.order.in_production", _("Order in production")),
    "shipped": event_type("market.order.shipped", _("Order shipped")),
    "delivered": event_type("market.order.delivered", _("Order delivered")),
    "paid": event_type("market.order.paid", _("Order paid")),
}
