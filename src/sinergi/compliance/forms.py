"""The breach register's forms: an incident, and a notice sent about it."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from sinergi.compliance.models import MAX_AFFECTED, Incident, Recipient
from sinergi.compliance.services import category_choices
from sinergi.core.forms import SubmitOnceMixin
from sinergi.core.numbers import BoundedIntegerField, GroupedInput
from sinergi.core.widgets import PickerField, PickerFormMixin

_MINUTE = "%Y-%m-%dT%H:%M"
_GROUPED = re.compile(r"^\d{1,3}([.,]\d{3})+$")


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time box: ISO values whatever the page's language."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=_MINUTE)


def _when(label: Any, **kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=DateTimeInput,
        input_formats=[_MINUTE, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        **kwargs,
    )


class CountField(BoundedIntegerField):
    """A number of people, typed with or without thousands separators (``12.500``)."""

    widget = GroupedInput

    def to_python(self, value: Any) -> int | None:
        text = str(value or "").strip()
        if _GROUPED.match(text):
            text = text.replace(".", "").replace(",", "")
        return super().to_python(text)


class IncidentForm(PickerFormMixin, SubmitOnceMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    area_code = PickerField(
        "region",
        label=gettext_lazy("Region concerned (empty: the whole of Indonesia)"),
        required=False,
    )
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Categories of data exposed"),
        widget=forms.CheckboxSelectMultiple,
    )
    affected_count = CountField(
        model=Incident,
        name="affected_count",
        max_value=MAX_AFFECTED,
        label=gettext_lazy("Number of people affected (estimate)"),
    )
    occurred_at = _when(gettext_lazy("When it happened"))
    discovered_at = _when(
        gettext_lazy("When it was discovered"),
        help_text=gettext_lazy("The 3×24-hour period for the notices starts here."),
    )
    description = forms.CharField(
        label=gettext_lazy("What happened and how"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    measures = forms.CharField(
        label=gettext_lazy("Measures taken"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["categories"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = category_choices()


class NotificationForm(SubmitOnceMixin, forms.Form):
    recipient = forms.ChoiceField(label=gettext_lazy("Notified"), choices=Recipient.choices)
    sent_at = _when(gettext_lazy("Sent at"))
    means = forms.CharField(
        label=gettext_lazy("Means (letter, e-mail, SMS, announcement…)"), max_length=200
    )
    reference = forms.CharField(
        label=gettext_lazy("Letter number or note"), max_length=200, required=False
    )
