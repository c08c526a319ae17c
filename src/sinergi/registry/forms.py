from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.core.numbers import BoundedIntegerField
from sinergi.registry.models import Household, Relation, Sex


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
