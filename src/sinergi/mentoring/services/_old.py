"""Mentoring steps: mentors, matching runs, assignments, sessions, action items, reports.

Every step takes the acting user, checks the permission and the scope on a locked row, and
records an audit event; a refused step raises InvalidInput with a message in the user's language
and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.core.errors import Forbidden, InvalidInput, require_permission
from sinergi.core.models import AuditEvent
from sinergi.core.scoping import access, area_q, user_area
from sinergi.core.uploads import DOCUMENT_TYPES, PHOTO_TYPES, clean_upload
from sinergi.engines import matching
from sinergi.engines import wilayah as regions
from sinergi.kube.models import BusinessType, Kube, Membership, Status
from sinergi.mentoring.models import (
    OPEN_STATUSES,
    UNIT_SEGMENTS,
    ActionItem,
    ActionStatus,
    Agreement,
    AgreementKind,
    Assignment,
    AssignmentStatus,
    EndReason,
    Indicator,
    Kpi,
    MatchRun,
    MatchRunStatus,
    Mentor,
    MonthlyReport,
    Organisation,
    ReportStatus,
    Session,
    SessionPhoto,
    Unit,
    UnitLevel,
)
from sinergi.wilayah.models import Region

PHOTO_MAX = 5 * 1024 * 1024
PHOTOS_PER_SESSION = 6
MAX_CAPACITY = 30


# Partner units and agreements


def _region_in_area(actor: Any, raw: str, field: str) -> Region | None:
    """An existing, current region inside the actor's area; empty means none (national)."""
    if not raw.strip():
        if user_area(actor) is not None:
            raise InvalidInput(_("This area is outside your own."), field=field)
        return None
    try:
        code = regions.normalize_code(raw)
    except regions.RegionCodeError:
        raise InvalidInput(
            _("Not a region code: use digits, optionally with dots."), field=field
        ) from None
    region = Region.objects.filter(code=code, retired=False).first()
    if region is None:
        raise InvalidInput(_("No such region: %(code)s.") % {"code": code}, field=field)
    if not regions.in_area(code, user_area(actor)):
        raise InvalidInput(_("This area is outside your own."), field=field)
    return region


@transaction.atomic
def unit_create(
    *, actor: Any, organisation_id: int, level: str, name: str, region_code: str = ""
) -> Unit:
    """Record a board or branch; its parent is the unit one level up in the same tree."""
    require_permission(actor, "mentoring.add_unit")
    organisation = Organisation.objects.filter(pk=organisation_id, active=True).first()
    if organisation is None:
        raise InvalidInput(_("Choose an active partner organisation."), field="organisation")
    if level not in UnitLevel.values:
        raise InvalidInput(_("Choose DPP, DPD, DPC or ranting."), field="level")
    if not name.strip():
        raise InvalidInput(_("Give the unit's name."), field="name")
    region = _region_in_area(actor, region_code, "region")
    segments = region.code.count(".") + 1 if region else 0
    if segments != UNIT_SEGMENTS[UnitLevel(level)]:
        raise InvalidInput(
            _(
                "A unit's region must match its level: none for DPP, a province for DPD, a "
                "regency for DPC, a district for a ranting."
            ),
            field="region",
        )
    if Unit.objects.filter(
        organisation=organisation, level=level, area_code=region.code if region else ""
    ).exists():
        raise InvalidInput(_("This unit is already recorded."), field="region")
    parent_code = regions.parent_of(region.code) if region and segments > 1 else ""
    parent = (
        Unit.objects.filter(organisation=organisation, area_code=parent_code or "").first()
        if region
        else None
    )
    unit = Unit.objects.create(
        organisation=organisation, level=level, name=name.strip()[:150], region=region,
        parent=parent,
    )  # fmt: skip
    AuditEvent.record("mentoring.unit.created", actor=actor, obj=unit, area_code=unit.area_code)
    return unit


@dataclass
class AgreementData:
    kind: str
    number: str
    title: str
    signing_unit_id: int
    ministry_party: str
    ministry_signatory: str
    partner_signatory: str
    signed_on: date
    valid_from: date
    valid_until: date
    scope: str
    witnesses: str = ""
    area_code: str = ""
    kpis: dict[str, int] = field(default_factory=dict)


@transaction.atomic
def agreement_save(
    *, actor: Any, data: AgreementData, agreement_id: int | None = None
) -> Agreement:
    """Record or correct an MoU or PKS with its KPI targets; every field is checked."""
    require_permission(
        actor, "mentoring.change_agreement" if agreement_id else "mentoring.add_agreement"
    )
    agreement = (
        access(Agreement.objects, actor=actor, for_write=True, pk=agreement_id)
        if agreement_id
        else Agreement()
    )
    if data.kind not in AgreementKind.values:
        raise InvalidInput(_("Choose MoU or PKS."), field="kind")
    for name in ("number", "title", "ministry_party", "ministry_signatory",
                 "partner_signatory", "scope"):  # fmt: skip
        if not str(getattr(data, name)).strip():
            raise InvalidInput(_("Fill in this field."), field=name)
    unit = Unit.objects.filter(pk=data.signing_unit_id).select_related("organisation").first()
    if unit is None:
        raise InvalidInput(_("Choose the body that signed."), field="signing_unit")
    if data.valid_until < data.valid_from:
        raise InvalidInput(_("The agreement ends before it starts."), field="valid_until")
    if data.signed_on > data.valid_until:
        raise InvalidInput(_("It was signed after it ended."), field="signed_on")
    area = _region_in_area(actor, data.area_code, "area_code")
    clash = Agreement.objects.filter(organisation=unit.organisation, number=data.number.strip())
    if clash.exclude(pk=agreement.pk).exists():
        raise InvalidInput(
            _("%(org)s already has an agreement numbered %(number)s.")
            % {"org": unit.organisation, "number": data.number.strip()},
            field="number",
        )
    for indicator, target in data.kpis.items():
        if indicator not in Indicator.values:
            raise InvalidInput(
                _("Unknown KPI indicator: %(code)s.") % {"code": indicator}, field="kpis"
            )
        if target < 1:
            raise InvalidInput(_("A KPI target is a positive number."), field="kpis")
    agreement.organisation = unit.organisation
    agreement.signing_unit = unit
    agreement.area = area
    for name in ("kind", "number", "title", "ministry_party", "ministry_signatory",
                 "partner_signatory", "witnesses", "scope"):  # fmt: skip
        setattr(agreement, name, str(getattr(data, name)).strip())
    agreement.signed_on = data.signed_on
    agreement.valid_from = data.valid_from
    agreement.valid_until = data.valid_until
    agreement.save()
    agreement.kpis.exclude(indicator__in=list(data.kpis)).delete()
    for indicator, target in data.kpis.items():
        Kpi.objects.update_or_create(
            agreement=agreement, indicator=indicator, defaults={"target": target}
        )
    AuditEvent.record(
        "mentoring.agreement.saved", actor=actor, obj=agreement, area_code=agreement.area_code
    )
    return agreement


def agreement_document_clean(document: Any) -> Any:
    """The checked, re-made copy of a signed document (the admin form uses it too)."""
    return clean_upload(
        document,
        kinds=DOCUMENT_TYPES,
        max_bytes=10 * 1024 * 1024,
        missing=_("Attach the signed document: a PDF or photo of at most 10 MB."),
        wrong_kind=_("The document must be a PDF, or a JPEG or PNG photo."),
        field="document",
    )


@transaction.atomic
def agreement_attach(*, actor: Any, agreement_id: int, document: Any) -> Agreement:
    """Attach the signed document (PDF or a photo of it, at most 10 MB)."""
    require_permission(actor, "mentoring.change_agreement")
    agreement = access(Agreement.objects, actor=actor, for_write=True, pk=agreement_id)
    agreement.document = agreement_document_clean(document)
    agreement.save(update_fields=["document", "updated_at"])
    AuditEvent.record(
        "mentoring.agreement.document", actor=actor, obj=agreement, area_code=agreement.area_code
    )
    return agreement


# Mentors


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
    AuditEvent.record("mentoring.mentor.saved", actor=actor, obj=mentor, area_code=mentor.area_code)
    return mentor


@transaction.atomic
def mentor_leave(*, actor: Any, mentor_id: int, note: str = "") -> Mentor:
    """A mentor leaves: the profile stays (history), her open assignments end."""
    require_permission(actor, "mentoring.change_mentor")
    mentor = access(Mentor.objects, actor=actor, for_write=True, pk=mentor_id)
    mentor.active = False
    mentor.available = False
    mentor.save(update_fields=["active", "available", "updated_at"])
    today = timezone.localdate()
    for assignment in Assignment.objects.select_for_update().filter(
        mentor=mentor, status__in=OPEN_STATUSES
    ):
        _close(assignment, EndReason.MENTOR_LEFT, note, today)
    AuditEvent.record(
        "mentoring.mentor.left", actor=actor, obj=mentor, area_code=mentor.area_code, reason=note
    )
    return mentor


# Matching


def open_load(mentor_ids: Iterable[int] | QuerySet[Any]) -> dict[int, int]:
    """Groups each mentor holds or has been offered (ids as a list or a subquery)."""
    ids = mentor_ids if isinstance(mentor_ids, QuerySet) else list(mentor_ids)
    rows = (
        Assignment.objects.filter(mentor_id__in=ids, status__in=OPEN_STATUSES)
        .values("mentor_id")
        .annotate(n=Count("id"))
    )
    return {r["mentor_id"]: r["n"] for r in rows}


def _as_group(kube: Kube) -> matching.Group:
    return matching.Group(str(kube.pk), kube.area_code[:8], kube.business_type.code)


def _as_mentor(mentor: Mentor, room: int) -> matching.Mentor:
    return matching.Mentor(
        str(mentor.pk),
        mentor.area_code,
        frozenset(s.code for s in mentor.sectors.all()),
        max(room, 0),
    )


def _history(kube_ids: Iterable[int] | QuerySet[Any]) -> set[tuple[str, str]]:
    """Pairs that worked together before: an ended assignment or a logged session.

    A national run passes its groups as a subquery: 100,000 ids would not fit in one
    statement's parameters.
    """
    kube_ids = kube_ids if isinstance(kube_ids, QuerySet) else list(kube_ids)
    ended = Assignment.objects.filter(
        kube_id__in=kube_ids, status=AssignmentStatus.ENDED, mentor__isnull=False
    ).values_list("kube_id", "mentor_id")
    met = Session.objects.filter(kube_id__in=kube_ids).values_list("kube_id", "mentor_id")
    return {(str(k), str(m)) for k, m in [*ended, *met]}


def waiting_groups(actor: Any, area_code: str | None) -> Any:
    """Active groups in the area with no mentor and no pending offer."""
    return (
        Kube.objects.for_user(actor, permission="mentoring.run_matching")
        .filter(area_q("area_code", area_code), status=Status.ACTIVE)
        .exclude(mentor_assignments__status__in=OPEN_STATUSES)
        .select_related("business_type")
        .order_by("area_code", "pk")
    )


def _area(actor: Any, raw: str) -> str | None:
    """The run's area: the actor's own unless a narrower one inside it is asked for."""
    own = user_area(actor)
    if not raw.strip():
        return own
    try:
        code = regions.normalize_code(raw)
    except regions.RegionCodeError:
        raise InvalidInput(
            _("Not a region code: use digits, optionally with dots."), field="area"
        ) from None
    if regions.level_of(code) > regions.Level.REGENCY:
        raise InvalidInput(_("Match over a province or a regency."), field="area")
    if not regions.in_area(code, own):
        raise InvalidInput(_("This area is outside your own."), field="area")
    return code


@transaction.atomic
def match_run(*, actor: Any, area: str = "", weights: matching.Weights | None = None) -> MatchRun:
    """Run the matcher over the waiting groups and available mentors of an area.

    The result is a proposal: one row per waiting group, which the coordinator may change
    before sending. Earlier proposals for the same area are discarded.
    """
    require_permission(actor, "mentoring.run_matching")
    weights = weights or matching.Weights()
    area_code = _area(actor, area)
    today = timezone.localdate()
    waiting = waiting_groups(actor, area_code)
    groups = list(waiting)
    candidates = Mentor.objects.for_user(actor).filter(
        area_q("area_code", area_code), active=True, available=True
    )
    mentors = [m for m in candidates.prefetch_related("sectors") if m.takes_groups_on(today)]
    load = open_load(candidates.values("pk"))
    result = matching.match(
        [_as_group(k) for k in groups],
        [_as_mentor(m, m.capacity - load.get(m.pk, 0)) for m in mentors],
        _history(waiting.values("pk")),
        weights,
    )
    stale = MatchRun.objects.filter(area_code=area_code or "", status=MatchRunStatus.PROPOSED)
    Assignment.objects.filter(run__in=stale, status=AssignmentStatus.PROPOSED).update(
        status=AssignmentStatus.DISCARDED
    )
    stale.update(status=MatchRunStatus.DISCARDED)
    run = MatchRun.objects.create(
        area_code=area_code or "",
        other_regency=weights.other_regency,
        sector_mismatch=weights.sector_mismatch,
        history_bonus=weights.history_bonus,
        groups_count=len(groups),
        assigned_count=result.assigned,
        total_cost=result.total_cost,
        created_by=actor,
    )
    rows = []
    for kube in groups:
        pair = result.pairs.get(str(kube.pk))
        rows.append(
            Assignment(
                kube=kube,
                run=run,
                mentor_id=int(pair.mentor_id) if pair else None,
                cost=pair.cost if pair else None,
                reasons=list(pair.reasons) if pair else [],
            )
        )
    Assignment.objects.bulk_create(rows)
    AuditEvent.record(
        "mentoring.match.run",
        actor=actor,
        obj=run,
        area_code=run.area_code,
        data={"groups": len(groups), "assigned": result.assigned, "cost": result.total_cost},
    )
    return run


def _run_weights(run: MatchRun) -> matching.Weights:
    return matching.Weights(run.other_regency, run.sector_mismatch, run.history_bonus)


def _proposed_row(actor: Any, assignment_id: int) -> Assignment:
    row = access(Assignment.objects, actor=actor, for_write=True, pk=assignment_id)
    if row.status != AssignmentStatus.PROPOSED or row.run is None:
        raise InvalidInput(_("This proposal has been sent or discarded."), field="status")
    if row.run.status != MatchRunStatus.PROPOSED:
        raise InvalidInput(_("This proposal has been sent or discarded."), field="status")
    return row


@transaction.atomic
def proposal_change(*, actor: Any, assignment_id: int, mentor_id: int | None) -> Assignment:
    """Give a proposed row another mentor (or none), with its cost and reasons recomputed."""
    require_permission(actor, "mentoring.run_matching")
    row = _proposed_row(actor, assignment_id)
    assert row.run is not None
    if mentor_id is None:
        row.mentor, row.cost, row.reasons = None, None, []
    else:
        mentor = (
            Mentor.objects.for_user(actor)
            .filter(pk=mentor_id, active=True)
            .select_for_update()
            .first()
        )
        if mentor is None:
            raise InvalidInput(_("Choose an active mentor of your area."), field="mentor")
        history = (str(row.kube_id), str(mentor.pk)) in _history([row.kube_id])
        group = _as_group(row.kube)
        candidate = _as_mentor(mentor, mentor.capacity)
        cost = matching.pair_cost(group, candidate, history=history, weights=_run_weights(row.run))
        if cost is None:
            raise InvalidInput(
                _("A mentor can only take groups of her own province."), field="mentor"
            )
        taken = open_load([mentor.pk]).get(mentor.pk, 0) + (
            Assignment.objects.filter(run=row.run, mentor=mentor, status=AssignmentStatus.PROPOSED)
            .exclude(pk=row.pk)
            .count()
        )
        if taken >= mentor.capacity:
            raise InvalidInput(
                _("%(name)s has no room left: %(taken)d of %(capacity)d groups.")
                % {"name": mentor.name, "taken": taken, "capacity": mentor.capacity},
                field="mentor",
            )
        row.mentor, row.cost = mentor, cost
        row.reasons = list(matching.reasons(group, candidate, history=history))
    row.edited = True
    row.save(update_fields=["mentor", "cost", "reasons", "edited", "updated_at"])
    _refresh_totals(row.run)
    return row


def _refresh_totals(run: MatchRun) -> None:
    rows = run.assignments.filter(status=AssignmentStatus.PROPOSED, mentor__isnull=False)
    totals = rows.aggregate(n=Count("id"), cost=Sum("cost"))
    run.assigned_count, run.total_cost = totals["n"], totals["cost"] or 0
    run.save(update_fields=["assigned_count", "total_cost", "updated_at"])


def _run_for_write(actor: Any, run_id: int) -> MatchRun:
    require_permission(actor, "mentoring.run_matching")
    run = access(MatchRun.objects, actor=actor, lock=True, pk=run_id)
    if run.status != MatchRunStatus.PROPOSED:
        raise InvalidInput(_("This proposal has been sent or discarded."), field="status")
    return run


@transaction.atomic
def run_send(*, actor: Any, run_id: int) -> dict[str, int]:
    """Offer each proposed pair to its mentor; groups offered meanwhile elsewhere are skipped."""
    run = _run_for_write(actor, run_id)
    now = timezone.now()
    sent = skipped = 0
    rows = run.assignments.select_for_update().filter(status=AssignmentStatus.PROPOSED)
    for row in rows:
        if row.mentor_id is None:
            row.status = AssignmentStatus.DISCARDED
        else:
            try:
                with transaction.atomic():
                    row.status, row.offered_at = AssignmentStatus.OFFERED, now
                    row.save(update_fields=["status", "offered_at", "updated_at"])
                sent += 1
                continue
            except IntegrityError:
                # Another run offered this group a mentor after ours was computed.
                row.status = AssignmentStatus.DISCARDED
                skipped += 1
        row.save(update_fields=["status", "updated_at"])
    run.status, run.sent_at = MatchRunStatus.SENT, now
    run.save(update_fields=["status", "sent_at", "updated_at"])
    AuditEvent.record(
        "mentoring.match.sent",
        actor=actor,
        obj=run,
        area_code=run.area_code,
        data={"sent": sent, "skipped": skipped},
    )
    return {"sent": sent, "skipped": skipped}


@transaction.atomic
def run_discard(*, actor: Any, run_id: int) -> MatchRun:
    run = _run_for_write(actor, run_id)
    run.assignments.filter(status=AssignmentStatus.PROPOSED).update(
        status=AssignmentStatus.DISCARDED
    )
    run.status = MatchRunStatus.DISCARDED
    run.save(update_fields=["status", "updated_at"])
    AuditEvent.record("mentoring.match.discarded", actor=actor, obj=run, area_code=run.area_code)
    return run


# Assignments


@transaction.atomic
def assignment_respond(
    *, actor: Any, assignment_id: int, accept: bool, reason: str = ""
) -> Assignment:
    """The mentor accepts or declines an offer; a declined group waits for the next run."""
    require_permission(actor, "mentoring.respond_assignment")
    row = access(Assignment.objects, actor=actor, lock=True, pk=assignment_id)
    if getattr(actor, "mentor_id", None) != row.mentor_id:
        raise Forbidden(_("Only the mentor offered this group can answer."))
    if row.status != AssignmentStatus.OFFERED:
        raise InvalidInput(_("This offer has already been answered."), field="status")
    if not accept and not reason.strip():
        raise InvalidInput(_("Say why you decline."), field="reason")
    row.responded_at = timezone.now()
    if accept:
        row.status, row.start_date = AssignmentStatus.ACCEPTED, timezone.localdate()
    else:
        row.status, row.decline_reason = AssignmentStatus.DECLINED, reason.strip()[:300]
    row.save()
    AuditEvent.record(
        "mentoring.assignment.accepted" if accept else "mentoring.assignment.declined",
        actor=actor,
        obj=row,
        area_code=row.kube.area_code,
        reason=reason,
    )
    return row


def _close(row: Assignment, reason: str, note: str, day: date) -> None:
    row.status, row.end_reason, row.end_note = AssignmentStatus.ENDED, reason, note[:300]
    row.end_date = day
    row.save(update_fields=["status", "end_reason", "end_note", "end_date", "updated_at"])


@transaction.atomic
def assignment_end(*, actor: Any, assignment_id: int, reason: str, note: str = "") -> Assignment:
    """End an accepted assignment (or withdraw an offer) with a reason; the row stays."""
    require_permission(actor, "mentoring.change_assignment")
    row = access(Assignment.objects, actor=actor, for_write=True, pk=assignment_id)
    if row.status not in OPEN_STATUSES:
        raise InvalidInput(_("Only a running assignment or an offer can end."), field="status")
    if reason not in EndReason.values:
        raise InvalidInput(_("Choose why the assignment ends."), field="reason")
    _close(row, reason, note.strip(), timezone.localdate())
    AuditEvent.record(
        "mentoring.assignment.ended",
        actor=actor,
        obj=row,
        area_code=row.kube.area_code,
        reason=f"{reason} {note}".strip(),
    )
    return row


# Sessions and action items


def mentoring_groups(actor: Any, permission: str = "mentoring.view_session") -> Any:
    """The groups whose mentoring the actor may follow: a mentor's own, else the area's."""
    return Kube.objects.for_user(actor, permission=permission).select_related(
        "business_type", "village"
    )


@dataclass
class NewItem:
    description: str
    owner: str
    due_on: date


@dataclass
class Review:
    item_id: int
    status: str
    note: str = ""


@transaction.atomic
def session_log(
    *,
    actor: Any,
    kube_id: int,
    held_on: date,
    place: str,
    topics: str,
    notes: str = "",
    present: Sequence[int] = (),
    photos: Sequence[Any] = (),
    new_items: Sequence[NewItem] = (),
    reviews: Sequence[Review] = (),
) -> Session:
    """Record a meeting: attendance, photos, the review of open items and the new ones."""
    require_permission(actor, "mentoring.add_session")
    kube = mentoring_groups(actor, "mentoring.add_session").filter(pk=kube_id).first()
    mentor_id = getattr(actor, "mentor_id", None)
    if kube is None or mentor_id is None:
        raise Forbidden(_("Only the group's mentor can log its sessions."))
    if held_on > timezone.localdate():
        raise InvalidInput(_("The date is in the future."), field="held_on")
    if not place.strip():
        raise InvalidInput(_("Say where the session took place."), field="place")
    if not topics.strip():
        raise InvalidInput(_("Say what the session was about."), field="topics")
    members = set(
        Membership.objects.filter(kube=kube, end_date__isnull=True).values_list("pk", flat=True)
    )
    if set(present) - members:
        raise InvalidInput(_("Attendance lists someone who is not a member."), field="present")
    if len(photos) > PHOTOS_PER_SESSION:
        raise InvalidInput(
            _("At most %(n)d photos per session.") % {"n": PHOTOS_PER_SESSION}, field="photos"
        )
    photos = [_clean_photo(photo) for photo in photos]
    for number, new in enumerate(new_items, start=1):
        if not new.description.strip() or not new.owner.strip():
            raise InvalidInput(
                _("Action item %(n)d: say what is to be done and by whom.") % {"n": number},
                field="items",
            )
        if new.due_on < held_on:
            raise InvalidInput(
                _("Action item %(n)d: the due date is before the session.") % {"n": number},
                field="items",
            )
    open_items = {
        i.pk: i
        for i in ActionItem.objects.select_for_update().filter(kube=kube, status=ActionStatus.OPEN)
    }
    for review in reviews:
        if review.item_id not in open_items or review.status not in ActionStatus.values:
            raise InvalidInput(_("A reviewed item is not an open item of this group."))
    session = Session.objects.create(
        kube=kube,
        mentor_id=mentor_id,
        held_on=held_on,
        place=place.strip()[:200],
        topics=topics.strip()[:300],
        notes=notes.strip(),
        recorded_by=actor,
    )
    session.present.set(sorted(set(present)))
    for photo in photos:
        SessionPhoto.objects.create(session=session, image=photo)
    for review in reviews:
        item = open_items[review.item_id]
        item.reviewed_in, item.review_note = session, review.note.strip()[:300]
        item.status = review.status
        if review.status != ActionStatus.OPEN:
            item.closed_on = held_on
        item.save()
    ActionItem.objects.bulk_create(
        ActionItem(
            kube=kube,
            raised_in=session,
            description=i.description.strip()[:300],
            owner=i.owner.strip()[:150],
            due_on=i.due_on,
        )
        for i in new_items
    )
    AuditEvent.record(
        "mentoring.session.logged",
        actor=actor,
        obj=session,
        area_code=kube.area_code,
        data={"present": len(present), "photos": len(photos), "items": len(new_items)},
    )
    return session


def _clean_photo(photo: Any) -> Any:
    return clean_upload(
        photo,
        kinds=PHOTO_TYPES,
        max_bytes=PHOTO_MAX,
        missing=_("Attach a photo of at most 5 MB."),
        wrong_kind=_("Photos must be JPEG or PNG images."),
        field="photos",
    )


@transaction.atomic
def session_photo_add(*, actor: Any, session_id: int, photo: Any) -> Session:
    """Add a photo to a session afterwards (from a phone on a weak line, one at a time)."""
    require_permission(actor, "mentoring.add_session")
    session = access(Session.objects, actor=actor, lock=True, pk=session_id)
    if session.mentor_id != getattr(actor, "mentor_id", None):
        raise Forbidden(_("Only the mentor who logged the session can add photos."))
    if session.photos.count() >= PHOTOS_PER_SESSION:
        raise InvalidInput(
            _("At most %(n)d photos per session.") % {"n": PHOTOS_PER_SESSION}, field="photos"
        )
    SessionPhoto.objects.create(session=session, image=_clean_photo(photo))
    AuditEvent.record(
        "mentoring.session.photo_added", actor=actor, obj=session, area_code=session.kube.area_code
    )
    return session


@transaction.atomic
def action_item_update(*, actor: Any, item_id: int, status: str, note: str = "") -> ActionItem:
    require_permission(actor, "mentoring.change_actionitem")
    item = access(ActionItem.objects, actor=actor, for_write=True, pk=item_id)
    if status not in ActionStatus.values:
        raise InvalidInput(_("Choose open, done or dropped."), field="status")
    item.status = status
    item.review_note = note.strip()[:300] or item.review_note
    item.closed_on = None if status == ActionStatus.OPEN else timezone.localdate()
    item.save()
    AuditEvent.record(
        "mentoring.action_item.updated",
        actor=actor,
        obj=item,
        area_code=item.kube.area_code,
        data={"status": status},
    )
    return item


# Facilitator reports


def month_start(raw: str) -> date:
    try:
        year, month = (int(p) for p in raw.strip().split("-")[:2])
        first = date(year, month, 1)
    except (ValueError, TypeError):
        raise InvalidInput(_("Give the month as YYYY-MM."), field="month") from None
    if first > timezone.localdate():
        raise InvalidInput(_("This month has not started yet."), field="month")
    return first


def _month_end(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month_facts(kube: Kube, first: date) -> dict[str, Any]:
    """What the records say about one group's month: the template's pre-filled part."""
    from sinergi.aid.models import Disbursement
    from sinergi.kube.models import IksEntry

    end = _month_end(first)
    sessions = list(
        Session.objects.filter(kube=kube, held_on__gte=first, held_on__lt=end)
        .annotate(n_present=Count("present"))
        .order_by("held_on", "pk")
    )
    items = ActionItem.objects.filter(kube=kube)
    members = Membership.objects.filter(kube=kube, start_date__lt=end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)
    )
    disbursed = Disbursement.objects.filter(
        proposal__kube=kube, day__gte=first, day__lt=end
    ).aggregate(s=Sum("amount"))["s"]
    iks = IksEntry.objects.filter(kube=kube, day__gte=first, day__lt=end).aggregate(
        s=Sum("amount")
    )["s"]
    from sinergi.market.models import Sale

    sales = Sale.objects.filter(kube=kube, day__gte=first, day__lt=end).total()
    return {
        "sessions": [
            {"date": s.held_on.isoformat(), "topics": s.topics, "present": s.n_present}  # type: ignore[attr-defined]
            for s in sessions
        ],
        "members": members.count(),
        "items_raised": items.filter(
            raised_in__held_on__gte=first, raised_in__held_on__lt=end
        ).count(),
        "items_closed": items.filter(
            status=ActionStatus.DONE, closed_on__gte=first, closed_on__lt=end
        ).count(),
        "items_overdue": items.filter(status=ActionStatus.OPEN, due_on__lt=end).count(),
        "disbursed": disbursed or 0,
        "iks_paid": iks or 0,
        "sales": sales,
    }


def draft_activities(facts: dict[str, Any]) -> str:
    lines = [
        _("%(date)s: mentoring session on %(topics)s (%(present)d present)") % s
        for s in facts["sessions"]
    ]
    return "\n".join(lines)


def report_group(actor: Any, kube_id: int, *, write: bool = False) -> Kube:
    """A group the actor may report on (write) or read reports of; else 404."""
    permission = "mentoring.add_monthlyreport" if write else "mentoring.view_monthlyreport"
    require_permission(actor, permission)
    return access(Kube.objects, actor=actor, permission=permission, pk=kube_id)


@transaction.atomic
def report_save(
    *,
    actor: Any,
    kube_id: int,
    month: str,
    activities: str,
    problems: str = "",
    follow_up: str = "",
    submit: bool = False,
) -> MonthlyReport:
    """Save (and optionally submit) a facilitator's monthly report; submitted ones are final."""
    kube = report_group(actor, kube_id, write=True)
    first = month_start(month)
    if not activities.strip():
        raise InvalidInput(_("Describe the month's activities."), field="activities")
    report = MonthlyReport.objects.select_for_update().filter(kube=kube, month=first).first()
    if report and report.status == ReportStatus.SUBMITTED:
        raise InvalidInput(_("This month's report is already submitted."), field="status")
    report = report or MonthlyReport(kube=kube, month=first, author=actor)
    report.activities = activities.strip()
    report.problems = problems.strip()
    report.follow_up = follow_up.strip()
    report.facts = month_facts(kube, first)
    if submit:
        report.status, report.submitted_at = ReportStatus.SUBMITTED, timezone.now()
    report.save()
    AuditEvent.record(
        "mentoring.report.submitted" if submit else "mentoring.report.saved",
        actor=actor,
        obj=report,
        area_code=kube.area_code,
    )
    return report


def end_for_closed_group(kube: Kube, *, reason: str, actor: Any) -> None:
    """The kube "group closed" hook (registered in ``MentoringConfig.ready``)."""
    close_for_group(kube.pk, timezone.localdate(), reason)


def close_for_group(kube_id: int, day: date, reason_text: str = "") -> int:
    """A group that graduates or dissolves keeps no mentor and no pending offer."""
    rows = Assignment.objects.select_for_update().filter(kube_id=kube_id, status__in=OPEN_STATUSES)
    closed = 0
    for row in rows:
        _close(row, EndReason.GROUP_CLOSED, reason_text, day)
        closed += 1
    return closed
