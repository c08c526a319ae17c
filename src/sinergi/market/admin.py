"""The product categories (a code list) are reference data kept here, every change audited
(core.admin.AuditedAdmin); products, demands and orders are written on the market pages."""

from django.contrib import admin

from sinergi.core.admin import AuditedAdmin
from sinergi.market.models import Category


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = ["code", "name", "name_en", "unit", "active"]
    search_fields = ["code", "name", "name_en"]
