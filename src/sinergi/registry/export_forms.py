"""The registry export's form: format, region, purpose and whether numbers are shown in full."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.core.forms import SubmitOnceMixin
from sinergi.registry.export import REASON_MAX, REASON_MIN, REVEAL_PERMISSION


class ExportForm(SubmitOnceMixin, forms.Form):
    format = forms.ChoiceField(
        label=_("File format"),
        choices=[("xlsx", "XLSX (Excel)"), ("csv", "CSV")],
        initial="xlsx",
        widget=forms.RadioSelect,
    )
    area = forms.CharField(
        label=_("Region (optional)"),
        max_length=100,
        required=False,
        help_text=_("A region name or code inside your area; empty exports your whole area."),
    )
    reveal = forms.BooleanField(
        label=_("Full NIK and KK numbers (can be imported again)"),
        required=False,
        help_text=_("Without this, the numbers are masked and the file cannot be imported again."),
    )
    purpose = forms.CharField(
        label=_("Purpose of the export"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Recorded in the access log. Needed (at least %(n)s characters) for full numbers."
        )
        % {"n": REASON_MIN},
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not actor.has_perm(REVEAL_PERMISSION):
            # Not offered at all to a role that may not see numbers: the file is masked.
            del self.fields["reveal"]
