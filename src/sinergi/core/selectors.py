"""Scoped reads of the audit trail."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet

from sinergi.core.events import codes_matching
from sinergi.core.models import AuditEvent


def audit_event_list(
    *,
    actor: Any,
    event_type: str = "",
    actor_id: int | None = None,
    object_type: str = "",
    object_id: str = "",
    occurred_from: datetime.date | None = None,
    occurred_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events in the actor's area; national actors also see events with no area.

    ``event_type`` is what a person types: a code or its beginning (``aid.``) or words of the
    label in the active language ("submitted", "diajukan"). The dates are inclusive days in the
    server's zone.
    """
    qs = AuditEvent.objects.for_user(actor).select_related("actor")
    text = event_type.strip()
    if text:
        qs = qs.filter(Q(event_type__startswith=text) | Q(event_type__in=codes_matching(text)))
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if object_type:
        qs = qs.filter(object_type=object_type.lower())
    if object_id:
        qs = qs.filter(object_id=object_id)
    if occurred_from is not None:
        qs = qs.filter(occurred_at__date__gte=occurred_from)
    if occurred_to is not None:
        qs = qs.filter(occurred_at__date__lte=occurred_to)
    return qs
