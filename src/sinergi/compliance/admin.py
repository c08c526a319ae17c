from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from sinergi.compliance import services
from sinergi.compliance.models import LetterTemplate, placeholders


@admin.register(LetterTemplate)
class LetterTemplateAdmin(SimpleHistoryAdmin):
    """The national admin words the notification letters; ``{placeholder}`` names are checked
    on save (an unknown one is refused next to its field) and each change is audited."""

    list_display = ["recipient", "language", "subject", "updated_at"]
    list_filter = ["recipient", "language"]
    readonly_fields = ["known_placeholders"]
    fields = ["recipient", "language", "subject", "body", "known_placeholders"]

    @admin.display(description=_("Placeholders"))
    def known_placeholders(self, obj: Any) -> str:
        return format_html_join(
            "", "<div><code>{{{}}}</code> — {}</div>", ((k, v) for k, v in placeholders().items())
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.letter_template_save(actor=request.user, template=obj)
