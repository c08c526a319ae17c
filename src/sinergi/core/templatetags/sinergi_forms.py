"""``{% submit_once_token %}``: the one-time token of ``core.forms.submit_once`` for a form
rendered without a Django form class."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from sinergi.core.forms import SUBMIT_TOKEN_FIELD, new_submit_token

register = template.Library()


@register.simple_tag
def submit_once_token() -> SafeString:
    return format_html(
        '<input type="hidden" name="{}" value="{}">', SUBMIT_TOKEN_FIELD, new_submit_token()
    )
