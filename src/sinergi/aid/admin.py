"""Programmes in the admin go through the aid services (checked and audited like the API's
``POST``/``PATCH /aid/programmes``); cycles are opened by the "Open the next cycle" action
(``cycle_create``) and otherwise only shown: proposals and approval live on the aid pages.
Bank statement profiles are reference data with no page of their own: edited here, every
change audited (``AuditedAdmin``); the shipped ones are kept (deactivate them instead)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from sinergi.aid import services
from sinergi.aid.models import Cycle, Programme, StatementProfile
from sinergi.core.admin import AuditedAdmin, ReadOnlyInline
from sinergi.core.errors import DomainError, InvalidInput


class CycleInline(ReadOnlyInline):
    model = Cycle
    fields = ["number", "status", "approved_by", "approved_at"]
    readonly_fields = ["number", "status", "approved_by", "approved_at"]


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = list(services.PROGRAMME_FIELDS)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        try:
            services.programme_check(cleaned, programme=self.instance if self.instance.pk else None)
        except InvalidInput as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return cleaned


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    """The national admin defines programmes here; the services save them."""

    form = ProgrammeForm
    list_display = [
        "name",
        "year",
        "funding_source",
        "amount_rule",
        "amount",
        "cap",
        "budget_ceiling",
        "area_code",
    ]
    list_filter = ["year", "funding_source"]
    inlines = [CycleInline]
    actions = ["open_next_cycle"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a programme is history once defined

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        values = {k: form.cleaned_data[k] for k in services.PROGRAMME_FIELDS}
        if change:
            saved = services.programme_update(actor=request.user, programme_id=obj.pk, **values)
        else:
            saved = services.programme_create(actor=request.user, **values)
        obj.pk, obj._state.adding = saved.pk, False

    @admin.action(description=_("Open the next cycle"), permissions=["add_cycle"])
    def open_next_cycle(self, request: HttpRequest, queryset: QuerySet[Programme]) -> None:
        for programme in queryset:
            try:
                cycle = services.cycle_create(actor=request.user, programme_id=programme.pk)
            except DomainError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)
            else:
                self.message_user(request, f"{programme}: {_('cycle')} {cycle.number}")

    def has_add_cycle_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("aid.add_cycle"))


@admin.register(StatementProfile)
class StatementProfileAdmin(AuditedAdmin):
    """Each bank's statement layout; the model's ``clean`` refuses one the reader cannot use."""

    list_display = ["name", "label", "kind", "amount_style", "date_style", "active", "builtin"]
    list_filter = ["kind", "active", "builtin"]
    readonly_fields = ["builtin"]
    fieldsets = [
        (None, {"fields": ["name", "label", "kind", "active", "builtin", "notes"]}),
        (_("File"), {"fields": ["delimiter", "encoding", "skip_rows"]}),
        (
            _("Columns (as the header names them)"),
            {
                "fields": [
                    "date_column",
                    "reference_column",
                    "account_column",
                    "amount_column",
                    "debit_column",
                    "credit_column",
                    "description_column",
                ]
            },
        ),
        (
            _("Reading"),
            {
                "fields": [
                    "reference_pattern",
                    "account_pattern",
                    "date_style",
                    "amount_style",
                    "direction",
                ]
            },
        ),
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.builtin:
            return False  # shipped: deactivate it instead, so a later release can still update it
        return bool(super().has_delete_permission(request, obj))
