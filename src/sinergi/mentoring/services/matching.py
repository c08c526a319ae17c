"""Matching runs and what follows them: proposals, offers, answers, and ending assignments."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.core import jobs
from sinergi.core.errors import Forbidden, InvalidInput, require_permission
from sinergi.core.events import snapshot
from sinergi.core.models import AuditEvent, JobStatus
from sinergi.core.scoping import access, area_q, user_area
from sinergi.engines import matching
from sinergi.engines import wilayah as regions
from sinergi.kube.models import Kube
from sinergi.mentoring import events
from sinergi.mentoring.jobs import MATCHING
from sinergi.mentoring.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    EndReason,
    MatchRun,
    MatchRunStatus,
    Mentor,
)
from sinergi.mentoring.selectors import matching_history, open_load, waiting_groups

ASSIGNMENT_STATE = ("status", "mentor", "start_date", "end_date", "end_reason", "end_note")


def _as_group(kube: Kube) -> matching.Group:
    return matching.Group(str(kube.pk), kube.area_code[:8], kube.business_type.code)


def _as_mentor(mentor: Mentor, room: int) -> matching.Mentor:
    return matching.Mentor(
        str(mentor.pk),
        mentor.area_code,
        frozenset(s.code for s in mentor.sectors.all()),
        max(room, 0),
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
        matching_history(waiting.values("pk")),
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
        # The run as a background job (core.jobs): every group waiting was considered.
        job=jobs.create(
            MATCHING.code,
            actor=actor,
            area_code=area_code or "",
            status=JobStatus.SUCCEEDED,
            total=len(groups),
            done=len(groups),
            result={"assigned": result.assigned},
        ),
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
        events.MATCH_RUN,
        actor=actor,
        obj=run,
        area_code=run.area_code,
        data={"groups": len(groups), "assigned": result.assigned, "cost": result.total_cost},
        after=snapshot(run, "status"),
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
    before = snapshot(row, "mentor", "cost")
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
        history = (str(row.kube_id), str(mentor.pk)) in matching_history([row.kube_id])
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
    AuditEvent.record(
        events.MATCH_ROW_CHANGED,
        actor=actor,
        obj=row,
        area_code=row.kube.area_code,
        before=before,
        after=snapshot(row, "mentor", "cost"),
    )
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
    before = snapshot(run, "status")
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
        events.MATCH_SENT,
        actor=actor,
        obj=run,
        area_code=run.area_code,
        data={"sent": sent, "skipped": skipped},
        before=before,
        after=snapshot(run, "status"),
    )
    return {"sent": sent, "skipped": skipped}


@transaction.atomic
def run_discard(*, actor: Any, run_id: int) -> MatchRun:
    """Throw a proposal away: its groups wait for the next run, no mentor hears of it."""
    run = _run_for_write(actor, run_id)
    before = snapshot(run, "status")
    run.assignments.filter(status=AssignmentStatus.PROPOSED).update(
        status=AssignmentStatus.DISCARDED
    )
    run.status = MatchRunStatus.DISCARDED
    run.save(update_fields=["status", "updated_at"])
    AuditEvent.record(
        events.MATCH_DISCARDED,
        actor=actor,
        obj=run,
        area_code=run.area_code,
        before=before,
        after=snapshot(run, "status"),
    )
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
    before = snapshot(row, *ASSIGNMENT_STATE)
    row.responded_at = timezone.now()
    if accept:
        row.status, row.start_date = AssignmentStatus.ACCEPTED, timezone.localdate()
    else:
        row.status, row.decline_reason = AssignmentStatus.DECLINED, reason.strip()[:300]
    row.save()
    AuditEvent.record(
        events.ASSIGNMENT_ACCEPTED if accept else events.ASSIGNMENT_DECLINED,
        actor=actor,
        obj=row,
        area_code=row.kube.area_code,
        reason=reason,
        before=before,
        after=snapshot(row, *ASSIGNMENT_STATE),
    )
    return row


def close_assignment(
    row: Assignment, *, actor: Any, reason: str, note: str, day: date | None = None
) -> None:
    """End one open row (the caller holds its lock) with its audit event."""
    before = snapshot(row, *ASSIGNMENT_STATE)
    row.status, row.end_reason, row.end_note = AssignmentStatus.ENDED, reason, note[:300]
    row.end_date = day or timezone.localdate()
    row.save(update_fields=["status", "end_reason", "end_note", "end_date", "updated_at"])
    AuditEvent.record(
        events.ASSIGNMENT_ENDED,
        actor=actor,
        obj=row,
        area_code=row.kube.area_code,
        reason=note,
        before=before,
        after=snapshot(row, *ASSIGNMENT_STATE),
    )


@transaction.atomic
def assignment_end(*, actor: Any, assignment_id: int, reason: str, note: str = "") -> Assignment:
    """End an accepted assignment (or withdraw an offer) with a reason; the row stays."""
    require_permission(actor, "mentoring.change_assignment")
    row = access(Assignment.objects, actor=actor, for_write=True, pk=assignment_id)
    if row.status not in OPEN_STATUSES:
        raise InvalidInput(_("Only a running assignment or an offer can end."), field="status")
    if reason not in EndReason.values:
        raise InvalidInput(_("Choose why the assignment ends."), field="reason")
    close_assignment(row, actor=actor, reason=reason, note=note.strip())
    return row


def close_for_group(kube_id: int, day: date, reason_text: str = "", actor: Any = None) -> int:
    """A group that graduates or dissolves keeps no mentor and no pending offer."""
    rows = Assignment.objects.select_for_update(of=("self",)).filter(
        kube_id=kube_id, status__in=OPEN_STATUSES
    )
    closed = 0
    for row in rows.select_related("kube"):
        close_assignment(row, actor=actor, reason=EndReason.GROUP_CLOSED, note=reason_text, day=day)
        closed += 1
    return closed


def end_for_closed_group(kube: Kube, *, reason: str, actor: Any) -> None:
    """The kube "group closed" hook (registered in ``MentoringConfig.ready``)."""
    close_for_group(kube.pk, timezone.localdate(), reason, actor=actor)
