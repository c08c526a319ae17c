"""The KUBE list's rows written out in one tag.

Fifty groups through the template engine were most of the list's CPU (a lookup, escape and
localisation per cell). ``{% kube_rows page %}`` writes the same markup, byte for byte
(tests/kube/test_list_rows.py holds the loop it replaced).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from sinergi.core.templatetags.fast_lists import escape_text as e
from sinergi.core.templatetags.fast_lists import label_of, row_url, rows_html

register = template.Library()


@register.simple_tag
def kube_rows(page: Iterable[Any]) -> SafeString:
    def row(k: Any) -> str:
        return (
            f'\n    <tr><td><a href="{row_url("kube:kube_detail", k.pk)}">{e(k.name)}</a></td>'
            f"<td>{e(k.business_type.label)}</td>"
            f'<td><code class="region-code">{e(k.area_code)}</code> {e(k.village.name)}</td>'
            f"<td>{e(k.member_count)}</td><td>{e(label_of(k, 'status'))}</td></tr>\n  "
        )

    return rows_html(
        page, row, f'\n    <tr><td colspan="5">{e(gettext("No groups match."))}</td></tr>\n  '
    )
