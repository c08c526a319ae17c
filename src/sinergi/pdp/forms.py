"""The forms of the personal-data pages: what an officer types, checked before a service runs."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.core.forms import SubmitOnceMixin
from sinergi.core.forms import bind as bind  # the views bind through this module
from sinergi.core.widgets import DateInput
from sinergi.pdp.models import Channel, RequestKind
from sinergi.registry.models import Relation, Sex


class RequestForm(SubmitOnceMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Request"), choices=RequestKind.choices)
    nik = forms.CharField(
        label=_("NIK of the person"),
        max_length=24,
        help_text=_("The person's 16-digit NIK; it is stored only as a keyed hash."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    received_on = forms.DateField(
        label=_("Received on"), widget=DateInput(), initial=datetime.date.today
    )
    details = forms.CharField(
        label=_("What the person asks"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseForm(SubmitOnceMixin, forms.Form):
    outcome = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    refused = forms.BooleanField(label=_("The request is refused"), required=False)


class EraseForm(SubmitOnceMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for the erasure"), max_length=1000)
    confirm = forms.BooleanField(
        label=_("I understand that the data is anonymised everywhere and cannot be restored")
    )


class CorrectionForm(SubmitOnceMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    birth_place = forms.CharField(label=_("Birth place"), max_length=100, required=False)
    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput(), required=False)
    relation = forms.ChoiceField(
        label=_("Relation to the head"), choices=[("", "—"), *Relation.choices], required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)


class DecideForm(SubmitOnceMixin, forms.Form):
    correction = forms.IntegerField(widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve and apply")), ("0", _("Reject"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class RunForm(SubmitOnceMixin, forms.Form):
    """Run the retention task now: the form is the button."""
