"""Every HTML write in monitoring goes through one of these forms: the typed text is kept on an
error and the message stands next to the field that caused it."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.core.errors import DomainError, Forbidden
from sinergi.core.forms import SubmitOnceMixin
from sinergi.core.money import parse_rupiah
from sinergi.core.numbers import BoundedIntegerField, RupiahField, format_number
from sinergi.monitoring.models import GroupReport, Metric

NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}
INCOME_PREFIX = "income_"
FIGURE_FIELDS = ("turnover", "costs", "assets", "savings", "iks_paid", "active_members")


def add_service_error(form: forms.Form, exc: DomainError) -> None:
    """A service's refusal shown where it belongs: on its field if the form has it. A role's
    refusal is no input problem: it stays a 403."""
    if isinstance(exc, Forbidden):
        raise exc
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


class GroupReportForm(SubmitOnceMixin, forms.Form):
    turnover = RupiahField(
        model=GroupReport, name="turnover", min_value=0, label=_("Turnover (Rp)"), required=False
    )
    costs = RupiahField(
        model=GroupReport, name="costs", min_value=0, label=_("Costs (Rp)"), required=False
    )
    assets = RupiahField(
        model=GroupReport, name="assets", min_value=0, label=_("Assets (Rp)"), required=False
    )
    savings = RupiahField(
        model=GroupReport, name="savings", min_value=0, label=_("Savings (Rp)"), required=False
    )
    iks_paid = RupiahField(
        model=GroupReport, name="iks_paid", min_value=0, label=_("IKS paid (Rp)"), required=False
    )
    active_members = BoundedIntegerField(
        model=GroupReport, name="active_members", label=_("Active members"), required=False
    )
    problems = forms.CharField(
        label=_("Problems"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    action = forms.ChoiceField(
        choices=[("save", _("Save draft")), ("submit", _("Submit"))],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, members: list[Any], incomes: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in FIGURE_FIELDS:
            self.fields[name].widget.attrs.update(NUMERIC)
        self.member_names: dict[str, str] = {}
        if incomes:
            for membership in members:
                name = f"{INCOME_PREFIX}{membership.person_id}"
                self.fields[name] = RupiahField(
                    model=GroupReport,
                    name="turnover",
                    min_value=0,
                    required=False,
                    label=membership.person.name,
                )
                self.fields[name].widget.attrs.update(NUMERIC)
                self.member_names[name] = membership.person.name

    @property
    def submit(self) -> bool:
        return self.cleaned_data.get("action") == "submit" or self.data.get("action") == "submit"

    def figures(self) -> dict[str, Any]:
        """The figures the post carried (a field left empty is zero); one it did not carry is
        not sent, so the service leaves it as it is."""
        data = self.cleaned_data
        out: dict[str, Any] = {
            name: data.get(name) or 0 for name in FIGURE_FIELDS if name in self.data
        }
        if "problems" in self.data:
            out["problems"] = data.get("problems", "")
        return out

    def incomes(self) -> dict[int, int | None]:
        return {
            int(name.removeprefix(INCOME_PREFIX)): self.cleaned_data.get(name)
            for name in self.member_names
        }

    def income_field(self, person_id: int) -> forms.BoundField | None:
        name = f"{INCOME_PREFIX}{person_id}"
        return self[name] if name in self.fields else None


class GraduationDecisionForm(SubmitOnceMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("confirm", _("Confirm the graduation")),
            ("reject", _("Not yet: keep the household in its group")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Required when the graduation is not confirmed."),
    )
    understood = forms.BooleanField(
        label=_(
            "I have checked the months above the line: the household leaves its KUBE and is "
            "counted as graduated. This cannot be undone."
        ),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the household is not graduating."))
        if data.get("decision") == "confirm" and not data.get("understood"):
            self.add_error("understood", _("Tick this box to confirm the graduation."))
        return data

    @property
    def confirm(self) -> bool:
        return self.cleaned_data.get("decision") == "confirm"


class PovertyLineUploadForm(SubmitOnceMixin, forms.Form):
    file = forms.FileField(label=_("File"), widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}))
    source = forms.CharField(
        label=_("Source"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": _("Source, e.g. BPS Berita Resmi Statistik Juli 2025")}
        ),
    )


class RefreshForm(forms.Form):
    next = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)

    def target(self, default: str) -> str:
        # Only back to a monitoring page: never an address someone slipped into the form.
        back = self.cleaned_data.get("next", "") if self.is_valid() else ""
        return back if back.startswith("/pantau/") else default


class RubricForm(SubmitOnceMixin, forms.Form):
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    name = forms.CharField(label=_("Name"), max_length=150)
    note = forms.CharField(label=_("Source or decree"), max_length=200, required=False)
    provisional = forms.BooleanField(
        label=_("Provisional (not the official criteria yet)"), required=False
    )
    window_months = forms.IntegerField(label=_("Months looked at"), min_value=1, max_value=36)
    berkembang_from = forms.IntegerField(
        label=_("Berkembang from score"), min_value=1, max_value=100
    )
    maju_from = forms.IntegerField(label=_("Maju from score"), min_value=1, max_value=100)


def parse_bands_text(text: str) -> list[list[float | int]]:
    """``0=0; 50=60; 1.000.000=100`` → ``[[0, 0], [50, 60], [1000000, 100]]``: thresholds as
    people type them (thousands separators, or a decimal point), whole points."""
    bands: list[list[float | int]] = []
    for part in re.split(r"[;\n]+", text):
        if not part.strip():
            continue
        threshold, sep, points = part.partition("=")
        value = parse_rupiah(threshold.strip())
        if value is None:
            try:
                value_f = float(threshold.strip())
            except ValueError:
                value_f = None
        if not sep or not points.strip().isdigit() or (value is None and value_f is None):
            raise forms.ValidationError(
                _("Write each band as threshold=points, separated by semicolons: “%(part)s”.")
                % {"part": part.strip()[:30]}
            )
        bands.append([value if value is not None else value_f, int(points.strip())])  # type: ignore[list-item]
    if not bands:
        raise forms.ValidationError(_("Give at least one band."))
    return bands


class IndicatorForm(forms.Form):
    metric = forms.ChoiceField(label=_("Indicator"), choices=Metric.choices)
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=100, initial=1)
    bands = forms.CharField(
        label=_("Bands"),
        max_length=400,
        help_text=_("threshold=points; … e.g. 0=0; 50=60; 80=100"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The table's header names the columns; each input still says what it is.
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = field.label

    def clean_bands(self) -> list[list[float | int]]:
        return parse_bands_text(self.cleaned_data["bands"])


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=2, max_num=len(Metric.values))


def bands_text(bands: list[list[float | int]]) -> str:
    return "; ".join(f"{format_number(t) if t == int(t) else t}={p}" for t, p in bands)
