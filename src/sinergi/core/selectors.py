"""Scoped reads of the audit trail."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sinergi.core.models import AuditEvent
from sinergi.core.scoping import area_q, user_area


def audit_event_list(*, actor: Any, event_type: str = "") -> QuerySet[AuditEvent]:
    """Audit events in the actor's area; national actors also see events with no area."""
    if not actor.is_authenticated or not actor.has_perm("core.view_auditevent"):
        return AuditEvent.objects.none()
    area = user_area(actor)
    qs = AuditEvent.objects.select_related("actor")
    if area is not None:
        qs = qs.filter(area_q("area_code", area))
    if event_type:
        qs = qs.filter(event_type__startswith=event_type)
    return qs
