"""Market through the API: catalogue, products and their permits and photos, demands,
splitting, answers, each group's part steps, order steps, orders and sales.

Reads go through ``market.selectors`` (an order shows only the parts the caller may see),
writes through ``market.services``; a role refusal is 403, another party's row 404. Every list
is paged, filtered, sorted (``ordering``) and can ask for what changed since a moment
(``changed_since``), the one way of core.api_lists.
"""

from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, FilterLookup, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from sinergi.core.api_lists import ListFilter
from sinergi.core.api_perms import require_perm
from sinergi.core.api_schemas import Id, Pages, column_int, column_rupiah
from sinergi.core.errors import InvalidInput
from sinergi.market import selectors, services
from sinergi.market.models import Demand, Order, OrderPart, Permit, Product, Sale

router = Router(tags=["market"])


# Products


class PermitOut(Schema):
    kind: str
    number: str
    expires_on: date | None
    valid: bool = Field(description="False once the permit is past its date.")

    @staticmethod
    def resolve_valid(obj: Permit) -> bool:
        return not obj.expired


class ProductOut(Schema):
    id: int
    kube_id: Id
    kube_name: str = Field(alias="kube.name")
    regency_code: str
    category: str = Field(alias="category.code")
    category_label: str = Field(alias="category.label")  # in the reader's language
    name: str
    unit: str
    price: int
    available: int
    monthly_capacity: int
    min_order: int
    active: bool
    has_photo: bool
    permits: list[PermitOut]
    updated_at: datetime

    @staticmethod
    def resolve_regency_code(obj: Product) -> str:
        return obj.kube.area_code[:5]

    @staticmethod
    def resolve_has_photo(obj: Product) -> bool:
        return bool(obj.photo)

    @staticmethod
    def resolve_permits(obj: Product) -> list[Permit]:
        # A list's rows carry their permits read for the page (selectors.with_permit_list).
        if hasattr(obj, "permit_list"):
            return list(obj.permit_list)
        return list(obj.permits.all())


class PublicProductOut(ProductOut):
    regency_name: str

    @staticmethod
    def resolve_regency_name(obj: Product) -> str:
        regency = selectors.regency_of(obj)
        return regency.name if regency is not None else ""


PRODUCT_ORDERING: dict[str, str | tuple[str, ...]] = {
    "id": "id",
    "price": "price",
    "name": "name",
    "updated": "updated_at",
}


class CatalogueFilter(ListFilter):
    ordering_fields: ClassVar = PRODUCT_ORDERING
    default_ordering: ClassVar = "price"
    selector_fields: ClassVar = frozenset({"category", "max_price", "region", "permit"})
    category: str = Field("", max_length=30)
    max_price: column_rupiah(Product, "price", ge=1) | None = None  # type: ignore[valid-type]
    region: str = Field(
        "", max_length=100, description="A region's name (e.g. Bandung) or code (e.g. 32.73)."
    )
    permit: str = Field("", max_length=8, description="pirt, halal or bpom: valid ones only.")


@router.get("/catalogue", response=list[PublicProductOut], auth=None, summary="Public catalogue")
@paginate(Pages, page_size=50)
def catalogue(request: HttpRequest, filters: Query[CatalogueFilter]) -> Any:
    areas = selectors.region_search(filters.region)
    if filters.region and not areas:
        raise InvalidInput(
            _("No region is called “%(name)s”.") % {"name": filters.region[:100]}, field="region"
        )
    qs = selectors.catalogue(
        category=filters.category, areas=areas, max_price=filters.max_price, permit=filters.permit
    )
    return filters.apply(qs)


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


class ProductFilter(ListFilter):
    ordering_fields: ClassVar = PRODUCT_ORDERING
    default_ordering: ClassVar = "name"
    kube_id: Id | None = None
    category: Annotated[str | None, FilterLookup("category__code"), Field(None, max_length=30)]


@router.get("/products", response=list[ProductOut], summary="Products of your groups")
@paginate(Pages, page_size=50)
def product_list(request: HttpRequest, filters: Query[ProductFilter]) -> Any:
    require_perm(request, "market.view_product")
    return filters.apply(selectors.products_for(request.user))


@router.post("/products", response={201: ProductOut})
def product_create(request: HttpRequest, payload: ProductIn) -> Any:
    product = services.product_save(actor=request.user, data=services.ProductData(**payload.dict()))
    return Status(201, selectors.product_get(request.user, product.pk))


@router.get("/products/{product_id}", response=ProductOut)
def product_detail(request: HttpRequest, product_id: Id) -> Any:
    return selectors.product_get(request.user, product_id)


@router.put("/products/{product_id}", response=ProductOut)
def product_update(request: HttpRequest, product_id: Id, payload: ProductIn) -> Any:
    services.product_save(
        actor=request.user, data=services.ProductData(**payload.dict()), product_id=product_id
    )
    return selectors.product_get(request.user, product_id)


class PermitIn(Schema):
    kind: str = Field(..., max_length=8, description="pirt, halal or bpom")
    number: str = Field(..., max_length=60)
    expires_on: date | None = None


@router.post(
    "/products/{product_id}/permits",
    response=ProductOut,
    summary="Record a product's permit (one of each kind; a newer one replaces it)",
)
def permit_save(request: HttpRequest, product_id: Id, payload: PermitIn) -> Any:
    services.permit_save(actor=request.user, product_id=product_id, **payload.dict())
    return selectors.product_get(request.user, product_id)


@router.post(
    "/products/{product_id}/photo",
    response=ProductOut,
    summary="Upload a product's photo (multipart, JPEG or PNG, at most 5 MB)",
)
def photo_upload(request: HttpRequest, product_id: Id, photo: File[UploadedFile]) -> Any:
    services.product_photo(actor=request.user, product_id=product_id, photo=photo)
    return selectors.product_get(request.user, product_id)


# Demands


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
    category: str = Field(alias="category.code")
    category_label: str = Field(alias="category.label")  # in the reader's language
    quantity: int
    unit: str
    regency_code: str
    regency_name: str = Field(alias="regency.name")
    latest_date: date
    max_price: int
    min_lot: int
    status: str
    updated_at: datetime


class DemandFilter(ListFilter):
    ordering_fields: ClassVar = {"id": "id", "latest_date": "latest_date", "updated": "updated_at"}
    default_ordering: ClassVar = "-id"
    status: str | None = Field(None, max_length=10, description="open, ordered or cancelled")


@router.get("/demands", response=list[DemandOut])
@paginate(Pages, page_size=50)
def demand_list(request: HttpRequest, filters: Query[DemandFilter]) -> Any:
    require_perm(request, "market.view_demand")
    return filters.apply(selectors.demands_for(request.user))


@router.post("/demands", response={201: DemandOut})
def demand_create(request: HttpRequest, payload: DemandIn) -> Any:
    demand = services.demand_create(actor=request.user, data=services.DemandData(**payload.dict()))
    return Status(201, demand)


# Orders


class PartOut(Schema):
    id: int
    kube_id: Id
    kube_name: str = Field(alias="kube.name")
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
    whole: bool = Field(description="True: every part; False: only your groups' parts.")
    parts: list[PartOut]
    updated_at: datetime


def _order_out(order: Order, parts: list[OrderPart], whole: bool) -> dict[str, Any]:
    return {
        "id": order.pk,
        "demand_id": order.demand_id,
        "strategy": order.strategy,
        "status": order.status,
        "sent": order.sent_at is not None,
        "rating": order.rating,
        "whole": whole,
        "parts": parts,
        "updated_at": order.updated_at,
    }


def _order(request: HttpRequest, order_id: int) -> dict[str, Any]:
    """The order as the caller may see it: other groups' parts left out (selectors)."""
    view = selectors.order_view(request.user, order_id)
    return _order_out(view.order, list(view.parts), view.whole)


class OrderPages(Pages):
    """Pages of orders, each with the parts the caller may see (three queries a page)."""

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        out = super().paginate_queryset(queryset, pagination, request=request, **params)
        orders = list(out["items"])
        parts, whole = selectors.visible_parts(request.user, orders)
        out["items"] = [_order_out(o, parts[o.pk], o.pk in whole) for o in orders]
        return out


class OrderFilter(ListFilter):
    ordering_fields: ClassVar = {"id": "id", "created": "created_at", "updated": "updated_at"}
    default_ordering: ClassVar = "-id"
    status: str | None = Field(None, max_length=14, description="An order status, e.g. confirmed")
    demand_id: Id | None = None


@router.get(
    "/orders",
    response=list[OrderOut],
    summary="Orders you take part in",
    description="A buyer sees its orders whole; a group's officer or mentor the orders its "
    "groups have a part in, with only those parts; offices and coordinators the orders of "
    "their area (whole above a regency or as a coordinator).",
)
@paginate(OrderPages, page_size=50)
def order_list(request: HttpRequest, filters: Query[OrderFilter]) -> Any:
    require_perm(request, "market.view_order")
    return filters.apply(selectors.order_list(request.user))


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


class PartStepIn(Schema):
    to: str = Field(
        ...,
        max_length=14,
        description="in_production, shipped (the part's group), delivered or paid (the buyer)",
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


@router.post("/orders/{order_id}/reallocate", response=OrderOut)
def order_reallocate(request: HttpRequest, order_id: Id) -> Any:
    services.order_reallocate(actor=request.user, order_id=order_id)
    return _order(request, order_id)


class StepIn(Schema):
    to: str = Field(
        ...,
        max_length=14,
        description="confirmed or cancelled (the buying side); in_production or shipped move "
        "the caller's own groups' parts; delivered or paid every part ready for it",
    )
    reason: str = Field("", max_length=300)


@router.post("/orders/{order_id}/step", response=OrderOut, summary="Move an order one step")
def order_step(request: HttpRequest, order_id: Id, payload: StepIn) -> Any:
    services.order_step(actor=request.user, order_id=order_id, to=payload.to, reason=payload.reason)
    return _order(request, order_id)


class RatingIn(Schema):
    rating: column_int(Order, "rating")  # type: ignore[valid-type]
    note: str = Field("", max_length=300)


@router.post("/orders/{order_id}/rating", response=OrderOut)
def order_rating(request: HttpRequest, order_id: Id, payload: RatingIn) -> Any:
    services.order_rate(
        actor=request.user, order_id=order_id, rating=payload.rating, note=payload.note
    )
    return _order(request, order_id)


# Sales


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
    updated_at: datetime


class SaleFilter(ListFilter):
    ordering_fields: ClassVar = {
        "day": "day",
        "id": "id",
        "price": "price",
        "updated": "updated_at",
    }
    default_ordering: ClassVar = "-day"
    kube_id: Id | None = None
    day_from: Annotated[date | None, FilterLookup("day__gte")] = None
    day_to: Annotated[date | None, FilterLookup("day__lte")] = None


@router.get("/sales", response=list[SaleOut])
@paginate(Pages, page_size=50)
def sale_list(request: HttpRequest, filters: Query[SaleFilter]) -> Any:
    require_perm(request, "market.view_sale")
    return filters.apply(selectors.sales_for(request.user))


@router.post("/sales", response={201: SaleOut}, summary="Record a sale outside Sinergi")
def sale_create(request: HttpRequest, payload: SaleIn) -> Any:
    return Status(201, services.sale_record(actor=request.user, **payload.dict()))
