"""The Django admin's policy (docs/architecture.md, "The Django admin"), as NetBox and Saleor
keep it: domain data is written through services only (pages and the API), so the admin shows
it read-only (``ReadOnlyAdmin``); reference data with no page of its own (regions, policies,
categories, legal bases, rubrics, poverty lines) is kept here, and every add, change and
delete of it is on the audit trail with old and new values (``AuditedAdmin``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from sinergi.core import events
from sinergi.core.events import snapshot
from sinergi.core.models import AuditEvent


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Domain rows whose writes go through services: viewed (and their history) here,
    never added, changed or deleted."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _fields(obj: models.Model) -> list[str]:
    return [f.name for f in obj._meta.concrete_fields if not f.primary_key]


def _area(obj: models.Model) -> str:
    return str(getattr(obj, "area_code", "") or getattr(obj, "code", "") or "")


def _audit_form(request: HttpRequest, form: ModelForm[Any], change: bool) -> None:
    """The event of one saved form (the parent's or an inline row's), old → new."""
    obj = form.instance
    names = [n for n in form.changed_data if n in _fields(obj)] if change else _fields(obj)
    if change and not names:
        return
    before = {n: form.initial.get(n) for n in names} if change else {}
    AuditEvent.record(
        events.REFERENCE_CHANGED if change else events.REFERENCE_ADDED,
        actor=request.user,
        obj=obj,
        area_code=_area(obj),
        before=before,
        after=snapshot(obj, *names),
    )


def _audit_delete(request: HttpRequest, obj: models.Model) -> None:
    names = _fields(obj)
    AuditEvent.record(
        events.REFERENCE_DELETED,
        actor=request.user,
        obj=obj,
        area_code=_area(obj),
        before=snapshot(obj, *names),
        after={},
    )


class AuditedAdmin(SimpleHistoryAdmin):
    """Reference data the admin is the write path for: each save or delete (inline rows
    included) writes its ``core.reference.*`` event in the same transaction."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            _audit_form(request, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        with transaction.atomic():
            inline = isinstance(formset, BaseInlineFormSet)
            if inline:
                # Recorded before they go, while they still have their ids.
                for row in formset.deleted_forms:
                    if row.instance.pk:
                        _audit_delete(request, row.instance)
            super().save_formset(request, form, formset, change)
            if not inline:
                return
            for obj, _changed in formset.changed_objects:
                row = next(f for f in formset.initial_forms if f.instance is obj)
                _audit_form(request, row, change=True)
            for obj in formset.new_objects:
                row = next(f for f in formset.extra_forms if f.instance is obj)
                _audit_form(request, row, change=False)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            _audit_delete(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                _audit_delete(request, obj)
            super().delete_queryset(request, queryset)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by services, never edited by hand."""

    list_display = ["occurred_at", "event_type", "actor", "object_repr", "area_code"]
    list_filter = ["event_type"]
    search_fields = ["object_repr", "event_type", "request_id"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
