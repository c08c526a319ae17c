from typing import Any

from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from simple_history.admin import SimpleHistoryAdmin

from sinergi.core.errors import InvalidInput
from sinergi.mentoring.models import Agreement, Kpi, Organisation, Unit
from sinergi.mentoring.services import agreement_document_clean


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


class AgreementForm(forms.ModelForm):
    """A document attached here is checked and re-made like one attached through the API."""

    class Meta:
        model = Agreement
        fields = ["document"]  # the admin adds the others it shows

    def clean_document(self) -> Any:
        document = self.cleaned_data.get("document")
        if not isinstance(document, UploadedFile):
            return document  # unchanged or cleared
        try:
            return agreement_document_clean(document)
        except InvalidInput as exc:
            raise forms.ValidationError(str(exc)) from exc


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    form = AgreementForm
    list_display = ["number", "kind", "organisation", "signing_unit", "valid_from", "valid_until"]
    list_filter = ["organisation", "kind"]
    search_fields = ["number", "title"]
    autocomplete_fields = ["signing_unit", "area"]
    inlines = [KpiInline]
