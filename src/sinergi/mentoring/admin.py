"""Partners, units and agreements are written through the mentoring services (the partner
pages and the API, audited there); the admin shows them read-only (core.admin)."""

from django.contrib import admin

from sinergi.core.admin import ReadOnlyAdmin, ReadOnlyInline
from sinergi.mentoring.models import Agreement, Kpi, Organisation, Unit


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "acronym", "active"]
    search_fields = ["name", "acronym"]


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    """Each board or branch with the region it serves."""

    list_display = ["name", "organisation", "level", "area_code"]
    list_filter = ["organisation", "level"]
    search_fields = ["name", "area_code"]
    autocomplete_fields = ["region", "parent"]


class KpiInline(ReadOnlyInline):
    model = Kpi


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "organisation", "signing_unit", "valid_from", "valid_until"]
    list_filter = ["organisation", "kind"]
    search_fields = ["number", "title"]
    autocomplete_fields = ["signing_unit", "area"]
    inlines = [KpiInline]
