"""Region names are reference data: corrected here, each change audited (core.admin)."""

from django.contrib import admin

from sinergi.core.admin import AuditedAdmin
from sinergi.wilayah.models import Region


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ["code", "name", "level", "decree", "retired"]
    list_filter = ["level", "retired", "scheme"]
    search_fields = ["code", "name"]
    readonly_fields = ["scheme", "code", "level", "parent"]
    list_per_page = 50
    show_full_result_count = False
