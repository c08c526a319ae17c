"""Mentor profiles: who mentors, from where, in which sectors, and how many groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sinergi.core.errors import InvalidInput, require_permission
from sinergi.core.events import snapshot
from sinergi.core.models import AuditEvent
from sinergi.core.scoping import access, user_area
from sinergi.engines import wilayah as regions
from sinergi.kube.models import BusinessType
from sinergi.mentoring import events
from sinergi.mentoring.models import OPEN_STATUSES, Assignment, EndReason, Mentor, Unit
from sinergi.mentoring.services.matching import close_assignment
from sinergi.wilayah.models import Region

MAX_CAPACITY = 30
MENTOR_FIELDS = (
    "name", "unit", "base_regency", "capacity", "phone", "business", "available",
    "available_until", "active",
)  # fmt: skip


@dataclass
class MentorData:
    name: str
    unit_id: int
    base_regency: str
    sectors: Sequence[str]
    capacity: int
    phone: str = ""
    business: str = ""
    available: bool = True
    available_until: date | None = None


def _regency(actor: Any, raw: str) -> Region:
    try:
        code = regions.normalize_code(raw)
    except regions.RegionCodeError:
        code = ""
    if not code or regions.level_of(code) != regions.Level.REGENCY:
        raise InvalidInput(
            _("Not a regency code: use 4 digits, with or without a dot (e.g. 32.73)."),
            field="base_regency",
        )
    region = Region.objects.filter(code=code, retired=False).first()
    if region is None:
        raise InvalidInput(_("No such regency: %(code)s.") % {"code": code}, field="base_regency")
    if not regions.in_area(code, user_area(actor)):
        raise InvalidInput(_("This regency is outside your area."), field="base_regency")
    return region


def _state(mentor: Mentor) -> dict[str, Any]:
    if mentor.pk is None:
        return {}
    return {
        **snapshot(mentor, *MENTOR_FIELDS),
        "sectors": sorted(s.code for s in mentor.sectors.all()),
    }


@transaction.atomic
def mentor_save(*, actor: Any, data: MentorData, mentor_id: int | None = None) -> Mentor:
    """Create a mentor profile, or change one the actor may change."""
    require_permission(actor, "mentoring.change_mentor" if mentor_id else "mentoring.add_mentor")
    mentor = (
        access(Mentor.objects, actor=actor, for_write=True, pk=mentor_id) if mentor_id else None
    )
    if not data.name.strip():
        raise InvalidInput(_("Give the mentor's name."), field="name")
    unit = Unit.objects.for_user(actor).filter(pk=data.unit_id).first()
    if unit is None:
        raise InvalidInput(_("Choose a partner unit of your area."), field="unit")
    region = _regency(actor, data.base_regency)
    if not data.sectors:
        raise InvalidInput(_("Choose at least one sector."), field="sectors")
    sectors = list(BusinessType.objects.filter(code__in=data.sectors, active=True))
    unknown = set(data.sectors) - {s.code for s in sectors}
    if unknown:
        raise InvalidInput(
            _("Unknown sector code(s): %(codes)s.") % {"codes": ", ".join(sorted(unknown))},
            field="sectors",
        )
    if not 0 <= data.capacity <= MAX_CAPACITY:
        raise InvalidInput(
            _("Capacity is a number of groups from 0 to %(max)d.") % {"max": MAX_CAPACITY},
            field="capacity",
        )
    mentor = mentor or Mentor()
    before = _state(mentor)
    mentor.name = data.name.strip()[:150]
    mentor.unit = unit
    mentor.base_regency = region
    mentor.capacity = data.capacity
    mentor.phone = data.phone.strip()[:20]
    mentor.business = data.business.strip()[:200]
    mentor.available = data.available
    mentor.available_until = data.available_until
    mentor.save()
    mentor.sectors.set(sectors)
    AuditEvent.record(
        events.MENTOR_SAVED,
        actor=actor,
        obj=mentor,
        area_code=mentor.area_code,
        before=before,
        after=_state(mentor),
    )
    return mentor


@transaction.atomic
def mentor_leave(*, actor: Any, mentor_id: int, note: str = "") -> Mentor:
    """A mentor leaves: the profile stays (history), her open assignments end."""
    require_permission(actor, "mentoring.change_mentor")
    mentor = access(Mentor.objects, actor=actor, for_write=True, pk=mentor_id)
    before = snapshot(mentor, "active", "available")
    mentor.active = False
    mentor.available = False
    mentor.save(update_fields=["active", "available", "updated_at"])
    for assignment in (
        Assignment.objects.select_for_update(of=("self",))
        .filter(mentor=mentor, status__in=OPEN_STATUSES)
        .select_related("kube")
    ):
        close_assignment(assignment, actor=actor, reason=EndReason.MENTOR_LEFT, note=note)
    AuditEvent.record(
        events.MENTOR_LEFT,
        actor=actor,
        obj=mentor,
        area_code=mentor.area_code,
        reason=note,
        before=before,
        after=snapshot(mentor, "active", "available"),
    )
    return mentor
