"""Market through the API: catalogue, products, demands, splitting, answers, order steps, sales."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from sinergi.core.api_perms import require_perm
from sinergi.core.api_schemas import Id, Pages, column_int, column_rupiah
from sinergi.core.scoping import access
from sinergi.market import selectors, services
from sinergi.market.models import Demand, Order, OrderPart, Product, Sale
from sinergi.market.views import public_products

router = Router(tags=["market"])


class ProductOut(Schema):
    id: int
    kube_id: Id
    kube_name: str
    regency_code: str
    category: str
    name: str
    unit: str
    price: int
    available: int
    monthly_capacity: int
    min_order: int
    permits: list[dict[str, Any]]


def _product(p: Product) -> dict[str, Any]:
    return {
        "id": p.pk,
        "kube_id": p.kube_id,
        "kube_name": p.kube.name,
        "regency_code": p.kube.area_code[:5],
        "category": p.category.code,
        "name": p.name,
        "unit": p.unit,
        "price": p.price,
        "available": p.available,
        "monthly_capacity": p.monthly_capacity,
        "min_order": p.min_order,
        "permits": [
            {"kind": x.kind, "number": x.number, "expires_on": x.expires_on}
            for x in p.permits.all()
        ],
    }


class CatalogueFilter(Schema):
    category: str = Field("", max_length=30)
    max_price: column_rupiah(Product, "price", ge=1) | None = None  # type: ignore[valid-type]


@router.get("/catalogue", response=list[ProductOut], auth=None, summary="Public catalogue")
@paginate(Pages, page_size=50)
def catalogue(request: HttpRequest, filters: Query[CatalogueFilter]) -> Any:
    qs = public_products()
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.max_price:
        qs = qs.filter(price__lte=filters.max_price)
    return [_product(p) for p in qs.order_by("category__name", "price", "id")]


class ProductIn(Schema):
    kube_id: Id
    category: str = Field(..., max_length=30)
    name: str = Field(..., max_length=150)
    unit: str = Field(..., max_length=20)
    price: column_rupiah(Product, "price", description="Integer rupiah per unit")  # type: ignore[valid-type]
    available: column_int(Product, "available")  # type: ignore[valid-type]
    monthly_capacity: column_int(Product, "monthly_capacity") = 0  # type: ignore[valid-type]
    min_order: column_int(Product, "min_order") = 1  # type: ignore[valid-type]
    description: str = Field("", max_length=2000)
    active: bool = True


@router.get("/products", response=list[ProductOut], summary="Products of your groups")
def product_list(request: HttpRequest) -> Any:
    require_perm(request, "market.view_product")
    qs = Product.objects.for_user(request.user).select_related("kube", "category")
    return [_product(p) for p in qs.prefetch_related("permits")]


@router.post("/products", response={201: ProductOut})
def product_create(request: HttpRequest, payload: ProductIn) -> Any:
    product = services.product_save(actor=request.user, data=services.ProductData(**payload.dict()))
    return Status(201, _product(product))


@router.put("/products/{product_id}", response=ProductOut)
def product_update(request: HttpRequest, product_id: Id, payload: ProductIn) -> Any:
    product = services.product_save(
        actor=request.user, data=services.ProductData(**payload.dict()), product_id=product_id
    )
    return _product(product)


class DemandIn(Schema):
    category: str = Field(..., max_length=30)
    quantity: column_int(Demand, "quantity")  # type: ignore[valid-type]
    unit: str = Field("", max_length=20)
    regency: str = Field(..., max_length=13, description="Delivery regency code, e.g. 32.73")
    latest_date: date
    max_price: column_rupiah(Demand, "max_price", description="Integer rupiah per unit")  # type: ignore[valid-type]
    min_lot: column_int(Demand, "min_lot")  # type: ignore[valid-type]
    note: str = Field("", max_length=300)


class DemandOut(Schema):
    id: int
    category: str
    quantity: int
    unit: str
    regency_code: str
    latest_date: date
    max_price: int
    min_lot: int
    status: str


def _demand(d: Any) -> dict[str, Any]:
    return {
        "id": d.pk,
        "category": d.category.code,
        "quantity": d.quantity,
        "unit": d.unit,
        "regency_code": d.regency_code,
        "latest_date": d.latest_date,
        "max_price": d.max_price,
        "min_lot": d.min_lot,
        "status": d.status,
    }


@router.get("/demands", response=list[DemandOut])
@paginate(Pages, page_size=50)
def demand_list(request: HttpRequest) -> Any:
    require_perm(request, "market.view_demand")
    return [_demand(d) for d in selectors.demands_for(request.user)]


@router.post("/demands", response={201: DemandOut})
def demand_create(request: HttpRequest, payload: DemandIn) -> Any:
    demand = services.demand_create(actor=request.user, data=services.DemandData(**payload.dict()))
    return Status(201, _demand(demand))


class PartOut(Schema):
    id: int
    kube_id: Id
    kube_name: str
    product_id: Id
    quantity: int
    price: int
    transport: int
    status: str
    decline_reason: str


class OrderOut(Schema):
    id: int
    demand_id: Id
    strategy: str
    status: str
    sent: bool
    rating: int | None
    parts: list[PartOut]


def _order(request: HttpRequest, order_id: int) -> dict[str, Any]:
    """The order as the caller may see it: other groups' parts left out (selectors)."""
    view = selectors.order_view(request.user, order_id)
    o = view.order
    return {
        "id": o.pk,
        "demand_id": o.demand_id,
        "strategy": o.strategy,
        "status": o.status,
        "sent": o.sent_at is not None,
        "rating": o.rating,
        "parts": [
            {
                "id": p.pk,
                "kube_id": p.kube_id,
                "kube_name": p.kube.name,
                "product_id": p.product_id,
                "quantity": p.quantity,
                "price": p.price,
                "transport": p.transport,
                "status": p.status,
                "decline_reason": p.decline_reason,
            }
            for p in view.parts
        ],
    }


class SplitIn(Schema):
    strategy: str = Field("cheapest", pattern="^(cheapest|fair)$")


@router.post("/demands/{demand_id}/orders", response={201: OrderOut}, summary="Split over groups")
def demand_split(request: HttpRequest, demand_id: Id, payload: SplitIn) -> Any:
    order = services.demand_allocate(
        actor=request.user, demand_id=demand_id, strategy=payload.strategy
    )
    return Status(201, _order(request, order.pk))


@router.post("/orders/{order_id}/send", response=OrderOut, summary="Send the split to the groups")
def order_send(request: HttpRequest, order_id: Id) -> Any:
    services.order_send(actor=request.user, order_id=order_id)
    return _order(request, order_id)


@router.get("/orders/{order_id}", response=OrderOut)
def order_detail(request: HttpRequest, order_id: Id) -> Any:
    return _order(request, order_id)


class AnswerIn(Schema):
    accept: bool
    reason: str = Field("", max_length=300)


@router.post("/parts/{part_id}/answer", response=OrderOut, summary="A group accepts or declines")
def part_answer(request: HttpRequest, part_id: Id, payload: AnswerIn) -> Any:
    part = services.part_respond(
        actor=request.user, part_id=part_id, accept=payload.accept, reason=payload.reason
    )
    return _order(request, part.order_id)


class AdjustIn(Schema):
    quantity: column_int(OrderPart, "quantity", description="0 withdraws the part")  # type: ignore[valid-type]


@router.patch("/parts/{part_id}", response=OrderOut, summary="Change a part before the answer")
def part_adjust(request: HttpRequest, part_id: Id, payload: AdjustIn) -> Any:
    part = services.part_adjust(actor=request.user, part_id=part_id, quantity=payload.quantity)
    return _order(request, part.order_id)


@router.post("/orders/{order_id}/reallocate", response=OrderOut)
def order_reallocate(request: HttpRequest, order_id: Id) -> Any:
    services.order_reallocate(actor=request.user, order_id=order_id)
    return _order(request, order_id)


class StepIn(Schema):
    to: str = Field(
        ..., description="confirmed, in_production, shipped, delivered, paid or cancelled"
    )
    reason: str = Field("", max_length=300)


@router.post("/orders/{order_id}/step", response=OrderOut, summary="Move an order one step")
def order_step(request: HttpRequest, order_id: Id, payload: StepIn) -> Any:
    services.order_step(actor=request.user, order_id=order_id, to=payload.to, reason=payload.reason)
    return _order(request, order_id)


class PartStepIn(Schema):
    to: str = Field(
        ..., description="in_production, shipped (the part's group), delivered or paid (the buyer)"
    )


@router.post(
    "/parts/{part_id}/step",
    response=OrderOut,
    summary="Move one group's part one step",
    description="A group moves only its own part; another group's part is 404, a party that "
    "sees the part but does not take this step gets 403.",
)
def part_step(request: HttpRequest, part_id: Id, payload: PartStepIn) -> Any:
    part = services.part_step(actor=request.user, part_id=part_id, to=payload.to)
    return _order(request, part.order_id)


class RatingIn(Schema):
    rating: column_int(Order, "rating")  # type: ignore[valid-type]
    note: str = Field("", max_length=300)


@router.post("/orders/{order_id}/rating", response=OrderOut)
def order_rating(request: HttpRequest, order_id: Id, payload: RatingIn) -> Any:
    services.order_rate(
        actor=request.user, order_id=order_id, rating=payload.rating, note=payload.note
    )
    return _order(request, order_id)


class SaleIn(Schema):
    kube_id: Id
    description: str = Field(..., max_length=150)
    quantity: column_int(Sale, "quantity")  # type: ignore[valid-type]
    price: column_rupiah(Sale, "price")  # type: ignore[valid-type]
    buyer_type: str = Field(..., description="market_stall, local_shop, consumer or other")
    day: date
    product_id: Id | None = None


class SaleOut(Schema):
    id: int
    kube_id: Id
    description: str
    quantity: int
    price: int
    buyer_type: str
    day: date


@router.get("/sales", response=list[SaleOut])
@paginate(Pages, page_size=50)
def sale_list(request: HttpRequest) -> Any:
    require_perm(request, "market.view_sale")
    return Sale.objects.for_user(request.user)


@router.post("/sales", response={201: SaleOut}, summary="Record a sale outside Sinergi")
def sale_create(request: HttpRequest, payload: SaleIn) -> Any:
    return Status(201, services.sale_record(actor=request.user, **payload.dict()))


@router.get("/products/{product_id}", response=ProductOut)
def product_detail(request: HttpRequest, product_id: Id) -> Any:
    return _product(access(Product.objects.select_related("kube", "category"),
                           actor=request.user, pk=product_id))  # fmt: skip
