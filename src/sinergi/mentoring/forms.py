"""Every mentoring page that writes does it through one of these forms: errors next to the
field (or the action item row) that caused them, and everything typed kept on an error."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.core.corrections import ReturnForm
from sinergi.core.forms import StaleCheckMixin, SubmitOnceMixin
from sinergi.core.numbers import BoundedIntegerField
from sinergi.core.widgets import DateInput, PickerField, PickerFormMixin
from sinergi.mentoring import services
from sinergi.mentoring.models import (
    ActionStatus,
    AgreementKind,
    EndReason,
    Indicator,
    Kpi,
    MatchRun,
    Mentor,
    UnitLevel,
)
from sinergi.wilayah.models import Level


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to a few photos from one file input (a phone's camera or gallery)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(PhotosField, self).clean(f, initial) for f in files]


# Sessions


class NewItemForm(forms.Form):
    """One new action item; a row left empty is ignored."""

    description = forms.CharField(
        label=gettext_lazy("What is to be done"), max_length=300, required=False
    )
    owner = forms.CharField(label=gettext_lazy("Who"), max_length=150, required=False)
    due_on = forms.DateField(label=gettext_lazy("Due"), required=False, widget=DateInput)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        typed = any(cleaned.get(k) for k in ("description", "owner", "due_on"))
        if typed or self.errors:
            for name in ("description", "owner", "due_on"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, _("Fill this in, or empty the whole row."))
        return cleaned

    def is_blank(self) -> bool:
        return not self.has_changed() or not any(
            self.cleaned_data.get(k) for k in ("description", "owner", "due_on")
        )


class BaseNewItemFormSet(forms.BaseFormSet):
    held_on: date | None = None

    def clean(self) -> None:
        super().clean()
        for number, form in enumerate(self.forms, start=1):
            if form.errors:
                # The row is named in the form's summary as well as next to its fields.
                form.add_error(None, _("Action item %(n)d: see below.") % {"n": number})
                continue
            due = form.cleaned_data.get("due_on")
            if due and self.held_on and due < self.held_on:
                form.add_error(
                    "due_on",
                    _("Action item %(n)d: the due date is before the session.") % {"n": number},
                )

    def items(self) -> list[services.NewItem]:
        return [
            services.NewItem(
                f.cleaned_data["description"], f.cleaned_data["owner"], f.cleaned_data["due_on"]
            )
            for f in self.forms
            if not f.is_blank()
        ]


NewItemFormSet = forms.formset_factory(
    NewItemForm, formset=BaseNewItemFormSet, extra=3, max_num=20, validate_max=True
)


class SessionForm(SubmitOnceMixin, forms.Form):
    """A session: date, place, topics, attendance, photos, and the review of open items (one
    status and note per open item, built from the group's open items)."""

    held_on = forms.DateField(label=gettext_lazy("Date"), widget=DateInput)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200)
    topics = forms.CharField(
        label=gettext_lazy("Topics"),
        max_length=300,
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("e.g. bookkeeping, packaging, pricing")}
        ),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    present = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Members present"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    photos = PhotosField(
        label=gettext_lazy("Photos (JPEG or PNG, at most 6, 5 MB each)"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": "image/jpeg,image/png", "capture": "environment"}
        ),
    )

    def __init__(self, *args: Any, members: list[Any], open_items: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["held_on"].initial = today
        self.fields["held_on"].widget.attrs["max"] = today.isoformat()
        present = self.fields["present"]
        assert isinstance(present, forms.TypedMultipleChoiceField)
        present.choices = [(m.pk, m.person.name) for m in members]
        present.initial = [m.pk for m in members]
        self.open_items = open_items
        for item in open_items:
            # Not sent (an old page, a client without the review): the item stays open.
            self.fields[f"review_{item.pk}"] = forms.ChoiceField(
                label=_("Status"),
                choices=ActionStatus.choices,
                initial=ActionStatus.OPEN,
                required=False,
            )
            self.fields[f"review_note_{item.pk}"] = forms.CharField(
                label=_("Note"), max_length=300, required=False
            )
        data = args[0] if args else kwargs.get("data")
        self.items: BaseNewItemFormSet = NewItemFormSet(data, prefix="items")  # type: ignore[assignment]  # formset_factory's return type is the base class

    def review_rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(i, self[f"review_{i.pk}"], self[f"review_note_{i.pk}"]) for i in self.open_items]

    def clean_held_on(self) -> date:
        held_on: date = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(_("The date is in the future."))
        return held_on

    def is_valid(self) -> bool:
        valid = super().is_valid()
        # The rows are checked against the date even when another field is wrong, so every
        # problem is shown at once.
        self.items.held_on = self.cleaned_data.get("held_on")
        return self.items.is_valid() and valid

    def reviews(self) -> list[services.Review]:
        return [
            services.Review(
                i.pk,
                self.cleaned_data[f"review_{i.pk}"] or ActionStatus.OPEN,
                self.cleaned_data.get(f"review_note_{i.pk}", ""),
            )
            for i in self.open_items
        ]

    def add_service_error(self, field: str | None, message: str) -> None:
        """Put a refusal of the service next to its field, or its action item row."""
        if field and field.startswith("items-"):
            number = int(field.split("-")[1])
            filled = [f for f in self.items.forms if not f.is_blank()]
            if 0 < number <= len(filled):
                filled[number - 1].add_error(None, message)
                return
        self.add_error(field if field in self.fields else None, message)


class ItemStatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=ActionStatus.choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


# Offers and assignments


class OfferAnswerForm(SubmitOnceMixin, forms.Form):
    answer = forms.ChoiceField(
        choices=[("accept", gettext_lazy("Accept")), ("decline", gettext_lazy("Decline"))]
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason, if you decline"), max_length=300, required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("answer") == "decline" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Say why you decline."))
        return cleaned


class AssignmentEndForm(SubmitOnceMixin, forms.Form):
    """Ending an assignment cannot be undone: the group loses its mentor and waits for the
    next matching run; the form says so and asks for a tick."""

    reason = forms.ChoiceField(
        label=gettext_lazy("Why it ends"),
        choices=[("", gettext_lazy("Why it ends")), *EndReason.choices],
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand: the group loses its mentor and waits for the next matching run."
        ),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if not cleaned.get("confirm"):
            self.add_error("confirm", _("Tick to confirm: this cannot be undone."))
        return cleaned


# Mentors


class MentorForm(StaleCheckMixin, PickerFormMixin, SubmitOnceMixin, forms.Form):
    stale_fields = {
        "name": "name",
        "unit": "unit_id",
        "base_regency": "area_code",
        "capacity": "capacity",
        "available": "available",
        "available_until": "available_until",
        "phone": "phone",
        "business": "business",
    }

    name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    unit = forms.TypedChoiceField(label=gettext_lazy("Partner unit"), coerce=int)
    base_regency = PickerField(
        "region",
        label=gettext_lazy("Base regency"),
        params={"level": str(Level.REGENCY.value)},
    )
    sectors = forms.MultipleChoiceField(
        label=gettext_lazy("Sectors"), widget=forms.CheckboxSelectMultiple
    )
    capacity = BoundedIntegerField(
        model=Mentor,
        name="capacity",
        label=gettext_lazy("Capacity (groups)"),
        min_value=0,
        max_value=services.MAX_CAPACITY,
        initial=3,
    )
    available_until = forms.DateField(
        label=gettext_lazy("Available until (optional)"), required=False, widget=DateInput
    )
    available = forms.BooleanField(
        label=gettext_lazy("Available for new groups"), required=False, initial=True
    )
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    business = forms.CharField(label=gettext_lazy("Own business"), max_length=200, required=False)

    def __init__(
        self, *args: Any, units: Any, sectors: Any, mentor: Mentor | None = None, **kwargs: Any
    ) -> None:
        if mentor is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": mentor.name,
                    "unit": mentor.unit_id,
                    "base_regency": mentor.area_code,
                    "sectors": [s.code for s in mentor.sectors.all()],
                    "capacity": mentor.capacity,
                    "available": mentor.available,
                    "available_until": mentor.available_until,
                    "phone": mentor.phone,
                    "business": mentor.business,
                },
            )
        super().__init__(*args, record=mentor, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.TypedChoiceField)
        unit.choices = [(u.pk, f"{u.organisation} · {u.name}") for u in units]
        sector_field = self.fields["sectors"]
        assert isinstance(sector_field, forms.MultipleChoiceField)
        sector_field.choices = [(s.code, s.name) for s in sectors]

    def data_for_service(self) -> services.MentorData:
        c = self.cleaned_data
        return services.MentorData(
            name=c["name"],
            unit_id=c["unit"],
            base_regency=c["base_regency"],
            sectors=c["sectors"],
            capacity=c["capacity"],
            phone=c["phone"],
            business=c["business"],
            available=c["available"],
            available_until=c["available_until"],
        )


class MentorLeaveForm(SubmitOnceMixin, forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand: her groups lose their mentor."), required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if not cleaned.get("confirm"):
            self.add_error("confirm", _("Tick to confirm: this cannot be undone."))
        return cleaned


# Matching


class MatchRunForm(PickerFormMixin, SubmitOnceMixin, forms.Form):
    area = PickerField(
        "region",
        label=gettext_lazy("Area (empty: your whole area)"),
        required=False,
    )
    other_regency = BoundedIntegerField(
        model=MatchRun,
        name="other_regency",
        label=gettext_lazy("Cost of a mentor from another regency"),
        initial=40,
    )
    sector_mismatch = BoundedIntegerField(
        model=MatchRun,
        name="sector_mismatch",
        label=gettext_lazy("Cost of a mentor from another sector"),
        initial=25,
    )
    history_bonus = BoundedIntegerField(
        model=MatchRun,
        name="history_bonus",
        label=gettext_lazy("Bonus when they worked together before"),
        initial=10,
    )


class ProposalChangeForm(PickerFormMixin, SubmitOnceMixin, forms.Form):
    """Another mentor (or none) for one proposed group of a run."""

    row = forms.TypedChoiceField(label=gettext_lazy("Group"), coerce=int)
    mentor = PickerField(
        "mentor",
        label=gettext_lazy("Mentor (empty: none)"),
        required=False,
        coerce=int,
    )

    def __init__(self, *args: Any, rows: list[Any], area: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        row = self.fields["row"]
        assert isinstance(row, forms.TypedChoiceField)
        row.choices = [
            (r.pk, f"{r.kube.name} · {r.mentor.name if r.mentor else '—'}") for r in rows
        ]
        mentor = self.fields["mentor"]
        assert isinstance(mentor, PickerField)
        mentor.set_params(area=area)


class RunDiscardForm(SubmitOnceMixin, forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand: no mentor hears of this proposal."), required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if not cleaned.get("confirm"):
            self.add_error("confirm", _("Tick to confirm: this cannot be undone."))
        return cleaned


# Partners


class UnitForm(PickerFormMixin, SubmitOnceMixin, forms.Form):
    organisation = forms.TypedChoiceField(label=gettext_lazy("Organisation"), coerce=int)
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=UnitLevel.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    region = PickerField(
        "region",
        label=gettext_lazy("Region (empty for the national board)"),
        required=False,
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(o.pk, str(o)) for o in organisations]


class AgreementForm(PickerFormMixin, SubmitOnceMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=AgreementKind.choices)
    number = forms.CharField(label=gettext_lazy("Number"), max_length=100)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=250)
    signing_unit = forms.TypedChoiceField(label=gettext_lazy("Body that signed"), coerce=int)
    ministry_party = forms.CharField(label=gettext_lazy("Ministry party"), max_length=200)
    ministry_signatory = forms.CharField(label=gettext_lazy("Ministry signatory"), max_length=150)
    partner_signatory = forms.CharField(label=gettext_lazy("Partner signatory"), max_length=150)
    witnesses = forms.CharField(label=gettext_lazy("Witnesses"), max_length=300, required=False)
    signed_on = forms.DateField(label=gettext_lazy("Signed on"), widget=DateInput)
    valid_from = forms.DateField(label=gettext_lazy("Valid from"), widget=DateInput)
    valid_until = forms.DateField(label=gettext_lazy("Valid until"), widget=DateInput)
    area_code = PickerField(
        "region", label=gettext_lazy("Area covered (empty: national)"), required=False
    )
    scope = forms.CharField(label=gettext_lazy("Scope"), widget=forms.Textarea(attrs={"rows": 4}))
    document = forms.FileField(
        label=gettext_lazy("Signed document (PDF or photo, at most 10 MB)"), required=False
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["signing_unit"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(u.pk, f"{u.organisation} · {u.name}") for u in units]
        for indicator in Indicator:
            self.fields[f"kpi_{indicator.value}"] = BoundedIntegerField(
                model=Kpi,
                name="target",
                label=indicator.label,
                min_value=1,
                required=False,
            )

    def kpi_fields(self) -> list[forms.BoundField]:
        return [self[f"kpi_{i.value}"] for i in Indicator]

    def data_for_service(self) -> services.AgreementData:
        c = self.cleaned_data
        return services.AgreementData(
            kind=c["kind"],
            number=c["number"],
            title=c["title"],
            signing_unit_id=c["signing_unit"],
            ministry_party=c["ministry_party"],
            ministry_signatory=c["ministry_signatory"],
            partner_signatory=c["partner_signatory"],
            signed_on=c["signed_on"],
            valid_from=c["valid_from"],
            valid_until=c["valid_until"],
            scope=c["scope"],
            witnesses=c["witnesses"],
            area_code=c["area_code"] or "",
            kpis={i.value: c[f"kpi_{i.value}"] for i in Indicator if c.get(f"kpi_{i.value}")},
        )


# Facilitator reports


class ReportForm(StaleCheckMixin, SubmitOnceMixin, forms.Form):
    activities = forms.CharField(
        label=gettext_lazy("Activities"), widget=forms.Textarea(attrs={"rows": 5})
    )
    problems = forms.CharField(
        label=gettext_lazy("Problems"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_up = forms.CharField(
        label=gettext_lazy("Follow-up"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    action = forms.ChoiceField(
        choices=[("save", "save"), ("submit", "submit")], widget=forms.HiddenInput, required=False
    )


# The one "return for correction" form, shared with monitoring's group reports.
ReportReturnForm = ReturnForm
