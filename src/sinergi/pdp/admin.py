"""Retention periods are configuration the national admin keeps (a new row with a later
valid-from date replaces a period from that day; every change audited, core.admin.AuditedAdmin)."""

from django.contrib import admin

from sinergi.core.admin import AuditedAdmin
from sinergi.pdp.models import RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(AuditedAdmin):
    list_display = ["category", "days", "action", "valid_from", "reference"]
    list_filter = ["category", "action"]
