"""``/tugas/``: what waits for the signed-in person, across every module (core.inbox)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from sinergi.core import inbox


@login_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    items = inbox.items_for(request.user)
    groups = inbox.group_by_kind(items)
    chosen = request.GET.get("jenis", "")
    if chosen not in {code for code, _label, _rows in groups}:
        chosen = ""
    shown = [g for g in groups if g[0] == chosen] if chosen else groups
    names = inbox.area_names([item for _code, _label, rows in shown for item in rows])
    return render(
        request,
        "core/inbox.html",
        {
            "groups": [
                (code, label, [(item, names.get(item.area, "")) for item in rows])
                for code, label, rows in shown
            ],
            "kinds": [(code, label, len(rows)) for code, label, rows in groups],
            "chosen": chosen,
            "total": len(items),
            "today": timezone.localdate(),
        },
    )
