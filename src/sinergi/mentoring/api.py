"""Partnership and mentoring through the API: partners, mentors, matching, sessions, reports.

Nothing here returns a NIK, KK number or decile: members appear by name and role only, so the
same answers are safe for partner roles.
"""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from sinergi.core.api_perms import require_perm
from sinergi.core.api_schemas import Id, Pages, column_int
from sinergi.core.pagination import RowsThrough
from sinergi.core.scoping import access
from sinergi.core.uploads import serve_upload
from sinergi.engines.matching import Weights
from sinergi.kube.models import Kube
from sinergi.mentoring import selectors, services
from sinergi.mentoring.models import (
    ActionItem,
    Agreement,
    Assignment,
    MatchRun,
    Mentor,
    MonthlyReport,
    Session,
    SessionPhoto,
    Unit,
)

router = Router(tags=["mentoring"])


class UnitOut(Schema):
    id: int
    organisation: str
    level: str
    name: str
    region_code: str = Field(..., alias="area_code")
    parent_id: Id | None


class KpiOut(Schema):
    indicator: str
    label: str
    target: int
    value: int
    percent: int


class AgreementOut(Schema):
    id: int
    organisation: str
    kind: str
    number: str
    title: str
    signing_unit: str
    ministry_party: str
    ministry_signatory: str
    partner_signatory: str
    signed_on: date
    valid_from: date
    valid_until: date
    area_code: str
    scope: str
    kpis: list[KpiOut]


def _agreement(a: Agreement) -> dict[str, Any]:
    return {
        "id": a.pk,
        "organisation": str(a.organisation),
        "kind": a.kind,
        "number": a.number,
        "title": a.title,
        "signing_unit": str(a.signing_unit),
        "ministry_party": a.ministry_party,
        "ministry_signatory": a.ministry_signatory,
        "partner_signatory": a.partner_signatory,
        "signed_on": a.signed_on,
        "valid_from": a.valid_from,
        "valid_until": a.valid_until,
        "area_code": a.area_code,
        "scope": a.scope,
        "kpis": [
            {
                "indicator": p.kpi.indicator,
                "label": p.kpi.get_indicator_display(),
                "target": p.kpi.target,
                "value": p.value,
                "percent": p.percent,
            }
            for p in selectors.agreement_progress(a)
        ],
    }


def _unit(u: Unit) -> dict[str, Any]:
    return {
        "id": u.pk,
        "organisation": str(u.organisation),
        "level": u.level,
        "name": u.name,
        "area_code": u.area_code,
        "parent_id": u.parent_id,
    }


@router.get("/units", response=list[UnitOut], summary="Partner units in your area")
def unit_list(request: HttpRequest) -> Any:
    require_perm(request, "mentoring.view_unit")
    return [_unit(u) for u in Unit.objects.for_user(request.user).select_related("organisation")]


@router.get("/agreements", response=list[AgreementOut], summary="MoUs and PKS with KPI progress")
def agreement_list(request: HttpRequest) -> Any:
    require_perm(request, "mentoring.view_agreement")
    qs = Agreement.objects.for_user(request.user).select_related("organisation", "signing_unit")
    return [_agreement(a) for a in qs.prefetch_related("kpis")]


class UnitIn(Schema):
    organisation_id: Id
    level: str = Field(..., description="dpp, dpd, dpc or ranting")
    name: str = Field(..., max_length=150)
    region_code: str = Field("", max_length=13, description="Empty for DPP")


@router.post("/units", response={201: UnitOut}, summary="Record a partner unit")
def unit_create(request: HttpRequest, payload: UnitIn) -> Any:
    return Status(201, _unit(services.unit_create(actor=request.user, **payload.dict())))


class AgreementIn(Schema):
    kind: str = Field(..., description="mou or pks")
    number: str = Field(..., max_length=100)
    title: str = Field(..., max_length=250)
    signing_unit_id: Id
    ministry_party: str = Field(..., max_length=200)
    ministry_signatory: str = Field(..., max_length=150)
    partner_signatory: str = Field(..., max_length=150)
    witnesses: str = Field("", max_length=300)
    signed_on: date
    valid_from: date
    valid_until: date
    scope: str = Field(..., max_length=5000)
    area_code: str = Field("", max_length=13, description="Empty: national")
    kpis: dict[str, int] = Field(
        default_factory=dict,
        description="kube_mentored, sessions_held, mentors_active, action_items_done → target",
    )


@router.post("/agreements", response={201: AgreementOut}, summary="Record an MoU or PKS")
def agreement_create(request: HttpRequest, payload: AgreementIn) -> Any:
    agreement = services.agreement_save(
        actor=request.user, data=services.AgreementData(**payload.dict())
    )
    return Status(201, _agreement(agreement))


@router.put("/agreements/{agreement_id}", response=AgreementOut)
def agreement_update(request: HttpRequest, agreement_id: Id, payload: AgreementIn) -> Any:
    agreement = services.agreement_save(
        actor=request.user, data=services.AgreementData(**payload.dict()), agreement_id=agreement_id
    )
    return _agreement(agreement)


@router.post("/agreements/{agreement_id}/document", response=AgreementOut)
def agreement_document(request: HttpRequest, agreement_id: Id, document: File[UploadedFile]) -> Any:
    agreement = services.agreement_attach(
        actor=request.user, agreement_id=agreement_id, document=document
    )
    return _agreement(agreement)


@router.get("/agreements/{agreement_id}", response=AgreementOut)
def agreement_detail(request: HttpRequest, agreement_id: Id) -> Any:
    return _agreement(access(Agreement.objects, actor=request.user, pk=agreement_id))


# Mentors


class MentorOut(Schema):
    id: int
    name: str
    unit_id: Id
    phone: str
    business: str
    base_regency: str
    sectors: list[str]
    capacity: int
    load: int
    available: bool
    available_until: date | None
    active: bool


class MentorIn(Schema):
    name: str = Field(..., max_length=150)
    unit_id: Id
    base_regency: str = Field(..., max_length=13, description="Regency code, e.g. 32.73")
    sectors: list[str] = Field(..., max_length=10, description="Business type codes")
    capacity: column_int(Mentor, "capacity", description="Number of groups, 0-30")  # type: ignore[valid-type]
    phone: str = Field("", max_length=20)
    business: str = Field("", max_length=200)
    available: bool = True
    available_until: date | None = None


def _mentor(m: Mentor, load: int | None = None) -> dict[str, Any]:
    return {
        "id": m.pk,
        "name": m.name,
        "unit_id": m.unit_id,
        "phone": m.phone,
        "business": m.business,
        "base_regency": m.area_code,
        "sectors": sorted(s.code for s in m.sectors.all()),
        "capacity": m.capacity,
        "load": getattr(m, "load", load or 0),
        "available": m.available,
        "available_until": m.available_until,
        "active": m.active,
    }


class MentorFilter(Schema):
    q: str = Field("", max_length=100)
    area: str = Field("", max_length=13)
    include_left: bool = False


@router.get("/mentors", response=list[MentorOut], summary="Mentors in your area")
@paginate(Pages, page_size=50)
def mentor_list(request: HttpRequest, filters: Query[MentorFilter]) -> Any:
    require_perm(request, "mentoring.view_mentor")
    # Rows become answers as the page is read: a national list is not loaded whole.
    return RowsThrough(selectors.mentor_list(request.user, **filters.dict()), _mentor)


@router.post("/mentors", response={201: MentorOut})
def mentor_create(request: HttpRequest, payload: MentorIn) -> Any:
    mentor = services.mentor_save(actor=request.user, data=services.MentorData(**payload.dict()))
    return Status(201, _mentor(mentor))


@router.get("/mentors/{mentor_id}", response=MentorOut)
def mentor_detail(request: HttpRequest, mentor_id: Id) -> Any:
    mentor = access(Mentor.objects, actor=request.user, pk=mentor_id)
    return _mentor(mentor, services.open_load([mentor.pk]).get(mentor.pk, 0))


@router.put("/mentors/{mentor_id}", response=MentorOut)
def mentor_update(request: HttpRequest, mentor_id: Id, payload: MentorIn) -> Any:
    mentor = services.mentor_save(
        actor=request.user, data=services.MentorData(**payload.dict()), mentor_id=mentor_id
    )
    return _mentor(mentor, services.open_load([mentor.pk]).get(mentor.pk, 0))


class NoteIn(Schema):
    note: str = Field("", max_length=300)


@router.post("/mentors/{mentor_id}/leave", response=MentorOut, summary="The mentor has left")
def mentor_leave(request: HttpRequest, mentor_id: Id, payload: NoteIn) -> Any:
    return _mentor(
        services.mentor_leave(actor=request.user, mentor_id=mentor_id, note=payload.note)
    )


# Matching


class RunIn(Schema):
    area: str = Field("", max_length=13, description="Empty: your whole area")
    other_regency: int = Field(40, ge=0, le=1000)
    sector_mismatch: int = Field(25, ge=0, le=1000)
    history_bonus: int = Field(10, ge=0, le=1000)


class RowOut(Schema):
    id: int
    kube_id: Id
    kube_name: str
    district_code: str
    sector: str
    mentor_id: Id | None
    mentor_name: str | None
    cost: int | None
    reasons: list[str]
    edited: bool
    status: str


class RunOut(Schema):
    id: int
    area_code: str
    status: str
    weights: dict[str, int]
    groups_count: int
    assigned_count: int
    total_cost: int
    rows: list[RowOut]


def _row(a: Assignment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "kube_id": a.kube_id,
        "kube_name": a.kube.name,
        "district_code": a.kube.area_code[:8],
        "sector": a.kube.business_type.code,
        "mentor_id": a.mentor_id,
        "mentor_name": a.mentor.name if a.mentor else None,
        "cost": a.cost,
        "reasons": a.reasons,
        "edited": a.edited,
        "status": a.status,
    }


def _run(run: MatchRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "area_code": run.area_code,
        "status": run.status,
        "weights": {
            "other_regency": run.other_regency,
            "sector_mismatch": run.sector_mismatch,
            "history_bonus": run.history_bonus,
        },
        "groups_count": run.groups_count,
        "assigned_count": run.assigned_count,
        "total_cost": run.total_cost,
        "rows": [_row(a) for a in selectors.run_rows(run)],
    }


@router.post("/matching/runs", response={201: RunOut}, summary="Run the matcher over your area")
def run_create(request: HttpRequest, payload: RunIn) -> Any:
    weights = Weights(payload.other_regency, payload.sector_mismatch, payload.history_bonus)
    run = services.match_run(actor=request.user, area=payload.area, weights=weights)
    return Status(201, _run(run))


@router.get("/matching/runs/{run_id}", response=RunOut)
def run_detail(request: HttpRequest, run_id: Id) -> Any:
    return _run(access(MatchRun.objects, actor=request.user, pk=run_id))


class RowIn(Schema):
    mentor_id: Id | None = Field(None, description="Another mentor, or null for none")


@router.patch("/matching/rows/{row_id}", response=RowOut, summary="Change a proposed pair")
def row_change(request: HttpRequest, row_id: Id, payload: RowIn) -> Any:
    row = services.proposal_change(
        actor=request.user, assignment_id=row_id, mentor_id=payload.mentor_id
    )
    return _row(row)


class SentOut(Schema):
    sent: int
    skipped: int


@router.post("/matching/runs/{run_id}/send", response=SentOut, summary="Offer the pairs")
def run_send(request: HttpRequest, run_id: Id) -> Any:
    return services.run_send(actor=request.user, run_id=run_id)


@router.post("/matching/runs/{run_id}/discard", response=RunOut)
def run_discard(request: HttpRequest, run_id: Id) -> Any:
    return _run(services.run_discard(actor=request.user, run_id=run_id))


# Assignments


class AssignmentOut(Schema):
    id: int
    kube_id: Id
    kube_name: str
    mentor_id: Id | None
    mentor_name: str | None
    status: str
    reasons: list[str]
    start_date: date | None
    end_date: date | None
    end_reason: str
    decline_reason: str


def _assignment(a: Assignment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "kube_id": a.kube_id,
        "kube_name": a.kube.name,
        "mentor_id": a.mentor_id,
        "mentor_name": a.mentor.name if a.mentor else None,
        "status": a.status,
        "reasons": a.reasons,
        "start_date": a.start_date,
        "end_date": a.end_date,
        "end_reason": a.end_reason,
        "decline_reason": a.decline_reason,
    }


class AssignmentFilter(Schema):
    status: str = Field("", max_length=10)


@router.get("/assignments", response=list[AssignmentOut])
@paginate(Pages, page_size=50)
def assignment_list(request: HttpRequest, filters: Query[AssignmentFilter]) -> Any:
    require_perm(request, "mentoring.view_assignment")
    return RowsThrough(selectors.assignment_list(request.user, status=filters.status), _assignment)


class DeclineIn(Schema):
    reason: str = Field(..., max_length=300)


@router.post("/assignments/{assignment_id}/accept", response=AssignmentOut)
def assignment_accept(request: HttpRequest, assignment_id: Id) -> Any:
    return _assignment(
        services.assignment_respond(actor=request.user, assignment_id=assignment_id, accept=True)
    )


@router.post("/assignments/{assignment_id}/decline", response=AssignmentOut)
def assignment_decline(request: HttpRequest, assignment_id: Id, payload: DeclineIn) -> Any:
    row = services.assignment_respond(
        actor=request.user, assignment_id=assignment_id, accept=False, reason=payload.reason
    )
    return _assignment(row)


class EndIn(Schema):
    reason: str = Field(..., description="completed, reassigned, mentor_left or group_closed")
    note: str = Field("", max_length=300)


@router.post("/assignments/{assignment_id}/end", response=AssignmentOut)
def assignment_end(request: HttpRequest, assignment_id: Id, payload: EndIn) -> Any:
    row = services.assignment_end(
        actor=request.user, assignment_id=assignment_id, reason=payload.reason, note=payload.note
    )
    return _assignment(row)


# Groups, sessions, action items


class MentoredMemberOut(Schema):
    membership_id: Id
    name: str
    role: str


class ItemOut(Schema):
    id: int
    description: str
    owner: str
    due_on: date
    status: str
    overdue: bool
    raised_on: date
    review_note: str


class SessionOut(Schema):
    id: int
    kube_id: Id
    mentor: str
    held_on: date
    place: str
    topics: str
    notes: str
    present: list[int]
    photo_urls: list[str]


class GroupOut(Schema):
    id: int
    name: str
    village_code: str
    business_type: str
    status: str
    mentor: AssignmentOut | None
    members: list[MentoredMemberOut]
    action_items: list[ItemOut]


def _item(i: ActionItem, today: date) -> dict[str, Any]:
    return {
        "id": i.pk,
        "description": i.description,
        "owner": i.owner,
        "due_on": i.due_on,
        "status": i.status,
        "overdue": i.overdue_on(today),
        "raised_on": i.raised_in.held_on,
        "review_note": i.review_note,
    }


def _session(s: Session) -> dict[str, Any]:
    return {
        "id": s.pk,
        "kube_id": s.kube_id,
        "mentor": s.mentor.name,
        "held_on": s.held_on,
        "place": s.place,
        "topics": s.topics,
        "notes": s.notes,
        "present": sorted(m.pk for m in s.present.all()),
        "photo_urls": [f"/api/v1/mentoring/sessions/{s.pk}/photos/{p.pk}" for p in s.photos.all()],
    }


def _group_row(k: Kube) -> dict[str, Any]:
    return {
        "id": k.pk,
        "name": k.name,
        "village_code": k.area_code,
        "business_type": k.business_type.code,
        "mentor": k.mentor_name,  # type: ignore[attr-defined]
        "last_session": k.last_session,  # type: ignore[attr-defined]
        "open_items": k.open_items,  # type: ignore[attr-defined]
        "overdue_items": k.overdue_items,  # type: ignore[attr-defined]
    }


@router.get("/groups", response=list[dict[str, Any]], summary="Groups you follow")
@paginate(Pages, page_size=50)
def group_list(request: HttpRequest, q: str = "", area: str = "") -> Any:
    require_perm(request, "mentoring.view_session")
    return RowsThrough(selectors.group_list(request.user, q=q[:100], area=area[:13]), _group_row)


@router.get("/groups/{kube_id}", response=GroupOut)
def group_detail(request: HttpRequest, kube_id: Id) -> Any:
    require_perm(request, "mentoring.view_session")
    view = selectors.group_view(request.user, kube_id)
    today = timezone.localdate()
    return {
        "id": view.kube.pk,
        "name": view.kube.name,
        "village_code": view.kube.area_code,
        "business_type": view.kube.business_type.code,
        "status": view.kube.status,
        "mentor": _assignment(view.assignment) if view.assignment else None,
        "members": [
            {"membership_id": m.pk, "name": m.person.name, "role": m.role} for m in view.members
        ],
        "action_items": [_item(i, today) for i in view.items],
    }


@router.get("/groups/{kube_id}/sessions", response=list[SessionOut])
def session_list(request: HttpRequest, kube_id: Id) -> Any:
    require_perm(request, "mentoring.view_session")
    view = selectors.group_view(request.user, kube_id)
    return [_session(s) for s in view.sessions.prefetch_related("present")]


class NewItemIn(Schema):
    description: str = Field(..., max_length=300)
    owner: str = Field(..., max_length=150)
    due_on: date


class ReviewIn(Schema):
    item_id: Id
    status: str = Field(..., pattern="^(open|done|dropped)$")
    note: str = Field("", max_length=300)


class SessionIn(Schema):
    held_on: date
    place: str = Field(..., max_length=200)
    topics: str = Field(..., max_length=300)
    notes: str = Field("", max_length=5000)
    present: list[int] = Field(default_factory=list, description="Membership ids")
    new_items: list[NewItemIn] = Field(default_factory=list, max_length=20)
    reviews: list[ReviewIn] = Field(default_factory=list, max_length=50)


@router.post("/groups/{kube_id}/sessions", response={201: SessionOut}, summary="Log a session")
def session_create(request: HttpRequest, kube_id: Id, payload: SessionIn) -> Any:
    session = services.session_log(
        actor=request.user,
        kube_id=kube_id,
        held_on=payload.held_on,
        place=payload.place,
        topics=payload.topics,
        notes=payload.notes,
        present=payload.present,
        new_items=[services.NewItem(**i.dict()) for i in payload.new_items],
        reviews=[services.Review(**r.dict()) for r in payload.reviews],
    )
    return Status(201, _session(session))


@router.post("/sessions/{session_id}/photos", response={201: SessionOut}, summary="Add a photo")
def session_photo_add(request: HttpRequest, session_id: Id, photo: File[UploadedFile]) -> Any:
    session = services.session_photo_add(actor=request.user, session_id=session_id, photo=photo)
    return Status(201, _session(session))


@router.get("/sessions/{session_id}/photos/{photo_id}", response={200: None})
def session_photo(request: HttpRequest, session_id: Id, photo_id: Id) -> Any:
    session = access(Session.objects, actor=request.user, pk=session_id)
    photo = get_object_or_404(SessionPhoto, session=session, pk=photo_id)
    return serve_upload(photo.image, download_name=f"sesi-{session.pk}-foto-{photo.pk}")


class ItemIn(Schema):
    status: str = Field(..., pattern="^(open|done|dropped)$")
    note: str = Field("", max_length=300)


@router.patch("/action-items/{item_id}", response=ItemOut)
def item_update(request: HttpRequest, item_id: Id, payload: ItemIn) -> Any:
    item = services.action_item_update(
        actor=request.user, item_id=item_id, status=payload.status, note=payload.note
    )
    return _item(item, timezone.localdate())


# Facilitator reports


class FacilitatorReportOut(Schema):
    id: int | None
    kube_id: Id
    month: str
    status: str
    activities: str
    problems: str
    follow_up: str
    facts: dict[str, Any]


class FacilitatorReportIn(Schema):
    activities: str = Field(..., max_length=10000)
    problems: str = Field("", max_length=10000)
    follow_up: str = Field("", max_length=10000)
    submit: bool = False


def _report(r: MonthlyReport) -> dict[str, Any]:
    return {
        "id": r.pk,
        "kube_id": r.kube_id,
        "month": f"{r.month:%Y-%m}",
        "status": r.status,
        "activities": r.activities,
        "problems": r.problems,
        "follow_up": r.follow_up,
        "facts": r.facts,
    }


@router.get("/groups/{kube_id}/reports", response=list[FacilitatorReportOut])
def report_list(request: HttpRequest, kube_id: Id) -> Any:
    kube = services.report_group(request.user, kube_id)
    return [_report(r) for r in MonthlyReport.objects.filter(kube=kube)]


@router.get(
    "/groups/{kube_id}/reports/{month}",
    response=FacilitatorReportOut,
    summary="A month's report, or the pre-filled template when none is saved",
)
def report_detail(request: HttpRequest, kube_id: Id, month: str) -> Any:
    kube = services.report_group(request.user, kube_id)
    first = services.month_start(month)
    report = MonthlyReport.objects.filter(kube=kube, month=first).first()
    if report:
        return _report(report)
    facts = services.month_facts(kube, first)
    return _report(
        MonthlyReport(
            kube=kube, month=first, activities=services.draft_activities(facts), facts=facts
        )
    ) | {"status": "new"}


@router.put("/groups/{kube_id}/reports/{month}", response=FacilitatorReportOut)
def report_put(request: HttpRequest, kube_id: Id, month: str, payload: FacilitatorReportIn) -> Any:
    report = services.report_save(
        actor=request.user, kube_id=kube_id, month=month, **payload.dict()
    )
    return _report(report)
