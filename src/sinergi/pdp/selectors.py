"""Scoped reads of the personal-data module: requests, the person behind a NIK, retention.

A request is seen in the area of the person's household (``area_code``); the person is found
through the registry's own scoped look-up by keyed hash, so an officer never finds a person
outside her area, and a partner role (no registry permission) finds no one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sinergi.core import crypto
from sinergi.core.scoping import access
from sinergi.engines import nik as nikmod
from sinergi.pdp.models import (
    Correction,
    CorrectionStatus,
    DataSubjectRequest,
    RequestStatus,
    RetentionRule,
)
from sinergi.registry import selectors as registry_selectors
from sinergi.registry.models import Person


def nik_hash(nik: str) -> str:
    return crypto.lookup_hash(nikmod.clean(nik), field="nik")


def person_by_nik(*, actor: Any, nik: str) -> Person | None:
    """The registry person with this NIK in the actor's area, or None (not in the registry,
    outside the area, or the actor may not see the registry: all look the same)."""
    digits = nikmod.clean(nik)
    if not (digits.isdigit() and len(digits) == 16):
        return None
    return (
        registry_selectors.person_list(actor=actor, q=digits)
        .select_related("household__village")
        .first()
    )


def request_list(*, actor: Any, status: str = "", kind: str = "") -> QuerySet[DataSubjectRequest]:
    qs = DataSubjectRequest.objects.for_user(actor).select_related("responsible", "person")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("status", "due_on", "id")


def request_get(*, actor: Any, pk: Any) -> DataSubjectRequest:
    return access(
        DataSubjectRequest.objects.select_related(
            "person__household__village", "responsible", "recorded_by", "closed_by"
        ),
        actor=actor,
        pk=pk,
    )


def corrections(request: DataSubjectRequest) -> QuerySet[Correction]:
    """The corrections of a request already read through scope."""
    return request.corrections.select_related("proposed_by", "decided_by").order_by("-id")


def waiting_for(actor: Any) -> QuerySet[DataSubjectRequest]:
    """Open requests the actor is responsible for (the task inbox)."""
    return request_list(actor=actor, status=RequestStatus.OPEN).filter(responsible=actor)


def corrections_to_approve(actor: Any) -> QuerySet[Correction]:
    """Proposed corrections in the actor's area that someone else proposed."""
    if not actor.has_perm("pdp.approve_correction"):
        return Correction.objects.none()
    scoped = DataSubjectRequest.objects.for_user(actor).values("pk")
    return (
        Correction.objects.filter(request__in=scoped, status=CorrectionStatus.PROPOSED)
        .exclude(proposed_by=actor)
        .select_related("request")
    )


def retention_rules() -> QuerySet[RetentionRule]:
    return RetentionRule.objects.order_by("category", "-valid_from")
