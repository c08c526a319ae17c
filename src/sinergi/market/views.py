"""Market pages: the public catalogue, groups' products, buyers' demands, orders and sales."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Model, Prefetch, Q, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from sinergi.core.errors import DomainError
from sinergi.core.filters import area_param
from sinergi.core.money import parse_rupiah
from sinergi.core.numbers import ascii_id, posted_number
from sinergi.core.pagination import CappedPaginator
from sinergi.core.scoping import access, area_q
from sinergi.core.uploads import serve_upload
from sinergi.kube.models import Kube
from sinergi.kube.models import Status as KubeStatus
from sinergi.market import selectors, services
from sinergi.market.models import (
    ORDER_STEPS,
    PART_STEPS,
    BuyerType,
    Category,
    Demand,
    Order,
    OrderPart,
    OrderStatus,
    PartStatus,
    PermitKind,
    Product,
    ProductWeek,
    Sale,
)


def _int(raw: str | None, default: int = -1) -> int:
    """A whole number typed in a filter, thousands separators allowed; ``default`` if not one."""
    value = parse_rupiah(raw or "")
    return default if value is None else value


def _id(request: HttpRequest, name: str) -> int:
    """The row chosen in ``name``; 0 (found nowhere, so refused as not found) if none."""
    return ascii_id(request.POST.get(name, "")) or 0


def _number(
    request: HttpRequest,
    name: str,
    model: type[Model],
    *,
    default: int = -1,
    column: str = "",
    rupiah: bool = False,
) -> int:
    """A count (or with ``rupiah`` an amount) typed in ``name``, bounded by its column; the
    services refuse the ``default`` of an empty required field with their own message."""
    return posted_number(
        request.POST, name, model=model, column=column or name, rupiah=rupiah, default=default
    )


def public_products() -> Any:
    """What anyone may see: listed products of active groups with stock; no personal data."""
    return (
        Product.objects.filter(active=True, available__gt=0, kube__status=KubeStatus.ACTIVE)
        .select_related("category", "kube", "kube__village")
        .prefetch_related(
            "permits",
            Prefetch(
                "weeks",
                queryset=ProductWeek.objects.filter(
                    week_start__gte=selectors.coming_weeks(timezone.localdate())[0]
                ),
            ),
        )
    )


def catalogue(request: HttpRequest) -> HttpResponse:
    qs = public_products()
    category = request.GET.get("kategori", "")
    area = area_param(request)
    max_price = _int(request.GET.get("harga_maks"))
    permit = request.GET.get("izin", "")
    if category:
        qs = qs.filter(category__code=category)
    if area:
        qs = qs.filter(area_q("kube__area_code", area))
    if max_price > 0:
        qs = qs.filter(price__lte=max_price)
    if permit in PermitKind.values:
        today = timezone.localdate()
        qs = qs.filter(
            Q(permits__expires_on__isnull=True) | Q(permits__expires_on__gte=today),
            permits__kind=permit,
        )
    page = Paginator(qs.order_by("category__name", "price", "id"), 24).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "market/catalogue.html",
        {
            "page": page,
            "categories": Category.objects.filter(active=True),
            "category": category,
            "area": area,
            "max_price": max_price if max_price > 0 else "",
            "permit": permit,
            "permit_kinds": PermitKind.choices,
            "today": timezone.localdate(),
        },
    )


def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = public_products().filter(pk=pk).first()
    if product is None:
        raise Http404
    return render(
        request, "market/product_detail.html", {"p": product, "today": timezone.localdate()}
    )


def product_photo(request: HttpRequest, pk: int) -> FileResponse:
    product = public_products().filter(pk=pk).first()
    if product is None or not product.photo:
        raise Http404
    return serve_upload(product.photo, download_name=f"produk-{product.pk}")


@login_required
@permission_required("market.add_product", raise_exception=True)
def my_products(request: HttpRequest) -> HttpResponse:
    """A group's officer or mentor: its products, the parts waiting for an answer, a form."""
    user: Any = request.user
    editing = None
    if editing_id := ascii_id(request.GET.get("ubah", "")):
        editing = access(Product.objects, actor=user, pk=editing_id)
    error, field = "", ""
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "permit":
                expires = request.POST.get("expires_on", "").strip()
                services.permit_save(
                    actor=user,
                    product_id=_id(request, "product"),
                    kind=request.POST.get("kind", ""),
                    number=request.POST.get("number", ""),
                    expires_on=date.fromisoformat(expires) if expires else None,
                )
                messages.success(request, _("Permit saved."))
            elif action == "weeks":
                services.availability_set(
                    actor=user,
                    product_id=_id(request, "product"),
                    weeks={
                        week: _number(
                            request,
                            f"week_{week:%Y-%m-%d}",
                            ProductWeek,
                            default=0,
                            column="quantity",
                        )
                        for week in selectors.coming_weeks(timezone.localdate())
                    },
                )
                messages.success(request, _("Availability saved."))
            elif action == "photo":
                services.product_photo(
                    actor=user,
                    product_id=_id(request, "product"),
                    photo=request.FILES.get("photo"),
                )
                messages.success(request, _("Photo saved."))
            else:
                saved = services.product_save(
                    actor=user,
                    data=services.ProductData(
                        kube_id=_id(request, "kube"),
                        category=request.POST.get("category", ""),
                        name=request.POST.get("name", ""),
                        unit=request.POST.get("unit", ""),
                        price=_number(request, "price", Product, rupiah=True),
                        available=_number(request, "available", Product, default=0),
                        monthly_capacity=_number(request, "monthly_capacity", Product, default=0),
                        min_order=_number(request, "min_order", Product, default=1),
                        description=request.POST.get("description", ""),
                        active=request.POST.get("active") == "on",
                    ),
                    product_id=editing.pk if editing else None,
                )
                messages.success(request, _("Product saved: %(name)s.") % {"name": saved.name})
            return redirect("market:my_products")
        except ValueError:
            error, field = _("Give the date as YYYY-MM-DD."), "expires_on"
        except DomainError as exc:
            error, field = exc.message, exc.field or ""
    products = (
        Product.objects.for_user(user)
        .select_related("category", "kube")
        .prefetch_related("permits")
        .order_by("kube__name", "name")
    )
    waiting = (
        OrderPart.objects.for_user(user)
        .filter(
            status=PartStatus.PROPOSED,
            order__status=OrderStatus.PROPOSED,
            order__sent_at__isnull=False,
        )
        .select_related("order__demand", "product", "kube")
    )
    return render(
        request,
        "market/my_products.html",
        {
            "products": products,
            "waiting": waiting,
            "editing": editing,
            "error": error,
            "field": field,
            "posted": request.POST if request.method == "POST" else None,
            "groups": Kube.objects.for_user(user, permission="market.add_product").filter(
                status=KubeStatus.ACTIVE
            ),
            "categories": Category.objects.filter(active=True),
            "permit_kinds": PermitKind.choices,
            "today": timezone.localdate(),
            "weeks": [
                (w, editing.weeks.filter(week_start=w).values_list("quantity", flat=True).first())
                for w in selectors.coming_weeks(timezone.localdate())
            ]
            if editing
            else [],
        },
    )


@login_required
@permission_required("market.view_demand", raise_exception=True)
def demand_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    error, field = "", ""
    if request.method == "POST":
        try:
            latest = request.POST.get("latest_date", "")
            demand = services.demand_create(
                actor=user,
                data=services.DemandData(
                    category=request.POST.get("category", ""),
                    quantity=_number(request, "quantity", Demand),
                    unit=request.POST.get("unit", ""),
                    regency=request.POST.get("regency", ""),
                    latest_date=date.fromisoformat(latest) if latest else date.min,
                    max_price=_number(request, "max_price", Demand, rupiah=True),
                    min_lot=_number(request, "min_lot", Demand),
                    note=request.POST.get("note", ""),
                ),
            )
        except ValueError:
            error, field = _("Give the date as YYYY-MM-DD."), "latest_date"
        except DomainError as exc:
            error, field = exc.message, exc.field or ""
        else:
            messages.success(request, _("Demand posted."))
            return redirect("market:demand_detail", pk=demand.pk)
    qs = selectors.demands_for(user).prefetch_related("orders")
    page = Paginator(qs, settings.SINERGI_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "market/demand_list.html",
        {
            "page": page,
            "error": error,
            "field": field,
            "posted": request.POST if request.method == "POST" else None,
            "categories": Category.objects.filter(active=True),
        },
    )


@login_required
@permission_required("market.view_demand", raise_exception=True)
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    demand = access(selectors.demands_for(user), actor=user, pk=pk)
    if request.method == "POST":
        try:
            order = services.demand_allocate(
                actor=user, demand_id=pk, strategy=request.POST.get("strategy", "cheapest")
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Split proposed: check the parts, then send them."))
            return redirect("market:order_detail", pk=order.pk)
    return render(
        request,
        "market/demand_detail.html",
        {"demand": demand, "orders": demand.orders.all()},
    )


ORDER_VERBS: dict[str, Any] = {
    OrderStatus.CONFIRMED: _lazy("Confirm the order"),
    OrderStatus.CANCELLED: _lazy("Cancel the order"),
}
PART_VERBS: dict[str, Any] = {
    PartStatus.IN_PRODUCTION: _lazy("Start production"),
    PartStatus.SHIPPED: _lazy("Mark as shipped"),
    PartStatus.DELIVERED: _lazy("Confirm delivery"),
    PartStatus.PAID: _lazy("Mark as paid"),
}


def _part_steps(
    user: Any, order: Order, parts: Any, mine: set[int], buyer: bool
) -> dict[int, list[tuple[str, Any]]]:
    """Per part, the steps this person may take on it now: a group on its own part only."""
    out: dict[int, list[tuple[str, Any]]] = {}
    if order.status in (OrderStatus.PROPOSED, OrderStatus.CANCELLED):
        return out
    group = user.has_perm("market.respond_orderpart")
    for part in parts:
        for to, (source, side) in PART_STEPS.items():
            if part.status != source:
                continue
            if (side == "group" and group and part.pk in mine) or (side == "buyer" and buyer):
                out.setdefault(part.pk, []).append((to, PART_VERBS[to]))
    return out


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    view = selectors.order_view(user, pk)
    order = view.order
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("accept", "decline"):
                services.part_respond(
                    actor=user,
                    part_id=_id(request, "part"),
                    accept=action == "accept",
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, _("Answer recorded."))
            elif action == "send":
                services.order_send(actor=user, order_id=pk)
                messages.success(request, _("Sent to the groups."))
            elif action == "adjust":
                services.part_adjust(
                    actor=user,
                    part_id=_id(request, "part"),
                    quantity=_number(request, "quantity", OrderPart, default=0),
                )
                messages.success(request, _("Part changed."))
            elif action == "reallocate":
                added = services.order_reallocate(actor=user, order_id=pk)
                messages.success(request, _("%(n)d more offered to other groups.") % {"n": added})
            elif action == "rate":
                services.order_rate(
                    actor=user,
                    order_id=pk,
                    rating=_number(request, "rating", Order, default=0),
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("Thank you for rating the delivery."))
            elif action == "part_step":
                services.part_step(
                    actor=user, part_id=_id(request, "part"), to=request.POST.get("to", "")
                )
                messages.success(request, _("Order updated."))
            else:
                services.order_step(
                    actor=user, order_id=pk, to=action, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Order updated."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("market:order_detail", pk=pk)
    parts = view.parts
    mine = set(OrderPart.objects.for_user(user).filter(order=order).values_list("pk", flat=True))
    sides = selectors.sides_of(user, order)
    steps = [
        (to, ORDER_VERBS[to])
        for to, (sources, side) in ORDER_STEPS.items()
        if order.status in sources and side in sides
    ]
    part_steps = _part_steps(user, order, parts, mine, "buyer" in sides)
    rows = list(parts)
    for row in rows:
        row.steps = part_steps.get(row.pk, [])  # type: ignore[attr-defined]
    totals = parts.filter(status=PartStatus.ACCEPTED).aggregate(q=Sum("quantity"))
    live = parts.filter(status__in=[PartStatus.PROPOSED, PartStatus.ACCEPTED])
    # What others still owe is the buyer's business; a group's view counts its own parts.
    missing = (
        order.demand.quantity - (live.aggregate(q=Sum("quantity"))["q"] or 0) if view.whole else 0
    )
    return render(
        request,
        "market/order_detail.html",
        {
            "order": order,
            "demand": order.demand,
            "parts": rows,
            "mine": mine if user.has_perm("market.respond_orderpart") else set(),
            "steps": steps,
            "accepted": totals["q"] or 0,
            "missing": missing,
            "is_buyer": "buyer" in sides,
            "whole": view.whole,
            "can_rate": user == order.demand.buyer
            and order.status in (OrderStatus.DELIVERED, OrderStatus.PAID),
        },
    )


@login_required
@permission_required("market.view_sale", raise_exception=True)
def sale_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    error, field = "", ""
    if request.method == "POST":
        try:
            day = request.POST.get("day", "")
            services.sale_record(
                actor=user,
                kube_id=_id(request, "kube"),
                description=request.POST.get("description", ""),
                quantity=_number(request, "quantity", Sale),
                price=_number(request, "price", Sale, rupiah=True),
                buyer_type=request.POST.get("buyer_type", ""),
                day=date.fromisoformat(day) if day else timezone.localdate(),
            )
        except ValueError:
            error, field = _("Give the date as YYYY-MM-DD."), "day"
        except DomainError as exc:
            error, field = exc.message, exc.field or ""
        else:
            messages.success(request, _("Sale recorded."))
            return redirect("market:sale_list")
    qs = (
        Sale.objects.for_user(user)
        .select_related("kube")
        .only("day", "description", "quantity", "price", "buyer_type", "kube__name")
    )
    page = CappedPaginator(qs, settings.SINERGI_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "market/sale_list.html",
        {
            "page": page,
            "error": error,
            "field": field,
            "posted": request.POST if request.method == "POST" else None,
            "groups": Kube.objects.for_user(user, permission="market.add_sale").only("name")
            if user.has_perm("market.add_sale")
            else [],
            "buyer_types": [c for c in BuyerType.choices if c[0] != BuyerType.PLATFORM],
            "today": timezone.localdate(),
        },
    )
