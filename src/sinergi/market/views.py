"""Market pages: the public catalogue, groups' products, buyers' demands, orders and sales.

Reads go through ``selectors``, writes through ``services``, and everything typed through a
form of ``forms`` (a refused form comes back with the message next to its field and what was
typed kept). Each write has its own address; the order page shows only the steps the person
can take now.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from sinergi.core.errors import DomainError, Forbidden
from sinergi.core.filters import page_number
from sinergi.core.forms import bind, refused_status, submit_once
from sinergi.core.money import rupiah
from sinergi.core.numbers import ascii_id
from sinergi.core.pagination import COUNT_CAP, CappedPaginator, GroupedFirst
from sinergi.core.uploads import serve_upload
from sinergi.kube.selectors import shared_chair_phone
from sinergi.market import forms, selectors, services
from sinergi.market.models import (
    ORDER_STEPS,
    PART_STEPS,
    Order,
    OrderStatus,
    PartStatus,
)

# Public catalogue

CATALOGUE_PAGE_SIZE = 24
CATALOGUE_COUNT_CAP = COUNT_CAP  # a seam: the pager test lowers it


def catalogue(request: HttpRequest) -> HttpResponse:
    form = forms.CatalogueFilter(request.GET or None)
    filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    typed = filters.get("wilayah", "")
    areas = selectors.region_search(typed)
    if typed and not areas:
        # Nothing is in a region that does not exist: an empty list, with the reason.
        form.add_error("wilayah", _("No region is called “%(name)s”.") % {"name": typed})
    products = selectors.catalogue(
        category=filters.get("kategori", ""),
        areas=areas,
        max_price=filters.get("harga_maks"),
        permit=filters.get("izin", ""),
    )
    if typed and not areas:
        products = products.none()
    # Page by page without sorting every listed product (a Paginator takes any sliceable list),
    # and counted only up to CATALOGUE_COUNT_CAP: the pager then says "more than 1,000 rows"
    # (a full count joined every listed product with its group, 7 ms of the database's time for
    # each page of a national catalogue; up to 1,000 it is under 1 ms) and pages on while
    # products remain.
    listed: Any = GroupedFirst(products, group="category", group_order="name", within=("price",))
    paginator = CappedPaginator(listed, CATALOGUE_PAGE_SIZE, cap=CATALOGUE_COUNT_CAP)
    page = paginator.get_page(page_number(request))
    for product in page:
        product.regency = selectors.regency_of(product)
    return render(
        request,
        "market/catalogue.html",
        {
            "page": page,
            "form": form,
            "area_names": ", ".join(selectors.region_names(areas)),
            "query": request.GET.urlencode() if request.GET else "",
        },
    )


def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = selectors.public_product(pk)
    # Signed-in buyers see the chair's phone, only with the chair's consent (UU PDP).
    phone = shared_chair_phone(product.kube) if request.user.is_authenticated else ""
    return render(
        request,
        "market/product_detail.html",
        {"p": product, "regency": selectors.regency_of(product), "chair_phone": phone},
    )


def product_photo(request: HttpRequest, pk: int) -> FileResponse:
    product = selectors.public_product(pk)
    if not product.photo:
        raise Http404
    return serve_upload(product.photo, download_name=f"produk-{product.pk}")


# A group's products


def _products_page(
    request: HttpRequest,
    *,
    product_form: Any = None,
    permit_form: Any = None,
    weeks_form: Any = None,
    photo_form: Any = None,
    editing_id: int | None = None,
) -> HttpResponse:
    user: Any = request.user
    editing = None
    if editing_id := editing_id or ascii_id(request.GET.get("ubah", "")):
        editing = selectors.product_get(user, editing_id)
    groups = selectors.groups_for(user, "market.add_product")
    can_edit = user.has_perm("market.change_product")
    context = {
        "products": selectors.products_for(user),
        "waiting": selectors.parts_waiting(user),
        "editing": editing,
        "can_edit": can_edit,
        "form": product_form or forms.ProductForm(groups=groups, product=editing),
        "permit_form": permit_form or forms.PermitForm(),
        "photo_form": photo_form or forms.PhotoForm(),
        "weeks_form": weeks_form
        or (forms.WeeksForm(weeks=selectors.product_weeks(editing)) if editing else None),
    }
    return render(
        request,
        "market/my_products.html",
        context,
        status=refused_status(product_form, permit_form, weeks_form, photo_form),
    )


@login_required
@permission_required("market.add_product", raise_exception=True)
@submit_once
def my_products(request: HttpRequest) -> HttpResponse:
    """A group's officer or mentor: its products, the parts waiting for an answer, a form."""
    user: Any = request.user
    if request.method != "POST":
        return _products_page(request)
    editing_id = ascii_id(request.GET.get("ubah", ""))
    editing = selectors.product_get(user, editing_id) if editing_id else None
    groups = selectors.groups_for(user, "market.add_product")
    form = bind(forms.ProductForm, request, groups=groups, product=editing)
    if form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.product_save(
                actor=user,
                data=services.ProductData(
                    kube_id=data["kube"],
                    category=data["category"],
                    name=data["name"],
                    unit=data["unit"],
                    price=data["price"],
                    available=data["available"] or 0,
                    monthly_capacity=data["monthly_capacity"] or 0,
                    min_order=data["min_order"] or 1,
                    description=data["description"],
                    active=data["active"],
                ),
                product_id=editing.pk if editing else None,
                photo=data.get("photo") or None,
            )
        except DomainError as exc:
            forms.refuse(form, exc)
        else:
            messages.success(request, _("Product saved: %(name)s.") % {"name": saved.name})
            return redirect("market:my_products")
    return _products_page(request, product_form=form)


@login_required
@require_POST
@permission_required("market.change_product", raise_exception=True)
@submit_once
def permit_save(request: HttpRequest, pk: int) -> HttpResponse:
    form = bind(forms.PermitForm, request)
    if form.is_valid():
        try:
            services.permit_save(actor=request.user, product_id=pk, **form.cleaned_data)
        except DomainError as exc:
            forms.refuse(form, exc)
        else:
            messages.success(request, _("Permit saved."))
            return redirect(f"{_products_url()}?ubah={pk}")
    return _products_page(request, permit_form=form, editing_id=pk)


@login_required
@require_POST
@permission_required("market.change_product", raise_exception=True)
def photo_save(request: HttpRequest, pk: int) -> HttpResponse:
    form = bind(forms.PhotoForm, request)
    if form.is_valid():
        try:
            services.product_photo(actor=request.user, product_id=pk, **form.cleaned_data)
        except DomainError as exc:
            forms.refuse(form, exc)
        else:
            messages.success(request, _("Photo saved."))
            return redirect(f"{_products_url()}?ubah={pk}")
    return _products_page(request, photo_form=form, editing_id=pk)


@login_required
@require_POST
@permission_required("market.change_product", raise_exception=True)
def weeks_save(request: HttpRequest, pk: int) -> HttpResponse:
    product = selectors.product_get(request.user, pk)
    form = bind(forms.WeeksForm, request, weeks=selectors.product_weeks(product))
    if form.is_valid():
        try:
            services.availability_set(actor=request.user, product_id=pk, weeks=form.quantities())
        except DomainError as exc:
            forms.refuse(form, exc)
        else:
            messages.success(request, _("Availability saved."))
            return redirect(f"{_products_url()}?ubah={pk}")
    return _products_page(request, weeks_form=form, editing_id=pk)


def _products_url() -> str:
    return reverse("market:my_products")


# Demands


@login_required
@permission_required("market.view_demand", raise_exception=True)
@submit_once
def demand_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = None
    if user.has_perm("market.add_demand"):
        form = bind(forms.DemandForm, request, actor=user)
    elif request.method == "POST":
        raise Forbidden(_("Your role does not allow this step."))
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            demand = services.demand_create(
                actor=user,
                data=services.DemandData(
                    category=data["category"],
                    quantity=data["quantity"],
                    unit=data["unit"],
                    regency=data["regency"],
                    latest_date=data["latest_date"],
                    max_price=data["max_price"],
                    min_lot=data["min_lot"],
                    note=data["note"],
                ),
            )
        except DomainError as exc:
            forms.refuse(form, exc)
        else:
            messages.success(request, _("Demand posted."))
            return redirect("market:demand_detail", pk=demand.pk)
    qs = selectors.demands_for(user).prefetch_related("orders")
    page = Paginator(qs, settings.SINERGI_PAGE_SIZE).get_page(page_number(request))
    return render(
        request,
        "market/demand_list.html",
        {"page": page, "form": form},
        status=refused_status(form),
    )


@login_required
@permission_required("market.view_demand", raise_exception=True)
@submit_once
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    demand = selectors.demand_get(user, pk)
    form = bind(forms.SplitForm, request)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.demand_allocate(
                actor=user, demand_id=pk, strategy=form.cleaned_data["strategy"]
            )
        except DomainError as exc:
            forms.refuse(form, exc)
        else:
            messages.success(request, _("Split proposed: check the parts, then send them."))
            return redirect("market:order_detail", pk=order.pk)
    can_split = demand.status == "open" and (
        demand.buyer_id == user.pk or user.has_perm("market.allocate_demand")
    )
    return render(
        request,
        "market/demand_detail.html",
        {"demand": demand, "orders": demand.orders.all(), "form": form, "can_split": can_split},
        status=refused_status(form),
    )


# Orders

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


def _part_steps(user: Any, order: Order, part: Any, mine: bool, buyer: bool) -> list[Any]:
    """The steps this person may take on the part now: a group on its own part only."""
    if order.status in (OrderStatus.PROPOSED, OrderStatus.CANCELLED):
        return []
    group = mine and user.has_perm("market.respond_orderpart")
    return [
        (to, PART_VERBS[to])
        for to, (source, side) in PART_STEPS.items()
        if part.status == source and ((side == "group" and group) or (side == "buyer" and buyer))
    ]


def _order_page(
    request: HttpRequest,
    pk: int,
    *,
    bound: Any = None,
    part_id: int | None = None,
    cancel_form: Any = None,
) -> HttpResponse:
    """The order as this person sees it; ``bound`` is a refused form (of part ``part_id``
    for the per-part forms), shown again with its message and what was typed."""
    user: Any = request.user
    view = selectors.order_view(user, pk)
    order = view.order
    sides = selectors.sides_of(user, order)
    buyer = "buyer" in sides
    mine = set(selectors.own_parts(user).filter(order=order).values_list("pk", flat=True))
    responder = user.has_perm("market.respond_orderpart")
    rows = list(view.parts)
    for part in rows:
        own = part.pk in mine
        part.steps = _part_steps(user, order, part, own, buyer)  # type: ignore[attr-defined]
        waiting = part.status == PartStatus.PROPOSED and order.status == OrderStatus.PROPOSED
        part.can_answer = own and responder and waiting and order.sent_at is not None  # type: ignore[attr-defined]
        part.can_adjust = buyer and waiting  # type: ignore[attr-defined]
        is_bound = bound is not None and part_id == part.pk
        part.answer_form = (  # type: ignore[attr-defined]
            bound if is_bound and isinstance(bound, forms.AnswerForm) else forms.AnswerForm()
        )
        part.adjust_form = (  # type: ignore[attr-defined]
            bound
            if is_bound and isinstance(bound, forms.AdjustForm)
            else forms.AdjustForm(initial={"quantity": part.quantity})
        )
    steps = [
        (to, ORDER_VERBS[to])
        for to, (sources, side) in ORDER_STEPS.items()
        if order.status in sources and side in sides and to != OrderStatus.CANCELLED
    ]
    can_cancel = (
        buyer
        and order.status in ORDER_STEPS[OrderStatus.CANCELLED][0]
        and not any(
            p.status in (PartStatus.SHIPPED, PartStatus.DELIVERED, PartStatus.PAID) for p in rows
        )
    )
    if cancel_form is not None and not can_cancel:
        messages.error(request, _("This order can no longer be cancelled."))
        cancel_form = None
    accepted = view.parts.filter(status__in=[PartStatus.ACCEPTED, *PART_STEPS]).aggregate(
        q=Sum("quantity")
    )
    live = view.parts.filter(status__in=[PartStatus.PROPOSED, PartStatus.ACCEPTED])
    # What others still owe is the buyer's business; a group's view counts its own parts.
    missing = (
        order.demand.quantity - (live.aggregate(q=Sum("quantity"))["q"] or 0) if view.whole else 0
    )
    is_buyer_self = user.pk == order.demand.buyer_id
    delivered = any(p.status in (PartStatus.DELIVERED, PartStatus.PAID) for p in rows)
    context = {
        "order": order,
        "demand": order.demand,
        "parts": rows,
        "steps": steps,
        "accepted": accepted["q"] or 0,
        "missing": missing,
        "is_buyer": buyer,
        "whole": view.whole,
        "can_send": buyer and order.status == OrderStatus.PROPOSED and not order.sent_at,
        "can_reallocate": buyer and order.status == OrderStatus.PROPOSED and missing > 0,
        "can_cancel": can_cancel,
        "cancel_form": cancel_form,
        "outcome": services.cancel_outcome(order) if cancel_form is not None else None,
        "confirm_form": bound if isinstance(bound, forms.ConfirmForm) else forms.ConfirmForm(),
        "step_form": forms.StepForm(),
        "can_rate": is_buyer_self and delivered,
        "rate_form": bound if isinstance(bound, forms.RateForm) else forms.RateForm(order=order),
    }
    return render(
        request, "market/order_detail.html", context, status=refused_status(bound, cancel_form)
    )


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_page(request, pk)


def _order_action(
    request: HttpRequest,
    pk: int,
    form: Any,
    run: Callable[[dict[str, Any]], Any],
    done: str | Callable[[Any], str],
    *,
    part_id: int | None = None,
    may: Callable[[], bool] | None = None,
) -> HttpResponse:
    """Run one order step from its form; a refusal comes back on the order page. ``may`` says
    whether the person takes this step at all: asked before the form, so that a reader who is
    no party is refused as such (403), not shown the form's errors."""
    if may is not None and not may():
        raise Forbidden(_("Your role does not allow this step."))
    if form.is_valid():
        try:
            result = run(form.cleaned_data)
        except DomainError as exc:
            if isinstance(exc, Forbidden):
                raise
            forms.refuse(form, exc)
            if exc.field not in [f.name for f in form.visible_fields()]:
                # A step's button has nothing to show the message beside.
                messages.error(request, exc.message)
        else:
            messages.success(request, done(result) if callable(done) else done)
            return redirect("market:order_detail", pk=pk)
    else:
        shown = {f.name for f in form.visible_fields()}
        for name, errors in form.errors.items():
            if name not in shown:  # a step's hidden value: nothing to show it beside
                messages.error(request, " ".join(errors))
    return _order_page(request, pk, bound=form, part_id=part_id)


@login_required
@require_POST
@submit_once
def order_send(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_action(
        request, pk, bind(forms.ConfirmForm, request),
        lambda d: services.order_send(actor=request.user, order_id=pk),
        _("Sent to the groups."),
    )  # fmt: skip


@login_required
@require_POST
@submit_once
def order_reallocate(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_action(
        request, pk, bind(forms.ConfirmForm, request),
        lambda d: services.order_reallocate(actor=request.user, order_id=pk),
        lambda n: _("%(n)s more offered to the groups.") % {"n": rupiah(n)},
    )  # fmt: skip


@login_required
@require_POST
@submit_once
def order_step(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_action(
        request, pk, bind(forms.StepForm, request),
        lambda d: services.order_step(actor=request.user, order_id=pk, to=d["to"]),
        _("Order updated."),
        may=lambda: bool(
            selectors.sides_of(request.user, selectors.order_view(request.user, pk).order)
        ),
    )  # fmt: skip


@login_required
@submit_once
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel, after a page saying what it will do (parts withdrawn, stock given back)."""
    if not selectors.buying_side(request.user, selectors.order_view(request.user, pk).order):
        raise Forbidden(_("Your role does not allow this step."))
    form = bind(forms.CancelForm, request)
    if request.method == "POST" and form.is_valid():
        try:
            services.order_step(
                actor=request.user,
                order_id=pk,
                to=OrderStatus.CANCELLED,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            if isinstance(exc, Forbidden):
                raise
            forms.refuse(form, exc)
        else:
            messages.success(request, _("Order cancelled."))
            return redirect("market:order_detail", pk=pk)
    return _order_page(request, pk, cancel_form=form)


@login_required
@require_POST
def order_rate(request: HttpRequest, pk: int) -> HttpResponse:
    view = selectors.order_view(request.user, pk)
    return _order_action(
        request, pk, bind(forms.RateForm, request, order=view.order),
        lambda d: services.order_rate(
            actor=request.user, order_id=pk, rating=d["rating"], note=d["note"]
        ),
        _("Thank you for rating the delivery."),
        may=lambda: view.order.demand.buyer_id == request.user.pk,
    )  # fmt: skip


@login_required
@require_POST
@submit_once
def part_answer(request: HttpRequest, pk: int, part: int) -> HttpResponse:
    return _order_action(
        request, pk, bind(forms.AnswerForm, request),
        lambda d: services.part_respond(
            actor=request.user, part_id=part, accept=d["answer"] == "accept", reason=d["reason"]
        ),
        _("Answer recorded."),
        part_id=part,
        may=lambda: "group" in selectors.part_sides(request.user, pk, part),
    )  # fmt: skip


@login_required
@require_POST
def part_adjust(request: HttpRequest, pk: int, part: int) -> HttpResponse:
    return _order_action(
        request, pk, bind(forms.AdjustForm, request),
        lambda d: services.part_adjust(actor=request.user, part_id=part, quantity=d["quantity"]),
        _("Part changed."),
        part_id=part,
        may=lambda: "buyer" in selectors.part_sides(request.user, pk, part),
    )  # fmt: skip


@login_required
@require_POST
@submit_once
def part_step(request: HttpRequest, pk: int, part: int) -> HttpResponse:
    return _order_action(
        request, pk, bind(forms.StepForm, request),
        lambda d: services.part_step(actor=request.user, part_id=part, to=d["to"]),
        _("Order updated."),
        part_id=part,
        may=lambda: bool(selectors.part_sides(request.user, pk, part)),
    )  # fmt: skip


# Sales


@login_required
@permission_required("market.view_sale", raise_exception=True)
@submit_once
def sale_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = None
    if user.has_perm("market.add_sale"):
        groups = selectors.groups_for(user, "market.add_sale", active=False)
        form = bind(forms.SaleForm, request, actor=user, groups=groups)
    elif request.method == "POST":
        raise Forbidden(_("Your role does not allow this step."))
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            services.sale_record(
                actor=user,
                kube_id=data["kube"],
                description=data["description"],
                quantity=data["quantity"],
                price=data["price"],
                buyer_type=data["buyer_type"],
                day=data["day"],
                product_id=data["product"],
            )
        except DomainError as exc:
            forms.refuse(form, exc)
        else:
            messages.success(request, _("Sale recorded."))
            return redirect("market:sale_list")
    qs = selectors.sales_for(user).only(
        "day", "description", "quantity", "price", "buyer_type", "kube__name"
    )
    page = CappedPaginator(qs, settings.SINERGI_PAGE_SIZE).get_page(page_number(request))
    return render(
        request,
        "market/sale_list.html",
        {"page": page, "form": form, "today": timezone.localdate()},
        status=refused_status(form),
    )
