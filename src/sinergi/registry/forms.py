from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sinergi.core.forms import (
    STALE_FIELD,
    SUBMIT_TOKEN_FIELD,
    StaleCheckMixin,
    SubmitOnceMixin,
)
from sinergi.core.forms import bind as bind  # the views bind through this module
from sinergi.core.numbers import BoundedIntegerField
from sinergi.core.widgets import PickerField, PickerFormMixin
from sinergi.engines import wilayah as regions
from sinergi.registry.models import ConsentGiver, ConsentPurpose, Household, Relation, Sex


def entered(form: forms.BaseForm, *, without: tuple[str, ...] = ()) -> dict[str, Any]:
    """What the person entered, for the service: not the form's own bookkeeping (one-time
    token, record version)."""
    skip = {SUBMIT_TOKEN_FIELD, STALE_FIELD, *without}
    return {k: v for k, v in form.cleaned_data.items() if k not in skip}


def bind_search(request: HttpRequest) -> SearchForm:
    """The search form from the POST (a full number) or the address (a name, a region)."""
    return SearchForm(request.POST if request.method == "POST" else request.GET)


class DateInput(forms.DateInput):
    input_type = "date"


class VillageField(PickerField):
    """A village picked from the actor's area; a code typed with or without dots also works
    (the API and old bookmarks send codes)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("village", **kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        try:
            return regions.normalize_code(value) if value else value
        except regions.RegionCodeError:
            return value


class HouseholdForm(SubmitOnceMixin, PickerFormMixin, forms.Form):
    kk = forms.CharField(
        label=_("KK number"),
        max_length=30,
        help_text=_("16 digits; spaces or dots between them are fine."),
    )
    village_code = VillageField(label=_("Village"))
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    desil = BoundedIntegerField(
        model=Household,
        name="desil",
        label=_("Welfare decile"),
        min_value=1,
        max_value=10,
        required=False,
    )
    desil_date = forms.DateField(label=_("Decile snapshot date"), required=False, widget=DateInput)


class HouseholdEditForm(StaleCheckMixin, HouseholdForm):
    kk = forms.CharField(required=False, disabled=True, widget=forms.HiddenInput)
    # What someone else may have changed meanwhile, named as the page shows it.
    stale_fields = {
        "village_code": "village.name",
        "address": "address",
        "desil": "desil",
        "desil_date": "desil_date",
    }


class PersonForm(SubmitOnceMixin, forms.Form):
    nik = forms.CharField(
        label=_("NIK"),
        max_length=30,
        help_text=_("16 digits; spaces or dots between them are fine."),
    )
    name = forms.CharField(label=_("Name"), max_length=150)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_place = forms.CharField(label=_("Birth place"), max_length=100, required=False)
    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput)
    relation = forms.ChoiceField(label=_("Relation to the head"), choices=Relation.choices)
    is_head = forms.BooleanField(label=_("Head of family or main earner"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)


class PersonEditForm(StaleCheckMixin, PersonForm):
    nik = forms.CharField(label=_("New NIK (leave empty to keep)"), max_length=30, required=False)


class ImportForm(SubmitOnceMixin, forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    profile = forms.ChoiceField(
        label=_("File layout"),
        required=False,
        help_text=_(
            "Recognised from the file's columns when it is in a layout Sinergi knows; "
            "otherwise you map its columns once in the next step."
        ),
    )
    all_or_nothing = forms.BooleanField(
        label=_("All or nothing: save only if every row is valid"), required=False
    )

    def __init__(self, *args: Any, layouts: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["profile"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("auto", _("Recognise it, or let me map its columns")),
            *[(layout.name, layout.label) for layout in layouts],
        ]
        field.initial = "auto"


IGNORE_LABEL = _("— Ignore this column —")
AS_IT_IS = _("— Not mapped —")


class MappingForm(forms.Form):
    """The mapping step: one select per file column (the field it feeds, or ignore), the
    coded values found in the coded columns, the date style, and a name to keep the layout.

    ``columns`` are the file's columns with their proposals (registry.mapping.ColumnSample);
    ``codes`` the values to map per coded field. Fields are made per file, so the form is
    built from the file each time; ``spec()`` is what the officer chose.
    """

    date_style = forms.ChoiceField(label=_("Dates in the file are written"), choices=())
    save_as = forms.CharField(
        label=_("Save this layout as (optional)"),
        max_length=60,
        required=False,
        help_text=_("The next file with these columns is then read without mapping."),
    )

    def __init__(
        self, *args: Any, columns: list[Any], codes: dict[str, list[str]], **kwargs: Any
    ) -> None:
        from sinergi.registry import profiles
        from sinergi.registry.models import DateStyle

        super().__init__(*args, **kwargs)
        self.columns, self.codes = columns, codes
        targets = [("", IGNORE_LABEL), *profiles.TARGET_LABELS.items()]
        for i, column in enumerate(columns):
            samples = ", ".join(column.samples)
            self.fields[f"col_{i}"] = forms.ChoiceField(
                label=column.header or _("(column without a name)"),
                choices=targets,
                required=False,
                initial=column.proposal,
                help_text=_("For example: %(samples)s") % {"samples": samples} if samples else "",
            )
        for target, values in codes.items():
            choices = [("", AS_IT_IS), *profiles.CODE_LABELS[target].items()]
            for j, value in enumerate(values):
                self.fields[f"code_{target}_{j}"] = forms.ChoiceField(
                    label=f"{profiles.target_label(target)}: “{value}”",
                    choices=choices,
                    required=False,
                )
        date_field = self.fields["date_style"]
        assert isinstance(date_field, forms.ChoiceField)
        date_field.choices = DateStyle.choices

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"col_{i}"] for i in range(len(self.columns))]

    def code_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("code_")]

    def spec(self) -> Any:
        from sinergi.registry.mapping import Spec

        data = self.cleaned_data
        columns = {
            c.header: data.get(f"col_{i}") or ""
            for i, c in enumerate(self.columns)
            if data.get(f"col_{i}")
        }
        value_maps: dict[str, dict[str, str]] = {}
        for target, values in self.codes.items():
            for j, value in enumerate(values):
                chosen = data.get(f"code_{target}_{j}")
                if chosen:
                    value_maps.setdefault(target, {})[value] = chosen
        return Spec(columns=columns, value_maps=value_maps, date_style=data["date_style"])


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the full number?"), max_length=200, min_length=5
    )


class SearchForm(forms.Form):
    """The registry search: a name, or a full NIK/KK number (posted, never in the address),
    and a region by name or code."""

    q = forms.CharField(
        label=_("Search the registry"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Member name, or a full NIK or KK number"),
            }
        ),
    )
    area = forms.CharField(
        label=_("Region"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Region name or code, e.g. Sukasari")}
        ),
    )


class DuplicateDecisionForm(SubmitOnceMixin, forms.Form):
    """An officer's judgement of a possible duplicate; a merge is asked to be confirmed."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("keep_a", _("Same person: keep A")),
            ("keep_b", _("Same person: keep B")),
            ("reject", _("Not the same person")),
        ],
        error_messages={"required": _("Choose merge or not the same person.")},
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    @property
    def merges(self) -> bool:
        return self.cleaned_data.get("decision") in ("keep_a", "keep_b")


class ConsentForm(SubmitOnceMixin, forms.Form):
    """A consent the person (or a child's parent or guardian) gave, as the officer records it."""

    purpose = forms.ChoiceField(label=_("Consent to"), choices=ConsentPurpose.choices)
    given_on = forms.DateField(label=_("Given on"), widget=DateInput)
    given_by = forms.ChoiceField(
        label=_("Given by"), choices=ConsentGiver.choices, initial=ConsentGiver.SELF
    )
    guardian_name = forms.CharField(
        label=_("Parent's or guardian's name"),
        max_length=150,
        required=False,
        help_text=_("Needed when the person is under 18."),
    )
    notice_version = forms.CharField(
        label=_("Privacy notice version given"), max_length=20, initial="2024-10"
    )
    evidence = forms.CharField(
        label=_("Evidence (where the signed form is kept)"), max_length=200, required=False
    )


class ConsentWithdrawForm(SubmitOnceMixin, forms.Form):
    note = forms.CharField(
        label=_("Note (how the withdrawal was received)"), max_length=200, required=False
    )
