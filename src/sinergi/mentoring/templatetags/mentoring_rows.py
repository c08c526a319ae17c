"""The mentoring lists' rows written out in one tag.

A page of 50 groups through the template engine is about 600 nodes (lookups, escaping,
localising, a plural per overdue figure): two thirds of the page's CPU, on the list every
officer opens. ``{% group_rows page %}`` and ``{% mentor_rows page %}`` write the same markup,
byte for byte, with one escape per value (tests/mentoring/test_list_rows.py holds the
templates they replaced).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from sinergi.core.templatetags.fast_lists import escape_text as escape
from sinergi.core.templatetags.fast_lists import label_of, row_url, rows_html

register = template.Library()


def _or_dash(value: Any) -> str:
    return escape(value) if value else "—"


@register.simple_tag
def group_rows(page: Iterable[Any]) -> SafeString:
    """The ``<tr>`` of each group of ``mentoring.selectors.group_list``'s page."""

    def row(k: Any) -> str:
        overdue = ""
        if k.overdue_items:
            # As blocktranslate does: the number in the translated text, the text as it is.
            n = ngettext("%(n)s overdue", "%(n)s overdue", k.overdue_items) % {
                "n": int(k.overdue_items)
            }
            overdue = f' <span class="overdue">{n}</span>'
        last = k.last_session.isoformat() if k.last_session else ""
        return (
            f'\n    <tr><td><a href="{row_url("mentoring:group_detail", k.pk)}">'
            f'{escape(k.name)}</a><br><small class="muted">{escape(k.business_type.label)}'
            f" · {escape(label_of(k, 'status'))}</small></td>\n"
            f'      <td><code class="region-code">{escape(k.area_code)}</code>'
            f" {escape(k.village.name)}</td>\n"
            f"      <td>{_or_dash(k.mentor_name)}</td>\n"
            f"      <td>{_or_dash(last)}</td>\n"
            f"      <td>{int(k.open_items)}{overdue}</td></tr>\n  "
        )

    return rows_html(
        page, row, f'\n    <tr><td colspan="5">{escape(gettext("No groups match."))}</td></tr>\n  '
    )


@register.simple_tag
def mentor_rows(page: Iterable[Any]) -> SafeString:
    """The ``<tr>`` of each mentor of ``mentoring.selectors.mentor_list``'s page."""
    left, yes, no, until = (escape(gettext(w)) for w in ("Left", "Yes", "No", "until"))

    def row(m: Any) -> str:
        business = f'<br><small class="muted">{escape(m.business)}</small>' if m.business else ""
        regency = m.base_regency.name if m.base_regency is not None else ""
        sectors = ", ".join(escape(s.label) for s in m.sector_list)
        if not m.active:
            available = left
        elif m.available:
            day = m.available_until
            available = yes + (f" ({until} {day.isoformat()})" if day else "")
        else:
            available = no
        return (
            f'\n    <tr><td><a href="{row_url("mentoring:mentor_edit", m.pk)}">'
            f"{escape(m.name)}</a>{business}</td><td>{escape(m.unit)}</td>\n"
            f'      <td><code class="region-code">{escape(m.area_code)}</code>'
            f" {escape(regency)}</td>\n"
            f"      <td>{sectors}</td>\n"
            f"      <td>{int(m.load)} / {int(m.capacity)}</td>\n"
            f"      <td>{available}</td></tr>\n  "
        )

    return rows_html(
        page, row, f'\n    <tr><td colspan="6">{escape(gettext("No mentors match."))}</td></tr>\n  '
    )
