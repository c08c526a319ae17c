"""Configuration the national admin keeps: poverty lines, class rubrics, the graduation rule
(reference data: every change audited, core.admin.AuditedAdmin)."""

from typing import Any

from django.contrib import admin

from sinergi.core.admin import AuditedAdmin
from sinergi.engines import rubric as engine
from sinergi.monitoring.models import GraduationRule, PovertyLine, Rubric, RubricIndicator


@admin.register(PovertyLine)
class PovertyLineAdmin(AuditedAdmin):
    list_display = ["province_code", "year", "semester", "area_type", "amount", "source"]
    list_filter = ["year", "semester", "area_type"]
    search_fields = ["province_code", "source"]


class IndicatorInline(admin.TabularInline):
    model = RubricIndicator
    extra = 1


@admin.register(Rubric)
class RubricAdmin(AuditedAdmin):
    """A rubric applies from its date; add a new one rather than editing one already used."""

    list_display = ["name", "valid_from", "provisional", "berkembang_from", "maju_from"]
    inlines = [IndicatorInline]

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        rubric = form.instance
        try:
            rubric.as_engine().check()
        except engine.RubricError as exc:
            # Indicators were checked one by one; this catches an empty rubric.
            self.message_user(request, f"{exc}", level="warning")


@admin.register(GraduationRule)
class GraduationRuleAdmin(AuditedAdmin):
    list_display = ["valid_from", "consecutive_months", "margin_basis_points"]
