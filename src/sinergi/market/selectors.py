"""Scoped reads of the market: the only read path of market pages and API.

Orders. An order is split over groups of several regencies, and a group's part carries its
name, village, price and reasons. The buyer, the coordinators who split demands, and offices
above a regency whose area holds the delivery regency see every part. Everyone else who reads
orders (a group's officers, its mentor, a regency office, a regency's facilitator) sees only
the parts of groups it already sees, and an order where it sees none does not exist for it.
The page, the API and any export read orders through here.

The public catalogue shows listed products of active groups with stock: group names, regions
by name, prices and permits, with an expired permit said to be expired, never shown as valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from sinergi.core.scoping import access, area_q, user_area
from sinergi.engines import wilayah as regions
from sinergi.kube.models import Kube
from sinergi.kube.models import Status as KubeStatus
from sinergi.market.models import (
    SUPPLYING,
    Category,
    Demand,
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
from sinergi.wilayah import selectors as wilayah_selectors
from sinergi.wilayah.models import Region


def coming_weeks(today: date, count: int = 4) -> list[date]:
    """The Mondays of the next ``count`` weeks, this week's first."""
    monday = today - timedelta(days=today.weekday())
    return [monday + timedelta(weeks=n) for n in range(count)]


def categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True)


def category_get(code: str) -> Category | None:
    return Category.objects.filter(code=code, active=True).first()


# Products


def expired_permit() -> Exists:
    """True for a product with a permit past its date (as of today)."""
    return Exists(
        Permit.objects.filter(product=OuterRef("pk"), expires_on__lt=timezone.localdate())
    )


def with_permit_list(qs: QuerySet[Product]) -> QuerySet[Product]:
    """Each product's permits as the list ``permit_list``, read in one statement for a page.

    As a list attribute rather than ``permits.all()``'s cache: Django's prefetch builds one
    queryset per row to hold that cache (50 clones a page), which cost more CPU than the
    statement itself.
    """
    return qs.prefetch_related(Prefetch("permits", to_attr="permit_list"))


def listed_products() -> QuerySet[Product]:
    """What anyone may see: listed products of active groups with stock; no personal data.
    Each with its ``permit_list``: what a catalogue shows of a product."""
    return with_permit_list(
        Product.objects.filter(
            active=True, available__gt=0, kube__status=KubeStatus.ACTIVE
        ).select_related("category", "kube", "kube__village", "kube__village__parent__parent")
    )


def public_products() -> QuerySet[Product]:
    """:func:`listed_products`, each with its permits and the coming weeks' readiness (a
    product's page): ``permits.all()`` and ``weeks.all()``."""
    return (
        listed_products()
        .prefetch_related(None)
        .prefetch_related(
            "permits",
            Prefetch(
                "weeks",
                queryset=ProductWeek.objects.filter(
                    week_start__gte=coming_weeks(timezone.localdate())[0]
                ),
            ),
        )
    )


# What a catalogue shows of a product (the page's card and the API's row): not its description,
# nor its group's bank details, nor the regions' other columns.
CATALOGUE_FIELDS = (
    "kube",
    "category",
    "name",
    "unit",
    "price",
    "available",
    "monthly_capacity",
    "min_order",
    "photo",
    "active",
    "updated_at",
    "kube__name",
    "kube__area_code",
    "kube__village",
    "kube__village__name",
    "kube__village__parent",
    "kube__village__parent__parent",
    "kube__village__parent__parent__name",
    "category__code",
    "category__name",
    "category__name_en",
)


def catalogue(
    *,
    category: str = "",
    areas: list[str] | None = None,
    max_price: int | None = None,
    permit: str = "",
) -> QuerySet[Product]:
    """The public catalogue, filtered: ``areas`` are region codes (a group in any of them);
    ``permit`` keeps products holding that permit, still valid. Each product comes with its
    ``permit_list``; the weeks' readiness, shown on a product's own page only, is not read."""
    qs = listed_products().only(*CATALOGUE_FIELDS)
    if category:
        qs = qs.filter(category__code=category)
    if areas:
        inside = Q()
        for code in areas:
            inside |= area_q("kube__area_code", code)
        qs = qs.filter(inside)
    if max_price:
        qs = qs.filter(price__lte=max_price)
    if permit in PermitKind.values:
        today = timezone.localdate()
        valid = Permit.objects.filter(product=OuterRef("pk"), kind=permit).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=today)
        )
        qs = qs.filter(Exists(valid))
    return qs.order_by("category__name", "price", "id")


def public_product(pk: int) -> Product:
    product = public_products().filter(pk=pk).first()
    if product is None:
        raise Http404
    return product


def regency_of(product: Product) -> Region | None:
    """The regency of a product's group, from the village's ancestors already loaded."""
    village = product.kube.village
    district = village.parent
    return district.parent if district is not None else None


def region_search(text: str) -> list[str]:
    """The regions a filter typed by name or code means, as codes; [] when nothing matches.

    The search is the region list's own (wilayah.selectors: digits search codes, words search
    names). Of what it finds, the regions of the highest level count ("Bandung" is Kota
    Bandung, Kabupaten Bandung and Kabupaten Bandung Barat, not a village of that name), at
    most ten: what a person filtering a catalogue most likely means.
    """
    text = " ".join(text.split())[:100]
    if not text:
        return []
    found = wilayah_selectors.region_list(q=text)
    top = found.values_list("level", flat=True).first()
    if top is None:
        return []
    return list(found.filter(level=top).values_list("code", flat=True)[:10])


def region_names(codes: list[str]) -> list[str]:
    """The names of ``codes`` in code order (the catalogue's chosen areas)."""
    names = wilayah_selectors.region_names(codes)
    return [names[code] for code in sorted(names)]


def products_for(actor: Any) -> QuerySet[Product]:
    """The products of the actor's groups, each with its ``permit_list``."""
    return with_permit_list(
        Product.objects.for_user(actor)
        .select_related("category", "kube")
        .order_by("kube__name", "name")
    )


def product_get(actor: Any, pk: int) -> Product:
    return access(
        Product.objects.select_related("kube", "category").prefetch_related("permits"),
        actor=actor,
        pk=pk,
    )


def product_weeks(product: Product) -> list[tuple[date, int | None]]:
    """The coming weeks with what the group expects to have ready (None: not said)."""
    weeks = coming_weeks(timezone.localdate())
    known = dict(product.weeks.filter(week_start__in=weeks).values_list("week_start", "quantity"))
    return [(w, known.get(w)) for w in weeks]


def groups_for(actor: Any, permission: str, *, active: bool = True) -> QuerySet[Kube]:
    """The groups the actor may act for with ``permission`` (active ones by default)."""
    qs = Kube.objects.for_user(actor, permission=permission)
    if active:
        qs = qs.filter(status=KubeStatus.ACTIVE)
    return qs.order_by("name")


def parts_waiting(actor: Any) -> QuerySet[OrderPart]:
    """The parts of the actor's groups that wait for the group's answer."""
    return (
        OrderPart.objects.for_user(actor)
        .filter(
            status=PartStatus.PROPOSED,
            order__status=OrderStatus.PROPOSED,
            order__sent_at__isnull=False,
        )
        .select_related("order__demand", "product", "kube")
    )


# Demands


def demands_for(actor: Any) -> QuerySet[Demand]:
    """Demands the actor may see: those who split demands see their area's, buyers their own."""
    qs = Demand.objects.for_user(actor).select_related("category", "regency", "buyer")
    if not actor.has_perm("market.allocate_demand"):
        qs = qs.filter(buyer=actor)
    return qs


def demand_get(actor: Any, pk: int, *, lock: bool = False) -> Demand:
    return access(demands_for(actor), actor=actor, lock=lock, pk=pk)


# Orders


@dataclass(frozen=True)
class OrderView:
    """An order as one actor may see it."""

    order: Order
    parts: QuerySet[OrderPart]
    whole: bool  # every part, as the buyer sees it; False: only the actor's groups' parts


def _whole_orders(actor: Any) -> QuerySet[Order]:
    """Orders the actor sees whole (see the module's docstring)."""
    if not actor.has_perm("market.view_order"):
        return Order.objects.none()
    own = Order.objects.filter(demand__buyer=actor)
    # Buyers cannot read groups' parts at all, so another buyer never sees an order whole.
    if not actor.has_perm("market.view_orderpart"):
        return own
    area = user_area(actor)
    if actor.has_perm("market.allocate_demand") or (
        area is None or regions.level_of(area) == regions.Level.PROVINCE
    ):
        # No kube or mentor lookup on orders: accounts bound to a group or a mentor get none.
        return own | Order.objects.for_user(actor)
    return own


def sees_whole_order(actor: Any, order: Order) -> bool:
    """The buyer, a coordinator, or an office above a regency, with the order in its area."""
    return _whole_orders(actor).filter(pk=order.pk).exists()


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
    parts = order.parts.all() if whole else own_parts(actor).filter(order=order)
    if not whole and not parts.exists():
        raise Http404
    return OrderView(
        order=order,
        parts=parts.select_related("kube", "kube__village", "product").order_by("pk"),
        whole=whole,
    )


def own_parts(actor: Any) -> QuerySet[OrderPart]:
    """Parts of the groups the actor sees (each group's side of the orders)."""
    return OrderPart.objects.for_user(actor)


def order_list(actor: Any) -> QuerySet[Order]:
    """Every order the actor may open: its own and its area's whole, or through its parts."""
    through_parts = own_parts(actor).values("order_id")
    return (
        Order.objects.filter(Q(pk__in=_whole_orders(actor).values("pk")) | Q(pk__in=through_parts))
        .select_related("demand", "demand__category")
        .order_by("-created_at", "-pk")
    )


def visible_parts(actor: Any, orders: list[Order]) -> tuple[dict[int, list[OrderPart]], set[int]]:
    """The parts of each of ``orders`` the actor may see, and the orders it sees whole, in
    three queries for any number of orders."""
    ids = [o.pk for o in orders]
    whole = set(_whole_orders(actor).filter(pk__in=ids).values_list("pk", flat=True))
    mine = set(own_parts(actor).filter(order_id__in=ids).values_list("pk", flat=True))
    out: dict[int, list[OrderPart]] = {pk: [] for pk in ids}
    for part in OrderPart.objects.filter(order_id__in=ids).select_related("kube").order_by("pk"):
        if part.order_id in whole or part.pk in mine:
            out[part.order_id].append(part)
    return out, whole


def orders_of_buying_side(actor: Any) -> QuerySet[Order]:
    """Orders the actor may change for the buyer: its own, or its area's as a coordinator."""
    own = Order.objects.filter(demand__buyer=actor)
    if actor.has_perm("market.allocate_demand"):
        return own | Order.objects.for_user(actor)
    return own


def order_for(actor: Any, order_id: int) -> Order:
    """An order the actor takes part in (buying side or through a part), else 404."""
    order = (
        Order.objects.filter(
            Q(pk__in=orders_of_buying_side(actor).values("pk"))
            | Q(pk__in=own_parts(actor).values("order_id"))
        )
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise Http404
    return order


def part_order_id(actor: Any, part_id: int) -> int:
    """The order of a part the actor may see (its group's, or any part of an order it sees
    whole), else 404: another group's part does not exist for a group."""
    part = OrderPart.objects.filter(pk=part_id).values_list("order_id", flat=True).first()
    if part is None:
        raise Http404
    if (
        own_parts(actor).filter(pk=part_id).exists()
        or _whole_orders(actor).filter(pk=part).exists()
    ):
        return part
    raise Http404


def buying_side(actor: Any, order: Order) -> bool:
    """The buyer, or a coordinator whose area holds the delivery regency.

    A coordinator elsewhere may read the order through a group of hers that has a part in it,
    which must not let her change or cancel someone else's order.
    """
    return orders_of_buying_side(actor).filter(pk=order.pk).exists()


def group_side(actor: Any, part: OrderPart) -> bool:
    """The actor answers and moves this part for its group (its officer or its mentor)."""
    return (
        actor.has_perm("market.respond_orderpart") and own_parts(actor).filter(pk=part.pk).exists()
    )


def sides_of(actor: Any, order: Order) -> set[str]:
    """ "buyer" and/or "group" (a group of the actor supplies a part of the order)."""
    sides = set()
    if buying_side(actor, order):
        sides.add("buyer")
    if (
        actor.has_perm("market.respond_orderpart")
        and own_parts(actor).filter(order=order, status__in=SUPPLYING).exists()
    ):
        sides.add("group")
    return sides


def part_sides(actor: Any, order_id: int, part_id: int) -> set[str]:
    """The sides the actor takes on one part of an order it sees: "buyer" (the buying side)
    and/or "group" (the part is its group's); 404 when it may see the order nowhere."""
    order = order_view(actor, order_id).order
    sides = {"buyer"} if buying_side(actor, order) else set()
    if (
        actor.has_perm("market.respond_orderpart")
        and own_parts(actor).filter(pk=part_id, order=order).exists()
    ):
        sides.add("group")
    return sides


# Sales


def sales_for(actor: Any) -> QuerySet[Sale]:
    return Sale.objects.for_user(actor).select_related("kube")


# What waits for the actor (core.inbox; market/inbox.py) ----------------------------------------


def parts_to_answer(actor: Any) -> QuerySet[OrderPart]:
    """Sent parts of the actor's groups waiting for the group's yes or no, oldest first."""
    if not actor.has_perm("market.respond_orderpart"):
        return OrderPart.objects.none()
    return parts_waiting(actor).order_by("order__sent_at", "pk")


def parts_to_move(actor: Any) -> QuerySet[OrderPart]:
    """Accepted parts of the actor's groups in a confirmed order (to start producing) and
    parts in production (to ship): the group's next step, oldest first."""
    if not actor.has_perm("market.respond_orderpart"):
        return OrderPart.objects.none()
    return (
        own_parts(actor)
        .filter(status__in=[PartStatus.ACCEPTED, PartStatus.IN_PRODUCTION])
        .exclude(order__status__in=[OrderStatus.PROPOSED, OrderStatus.CANCELLED])
        .select_related("order__demand", "product", "kube")
        .order_by("updated_at", "pk")
    )


def orders_to_step(actor: Any) -> QuerySet[Order]:
    """Orders whose next step is the buying side's and this actor's (the demand's buyer, or
    whoever split it): send the split, confirm once every group answered, receive shipped
    parts, pay delivered ones; oldest change first. ``has_*`` say which parts wait."""
    if not (actor.has_perm("market.add_demand") or actor.has_perm("market.allocate_demand")):
        return Order.objects.none()
    parts = OrderPart.objects.filter(order=OuterRef("pk"))
    return (
        orders_of_buying_side(actor)
        .filter(Q(demand__buyer=actor) | Q(created_by=actor))
        .exclude(status__in=[OrderStatus.PAID, OrderStatus.CANCELLED])
        .annotate(
            has_proposed=Exists(parts.filter(status=PartStatus.PROPOSED)),
            has_accepted=Exists(parts.filter(status=PartStatus.ACCEPTED)),
            has_shipped=Exists(parts.filter(status=PartStatus.SHIPPED)),
            has_delivered=Exists(parts.filter(status=PartStatus.DELIVERED)),
        )
        .filter(
            Q(status=OrderStatus.PROPOSED, sent_at__isnull=True, has_proposed=True)
            | Q(
                status=OrderStatus.PROPOSED,
                sent_at__isnull=False,
                has_proposed=False,
                has_accepted=True,
            )
            | (~Q(status=OrderStatus.PROPOSED) & (Q(has_shipped=True) | Q(has_delivered=True)))
        )
        .select_related("demand__category")
        .order_by("updated_at", "pk")
    )
