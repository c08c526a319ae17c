"""The forms of every market page: what a person types, checked before any service runs.

Quantities and rupiah are typed as people type them (``1.500``, ``12.000``) and shown back the
same way; a refused form keeps everything typed (a browser never sends a photo back). Forms
that create something carry a one-time token (core.forms.SubmitOnce): a double click posts
one demand, one order, one sale. Forms that change a record carry its version
(core.forms.StaleCheck): a product someone else changed meanwhile is not written over.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.core.errors import DomainError, Forbidden
from sinergi.core.forms import StaleCheckMixin, SubmitOnceMixin
from sinergi.core.numbers import GroupedInput, RupiahField
from sinergi.core.widgets import DateInput, PickerField, PickerFormMixin
from sinergi.market import selectors
from sinergi.market.models import (
    BuyerType,
    Demand,
    Order,
    OrderPart,
    PermitKind,
    Product,
    ProductWeek,
    Sale,
)


def refuse(form: forms.Form, exc: DomainError) -> None:
    """A service's refusal shown next to the field it names (else above the form); a role
    refusal is not a form error but the 403 page."""
    if isinstance(exc, Forbidden):
        raise exc
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


class CountField(RupiahField):
    """A count of units, read like rupiah (``1.500`` is fifteen hundred)."""

    default_error_messages = {"invalid": _("Enter a whole number, e.g. 1.500.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", GroupedInput)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        # The rupiah reader's sentences speak of rupiah; a quantity of sacks is not money.
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class MoneyField(RupiahField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", GroupedInput)
        super().__init__(**kwargs)


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def _categories() -> list[tuple[str, str]]:
    return [(c.code, c.label) for c in selectors.categories()]


# Products


class ProductForm(SubmitOnceMixin, StaleCheckMixin, forms.Form):
    kube = forms.TypedChoiceField(label=_("Group"), coerce=int)
    category = forms.ChoiceField(label=_("Category"))
    name = forms.CharField(label=_("Name"), max_length=150)
    unit = forms.CharField(
        label=_("Unit"), max_length=20, help_text=_("What one unit is: kg, pcs, box…")
    )
    price = MoneyField(model=Product, name="price", label=_("Price per unit (Rp)"), min_value=1)
    available = CountField(
        model=Product, name="available", label=_("Ready to sell"), initial=0, required=False
    )
    monthly_capacity = CountField(
        model=Product,
        name="monthly_capacity",
        label=_("Monthly capacity"),
        initial=0,
        required=False,
    )
    min_order = CountField(
        model=Product, name="min_order", label=_("Minimum order"), min_value=1, initial=1
    )
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea({"rows": 2})
    )
    active = forms.BooleanField(
        label=_("Listed in the public catalogue"), required=False, initial=True
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("JPEG or PNG, at most 5 MB."),
        widget=forms.ClearableFileInput({"accept": "image/jpeg,image/png"}),
    )
    stale_fields = {
        "name": "name",
        "unit": "unit",
        "price": "price",
        "available": "available",
        "monthly_capacity": "monthly_capacity",
        "min_order": "min_order",
        "active": "active",
    }

    def __init__(self, *args: Any, groups: Any, product: Product | None = None, **kw: Any) -> None:
        if product is not None:
            kw.setdefault(
                "initial",
                {
                    "kube": product.kube_id,
                    "category": product.category.code,
                    **{f: getattr(product, f) for f in self.stale_fields},
                    "description": product.description,
                },
            )
        super().__init__(*args, record=product, **kw)
        _choices(self, "kube").choices = [(g.pk, g.name) for g in groups]
        _choices(self, "category").choices = _categories()


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG or PNG, at most 5 MB."),
        widget=forms.ClearableFileInput(
            {"accept": "image/jpeg,image/png", "capture": "environment"}
        ),
    )


class PermitForm(SubmitOnceMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Permit"), choices=PermitKind.choices)
    number = forms.CharField(label=_("Number"), max_length=60)
    expires_on = forms.DateField(label=_("Valid until"), required=False, widget=DateInput)


class WeeksForm(forms.Form):
    """What will be ready in each of the coming weeks (empty: not said)."""

    def __init__(self, *args: Any, weeks: list[tuple[date, int | None]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.weeks = [w for w, _q in weeks]
        for week, quantity in weeks:
            self.fields[f"week_{week:%Y-%m-%d}"] = CountField(
                model=ProductWeek,
                name="quantity",
                label=_("week of %(day)s") % {"day": f"{week:%d-%m}"},
                required=False,
                initial=quantity,
            )

    def quantities(self) -> dict[date, int]:
        return {w: self.cleaned_data.get(f"week_{w:%Y-%m-%d}") or 0 for w in self.weeks}


# Demands and orders


class DemandForm(SubmitOnceMixin, PickerFormMixin, forms.Form):
    category = forms.ChoiceField(label=_("Category"))
    regency = PickerField(
        "region",
        params={"level": "2", "anywhere": "1"},
        label=_("Delivery regency"),
        help_text=_("Type the regency's name (or its code) and choose it."),
    )
    quantity = CountField(model=Demand, name="quantity", label=_("Quantity"), min_value=1)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    max_price = MoneyField(
        model=Demand, name="max_price", label=_("Maximum price per unit (Rp)"), min_value=1
    )
    min_lot = CountField(
        model=Demand,
        name="min_lot",
        label=_("Minimum lot per group"),
        min_value=1,
        help_text=_("The least one group must supply, so a delivery is worth the trip."),
    )
    latest_date = forms.DateField(label=_("Needed by"), widget=DateInput)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        _choices(self, "category").choices = _categories()

    def clean_latest_date(self) -> date:
        day: date = self.cleaned_data["latest_date"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("The date has passed."))
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        lot, quantity = cleaned.get("min_lot"), cleaned.get("quantity")
        if lot and quantity and lot > quantity:
            self.add_error("min_lot", _("The minimum lot per group cannot exceed the quantity."))
        return cleaned


class SplitForm(SubmitOnceMixin, forms.Form):
    strategy = forms.ChoiceField(
        label=_("Strategy"),
        choices=[
            ("cheapest", _("Cheapest: fill the most, then the least cost")),
            ("fair", _("Fair: fill the most, each group near its share of stock")),
        ],
        initial="cheapest",
    )


class ConfirmForm(SubmitOnceMixin, forms.Form):
    """A step with nothing to type (send, re-offer, confirm): the token alone."""


class AnswerForm(SubmitOnceMixin, forms.Form):
    answer = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    reason = forms.CharField(label=_("Reason, if you decline"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("answer") == "decline" and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Say why you decline."))
        return cleaned


class AdjustForm(forms.Form):
    quantity = CountField(
        model=OrderPart,
        name="quantity",
        label=_("Quantity"),
        min_value=0,
        help_text=_("0 withdraws this part."),
    )


class StepForm(SubmitOnceMixin, forms.Form):
    to = forms.CharField(max_length=14, widget=forms.HiddenInput)


class CancelForm(SubmitOnceMixin, forms.Form):
    reason = forms.CharField(label=_("Why is the order cancelled?"), max_length=300)
    confirm = forms.BooleanField(label=_("Yes, cancel this order"))


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        choices=[(n, f"{n} ★") for n in range(5, 0, -1)],
    )
    note = forms.CharField(label=_("How was the delivery?"), max_length=300, required=False)

    def __init__(self, *args: Any, order: Order, **kw: Any) -> None:
        kw.setdefault("initial", {"rating": order.rating or 5, "note": order.rating_note})
        super().__init__(*args, **kw)


# Sales


class SaleForm(SubmitOnceMixin, PickerFormMixin, forms.Form):
    kube = forms.TypedChoiceField(label=_("Group"), coerce=int)
    buyer_type = forms.ChoiceField(
        label=_("Sold to"), choices=[c for c in BuyerType.choices if c[0] != BuyerType.PLATFORM]
    )
    product = PickerField(
        "product",
        label=_("Product (if listed)"),
        required=False,
        coerce=int,
        help_text=_("Leave empty for something not in the catalogue."),
    )
    description = forms.CharField(label=_("What"), max_length=150)
    quantity = CountField(model=Sale, name="quantity", label=_("Quantity"), min_value=1)
    price = MoneyField(model=Sale, name="price", label=_("Price per unit (Rp)"), min_value=1)
    day = forms.DateField(label=_("Date"), widget=DateInput)

    def __init__(self, *args: Any, groups: Any, **kw: Any) -> None:
        kw.setdefault("initial", {"day": timezone.localdate()})
        super().__init__(*args, **kw)
        _choices(self, "kube").choices = [(g.pk, g.name) for g in groups]

    def clean_day(self) -> date:
        day: date = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date is in the future."))
        return day


class CatalogueFilter(forms.Form):
    """The public catalogue's filter (GET): a region by name or code, a category, a price."""

    kategori = forms.ChoiceField(label=_("Category"), required=False)
    wilayah = forms.CharField(
        label=_("Region"),
        required=False,
        max_length=100,
        widget=forms.TextInput({"placeholder": _("Region name or code, e.g. Bandung")}),
    )
    harga_maks = MoneyField(
        model=Product, name="price", label=_("Maximum price (Rp)"), required=False, min_value=1
    )
    izin = forms.ChoiceField(label=_("Permit"), required=False)

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        _choices(self, "kategori").choices = [("", _("All categories")), *_categories()]
        _choices(self, "izin").choices = [("", _("Any permit")), *PermitKind.choices]
        # The price box shows what it takes, as the region box does (a bare number box said
        # nothing until a wrong value came back).
        self.fields["harga_maks"].widget.attrs.setdefault("placeholder", _("Maximum price (Rp)"))
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = str(field.label)
