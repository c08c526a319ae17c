from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from sinergi.mentoring.models import Agreement, Kpi, Organisation, Unit


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "active"]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    """The national admin records each board or branch with the region it serves."""

    list_display = ["name", "organisation", "level", "area_code"]
    list_filter = ["organisation", "level"]
    search_fields = ["name", "area_code"]
    autocomplete_fields = ["region", "parent"]


class KpiInline(admin.TabularInline):
    model = Kpi
    extra = 2


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["number", "kind", "organisation", "signing_unit", "valid_from", "valid_until"]
    list_filter = ["organisation", "kind"]
    search_fields = ["number", "title"]
    autocomplete_fields = ["signing_unit", "area"]
    inlines = [KpiInline]
