"""The forms of the letters pages: issuing, voiding, and an office's template."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.core.forms import SubmitOnceMixin
from sinergi.core.forms import bind as bind  # the views bind through this module
from sinergi.letters import kinds
from sinergi.letters.models import Kind
from sinergi.letters.services import TEMPLATE_FIELDS, template_problems


class IssueForm(SubmitOnceMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of letter"), choices=Kind.choices)
    object_id = forms.IntegerField(
        label=_("Record"), min_value=1, max_value=2**53, widget=forms.HiddenInput
    )
    office_code = forms.RegexField(
        label=_("Proposing office (region code)"),
        regex=r"^[0-9]{2}(\.[0-9]{2})?$",
        required=False,
        max_length=5,
        help_text=_("Only for proposal letters issued by the national admin: 32.73 or 32."),
    )


class VoidForm(SubmitOnceMixin, forms.Form):
    reason = forms.CharField(label=_("Why is the letter void?"), min_length=5, max_length=300)


class TemplateForm(SubmitOnceMixin, forms.Form):
    letterhead = forms.CharField(
        label=_("Letterhead (one line each)"), max_length=1000, widget=forms.Textarea({"rows": 3})
    )
    logo = forms.FileField(label=_("Logo (PNG or JPEG, optional)"), required=False)
    title = forms.CharField(
        label=_("Title (one line each; decrees, records, certificates)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )
    recipient = forms.CharField(
        label=_("Addressed to (letters)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )
    subject = forms.CharField(label=_("Subject (perihal)"), max_length=300, required=False)
    body = forms.CharField(
        label=_("Text (a blank line between paragraphs)"),
        max_length=20000,
        widget=forms.Textarea({"rows": 16}),
    )
    copies = forms.CharField(
        label=_("Copies to (tembusan), one line each"),
        max_length=1000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )
    place = forms.CharField(
        label=_("Place of signing"),
        max_length=100,
        required=False,
        help_text=_("Empty: the office's town."),
    )
    signatory_name = forms.CharField(label=_("Signatory's name"), max_length=150)
    signatory_nip = forms.CharField(label=_("Signatory's NIP"), max_length=30)
    signatory_position = forms.CharField(label=_("Signatory's position"), max_length=200)
    number_pattern = forms.CharField(label=_("Numbering scheme"), max_length=120)
    classification_code = forms.CharField(
        label=_("Classification code ({code})"), max_length=30, required=False
    )
    office_abbreviation = forms.CharField(
        label=_("Office abbreviation ({office})"), max_length=30, required=False
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["number_pattern"].help_text = ", ".join(
            "{" + name + "}" for name in kinds.NUMBER_FIELDS
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, message in template_problems(self.kind, data).items():
            if name not in self.errors:
                self.add_error(name, message)
        return data


assert set(TEMPLATE_FIELDS) <= set(TemplateForm.base_fields)
