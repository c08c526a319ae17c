from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sinergi.core.models import AuditEvent


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
