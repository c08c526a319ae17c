"""Market steps: list products, post demands, split them over groups, answer, deliver, sell.

Stock only moves on locked rows: a group accepting its part locks the part and the product,
re-checks both, and takes the quantity from ``available``, which a database constraint keeps
at zero or above; cancelling gives it back. Every step is taken by the party allowed to.

Lock order. A service that locks (or updates) more than one market row takes them in this
order, skipping the kinds it does not need but never going back up:

    demand → order → the order's parts, by id → products, by id

so two services can only wait for each other in a line, never in a circle (accepting a part
while its order is cancelled used to lock part-then-order against order-then-part and
deadlock). ``order_for(..., lock=True)`` takes the demand and then the order; a service that
starts from a part finds it without a lock, locks its order, and only then the part. These
services run in ``atomic_retrying``: if PostgreSQL still aborts one to break a deadlock or a
serialization conflict, the whole transaction runs again, re-checking everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.core.errors import Forbidden, InvalidInput, require_permission
from sinergi.core.models import AuditEvent
from sinergi.core.scoping import access
from sinergi.core.transactions import atomic_retrying
from sinergi.core.uploads import PHOTO_TYPES, clean_upload
from sinergi.engines import allocation as engine
from sinergi.engines import wilayah as regions
from sinergi.kube.models import Kube
from sinergi.kube.models import Status as KubeStatus
from sinergi.market.models import (
    BuyerType,
    Category,
    Demand,
    DemandStatus,
    Order,
    OrderPart,
    OrderStatus,
    PartStatus,
    Permit,
    PermitKind,
    Product,
    ProductWeek,
    Sale,
)
from sinergi.wilayah.models import Region


def _positive(value: int, field: str) -> None:
    if value <= 0:
        raise InvalidInput(_("Give a whole number above zero."), field=field)


# Products


@dataclass
class ProductData:
    kube_id: int
    category: str
    name: str
    unit: str
    price: int
    available: int
    monthly_capacity: int = 0
    min_order: int = 1
    description: str = ""
    active: bool = True


@transaction.atomic
def product_save(*, actor: Any, data: ProductData, product_id: int | None = None) -> Product:
    """A group's officer or its mentor lists a product or changes it."""
    require_permission(actor, "market.change_product" if product_id else "market.add_product")
    product = (
        access(Product.objects, actor=actor, for_write=True, pk=product_id)
        if product_id
        else Product()
    )
    kube = (
        Kube.objects.for_user(actor, permission="market.add_product")
        .filter(pk=data.kube_id, status=KubeStatus.ACTIVE)
        .first()
    )
    if kube is None:
        raise InvalidInput(_("Choose an active group you work with."), field="kube")
    category = Category.objects.filter(code=data.category, active=True).first()
    if category is None:
        raise InvalidInput(_("Choose a product category."), field="category")
    if not data.name.strip():
        raise InvalidInput(_("Give the product's name."), field="name")
    if not data.unit.strip():
        raise InvalidInput(_("Give the unit it is sold in (kg, pcs, box…)."), field="unit")
    _positive(data.price, "price")
    _positive(data.min_order, "min_order")
    if data.available < 0 or data.monthly_capacity < 0:
        raise InvalidInput(_("Quantities cannot be negative."), field="available")
    clash = Product.objects.filter(kube=kube, category=category, name=data.name.strip())
    if clash.exclude(pk=product.pk).exists():
        raise InvalidInput(_("This group already lists a product of that name."), field="name")
    product.kube, product.category = kube, category
    product.name, product.unit = data.name.strip()[:150], data.unit.strip()[:20]
    product.price, product.available = data.price, data.available
    product.monthly_capacity, product.min_order = data.monthly_capacity, data.min_order
    product.description, product.active = data.description.strip(), data.active
    product.save()
    AuditEvent.record("market.product.saved", actor=actor, obj=product, area_code=kube.area_code)
    return product


@transaction.atomic
def product_photo(*, actor: Any, product_id: int, photo: Any) -> Product:
    require_permission(actor, "market.change_product")
    product = access(Product.objects, actor=actor, for_write=True, pk=product_id)
    photo = clean_upload(
        photo,
        kinds=PHOTO_TYPES,
        max_bytes=5 * 1024 * 1024,
        missing=_("Attach a photo of at most 5 MB."),
        wrong_kind=_("Photos must be JPEG or PNG images."),
        field="photo",
    )
    product.photo = photo
    product.save(update_fields=["photo", "updated_at"])
    return product


@transaction.atomic
def permit_save(
    *, actor: Any, product_id: int, kind: str, number: str, expires_on: date | None
) -> Permit:
    require_permission(actor, "market.change_product")
    product = access(Product.objects, actor=actor, for_write=True, pk=product_id)
    if kind not in PermitKind.values:
        raise InvalidInput(_("Choose P-IRT, halal or BPOM."), field="kind")
    if not number.strip():
        raise InvalidInput(_("Give the permit number."), field="number")
    permit, _created = Permit.objects.update_or_create(
        product=product,
        kind=kind,
        defaults={"number": number.strip()[:60], "expires_on": expires_on},
    )
    return permit


def coming_weeks(today: date, count: int = 4) -> list[date]:
    """The Mondays of the next ``count`` weeks, this week's first."""
    monday = today - timedelta(days=today.weekday())
    return [monday + timedelta(weeks=n) for n in range(count)]


@transaction.atomic
def availability_set(*, actor: Any, product_id: int, weeks: dict[date, int]) -> Product:
    """Record what will be ready in the coming weeks; a week left empty is removed."""
    require_permission(actor, "market.change_product")
    product = access(Product.objects, actor=actor, for_write=True, pk=product_id)
    allowed = set(coming_weeks(timezone.localdate(), 8))
    for week, quantity in weeks.items():
        if week not in allowed:
            raise InvalidInput(_("Give weeks starting on a Monday, up to 8 weeks ahead."))
        if quantity < 0:
            raise InvalidInput(_("Quantities cannot be negative."), field="weeks")
    for week, quantity in weeks.items():
        if quantity:
            ProductWeek.objects.update_or_create(
                product=product, week_start=week, defaults={"quantity": quantity}
            )
        else:
            ProductWeek.objects.filter(product=product, week_start=week).delete()
    return product


# Demands


@dataclass
class DemandData:
    category: str
    quantity: int
    unit: str
    regency: str
    latest_date: date
    max_price: int
    min_lot: int
    note: str = ""


@transaction.atomic
def demand_create(*, actor: Any, data: DemandData) -> Demand:
    require_permission(actor, "market.add_demand")
    category = Category.objects.filter(code=data.category, active=True).first()
    if category is None:
        raise InvalidInput(_("Choose a product category."), field="category")
    _positive(data.quantity, "quantity")
    _positive(data.max_price, "max_price")
    _positive(data.min_lot, "min_lot")
    if data.min_lot > data.quantity:
        raise InvalidInput(
            _("The minimum lot per group cannot exceed the quantity."), field="min_lot"
        )
    try:
        code = regions.normalize_code(data.regency)
    except regions.RegionCodeError:
        code = ""
    region = (
        Region.objects.filter(code=code, retired=False).first()
        if code and regions.level_of(code) == regions.Level.REGENCY
        else None
    )
    if region is None:
        raise InvalidInput(
            _("Not a regency code: use 4 digits, with or without a dot (e.g. 32.73)."),
            field="regency",
        )
    if data.latest_date < timezone.localdate():
        raise InvalidInput(_("The date has passed."), field="latest_date")
    demand = Demand.objects.create(
        buyer=actor,
        category=category,
        quantity=data.quantity,
        unit=(data.unit.strip() or category.unit)[:20],
        regency=region,
        regency_code=region.code,
        latest_date=data.latest_date,
        max_price=data.max_price,
        min_lot=data.min_lot,
        note=data.note.strip()[:300],
    )
    AuditEvent.record("market.demand.created", actor=actor, obj=demand, area_code=region.code)
    return demand


def demands_for(actor: Any) -> Any:
    """Demands the actor may see: those who split demands see their area's, buyers their own."""
    qs = Demand.objects.for_user(actor).select_related("category", "regency", "buyer")
    if not actor.has_perm("market.allocate_demand"):
        qs = qs.filter(buyer=actor)
    return qs


def _demand(actor: Any, demand_id: int, *, lock: bool = False) -> Demand:
    return access(demands_for(actor), actor=actor, lock=lock, pk=demand_id)


def _offers(demand: Demand, exclude_kubes: set[int]) -> list[tuple[Product, engine.Offer]]:
    products = (
        Product.objects.filter(
            category=demand.category,
            active=True,
            available__gt=0,
            kube__status=KubeStatus.ACTIVE,
        )
        .exclude(kube_id__in=exclude_kubes)
        .select_related("kube")
    )
    return [
        (
            p,
            engine.Offer(
                str(p.pk), demand.category.code, p.available, p.price, p.kube.area_code[:5]
            ),
        )
        for p in products
    ]


@atomic_retrying
def demand_allocate(*, actor: Any, demand_id: int, strategy: str = engine.CHEAPEST) -> Order:
    """Split a demand over the groups' products with the allocator: a proposed order."""
    if strategy not in (engine.CHEAPEST, engine.FAIR):
        raise InvalidInput(_("Choose cheapest or fair."), field="strategy")
    demand = _demand(actor, demand_id, lock=True)
    if actor != demand.buyer and not actor.has_perm("market.allocate_demand"):
        raise Forbidden(_("Your role does not allow this step."))
    if demand.status != DemandStatus.OPEN:
        raise InvalidInput(_("This demand already has an order."), field="status")
    order = Order.objects.create(demand=demand, strategy=strategy, created_by=actor)
    _fill(order, demand, demand.quantity, strategy, set())
    if not order.parts.exists():
        raise InvalidInput(
            _("No group can supply this demand now (category, price, lot and stock)."),
            field="demand",
        )
    demand.status = DemandStatus.ORDERED
    demand.save(update_fields=["status", "updated_at"])
    AuditEvent.record(
        "market.order.proposed",
        actor=actor,
        obj=order,
        area_code=demand.regency_code,
        data={"strategy": strategy, "parts": order.parts.count()},
    )
    return order


def _fill(order: Order, demand: Demand, quantity: int, strategy: str, exclude: set[int]) -> int:
    offers = _offers(demand, exclude)
    target = engine.Demand(
        str(demand.pk),
        demand.category.code,
        quantity,
        demand.regency_code,
        demand.max_price,
        min(demand.min_lot, quantity),
    )
    result = engine.allocate([target], [o for _p, o in offers], strategy, time_limit=5)
    by_id = {str(p.pk): p for p, _o in offers}
    for part in result.parts:
        product = by_id[part.kube_id]
        OrderPart.objects.create(
            order=order,
            product=product,
            kube=product.kube,
            quantity=part.quantity,
            price=part.price,
            transport=part.transport,
        )
    return result.filled


@atomic_retrying
def part_respond(*, actor: Any, part_id: int, accept: bool, reason: str = "") -> OrderPart:
    """The group accepts (stock is taken) or declines (the part can be re-allocated)."""
    require_permission(actor, "market.respond_orderpart")
    found = access(OrderPart.objects, actor=actor, pk=part_id)
    order = order_for(actor, found.order_id, lock=True)
    part = OrderPart.objects.select_for_update(no_key=True).select_related("kube").get(pk=found.pk)
    if order.sent_at is None:
        raise InvalidInput(_("The buyer has not sent this order yet."), field="status")
    if order.status == OrderStatus.CANCELLED:
        raise InvalidInput(
            _("The buyer has cancelled this order; there is nothing to answer."), field="status"
        )
    if order.status != OrderStatus.PROPOSED:
        raise InvalidInput(_("This order is no longer waiting for answers."), field="status")
    if part.status != PartStatus.PROPOSED:
        raise InvalidInput(_("This part has already been answered."), field="status")
    if accept:
        product = Product.objects.select_for_update(no_key=True).get(pk=part.product_id)
        if product.available < part.quantity:
            raise InvalidInput(
                _("Only %(n)d %(unit)s left in stock; decline or change the stock first.")
                % {"n": product.available, "unit": product.unit},
                field="quantity",
            )
        Product.objects.filter(pk=product.pk).update(available=F("available") - part.quantity)
        part.status = PartStatus.ACCEPTED
    else:
        if not reason.strip():
            raise InvalidInput(_("Say why you decline."), field="reason")
        part.status, part.decline_reason = PartStatus.DECLINED, reason.strip()[:300]
    part.answered_by = actor
    part.save()
    AuditEvent.record(
        "market.part.accepted" if accept else "market.part.declined",
        actor=actor,
        obj=part,
        area_code=part.kube.area_code,
        reason=reason,
    )
    return part


@atomic_retrying
def order_send(*, actor: Any, order_id: int) -> Order:
    """The buyer or a coordinator sends the (adjusted) split; the groups can then answer."""
    order = order_for(actor, order_id, lock=True)
    if not buying_side(actor, order):
        raise Forbidden(_("Your role does not allow this step."))
    if order.status != OrderStatus.PROPOSED or order.sent_at is not None:
        raise InvalidInput(_("This order has already been sent."), field="status")
    if not order.parts.filter(status=PartStatus.PROPOSED).exists():
        raise InvalidInput(_("There is no part to send."), field="status")
    order.sent_at = timezone.now()
    order.save(update_fields=["sent_at", "updated_at"])
    AuditEvent.record(
        "market.order.sent", actor=actor, obj=order, area_code=order.demand.regency_code
    )
    return order


@atomic_retrying
def part_adjust(*, actor: Any, part_id: int, quantity: int) -> OrderPart:
    """The buyer or a coordinator changes a part before the group answers (0 withdraws it)."""
    order_id = OrderPart.objects.filter(pk=part_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise Http404
    order = order_for(actor, order_id, lock=True)
    part = OrderPart.objects.select_for_update(no_key=True).get(pk=part_id)
    demand = order.demand
    if not buying_side(actor, order):
        raise Forbidden(_("Your role does not allow this step."))
    if order.status != OrderStatus.PROPOSED or part.status != PartStatus.PROPOSED:
        raise InvalidInput(_("This part has already been answered."), field="status")
    if quantity == 0:
        part.status = PartStatus.WITHDRAWN
    else:
        product = Product.objects.get(pk=part.product_id)
        others = (
            order.parts.filter(status__in=[PartStatus.PROPOSED, PartStatus.ACCEPTED])
            .exclude(pk=part.pk)
            .aggregate(q=Sum("quantity"))["q"]
            or 0
        )
        if quantity < demand.min_lot or quantity > product.available:
            raise InvalidInput(
                _("A part is at least the lot (%(lot)d) and at most the stock (%(stock)d).")
                % {"lot": demand.min_lot, "stock": product.available},
                field="quantity",
            )
        if others + quantity > demand.quantity:
            raise InvalidInput(
                _("The parts would exceed the demand by %(n)d.")
                % {"n": others + quantity - demand.quantity},
                field="quantity",
            )
        part.quantity = quantity
    part.save()
    AuditEvent.record(
        "market.part.adjusted", actor=actor, obj=part, area_code=demand.regency_code,
        data={"quantity": quantity},
    )  # fmt: skip
    return part


@atomic_retrying
def order_reallocate(*, actor: Any, order_id: int) -> int:
    """Offer what declined groups left to the other groups; returns the quantity re-offered."""
    order = order_for(actor, order_id, lock=True)
    demand = order.demand
    if not buying_side(actor, order):
        raise Forbidden(_("Your role does not allow this step."))
    if order.status != OrderStatus.PROPOSED:
        raise InvalidInput(_("This order is no longer waiting for answers."), field="status")
    live = order.parts.filter(status__in=[PartStatus.PROPOSED, PartStatus.ACCEPTED])
    missing = demand.quantity - (live.aggregate(q=Sum("quantity"))["q"] or 0)
    if missing < 1:
        raise InvalidInput(_("Nothing is missing from this order."), field="status")
    exclude = set(order.parts.values_list("kube_id", flat=True))
    added = _fill(order, demand, missing, order.strategy, exclude)
    AuditEvent.record(
        "market.order.reallocated", actor=actor, obj=order, area_code=demand.regency_code,
        data={"missing": missing, "added": added},
    )  # fmt: skip
    return added


def orders_for(actor: Any) -> Any:
    qs = Order.objects.for_user(actor).select_related("demand", "demand__category")
    if not actor.has_perm("market.allocate_demand"):
        qs = qs.filter(demand__buyer=actor)
    return qs


def order_for(actor: Any, order_id: int, *, lock: bool = False) -> Order:
    """An order the actor takes part in, else 404; with ``lock``, its demand and then itself."""
    order = orders_for(actor).filter(pk=order_id).first()
    if order is None:
        # A group sees the orders it has a part in.
        part = OrderPart.objects.for_user(actor).filter(order_id=order_id).first()
        if part is None:
            raise Http404
        order = part.order
    if lock:
        list(Demand.objects.select_for_update(no_key=True).filter(pk=order.demand_id).values("pk"))
        order = (
            Order.objects.select_for_update(no_key=True, of=("self",))
            .select_related("demand")
            .get(pk=order.pk)
        )
    return order


# Who may take each step: the buyer (or a coordinator) confirms, receives and pays; the
# groups make and ship; anyone of the buying side may cancel before shipping.
STEPS = {
    OrderStatus.CONFIRMED: ({OrderStatus.PROPOSED}, "buyer"),
    OrderStatus.IN_PRODUCTION: ({OrderStatus.CONFIRMED}, "group"),
    OrderStatus.SHIPPED: ({OrderStatus.IN_PRODUCTION}, "group"),
    OrderStatus.DELIVERED: ({OrderStatus.SHIPPED}, "buyer"),
    OrderStatus.PAID: ({OrderStatus.DELIVERED}, "buyer"),
    OrderStatus.CANCELLED: (
        {OrderStatus.PROPOSED, OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION},
        "buyer",
    ),
}


def buying_side(actor: Any, order: Order) -> bool:
    """The buyer, or a coordinator whose area holds the delivery regency.

    A coordinator elsewhere may read the order through a group of hers that has a part in it
    (``order_for``), which must not let her change or cancel someone else's order.
    """
    return order.demand.buyer_id == actor.pk or (
        actor.has_perm("market.allocate_demand")
        and Order.objects.for_user(actor).filter(pk=order.pk).exists()
    )


def sides_of(actor: Any, order: Order) -> set[str]:
    sides = set()
    if buying_side(actor, order):
        sides.add("buyer")
    if OrderPart.objects.for_user(actor).filter(
        order=order, status=PartStatus.ACCEPTED
    ).exists() and actor.has_perm("market.respond_orderpart"):
        sides.add("group")
    return sides


@atomic_retrying
def order_step(*, actor: Any, order_id: int, to: str, reason: str = "") -> Order:
    """Move an order one step; each step by the party allowed, in turn, with a reason to cancel."""
    order = order_for(actor, order_id, lock=True)
    # Who may move the order is answered before what was asked, so a reader who is no party
    # is refused as such (403) and learns nothing from the request's validation.
    sides = sides_of(actor, order)
    if not sides:
        raise Forbidden(_("Your role does not allow this step."))
    if to not in STEPS:
        raise InvalidInput(_("Unknown step."), field="to")
    sources, side = STEPS[OrderStatus(to)]
    if order.status not in sources:
        raise InvalidInput(
            _("An order that is %(status)s cannot go to %(to)s.")
            % {"status": order.get_status_display(), "to": OrderStatus(to).label},
            field="to",
        )
    if side not in sides:
        raise Forbidden(_("This step belongs to the other party."), field="to")
    accepted = order.parts.filter(status=PartStatus.ACCEPTED)
    waiting = order.parts.filter(status=PartStatus.PROPOSED).exists()
    if to == OrderStatus.CONFIRMED and (waiting or not accepted.exists()):
        raise InvalidInput(
            _("Every group must answer, and at least one accept, before confirming."),
            field="to",
        )
    if to == OrderStatus.CANCELLED:
        if not reason.strip():
            raise InvalidInput(_("Say why the order is cancelled."), field="reason")
        parts = list(order.parts.select_for_update(no_key=True).order_by("pk"))
        back: dict[int, int] = {}
        for part in parts:
            if part.status == PartStatus.ACCEPTED:
                back[part.product_id] = back.get(part.product_id, 0) + part.quantity
        for product_id in (
            Product.objects.select_for_update(no_key=True)
            .filter(pk__in=back)
            .order_by("pk")
            .values_list("pk", flat=True)
        ):
            Product.objects.filter(pk=product_id).update(
                available=F("available") + back[product_id]
            )
        order.parts.filter(status=PartStatus.PROPOSED).update(status=PartStatus.WITHDRAWN)
        order.cancel_reason = reason.strip()[:300]
        Demand.objects.filter(pk=order.demand_id).update(status=DemandStatus.CANCELLED)
    if to == OrderStatus.PAID:
        today = timezone.localdate()
        for part in accepted.select_related("product"):
            Sale.objects.create(
                kube_id=part.kube_id,
                product=part.product,
                part=part,
                description=part.product.name,
                quantity=part.quantity,
                price=part.price,
                buyer_type=BuyerType.PLATFORM,
                day=today,
                recorded_by=actor,
            )
    order.status = to
    order.save()
    AuditEvent.record(
        f"market.order.{to}", actor=actor, obj=order, area_code=order.demand.regency_code,
        reason=reason,
    )  # fmt: skip
    return order


@atomic_retrying
def order_rate(*, actor: Any, order_id: int, rating: int, note: str = "") -> Order:
    order = order_for(actor, order_id, lock=True)
    if actor != order.demand.buyer:
        raise Forbidden(_("Only the buyer rates a delivery."))
    if order.status not in (OrderStatus.DELIVERED, OrderStatus.PAID):
        raise InvalidInput(_("Rate the delivery once it has arrived."), field="rating")
    if not 1 <= rating <= 5:
        raise InvalidInput(_("A rating is from 1 to 5."), field="rating")
    order.rating, order.rating_note = rating, note.strip()[:300]
    order.save(update_fields=["rating", "rating_note", "updated_at"])
    return order


# Sales outside the platform


@transaction.atomic
def sale_record(
    *,
    actor: Any,
    kube_id: int,
    description: str,
    quantity: int,
    price: int,
    buyer_type: str,
    day: date,
    product_id: int | None = None,
) -> Sale:
    require_permission(actor, "market.add_sale")
    kube = Kube.objects.for_user(actor, permission="market.add_sale").filter(pk=kube_id).first()
    if kube is None:
        raise InvalidInput(_("Choose a group you work with."), field="kube")
    if buyer_type not in BuyerType.values or buyer_type == BuyerType.PLATFORM:
        raise InvalidInput(
            _("Choose who bought it; Sinergi orders are recorded when paid."), field="buyer_type"
        )
    if not description.strip():
        raise InvalidInput(_("Say what was sold."), field="description")
    _positive(quantity, "quantity")
    _positive(price, "price")
    if day > timezone.localdate():
        raise InvalidInput(_("The date is in the future."), field="day")
    product = Product.objects.filter(pk=product_id, kube=kube).first() if product_id else None
    sale = Sale.objects.create(
        kube=kube, product=product, description=description.strip()[:150], quantity=quantity,
        price=price, buyer_type=buyer_type, day=day, recorded_by=actor,
    )  # fmt: skip
    AuditEvent.record("market.sale.recorded", actor=actor, obj=sale, area_code=kube.area_code)
    return sale
