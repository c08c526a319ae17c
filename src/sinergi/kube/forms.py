"""Every KUBE write from a page goes through one of these forms: errors next to the field,
everything typed kept, the person named when a ticked candidate cannot join."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.core.forms import StaleCheckMixin, SubmitOnceMixin
from sinergi.core.numbers import RupiahField
from sinergi.core.widgets import PickerField, PickerFormMixin
from sinergi.kube.lifecycle import CONFIRM, IRREVERSIBLE, NEEDS_REASON, OFFICERS
from sinergi.kube.models import IksEntry, IksKind, OfficerRole, Status
from sinergi.kube.selectors import CandidateRow


class DateInput(forms.DateInput):
    input_type = "date"


def _kinds(kinds: Any) -> list[tuple[str, str]]:
    return [(k.code, k.label) for k in kinds]


class VillageForm(PickerFormMixin, forms.Form):
    """Step one of forming a group: its village, chosen by name."""

    desa = PickerField(
        "village",
        label=gettext_lazy("Village"),
        help_text=gettext_lazy("The heads of family of its district are listed next."),
    )


class KubeForm(SubmitOnceMixin, forms.Form):
    """A new draft: name, business type, ticked members among the listed candidates, officers
    among the ticked members, bank account."""

    name = forms.CharField(label=gettext_lazy("Group name"), max_length=150)
    business_type = forms.ChoiceField(label=gettext_lazy("Business type"))
    members = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Members"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    ketua = forms.TypedChoiceField(label=OfficerRole.KETUA.label, coerce=int, required=False)
    sekretaris = forms.TypedChoiceField(
        label=OfficerRole.SEKRETARIS.label, coerce=int, required=False
    )
    bendahara = forms.TypedChoiceField(
        label=OfficerRole.BENDAHARA.label, coerce=int, required=False
    )
    bank_name = forms.CharField(label=gettext_lazy("Bank"), max_length=80, required=False)
    bank_account = forms.CharField(
        label=gettext_lazy("Account number"), max_length=30, required=False
    )
    bank_account_holder = forms.CharField(
        label=gettext_lazy("Account holder"), max_length=150, required=False
    )

    def __init__(self, *args: Any, kinds: Any, candidates: list[CandidateRow], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.candidates = {row.person.pk: row for row in candidates}
        self.fields["business_type"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *_kinds(kinds),
        ]
        choices = [(row.person.pk, row.person.name) for row in candidates]
        self.fields["members"].choices = choices  # type: ignore[attr-defined]
        for role in OFFICERS:
            self.fields[role].choices = [("", "—"), *choices]  # type: ignore[attr-defined]

    def clean_members(self) -> list[int]:
        ids: list[int] = list(dict.fromkeys(self.cleaned_data.get("members") or []))
        refused = [self.candidates[i] for i in ids if self.candidates[i].problems]
        if refused:
            raise forms.ValidationError(
                [
                    _("%(name)s cannot join: %(reasons)s")
                    % {"name": row.person.name, "reasons": " ".join(row.problems)}
                    for row in refused
                ]
            )
        return ids

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        # Officers are checked against what was ticked even when a ticked person is refused,
        # so every problem of the draft shows at once.
        members = set(cleaned.get("members") or draft_of(self)[0])
        chosen: dict[int, str] = {}
        for role in OFFICERS:
            person = cleaned.get(role)
            if person is None:
                continue
            if person not in members:
                self.add_error(role, _("Tick this person as a member first."))
            elif person in chosen:
                self.add_error(role, _("One person holds one post."))
            else:
                chosen[person] = role
        return cleaned

    def officers(self) -> dict[str, int]:
        return {
            role: self.cleaned_data[role]
            for role in OFFICERS
            if self.cleaned_data.get(role) is not None
        }


class KubeEditForm(StaleCheckMixin, SubmitOnceMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Group name"), max_length=150)
    business_type = forms.ChoiceField(label=gettext_lazy("Business type"))
    bank_name = forms.CharField(label=gettext_lazy("Bank"), max_length=80, required=False)
    bank_account = forms.CharField(
        label=gettext_lazy("Account number"), max_length=30, required=False
    )
    bank_account_holder = forms.CharField(
        label=gettext_lazy("Account holder"), max_length=150, required=False
    )
    stale_fields = {
        "name": "name",
        "business_type": "business_type.label",  # in the reader's language, like the choices
        "bank_name": "bank_name",
        "bank_account": "bank_account",
        "bank_account_holder": "bank_account_holder",
    }

    def __init__(self, *args: Any, kinds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["business_type"].choices = _kinds(kinds)  # type: ignore[attr-defined]


class MemberAddForm(PickerFormMixin, forms.Form):
    """A head of family joins: chosen by name among those of the group's district; those who
    cannot join are greyed out with the reason (kube.pickers)."""

    person = PickerField("kube_candidate", label=gettext_lazy("Person"), coerce=int)
    role = forms.ChoiceField(
        label=gettext_lazy("Role"), choices=OfficerRole.choices, initial=OfficerRole.ANGGOTA
    )

    def __init__(self, *args: Any, kube_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        assert isinstance(person, PickerField)
        person.set_params(kube=str(kube_id))


class MemberEndForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for leaving"), max_length=200)


class MemberRoleForm(forms.Form):
    # One per member row: the select names itself (no visible label in a table cell).
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=OfficerRole.choices,
        widget=forms.Select(attrs={"aria-label": gettext_lazy("Role")}),
    )


class MoveForm(SubmitOnceMixin, forms.Form):
    """One status move; irreversible ones are confirmed, some need a reason."""

    to = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300, required=False)
    confirm = forms.BooleanField(label=gettext_lazy("I understand"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        to = cleaned.get("to")
        if to in NEEDS_REASON and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for this step."))
        if to in CONFIRM and not cleaned.get("confirm"):
            self.add_error(
                "confirm",
                _("Tick to confirm: this cannot be undone.")
                if to in IRREVERSIBLE
                else _("Tick to confirm."),
            )
        return cleaned


class IksForm(SubmitOnceMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=IksKind.choices)
    day = forms.DateField(label=gettext_lazy("Date"), widget=DateInput)
    amount = RupiahField(model=IksEntry, name="amount", label=gettext_lazy("Amount"), min_value=1)
    profit = RupiahField(
        model=IksEntry,
        name="profit",
        label=gettext_lazy("Profit (optional)"),
        min_value=0,
        required=False,
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


def raw_ids(values: list[str]) -> list[int]:
    """Row ids among sent values (ASCII digits that fit a bigint); anything else is dropped."""
    return [int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 19]


def draft_of(form: KubeForm) -> tuple[list[int], dict[str, int]]:
    """Ticked members and chosen officers as sent, valid or not (for the live check)."""
    if not form.is_bound:
        return [], {}
    known = form.candidates
    data: Any = form.data  # a QueryDict: a ticked list is several values of one name
    ids = [i for i in raw_ids(data.getlist(form.add_prefix("members"))) if i in known]
    officers: dict[str, int] = {}
    for role in OFFICERS:
        chosen = raw_ids([form.data.get(form.add_prefix(role), "")])
        if chosen and chosen[0] in known:
            officers[str(role)] = chosen[0]
    return ids, officers
