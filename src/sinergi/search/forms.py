"""The search box's two forms: a name, code or order number in the address (GET), and a whole
NIK or KK number in the body of a POST, never in an address."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.core.errors import InvalidInput
from sinergi.search import providers


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        # Longer is refused with a sentence by providers.parse, not cut silently.
        max_length=providers.MAX_LENGTH * 2,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "placeholder": _("Name, KUBE, product, region or order number"),
            }
        ),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Look in"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = self.fields["kinds"]
        assert isinstance(kinds, forms.MultipleChoiceField)
        kinds.choices = [(k.code, k.label) for k in providers.kinds_for(actor)]
        # Set when the query was a NIK or KK number: the page then offers the number search
        # and does not show the number again.
        self.was_number = False

    def clean_q(self) -> providers.Query:
        raw = self.cleaned_data["q"]
        try:
            return providers.parse(raw)
        except InvalidInput as exc:
            if providers.looks_like_number(raw):
                self.was_number = True
                data = cast(Any, self.data).copy()
                data["q"] = ""
                self.data = data
            raise forms.ValidationError(exc.message) from exc


class NumberSearchForm(forms.Form):
    number = forms.CharField(
        label=_("Full NIK or KK number"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "placeholder": _("16 digits"),
            }
        ),
    )

    def clean_number(self) -> str:
        try:
            return providers.parse_number(self.cleaned_data["number"])
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from exc
