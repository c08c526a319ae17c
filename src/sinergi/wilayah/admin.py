from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from sinergi.wilayah.models import Region


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "level", "decree", "retired"]
    list_filter = ["level", "retired", "scheme"]
    search_fields = ["code", "name"]
    readonly_fields = ["scheme", "code", "level", "parent"]
    list_per_page = 50
    show_full_result_count = False
