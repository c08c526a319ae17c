"""Legal bases are reference data (audited here); consent records are written by the
registry's consent service on the person's page and API, so the admin only shows them."""

from django.contrib import admin

from sinergi.core.admin import AuditedAdmin, ReadOnlyAdmin
from sinergi.registry.models import ConsentRecord, LegalBasis


@admin.register(LegalBasis)
class LegalBasisAdmin(AuditedAdmin):
    """The national admin records why each data category may be processed, from a date."""

    list_display = ["category", "basis", "reference", "valid_from"]
    list_filter = ["category", "basis"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    """Consent where consent is the basis; the person is shown by masked NIK only."""

    list_display = ["person", "category", "purpose", "notice_version", "given_at", "withdrawn_at"]
    list_filter = ["category"]
    raw_id_fields = ["person"]
