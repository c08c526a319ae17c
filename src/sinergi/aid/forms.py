"""The forms of every aid page: what a person types, checked before any service runs.

Amounts are typed as people type them (``12.000.000``) and shown back the same way; a form
refused keeps everything typed (receipts excepted: a browser never sends a file back).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.aid.models import Disbursement, LpjItem, StatementProfile
from sinergi.core.forms import StaleCheckMixin, SubmitOnceMixin
from sinergi.core.forms import bind as bind  # the views bind through this module
from sinergi.core.money import rupiah
from sinergi.core.numbers import GroupedInput, RupiahField
from sinergi.core.widgets import DateInput, PickerField, PickerFormMixin


class ProposeForm(SubmitOnceMixin, PickerFormMixin, forms.Form):
    kube = PickerField(
        "aid_candidate",
        label=_("Group"),
        coerce=int,
        help_text=_("Active groups in your regency; those that cannot be proposed say why."),
    )

    def __init__(self, *args: Any, cycle: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kube = self.fields["kube"]
        assert isinstance(kube, PickerField)
        kube.set_params(cycle=str(cycle.pk))


class ConfirmStepForm(SubmitOnceMixin, forms.Form):
    """A step with nothing to type (recommend, submit): the form is the button."""


class ReasonForm(SubmitOnceMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        min_length=5,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The regency and the group read this reason."),
    )


class CycleApproveForm(SubmitOnceMixin, forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand: approving freezes the cycle and its amounts; it cannot be undone."),
        required=True,
        error_messages={"required": _("Tick the box to confirm the approval.")},
    )


class DisbursementForm(SubmitOnceMixin, forms.Form):
    amount = RupiahField(
        model=Disbursement,
        name="amount",
        label=_("Amount (Rp)"),
        min_value=1,
        widget=GroupedInput,
    )
    day = forms.DateField(label=_("Transfer date"), widget=DateInput)
    reference = forms.CharField(label=_("Bank reference"), max_length=60)

    def __init__(self, *args: Any, left_to_pay: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        amount = self.fields["amount"]
        amount.help_text = _("At most Rp%(left)s is left to pay.") % {"left": rupiah(left_to_pay)}
        self.left_to_pay = left_to_pay

    def clean_amount(self) -> int:
        amount: int = self.cleaned_data["amount"]
        if amount > self.left_to_pay:
            raise forms.ValidationError(
                _("Rp%(amount)s would exceed the approved amount: Rp%(left)s is left to pay.")
                % {"amount": rupiah(amount), "left": rupiah(self.left_to_pay)}
            )
        return amount

    def clean_day(self) -> date:
        day: date = self.cleaned_data["day"]
        if day > date.today():
            raise forms.ValidationError(_("A transfer cannot be dated in the future."))
        return day


class LpjItemForm(forms.Form):
    """One purchase of the report: a stored one (``item_id``) or a new row."""

    item_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    description = forms.CharField(label=_("Item bought"), max_length=200)
    amount = RupiahField(
        model=LpjItem, name="amount", label=_("Amount (Rp)"), min_value=1, widget=GroupedInput
    )
    day = forms.DateField(label=_("Date"), widget=DateInput)
    receipt = forms.FileField(
        label=_("Receipt (photo or PDF, at most 5 MB)"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,application/pdf", "capture": "environment"}
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        deleting = bool(data.get("DELETE"))
        if not deleting and not data.get("item_id") and not data.get("receipt"):
            self.add_error("receipt", _("Attach the receipt: a photo or PDF of at most 5 MB."))
        if data.get("day") and data["day"] > date.today():
            self.add_error("day", _("A purchase cannot be dated in the future."))
        return data


class BaseLpjItemFormSet(forms.BaseFormSet):
    def row_errors(self) -> list[str]:
        """Each refused row named by its number, for the summary above the table."""
        out = []
        for n, form in enumerate(self.forms, start=1):
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                for error in errors:
                    out.append(
                        str(_("Row %(row)s, %(field)s: %(error)s"))
                        % {"row": n, "field": label, "error": error}
                        if label
                        else str(_("Row %(row)s: %(error)s")) % {"row": n, "error": error}
                    )
        return out


LpjItemFormSet = forms.formset_factory(
    LpjItemForm,
    formset=BaseLpjItemFormSet,
    extra=1,
    can_delete=True,
    max_num=60,
    validate_max=True,
)


class LpjAcceptForm(SubmitOnceMixin, forms.Form):
    note = forms.CharField(label=_("Note for the group (optional)"), max_length=300, required=False)


class LpjReturnForm(SubmitOnceMixin, forms.Form):
    reason = forms.CharField(
        label=_("What must be corrected"),
        max_length=300,
        min_length=5,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LpjVersionForm(StaleCheckMixin, forms.Form):
    """Rides along with the purchases' formset: refuses a save over a report someone else
    changed since the page was opened, saying what changed (two people may write one report:
    the group's officer and the social office)."""

    status = forms.CharField(label=_("Status"), required=False, widget=forms.HiddenInput)
    purchases = forms.CharField(label=_("Purchases"), required=False, widget=forms.HiddenInput)
    stale_fields = {"status": "status", "purchases": "purchases_in_words"}


STATEMENT_MAX = 5 * 1024 * 1024


class StatementForm(forms.Form):
    profile = forms.ChoiceField(
        label=_("Bank layout"),
        required=False,
        help_text=_("Found from the file's content when left on automatic."),
    )
    file = forms.FileField(
        label=_("Statement file (CSV or MT940)"),
        help_text=_(
            "The statement as the bank's internet banking exports it, or a CSV with the "
            "columns reference,account,amount,date."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.sta,.940,text/csv"}),
    )

    def __init__(self, *args: Any, profiles: list[StatementProfile], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        automatic = [("", _("Automatic (by content)"))]
        field: forms.ChoiceField = self.fields["profile"]  # type: ignore[assignment]
        field.choices = automatic + [(p.name, str(p)) for p in profiles]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if (upload.size or 0) > STATEMENT_MAX:
            raise forms.ValidationError(_("The statement is larger than 5 MB; split it by month."))
        return upload

    def data_bytes(self) -> bytes:
        return bytes(self.cleaned_data["file"].read(STATEMENT_MAX + 1))
