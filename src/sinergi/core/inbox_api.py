"""API of the task inbox: ``GET /api/v1/inbox/`` (core.inbox), in the caller's language."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from sinergi.core import inbox

router = Router(tags=["inbox"])


class InboxItemOut(Schema):
    # A stable code ("kube.verify"): clients branch on it.
    kind: str
    # The kind's label in the caller's language ("KUBE to verify").
    kind_label: str
    # What to do, for which group or region, in the caller's language.
    title: str
    # The page where it is done; it opens for the caller.
    url: str
    since: datetime
    due: date | None
    # The region code the work concerns, or "".
    area: str


class InboxOut(Schema):
    items: list[InboxItemOut]
    count: int


@router.get("/", response=InboxOut, summary="What waits for you, most urgent first")
def inbox_list(request: HttpRequest) -> dict[str, Any]:
    """Every task waiting for the caller across all modules (proposals to recommend or approve,
    KUBE to verify or activate, offers, order parts, orders, LPJ, monthly reports, overdue
    action items, duplicates, graduations, imports, exports): overdue and due ones first, then
    the oldest. Titles in the ``Accept-Language`` language; a long queue of one kind is listed
    up to ten records and one "N more" item. Computed from the records at each call."""
    items = inbox.items_for(request.user)
    return {
        "items": [
            {
                "kind": item.kind,
                "kind_label": inbox.kind_label(item.kind),
                "title": str(item.title),
                "url": item.url,
                "since": item.since,
                "due": item.due,
                "area": item.area,
            }
            for item in items
        ],
        "count": len(items),
    }
