"""The catalogue's cards written out in one tag.

A page of 24 products through the template engine, each with its permits through an
``{% include %}``, was about half the catalogue's CPU. ``{% product_cards page %}`` writes the
same markup, byte for byte, with one escape per value (tests/market/test_catalogue_cards.py
holds the templates it replaced). ``{% permit_badges permits %}`` is the permits' part.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from sinergi.core.templatetags.fast_lists import escape_text as _e
from sinergi.core.templatetags.fast_lists import label_of, row_url, rows_html

register = template.Library()


@register.simple_tag
def permit_badges(permits: Iterable[Any]) -> SafeString:
    """A product's permits as badges, an expired one said to be expired (never shown as
    valid), each followed by a space; then a newline."""
    out = []
    for permit in permits:
        kind = _e(label_of(permit, "kind"))
        if permit.expired:
            # As blocktranslate does: the value escaped, the translated text as it is.
            said = gettext("%(kind)s: expired") % {"kind": kind}
            out.append(f'<span class="badge retired">{said}</span> ')
        else:
            out.append(f'<span class="badge">{kind}</span> ')
    return mark_safe("".join(out) + "\n")  # noqa: S308  # the labels are escaped


@register.simple_tag
def product_cards(page: Iterable[Any]) -> SafeString:
    """The ``<article>`` of each product of the catalogue's page (``permit_list`` read)."""
    ready, least = _e(gettext("ready")), _e(gettext("min."))

    def row(p: Any) -> str:
        name = _e(p.name)
        photo = (
            f'<img src="{row_url("market:product_photo", p.pk)}" alt="{name}" loading="lazy"'
            ' width="320">'
            if p.photo
            else ""
        )
        regency = getattr(p, "regency", None)
        place = (regency.name if regency is not None else "") or p.kube.village.name
        return (
            f"\n  <article>\n    {photo}\n"
            f'    <h3><a href="{row_url("market:product_detail", p.pk)}">{name}</a></h3>\n'
            f"    <p><strong>Rp{_e(intcomma(p.price))}</strong> / {_e(p.unit)} · {ready}"
            f" {_e(intcomma(p.available))} · {least} {_e(intcomma(p.min_order))}</p>\n"
            f'    <p><small class="muted">{_e(p.category.label)} · {_e(p.kube.name)}'
            f" · {_e(place)}</small></p>\n"
            f"    {permit_badges(p.permit_list)}\n  </article>\n"
        )

    return rows_html(page, row, f"\n  <p>{_e(gettext('No products match.'))}</p>\n")


@register.simple_tag
def sale_rows(page: Iterable[Any]) -> SafeString:
    """The sales list's rows (the page every facilitator and buyer opens), as its loop wrote
    them (tests/market/test_list_rows.py holds the loop)."""

    def row(s: Any) -> str:
        return (
            f"<tr><td>{s.day.isoformat()}</td><td>{_e(s.kube.name)}</td>"
            f"<td>{_e(s.description)}</td><td>{_e(intcomma(s.quantity))}</td>"
            f"<td>Rp{_e(intcomma(s.price))}</td><td>{_e(label_of(s, 'buyer_type'))}</td></tr>\n  "
        )

    return rows_html(
        page, row, f'<tr><td colspan="6">{_e(gettext("No sales recorded."))}</td></tr>'
    )
