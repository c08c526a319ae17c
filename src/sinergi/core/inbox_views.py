"""``/tugas/``: what waits for the signed-in person, across every module (core.inbox)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import timesince_filter
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from sinergi.core import inbox


def _phrase(translated: str, **values: Any) -> SafeString:
    """``{% blocktranslate with … %}`` in Python: the message (already in the reader's
    language, a literal ``gettext`` so makemessages keeps it) with the values escaped into it,
    the same text the tag gives."""
    return mark_safe(translated % {k: conditional_escape(v) for k, v in values.items()})  # noqa: S308


def _row(item: inbox.InboxItem, today: datetime.date) -> dict[str, Any]:
    """What a row shows of its dates, worded here rather than by three translation tags per
    row in the template: the page lists up to ten rows of each of ~20 kinds, and the tags'
    rendering was most of the template's CPU."""
    row: dict[str, Any] = {
        "waiting": _phrase(
            gettext("waiting since %(when)s (%(ago)s)"),
            when=date_filter(timezone.localtime(item.since), "Y-m-d"),
            ago=timesince_filter(item.since),
        ),
        "overdue": item.due is not None and item.due < today,
        # Due today or overdue: marked as such.
        "urgent": item.due is not None and item.due <= today,
        "due": "",
    }
    if item.due is not None:
        day = date_filter(item.due, "Y-m-d")
        if item.due < today:
            row["due"] = _phrase(gettext("overdue since %(day)s"), day=day)
        elif item.due == today:
            row["due"] = conditional_escape(gettext("due today"))
        else:
            row["due"] = _phrase(gettext("due %(day)s"), day=day)
    return row


@login_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    items = inbox.items_for(request.user)
    groups = inbox.group_by_kind(items)
    chosen = request.GET.get("jenis", "")
    if chosen not in {code for code, _label, _rows in groups}:
        chosen = ""
    shown = [g for g in groups if g[0] == chosen] if chosen else groups
    names = inbox.area_names([item for _code, _label, rows in shown for item in rows])
    today = timezone.localdate()
    return render(
        request,
        "core/inbox.html",
        {
            "groups": [
                (
                    code,
                    label,
                    [(item, names.get(item.area, ""), _row(item, today)) for item in rows],
                )
                for code, label, rows in shown
            ],
            "kinds": [(code, label, len(rows)) for code, label, rows in groups],
            "chosen": chosen,
            "total": len(items),
        },
    )
