from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from sinergi.aid.models import Cycle, Programme


class CycleInline(admin.TabularInline):
    model = Cycle
    fields = ["number", "status", "approved_by", "approved_at"]
    readonly_fields = ["status", "approved_by", "approved_at"]
    extra = 1


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    """The national admin defines programmes and opens their cycles here."""

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
