"""The offline app's device read: ``GET /api/v1/sync/`` (docs/api.md, "Offline field work")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import ValidationError

from sinergi.core.api_perms import require_perm
from sinergi.offline import selectors

router = Router(tags=["offline"])


class SyncVillageOut(Schema):
    code: str
    name: str


class SyncMemberOut(Schema):
    # The membership (what a session's attendance names) and the person; name and group role
    # only, never an identifier.
    id: int
    person_id: int
    name: str
    role: str
    role_label: str


class SyncActionItemOut(Schema):
    id: int
    description: str
    owner: str
    due_on: date
    overdue: bool
    session_id: int


class SyncSessionOut(Schema):
    id: int
    held_on: date
    place: str
    topics: str
    mentor: str
    present: int


class SyncProductOut(Schema):
    id: int
    name: str
    unit: str
    price: int
    available: int
    active: bool


class SyncGroupOut(Schema):
    id: int
    name: str
    status: str
    status_label: str
    village: SyncVillageOut
    business_type: str
    updated_at: datetime
    url: str
    members: list[SyncMemberOut]
    action_items: list[SyncActionItemOut]
    sessions: list[SyncSessionOut]
    products: list[SyncProductOut]


class SyncOut(Schema):
    # Send it back as ``since`` next time.
    server_time: datetime
    # True: the device replaces what it holds by this answer; false: ``groups`` holds only the
    # groups changed since ``since``.
    full: bool
    # Every group in the caller's offline scope now: the device drops the others.
    group_ids: list[int]
    groups: list[SyncGroupOut]
    # The pages to keep for offline use, each one that opens for the caller; always complete.
    pages: list[str]
    # More groups in scope than one phone takes (an office's area): the most recent were sent.
    truncated: bool


def _since(raw: str) -> datetime | None:
    if not raw.strip():
        return None
    try:
        moment = parse_datetime(raw.strip())
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError(
            [
                {
                    "loc": ["query", "since"],
                    "msg": _(
                        "Give the moment as ISO 8601, e.g. 2026-11-20T09:00:00+07:00 (the "
                        "server_time of the last sync), or leave it empty for everything."
                    ),
                }
            ]
        )
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@router.get("/", response=SyncOut, summary="What a field user's phone keeps for offline work")
def sync(request: HttpRequest, since: str = Query("", max_length=40)) -> Any:
    """The caller's groups changed since ``since`` (members by name only, open action items,
    sessions of the last 90 days, products), every group id in scope, the pages to keep
    offline and the server's time to send as the next ``since``. Needs the right to follow
    groups' mentoring; scoped by area and party like the group pages."""
    require_perm(request, "mentoring.view_session")
    return selectors.sync(request.user, since=_since(since))
