from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sinergi.core.numbers import BoundedIntegerField
from sinergi.registry.models import Household, Relation, Sex

F = TypeVar("F", bound=forms.BaseForm)


def bind(form_class: type[F], request: HttpRequest, **kwargs: Any) -> F:
    """The form filled from the request on POST (even an empty POST, so it shows its
    errors), unbound (with ``initial``) otherwise."""
    if request.method == "POST":
        return form_class(request.POST, request.FILES, **kwargs)
    return form_class(**kwargs)


def bind_search(request: HttpRequest) -> SearchForm:
    """The search form from the POST (a full number) or the address (a name, a region)."""
    return SearchForm(request.POST if request.method == "POST" else request.GET)


class DateInput(forms.DateInput):
    input_type = "date"


class HouseholdForm(forms.Form):
    kk = forms.CharField(
        label=_("KK number"),
        max_length=30,
        help_text=_("16 digits; spaces or dots between them are fine."),
    )
    village_code = forms.CharField(
        label=_("Village code"), max_length=16, help_text=_("10 digits, e.g. 32.73.01.1001")
    )
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


class HouseholdEditForm(HouseholdForm):
    kk = forms.CharField(required=False, disabled=True, widget=forms.HiddenInput)


class PersonForm(forms.Form):
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


class PersonEditForm(PersonForm):
    nik = forms.CharField(label=_("New NIK (leave empty to keep)"), max_length=30, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    all_or_nothing = forms.BooleanField(
        label=_("All or nothing: save only if every row is valid"), required=False
    )


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


class DuplicateDecisionForm(forms.Form):
    """An officer's judgement of a possible duplicate; a merge is asked to be confirmed."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("keep_a", _("Same person: keep A")),
            ("keep_b", _("Same person: keep B")),
            ("reject", _("Not the same person")),
        ],
        error_messages={"required": _("Choose merge or not the same person.")},
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    @property
    def merges(self) -> bool:
        return self.cleaned_data.get("decision") in ("keep_a", "keep_b")
