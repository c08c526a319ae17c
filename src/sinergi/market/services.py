"""Market steps: list products, post demands, split them over groups, answer, deliver, sell.

Stock only moves on locked rows: a group accepting its part locks the part and the product,
re-checks both, and takes the quantity from ``available``, which a database constraint keeps
at zero or above; cancelling gives it back. Every step is taken by the party allowed to: the
buying side confirms or cancels an order, each group makes and ships its own part, and the
buying side receives and pays each part; the order's status follows its parts.

Lock order. A service that locks (or updates) more than one market row takes them in this
order, skipping the kinds it does not need but never going back up:

    demand → order → the order's parts, by id → products, by id

so two services can only wait for each other in a line, never in a circle (accepting a part
while its order is cancelled used to lock part-then-order against order-then-part and
deadlock). ``_lock_order`` takes the demand and then the order; a service that starts from a
part finds it without a lock, locks its order, and only then the part (``_lock_part``). These
services run in ``atomic_retrying``: if PostgreSQL still aborts one to break a deadlock or a
serialization conflict, the whole transaction runs again, re-checking everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.core.errors import Forbidden, InvalidInput, require_permission
from sinergi.core.events import snapshot
from sinergi.core.models import AuditEvent
from sinergi.core.money import rupiah
from sinergi.core.scoping import access
from sinergi.core.transactions import atomic_retrying
from sinergi.core.uploads import PHOTO_TYPES, clean_upload
from sinergi.engines import allocation as engine
from sinergi.engines import wilayah as regions
from sinergi.kube.models import Status as KubeStatus
from sinergi.market import events, selectors
from sinergi.market.models import (
    ORDER_STEPS,
    PART_STEPS,
    SUPPLYING,
    BuyerType,
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
from sinergi.market.selectors import coming_weeks
from sinergi.wilayah.models import Region

__all__ = ["coming_weeks"]


def _positive(value: int, field: str) -> None:
    if value <= 0:
        raise InvalidInput(_("Give a whole number above zero."), field=field)


# Products

PRODUCT_FIELDS = ("name", "price", "available", "monthly_capacity", "min_order", "active")
# The buying side's permissions: the buyer's own demands, a coordinator's (or the centre's)
# allocation.
BUYING = ("market.add_demand", "market.allocate_demand")


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
def product_save(
    *, actor: Any, data: ProductData, product_id: int | None = None, photo: Any = None
) -> Product:
    """A group's officer or its mentor lists a product or changes it (and its photo, in the
    same transaction: a refused photo saves nothing)."""
    require_permission(actor, "market.change_product" if product_id else "market.add_product")
    product = (
        access(Product.objects, actor=actor, for_write=True, pk=product_id)
        if product_id
        else Product()
    )
    kube = selectors.groups_for(actor, "market.add_product").filter(pk=data.kube_id).first()
    if kube is None:
        raise InvalidInput(_("Choose an active group you work with."), field="kube")
    category = selectors.category_get(data.category)
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
    before = snapshot(product, *PRODUCT_FIELDS) if product.pk else {}
    product.kube, product.category = kube, category
    product.name, product.unit = data.name.strip()[:150], data.unit.strip()[:20]
    product.price, product.available = data.price, data.available
    product.monthly_capacity, product.min_order = data.monthly_capacity, data.min_order
    product.description, product.active = data.description.strip(), data.active
    product.save()
    AuditEvent.record(
        events.PRODUCT_SAVED, actor=actor, obj=product, area_code=kube.area_code,
        before=before, after=snapshot(product, *PRODUCT_FIELDS),
    )  # fmt: skip
    if photo is not None:
        product_photo(actor=actor, product_id=product.pk, photo=photo)
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
    had = bool(product.photo)
    product.photo = photo
    product.save(update_fields=["photo", "updated_at"])
    AuditEvent.record(
        events.PRODUCT_PHOTO, actor=actor, obj=product, area_code=product.kube.area_code,
        before={"photo": had}, after={"photo": True},
    )  # fmt: skip
    return product


@transaction.atomic
def permit_save(
    *, actor: Any, product_id: int, kind: str, number: str, expires_on: date | None
) -> Permit:
    """Record a product's permit (one of each kind); a permit already past its date is
    refused, since the catalogue would have to call it expired at once."""
    require_permission(actor, "market.change_product")
    product = access(Product.objects, actor=actor, for_write=True, pk=product_id)
    if kind not in PermitKind.values:
        raise InvalidInput(_("Choose P-IRT, halal or BPOM."), field="kind")
    if not number.strip():
        raise InvalidInput(_("Give the permit number."), field="number")
    if expires_on is not None and expires_on < timezone.localdate():
        raise InvalidInput(
            _("This permit has expired: renew it first, then record the new one."),
            field="expires_on",
        )
    known = Permit.objects.filter(product=product, kind=kind).first()
    before = snapshot(known, "number", "expires_on") if known else {}
    permit, _created = Permit.objects.update_or_create(
        product=product,
        kind=kind,
        defaults={"number": number.strip()[:60], "expires_on": expires_on},
    )
    AuditEvent.record(
        events.PERMIT_SAVED, actor=actor, obj=product, area_code=product.kube.area_code,
        data={"kind": kind}, before=before, after=snapshot(permit, "number", "expires_on"),
    )  # fmt: skip
    return permit


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
    before = {
        f"{w:%Y-%m-%d}": q
        for w, q in product.weeks.filter(week_start__in=weeks).values_list("week_start", "quantity")
    }
    for week, quantity in weeks.items():
        if quantity:
            ProductWeek.objects.update_or_create(
                product=product, week_start=week, defaults={"quantity": quantity}
            )
        else:
            ProductWeek.objects.filter(product=product, week_start=week).delete()
    AuditEvent.record(
        events.AVAILABILITY_SET, actor=actor, obj=product, area_code=product.kube.area_code,
        before=before, after={f"{w:%Y-%m-%d}": q for w, q in weeks.items() if q},
    )  # fmt: skip
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
    category = selectors.category_get(data.category)
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
    AuditEvent.record(
        events.DEMAND_CREATED, actor=actor, obj=demand, area_code=region.code,
        before={}, after=snapshot(demand, "status"),
    )  # fmt: skip
    return demand


def _pending(order: Order | None) -> dict[int, int]:
    """Per product, what the order's unanswered parts already ask (stock not yet taken)."""
    if order is None:
        return {}
    rows = (
        order.parts.filter(status=PartStatus.PROPOSED)
        .values("product_id")
        .annotate(q=Sum("quantity"))
        .values_list("product_id", "q")
    )
    return {product_id: q or 0 for product_id, q in rows}


def _candidates(demand: Demand, exclude_kubes: set[int]) -> Any:
    return (
        Product.objects.filter(
            category=demand.category, active=True, kube__status=KubeStatus.ACTIVE
        )
        .exclude(kube_id__in=exclude_kubes)
        .select_related("kube")
    )


def _offers(
    demand: Demand, exclude_kubes: set[int], pending: dict[int, int]
) -> list[tuple[Product, engine.Offer]]:
    """Products that may take a part: their spare stock, i.e. what is ready minus what the
    order already asks of them. A product with an expired permit is not offered."""
    out = []
    for p in _candidates(demand, exclude_kubes).exclude(selectors.expired_permit()):
        spare = p.available - pending.get(p.pk, 0)
        if spare > 0:
            out.append(
                (
                    p,
                    engine.Offer(
                        str(p.pk), demand.category.code, spare, p.price, p.kube.area_code[:5]
                    ),
                )
            )
    return out


def _why_nothing(
    demand: Demand, quantity: int, exclude_kubes: set[int], pending: dict[int, int]
) -> str:
    """Why no group can be offered ``quantity`` of the demand, in the user's language."""
    names = {"category": demand.category.label, "unit": demand.unit}
    listed = _candidates(demand, set())
    if not listed.exists():
        return _("No active group lists %(category)s products.") % names
    candidates = listed.exclude(kube_id__in=exclude_kubes)
    if not candidates.exists():
        return _("Every group that lists %(category)s products has declined this order.") % names
    valid = list(candidates.exclude(selectors.expired_permit()))
    if not valid:
        kinds = (
            Permit.objects.filter(product__in=candidates, expires_on__lt=timezone.localdate())
            .values_list("kind", flat=True)
            .distinct()
        )
        return _(
            "Every group that could supply has an expired permit (%(permits)s); it can be "
            "offered again once the permit is renewed."
        ) % {"permits": ", ".join(sorted(str(PermitKind(k).label) for k in kinds))}
    stocked = [(p.available - pending.get(p.pk, 0), p.price) for p in valid]
    stocked = [(spare, price) for spare, price in stocked if spare > 0]
    if not stocked:
        return _("No group has %(category)s in stock now.") % names
    affordable = [spare for spare, price in stocked if price <= demand.max_price]
    if not affordable:
        return _(
            "Every group with stock asks more than the maximum price of Rp%(max)s per unit "
            "(the lowest is Rp%(lowest)s)."
        ) % {"max": rupiah(demand.max_price), "lowest": rupiah(min(p for _s, p in stocked))}
    lot = min(demand.min_lot, quantity)
    if max(affordable) < lot:
        return _(
            "No group has the minimum lot of %(lot)s %(unit)s to spare within the price; "
            "the most one group has is %(most)s."
        ) % {**names, "lot": rupiah(lot), "most": rupiah(max(affordable))}
    return _("No group can supply this demand now (category, price, lot and stock).")


@atomic_retrying
def demand_allocate(*, actor: Any, demand_id: int, strategy: str = engine.CHEAPEST) -> Order:
    """Split a demand over the groups' products with the allocator: a proposed order."""
    if strategy not in (engine.CHEAPEST, engine.FAIR):
        raise InvalidInput(_("Choose cheapest or fair."), field="strategy")
    demand = selectors.demand_get(actor, demand_id, lock=True)
    if actor != demand.buyer and not actor.has_perm("market.allocate_demand"):
        raise Forbidden(_("Your role does not allow this step."))
    if demand.status != DemandStatus.OPEN:
        raise InvalidInput(_("This demand already has an order."), field="status")
    order = Order.objects.create(demand=demand, strategy=strategy, created_by=actor)
    if not _fill(order, demand, demand.quantity, strategy, set()):
        raise InvalidInput(_why_nothing(demand, demand.quantity, set(), {}), field="demand")
    before = snapshot(demand, "status")
    demand.status = DemandStatus.ORDERED
    demand.save(update_fields=["status", "updated_at"])
    AuditEvent.record(
        events.ORDER_PROPOSED,
        actor=actor,
        obj=order,
        area_code=demand.regency_code,
        data={"strategy": strategy, "parts": order.parts.count(), "demand": demand.pk},
    )
    # Two events, each on the row it describes: read on the order, "Status: open → ordered"
    # would pass for the order's own status.
    AuditEvent.record(
        events.DEMAND_ORDERED,
        actor=actor,
        obj=demand,
        area_code=demand.regency_code,
        data={"order": order.pk},
        before=before,
        after=snapshot(demand, "status"),
    )
    return order


def _fill(order: Order, demand: Demand, quantity: int, strategy: str, exclude: set[int]) -> int:
    """New proposed parts for up to ``quantity``; returns the quantity they hold."""
    offers = _offers(demand, exclude, _pending(order))
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


def _lock_order(actor: Any, order_id: int) -> Order:
    """The order the actor takes part in (else 404), locked after its demand (lock order)."""
    found = selectors.order_for(actor, order_id)
    list(Demand.objects.select_for_update(no_key=True).filter(pk=found.demand_id).values("pk"))
    return (
        Order.objects.select_for_update(no_key=True, of=("self",))
        .select_related("demand", "demand__category")
        .get(pk=found.pk)
    )


def _lock_part(part_id: int) -> OrderPart:
    return OrderPart.objects.select_for_update(no_key=True).select_related("kube").get(pk=part_id)


@atomic_retrying
def part_respond(*, actor: Any, part_id: int, accept: bool, reason: str = "") -> OrderPart:
    """The group accepts (stock is taken) or declines (the part can be re-allocated)."""
    require_permission(actor, "market.respond_orderpart")
    found = access(OrderPart.objects, actor=actor, pk=part_id)
    order = _lock_order(actor, found.order_id)
    part = _lock_part(found.pk)
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
    before = snapshot(part, "status")
    if accept:
        product = Product.objects.select_for_update(no_key=True).get(pk=part.product_id)
        if product.available < part.quantity:
            raise InvalidInput(
                _("Only %(n)s %(unit)s left in stock; decline or change the stock first.")
                % {"n": rupiah(product.available), "unit": product.unit},
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
        events.PART_ACCEPTED if accept else events.PART_DECLINED,
        actor=actor,
        obj=part,
        area_code=part.kube.area_code,
        reason=reason,
        before=before,
        after=snapshot(part, "status"),
    )
    return part


@atomic_retrying
def order_send(*, actor: Any, order_id: int) -> Order:
    """The buyer or a coordinator sends the (adjusted) split; the groups can then answer."""
    order = _lock_order(actor, order_id)
    if not selectors.buying_side(actor, order):
        raise Forbidden(_("Your role does not allow this step."))
    if order.status != OrderStatus.PROPOSED or order.sent_at is not None:
        raise InvalidInput(_("This order has already been sent."), field="status")
    if not order.parts.filter(status=PartStatus.PROPOSED).exists():
        raise InvalidInput(_("There is no part to send."), field="status")
    before = snapshot(order, "sent_at")
    order.sent_at = timezone.now()
    order.save(update_fields=["sent_at", "updated_at"])
    AuditEvent.record(
        events.ORDER_SENT, actor=actor, obj=order, area_code=order.demand.regency_code,
        before=before, after=snapshot(order, "sent_at"),
    )  # fmt: skip
    return order


@atomic_retrying
def part_adjust(*, actor: Any, part_id: int, quantity: int) -> OrderPart:
    """The buyer or a coordinator changes a part before the group answers (0 withdraws it)."""
    # A role that never buys is refused as such (403) before the part is looked up, which
    # would answer 404 outside its area.
    require_permission(actor, *BUYING)
    order = _lock_order(actor, selectors.part_order_id(actor, part_id))
    part = _lock_part(part_id)
    demand = order.demand
    if not selectors.buying_side(actor, order):
        raise Forbidden(_("Your role does not allow this step."))
    if order.status != OrderStatus.PROPOSED or part.status != PartStatus.PROPOSED:
        raise InvalidInput(_("This part has already been answered."), field="status")
    before = snapshot(part, "status", "quantity")
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
                _("A part is at least the lot (%(lot)s) and at most the stock (%(stock)s).")
                % {"lot": rupiah(demand.min_lot), "stock": rupiah(product.available)},
                field="quantity",
            )
        if others + quantity > demand.quantity:
            raise InvalidInput(
                _("The parts would exceed the demand by %(n)s.")
                % {"n": rupiah(others + quantity - demand.quantity)},
                field="quantity",
            )
        part.quantity = quantity
    part.save()
    AuditEvent.record(
        events.PART_ADJUSTED, actor=actor, obj=part, area_code=demand.regency_code,
        before=before, after=snapshot(part, "status", "quantity"),
    )  # fmt: skip
    return part


@atomic_retrying
def order_reallocate(*, actor: Any, order_id: int) -> int:
    """Offer what is missing to the groups that did not decline, those already in the order
    included (their spare stock); returns the quantity offered, or says why none could be."""
    order = _lock_order(actor, order_id)
    demand = order.demand
    if not selectors.buying_side(actor, order):
        raise Forbidden(_("Your role does not allow this step."))
    if order.status != OrderStatus.PROPOSED:
        raise InvalidInput(_("This order is no longer waiting for answers."), field="status")
    live = order.parts.filter(status__in=[PartStatus.PROPOSED, PartStatus.ACCEPTED])
    missing = demand.quantity - (live.aggregate(q=Sum("quantity"))["q"] or 0)
    if missing < 1:
        raise InvalidInput(_("Nothing is missing from this order."), field="status")
    declined = set(order.parts.filter(status=PartStatus.DECLINED).values_list("kube_id", flat=True))
    added = _fill(order, demand, missing, order.strategy, declined)
    if not added:
        raise InvalidInput(_why_nothing(demand, missing, declined, _pending(order)), field="status")
    AuditEvent.record(
        events.ORDER_REALLOCATED, actor=actor, obj=order, area_code=demand.regency_code,
        data={"missing": missing, "added": added},
    )  # fmt: skip
    return added


def derive_status(order: Order) -> str:
    """The order's status from its parts once confirmed: the step of its least advanced
    supplying part (an order is shipped when every group has shipped its part)."""
    if order.status in (OrderStatus.PROPOSED, OrderStatus.CANCELLED):
        return order.status
    statuses = set(order.parts.filter(status__in=SUPPLYING).values_list("status", flat=True))
    if not statuses:
        return order.status
    order_of = [str(s) for s in SUPPLYING]
    least = min(statuses, key=order_of.index)
    return OrderStatus.CONFIRMED if least == PartStatus.ACCEPTED else least


def _move_part(actor: Any, order: Order, part: OrderPart, to: str) -> None:
    """One part one step (the caller checked the party); a paid part becomes a sale."""
    source, _side = PART_STEPS[to]
    if part.status != source:
        raise InvalidInput(
            _("A part that is %(status)s cannot go to %(to)s.")
            % {"status": part.get_status_display(), "to": PartStatus(to).label},
            field="to",
        )
    before = snapshot(part, "status")
    if to == PartStatus.PAID:
        Sale.objects.create(
            kube_id=part.kube_id,
            product=part.product,
            part=part,
            description=part.product.name,
            quantity=part.quantity,
            price=part.price,
            buyer_type=BuyerType.PLATFORM,
            day=timezone.localdate(),
            recorded_by=actor,
        )
    part.status = to
    part.save(update_fields=["status", "updated_at"])
    AuditEvent.record(
        events.PART_STEP[to], actor=actor, obj=part, area_code=part.kube.area_code,
        data={"order": order.pk}, before=before, after=snapshot(part, "status"),
    )  # fmt: skip


def _settle(actor: Any, order: Order, before: str) -> None:
    """Store the order's derived status; a change is an audit event of its own kind."""
    order.status = derive_status(order)
    order.save(update_fields=["status", "updated_at"])
    if order.status != before and order.status in events.ORDER_DERIVED:
        AuditEvent.record(
            events.ORDER_DERIVED[order.status], actor=actor, obj=order,
            area_code=order.demand.regency_code,
            before={"status": before}, after={"status": order.status},
        )  # fmt: skip


def _check_confirmed(order: Order, to: str) -> None:
    if order.status in (OrderStatus.PROPOSED, OrderStatus.CANCELLED):
        raise InvalidInput(
            _("An order that is %(status)s cannot go to %(to)s.")
            % {"status": order.get_status_display(), "to": OrderStatus(to).label},
            field="to",
        )


@atomic_retrying
def part_step(*, actor: Any, part_id: int, to: str) -> OrderPart:
    """Move one part one step: its own group makes and ships it, the buying side receives
    and pays it. Another group's part does not exist for a group (404); a party that sees
    the part but does not take this step is refused (403); so is a role that never takes a
    part's step, wherever the part lies."""
    require_permission(actor, "market.respond_orderpart", *BUYING)
    order = _lock_order(actor, selectors.part_order_id(actor, part_id))
    part = _lock_part(part_id)
    group, buyer = selectors.group_side(actor, part), selectors.buying_side(actor, order)
    # Who may move the part is answered before what was asked (a reader gets 403, not 400).
    if not (group or buyer):
        raise Forbidden(_("Your role does not allow this step."))
    if to not in PART_STEPS:
        raise InvalidInput(_("Unknown step."), field="to")
    _source, side = PART_STEPS[to]
    if not (group if side == "group" else buyer):
        raise Forbidden(
            _("Only the group of this part makes and ships it.")
            if side == "group"
            else _("Only the buyer receives and pays a part."),
            field="to",
        )
    _check_confirmed(order, to)
    before = order.status
    _move_part(actor, order, part, to)
    _settle(actor, order, before)
    return part


@atomic_retrying
def order_step(*, actor: Any, order_id: int, to: str, reason: str = "") -> Order:
    """The buying side confirms or cancels the order (with a reason), or receives or pays
    every part ready for it; a group moves only its own parts (never another group's)."""
    order = _lock_order(actor, order_id)
    # Who may move the order is answered before what was asked, so a reader who is no party
    # is refused as such (403) and learns nothing from the request's validation.
    sides = selectors.sides_of(actor, order)
    if not sides:
        raise Forbidden(_("Your role does not allow this step."))
    if to in PART_STEPS:
        source, side = PART_STEPS[to]
        if side not in sides:
            raise Forbidden(_("This step belongs to the other party."), field="to")
        _check_confirmed(order, to)
        parts = order.parts.filter(status=source)
        if side == "group":
            parts = parts.filter(pk__in=selectors.own_parts(actor).values("pk"))
        chosen = list(parts.select_for_update(no_key=True).select_related("kube", "product"))
        if not chosen:
            raise InvalidInput(
                _("An order that is %(status)s cannot go to %(to)s.")
                % {"status": order.get_status_display(), "to": OrderStatus(to).label},
                field="to",
            )
        was = order.status
        for part in sorted(chosen, key=lambda p: p.pk):
            _move_part(actor, order, part, to)
        _settle(actor, order, was)
        return order
    if to not in ORDER_STEPS:
        raise InvalidInput(_("Unknown step."), field="to")
    sources, side = ORDER_STEPS[to]
    # The party first: a group's side learns nothing of the order's state from a refusal.
    if side not in sides:
        raise Forbidden(_("This step belongs to the other party."), field="to")
    if order.status not in sources:
        raise InvalidInput(
            _("An order that is %(status)s cannot go to %(to)s.")
            % {"status": order.get_status_display(), "to": OrderStatus(to).label},
            field="to",
        )
    if to == OrderStatus.CONFIRMED and (
        order.parts.filter(status=PartStatus.PROPOSED).exists()
        or not order.parts.filter(status=PartStatus.ACCEPTED).exists()
    ):
        raise InvalidInput(
            _("Every group must answer, and at least one accept, before confirming."),
            field="to",
        )
    before = snapshot(order, "status")
    if to == OrderStatus.CANCELLED:
        _cancel(order, reason)
    order.status = to
    order.save()
    AuditEvent.record(
        events.ORDER_STEP[to], actor=actor, obj=order, area_code=order.demand.regency_code,
        reason=reason, before=before, after=snapshot(order, "status"),
    )  # fmt: skip
    return order


def cancel_outcome(order: Order) -> dict[str, int]:
    """What cancelling would do: parts withdrawn, parts cancelled and stock given back."""
    parts = order.parts.all()
    taken = [p for p in parts if p.status in (PartStatus.ACCEPTED, PartStatus.IN_PRODUCTION)]
    return {
        "withdrawn": sum(1 for p in parts if p.status == PartStatus.PROPOSED),
        "cancelled": len(taken),
        "stock": sum(p.quantity for p in taken),
    }


def _cancel(order: Order, reason: str) -> None:
    if not reason.strip():
        raise InvalidInput(_("Say why the order is cancelled."), field="reason")
    parts = list(order.parts.select_for_update(no_key=True).order_by("pk"))
    if any(p.status in (PartStatus.SHIPPED, PartStatus.DELIVERED, PartStatus.PAID) for p in parts):
        raise InvalidInput(
            _("A group has already shipped its part; the order can no longer be cancelled."),
            field="to",
        )
    back: dict[int, int] = {}
    taken = [p for p in parts if p.status in (PartStatus.ACCEPTED, PartStatus.IN_PRODUCTION)]
    for part in taken:
        back[part.product_id] = back.get(part.product_id, 0) + part.quantity
    for product_id in (
        Product.objects.select_for_update(no_key=True)
        .filter(pk__in=back)
        .order_by("pk")
        .values_list("pk", flat=True)
    ):
        Product.objects.filter(pk=product_id).update(available=F("available") + back[product_id])
    order.parts.filter(pk__in=[p.pk for p in taken]).update(status=PartStatus.CANCELLED)
    order.parts.filter(status=PartStatus.PROPOSED).update(status=PartStatus.WITHDRAWN)
    order.cancel_reason = reason.strip()[:300]
    Demand.objects.filter(pk=order.demand_id).update(status=DemandStatus.CANCELLED)


@atomic_retrying
def order_rate(*, actor: Any, order_id: int, rating: int, note: str = "") -> Order:
    order = _lock_order(actor, order_id)
    if actor != order.demand.buyer:
        raise Forbidden(_("Only the buyer rates a delivery."))
    delivered = order.parts.filter(status__in=[PartStatus.DELIVERED, PartStatus.PAID])
    if not delivered.exists():
        raise InvalidInput(_("Rate the delivery once it has arrived."), field="rating")
    if not 1 <= rating <= 5:
        raise InvalidInput(_("A rating is from 1 to 5."), field="rating")
    before = snapshot(order, "rating")
    order.rating, order.rating_note = rating, note.strip()[:300]
    order.save(update_fields=["rating", "rating_note", "updated_at"])
    AuditEvent.record(
        events.ORDER_RATED, actor=actor, obj=order, area_code=order.demand.regency_code,
        before=before, after=snapshot(order, "rating"),
    )  # fmt: skip
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
    kube = selectors.groups_for(actor, "market.add_sale", active=False).filter(pk=kube_id).first()
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
    AuditEvent.record(
        events.SALE_RECORDED, actor=actor, obj=sale, area_code=kube.area_code,
        data={"amount": sale.amount},
    )  # fmt: skip
    return sale
