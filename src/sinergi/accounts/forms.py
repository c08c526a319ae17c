"""Forms of the accounts pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.core.forms import SubmitOnceMixin


class ApiTokenForm(SubmitOnceMixin, forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        required=False,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("Token name, e.g. district laptop"),
                "aria-label": _("Token name"),
            }
        ),
    )
