"""Market linkage: the groups' products, buyers' demands, orders split over groups, sales.

Nothing here holds personal data: products belong to groups, demands and orders to buyers'
accounts, and the public catalogue shows group names and regencies only.
"""

from __future__ import annotations

from typing import TypeVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sinergi.core.models import LocalizedName, TimeStampedModel
from sinergi.core.scoping import ScopedQuerySet
from sinergi.kube.models import GroupRecordQuerySet

M = TypeVar("M", bound=models.Model)


class Category(LocalizedName, models.Model):
    """The product code list (configurable in the admin)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    unit = models.CharField(_("usual unit"), max_length=20, default="pcs")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label


class ProductQuerySet(GroupRecordQuerySet["Product"]):
    pass


class Product(TimeStampedModel):
    kube = models.ForeignKey(
        "kube.Kube", verbose_name=_("KUBE"), on_delete=models.PROTECT, related_name="products"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="products"
    )
    name = models.CharField(_("name"), max_length=150)
    unit = models.CharField(_("unit"), max_length=20)
    price = models.PositiveIntegerField(_("price per unit (Rp)"))
    available = models.PositiveIntegerField(_("ready to sell"), default=0)
    monthly_capacity = models.PositiveIntegerField(_("monthly capacity"), default=0)
    min_order = models.PositiveIntegerField(_("minimum order"), default=1)
    description = models.TextField(_("description"), blank=True)
    photo = models.FileField(_("photo"), upload_to="products/", blank=True)
    active = models.BooleanField(_("listed"), default=True)
    history = HistoricalRecords()
    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["category", "price", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kube", "category", "name"], name="product_once"),
        ]
        indexes = [
            # The catalogue's orders over the listed products only: cheapest first (the API),
            # and each category's cheapest first (the page, core.pagination.GroupedFirst) —
            # a page reads a range of these instead of sorting every listed product.
            models.Index(
                fields=["price", "id"],
                condition=models.Q(active=True, available__gt=0),
                name="product_listed_by_price",
            ),
            models.Index(
                fields=["category", "price", "id"],
                condition=models.Q(active=True, available__gt=0),
                name="product_listed_in_category",
            ),
            # The products list (API) by name: a range instead of a sort of every product.
            models.Index(fields=["name", "id"], name="product_by_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ProductRecordQuerySet(ScopedQuerySet[M]):
    """A product's weeks and permits: in its group's scope, seen by who may see the product."""

    scope_field = "product__kube__area_code"
    scope_by_range = True  # the group's code, collated "C" (kube 0005)
    kube_field = "product__kube"
    mentor_field = "product__kube__mentor_assignments__mentor"
    mentor_conditions = {"product__kube__mentor_assignments__status": "accepted"}
    permission_model = "market.product"


class ProductWeekQuerySet(ProductRecordQuerySet["ProductWeek"]):
    pass


class ProductWeek(models.Model):
    """How much a group expects to have ready in a coming week (weeks start on Monday)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="weeks")
    week_start = models.DateField(_("week of"))
    quantity = models.PositiveIntegerField(_("quantity"))
    objects = ProductWeekQuerySet.as_manager()

    class Meta:
        verbose_name = _("weekly availability")
        verbose_name_plural = _("weekly availability")
        ordering = ["week_start"]
        constraints = [
            models.UniqueConstraint(fields=["product", "week_start"], name="one_row_per_week")
        ]

    def __str__(self) -> str:
        return f"{self.week_start:%Y-%m-%d}: {self.quantity}"


class PermitKind(models.TextChoices):
    PIRT = "pirt", _("P-IRT (home industry food)")
    HALAL = "halal", _("Halal certificate")
    BPOM = "bpom", _("BPOM registration")


class PermitQuerySet(ProductRecordQuerySet["Permit"]):
    pass


class Permit(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="permits")
    kind = models.CharField(_("permit"), max_length=8, choices=PermitKind.choices)
    number = models.CharField(_("number"), max_length=60)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    objects = PermitQuerySet.as_manager()

    class Meta:
        verbose_name = _("permit")
        verbose_name_plural = _("permits")
        constraints = [
            models.UniqueConstraint(fields=["product", "kind"], name="one_permit_of_a_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def expired(self) -> bool:
        """Past its date: never shown or counted as a valid permit."""
        return self.expires_on is not None and self.expires_on < timezone.localdate()


class DemandStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ORDERED = "ordered", _("Ordered")
    CANCELLED = "cancelled", _("Cancelled")


class DemandQuerySet(ScopedQuerySet["Demand"]):
    scope_field = "regency_code"


class Demand(TimeStampedModel):
    """What a buyer wants: a category, a quantity, where, by when, at most at what price."""

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="demands"
    )
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit = models.CharField(_("unit"), max_length=20)
    regency = models.ForeignKey(
        "wilayah.Region", verbose_name=_("delivery regency"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    regency_code = models.CharField(max_length=13, db_index=True, editable=False)
    latest_date = models.DateField(_("needed by"))
    max_price = models.PositiveIntegerField(_("maximum price per unit (Rp)"))
    min_lot = models.PositiveIntegerField(_("minimum lot per group"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DemandStatus.choices, default=DemandStatus.OPEN
    )
    objects = DemandQuerySet.as_manager()

    class Meta:
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        ordering = ["-created_at"]
        permissions = [("allocate_demand", _("Can split a demand over groups and send it"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_lot__lte=models.F("quantity")), name="lot_le_qty"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} × {self.quantity}"


class OrderStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    IN_PRODUCTION = "in_production", _("In production")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class OrderQuerySet(ScopedQuerySet["Order"]):
    scope_field = "demand__regency_code"


class Order(TimeStampedModel):
    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="orders")
    strategy = models.CharField(_("strategy"), max_length=10)
    status = models.CharField(
        _("status"), max_length=14, choices=OrderStatus.choices, default=OrderStatus.PROPOSED
    )
    sent_at = models.DateTimeField(_("sent to the groups"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    rating = models.PositiveSmallIntegerField(_("delivery rating"), null=True, blank=True)
    rating_note = models.CharField(_("rating note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()
    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk}"


class PartStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for the group")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # Each group moves its own accepted part through production and shipping; the buyer
    # receives and pays it. The order's status follows its parts (``services.derive_status``).
    IN_PRODUCTION = "in_production", _("In production")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


# A part that supplies the order, from the group's yes to the payment, in the order of the steps.
SUPPLYING = (
    PartStatus.ACCEPTED,
    PartStatus.IN_PRODUCTION,
    PartStatus.SHIPPED,
    PartStatus.DELIVERED,
    PartStatus.PAID,
)


class OrderPartQuerySet(GroupRecordQuerySet["OrderPart"]):
    pass


class OrderPart(TimeStampedModel):
    """One group's share of an order, which the group accepts or declines."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="parts")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_parts")
    kube = models.ForeignKey("kube.Kube", on_delete=models.PROTECT, related_name="order_parts")
    quantity = models.PositiveIntegerField(_("quantity"))
    price = models.PositiveIntegerField(_("price per unit (Rp)"))
    transport = models.PositiveIntegerField(_("transport per unit (Rp)"))
    status = models.CharField(
        _("status"), max_length=14, choices=PartStatus.choices, default=PartStatus.PROPOSED
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    history = HistoricalRecords()
    objects = OrderPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("order part")
        verbose_name_plural = _("order parts")
        ordering = ["order", "id"]
        permissions = [("respond_orderpart", _("Can accept or decline a group's part"))]
        indexes = [
            # The task inbox asks first whether any row waits in this state (a rare one).
            models.Index(fields=["status"], name="orderpart_status"),
        ]

    def __str__(self) -> str:
        return f"{self.kube} × {self.quantity}"


# Who takes each step and from where. The buying side (the buyer, or a coordinator of the
# delivery regency) confirms or cancels the whole order; each group makes and ships its own
# part, and the buying side receives and pays each part.
ORDER_STEPS: dict[str, tuple[frozenset[str], str]] = {
    OrderStatus.CONFIRMED: (frozenset({OrderStatus.PROPOSED}), "buyer"),
    OrderStatus.CANCELLED: (
        frozenset({OrderStatus.PROPOSED, OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION}),
        "buyer",
    ),
}
PART_STEPS: dict[str, tuple[str, str]] = {
    PartStatus.IN_PRODUCTION: (PartStatus.ACCEPTED, "group"),
    PartStatus.SHIPPED: (PartStatus.IN_PRODUCTION, "group"),
    PartStatus.DELIVERED: (PartStatus.SHIPPED, "buyer"),
    PartStatus.PAID: (PartStatus.DELIVERED, "buyer"),
}


class BuyerType(models.TextChoices):
    PLATFORM = "platform", _("Sinergi order")
    MARKET_STALL = "market_stall", _("Market stall")
    LOCAL_SHOP = "local_shop", _("Local shop")
    CONSUMER = "consumer", _("Direct to consumers")
    OTHER = "other", _("Other")


# What a sale is worth, for sums in the database (``Sale.amount`` is the same for one row).
SALE_AMOUNT = F("quantity") * F("price")


class SaleQuerySet(GroupRecordQuerySet["Sale"]):
    def total(self) -> int:
        """Rupiah of these sales (0 when there are none)."""
        return int(self.aggregate(s=Sum(SALE_AMOUNT))["s"] or 0)


class Sale(TimeStampedModel):
    """Every sale of a group, through Sinergi or outside it; the monitoring's turnover."""

    kube = models.ForeignKey("kube.Kube", on_delete=models.PROTECT, related_name="sales")
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="sales"
    )
    part = models.OneToOneField(
        OrderPart, null=True, blank=True, on_delete=models.PROTECT, related_name="sale"
    )
    description = models.CharField(_("what"), max_length=150)
    quantity = models.PositiveIntegerField(_("quantity"))
    price = models.PositiveIntegerField(_("price per unit (Rp)"))
    buyer_type = models.CharField(_("sold to"), max_length=14, choices=BuyerType.choices)
    day = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()
    objects = SaleQuerySet.as_manager()

    class Meta:
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        ordering = ["-day", "-id"]
        # The sales list reads its page in this order: a million sales are not sorted for it.
        indexes = [models.Index(fields=["-day", "-id"], name="sale_day_id")]

    def __str__(self) -> str:
        return f"{self.description} {self.quantity}"

    @property
    def amount(self) -> int:
        return self.quantity * self.price
