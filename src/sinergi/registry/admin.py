from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from sinergi.registry.models import ConsentRecord, LegalBasis


@admin.register(LegalBasis)
class LegalBasisAdmin(SimpleHistoryAdmin):
    """The national admin records why each data category may be processed, from a date."""

    list_display = ["category", "basis", "reference", "valid_from"]
    list_filter = ["category", "basis"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(SimpleHistoryAdmin):
    """Consent where consent is the basis; the person is shown by masked NIK only."""

    list_display = ["person", "category", "purpose", "notice_version", "given_at", "withdrawn_at"]
    list_filter = ["category"]
    raw_id_fields = ["person"]
    readonly_fields = ["recorded_by"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
