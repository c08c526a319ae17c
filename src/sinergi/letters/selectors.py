"""Scoped reads of letters and templates (views, API and the record pages' sections read here).

Offices, facilitators, auditors and a group's own officers read letters with
``letters.view_letter`` in their area (a group's officers: their group's). Partners hold only
``letters.view_addressed_letter``: the mentoring assignment letters, which are addressed to the
mentor and copied to the partner's coordinator; a mentor sees the letters naming her (the
scope's ``mentor_field``), a coordinator those of her area. Decrees, proposal letters, handover
records and certificates list members of poor households, so partners never see them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sinergi.core.scoping import access, user_area
from sinergi.letters import kinds
from sinergi.letters.models import Kind, Letter, LetterTemplate

ADDRESSED_KINDS = (Kind.MENTORING,)


def may_view(actor: Any) -> bool:
    return bool(
        actor.is_authenticated
        and (
            actor.has_perm("letters.view_letter") or actor.has_perm("letters.view_addressed_letter")
        )
    )


def visible(actor: Any) -> QuerySet[Letter]:
    """Every letter ``actor`` may read (none without either permission)."""
    if actor.has_perm("letters.view_letter"):
        return Letter.objects.for_user(actor)
    return Letter.objects.for_user(actor, permission="letters.view_addressed_letter").filter(
        kind__in=ADDRESSED_KINDS
    )


def letter_list(*, actor: Any, kind: str = "", status: str = "", q: str = "") -> QuerySet[Letter]:
    qs = visible(actor)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(number__icontains=q[:60]) | qs.filter(about__icontains=q[:60])
    return qs.order_by("-issued_at", "-id")


def letter_get(*, actor: Any, pk: int) -> Letter:
    """One letter the actor may read, else 404."""
    return access(
        visible(actor).select_related("issued_by", "voided_by"),
        actor=actor,
        permission=(
            "letters.view_letter"
            if actor.has_perm("letters.view_letter")
            else "letters.view_addressed_letter"
        ),
        pk=pk,
    )


def letters_of(*, actor: Any, kinds: list[str], object_ids: list[int]) -> list[Letter]:
    """The letters of some records (a record page's "Letters" section), newest first."""
    if not object_ids or not may_view(actor):
        return []
    return list(
        visible(actor)
        .filter(kind__in=kinds, object_id__in=object_ids)
        .order_by("-issued_at", "-id")[:50]
    )


def template_rows(*, actor: Any) -> list[tuple[str, str, LetterTemplate]]:
    """(kind, office, template in use) for what the actor may edit: the national admin the
    national templates and every office's own; an officer her office's (the national one
    shown where her office has none yet)."""
    area = user_area(actor)
    offices = [""] if area is None else [area]
    saved = {
        (t.kind, t.office_code): t
        for t in LetterTemplate.objects.filter(
            **({} if area is None else {"office_code": area})
        ).order_by("kind", "office_code")
    }
    rows = []
    for kind in Kind.values:
        for office in offices:
            rows.append((kind, office, saved.get((kind, office)) or template_for(kind, office)))
    if area is None:
        rows += [(k, o, t) for (k, o), t in sorted(saved.items()) if o]
    return rows


def template_for(kind: str, office_code: str) -> LetterTemplate:
    """The office's own template of ``kind``, else the national one, else the built-in default
    (unsaved). A province's template is not a regency's: its letterhead names the province."""
    rows = {
        t.office_code: t
        for t in LetterTemplate.objects.filter(kind=kind, office_code__in={office_code, ""})
    }
    found = rows.get(office_code) or rows.get("")
    return found or LetterTemplate(kind=kind, office_code="", **kinds.default_fields(kind))


def template_get(*, kind: str, office_code: str) -> LetterTemplate:
    return template_for(kind, office_code)


def disbursements_of_cycle(*, actor: Any, cycle_id: int) -> list[Any]:
    """The transfers of a cycle the actor may see (each may get its handover record)."""
    from sinergi.aid.models import Disbursement

    return list(
        Disbursement.objects.for_user(actor)
        .filter(proposal__cycle_id=cycle_id)
        .select_related("proposal__kube")
        .order_by("day", "id")[:200]
    )


def letters_of_group(*, actor: Any, kube_id: int) -> list[Letter]:
    """Every letter about one group the actor may read (its decree, handovers, assignments,
    certificates), newest first."""
    if not may_view(actor):
        return []
    return list(visible(actor).filter(kube_id=kube_id).order_by("-issued_at", "-id")[:50])
