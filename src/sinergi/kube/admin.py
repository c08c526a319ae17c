"""KUBE reference data the national admin keeps: business types and the formation policy (valid
from a date; add a new one rather than editing one in force). Every change is on the audit trail
(core.admin.AuditedAdmin); groups themselves are written on the KUBE pages only."""

from django.contrib import admin

from sinergi.core.admin import AuditedAdmin
from sinergi.kube.models import BusinessType, FormationPolicy


@admin.register(BusinessType)
class BusinessTypeAdmin(AuditedAdmin):
    list_display = ["code", "name", "name_en", "active"]
    search_fields = ["code", "name", "name_en"]


@admin.register(FormationPolicy)
class FormationPolicyAdmin(AuditedAdmin):
    list_display = ["valid_from", "min_members", "max_members", "max_desil", "min_age", "max_age"]
