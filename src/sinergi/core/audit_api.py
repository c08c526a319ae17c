"""API of the audit trail: /api/v1/audit/ — who did what, when, where, with old and new values."""

import datetime
from typing import Any, ClassVar

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from sinergi.core.api_lists import ListFilter
from sinergi.core.api_perms import require_perm
from sinergi.core.api_schemas import Id, Pages
from sinergi.core.models import AuditEvent
from sinergi.core.selectors import audit_event_list

router = Router(tags=["audit"])


class ChangeOut(Schema):
    field: str
    label: str
    old: Any
    new: Any


class AuditEventOut(Schema):
    id: int
    occurred_at: datetime.datetime
    event_type: str
    label: str
    actor_id: int | None
    actor_username: str | None
    object_type: str
    object_id: str
    object_repr: str
    area_code: str
    request_id: str
    reason: str
    changes: list[ChangeOut]
    data: dict[str, Any]

    @staticmethod
    def resolve_actor_username(obj: AuditEvent) -> str | None:
        return obj.actor.username if obj.actor is not None else None

    @staticmethod
    def resolve_changes(obj: AuditEvent) -> list[dict[str, Any]]:
        # Raw old/new values (codes, ids) for programs, with the field's label in words.
        labels = obj.change_labels
        return [
            {"field": name, "label": label, "old": pair[0], "new": pair[1]}
            for (name, pair), label in zip(obj.changes.items(), labels, strict=True)
        ]

    @staticmethod
    def resolve_data(obj: AuditEvent) -> dict[str, Any]:
        return {k: v for k, v in (obj.data or {}).items() if k != "changes"}


class AuditFilter(ListFilter):
    ordering_fields: ClassVar = {"occurred": "occurred_at", "event_type": "event_type"}
    default_ordering: ClassVar = "-occurred"
    changed_since_field: ClassVar = "occurred_at"
    selector_fields: ClassVar = frozenset(
        {"event_type", "actor_id", "object_type", "object_id", "occurred_from", "occurred_to"}
    )

    event_type: str = Field(
        "",
        max_length=80,
        description="A code or its beginning (e.g. 'aid.'), or words of the event's label "
        "in the request's language (e.g. 'submitted').",
    )
    actor_id: Id | None = Field(None, description="Only what this user did")
    object_type: str = Field("", max_length=80, description="e.g. kube.kube")
    object_id: str = Field("", max_length=64)
    occurred_from: datetime.date | None = Field(None, description="First day (inclusive)")
    occurred_to: datetime.date | None = Field(None, description="Last day (inclusive)")


@router.get("/", response=list[AuditEventOut], summary="The audit trail of your area")
@paginate(Pages, page_size=50)
def audit_list(request: HttpRequest, filters: Query[AuditFilter]) -> Any:
    """Events in your area (national roles also see events with no area), newest first.
    ``changed_since`` reads "occurred since"."""
    require_perm(request, "core.view_auditevent")
    events = audit_event_list(
        actor=request.user,
        event_type=filters.event_type,
        actor_id=filters.actor_id,
        object_type=filters.object_type,
        object_id=filters.object_id,
        occurred_from=filters.occurred_from,
        occurred_to=filters.occurred_to,
    )
    return filters.apply(events)
