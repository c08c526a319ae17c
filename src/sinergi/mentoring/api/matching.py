"""Matching runs, their proposed pairs, and the assignments that follow, through the API."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from sinergi.core.api_perms import require_perm
from sinergi.core.api_schemas import Id, Pages
from sinergi.engines.matching import Weights
from sinergi.mentoring import selectors, services
from sinergi.mentoring.api.schemas import (
    AssignmentFilter,
    AssignmentOut,
    DeclineIn,
    EndIn,
    RowIn,
    RowOut,
    RunIn,
    RunOut,
    SentOut,
)

router = Router(tags=["mentoring"])


@router.post("/matching/runs", response={201: RunOut}, summary="Run the matcher over your area")
def run_create(request: HttpRequest, payload: RunIn) -> Any:
    weights = Weights(payload.other_regency, payload.sector_mismatch, payload.history_bonus)
    run = services.match_run(actor=request.user, area=payload.area, weights=weights)
    return Status(201, run)


@router.get("/matching/runs/{run_id}", response=RunOut)
def run_detail(request: HttpRequest, run_id: Id) -> Any:
    return selectors.run_get(request.user, run_id)


@router.patch("/matching/rows/{row_id}", response=RowOut, summary="Change a proposed pair")
def row_change(request: HttpRequest, row_id: Id, payload: RowIn) -> Any:
    return services.proposal_change(
        actor=request.user, assignment_id=row_id, mentor_id=payload.mentor_id
    )


@router.post("/matching/runs/{run_id}/send", response=SentOut, summary="Offer the pairs")
def run_send(request: HttpRequest, run_id: Id) -> Any:
    return services.run_send(actor=request.user, run_id=run_id)


@router.post("/matching/runs/{run_id}/discard", response=RunOut)
def run_discard(request: HttpRequest, run_id: Id) -> Any:
    return services.run_discard(actor=request.user, run_id=run_id)


@router.get("/assignments", response=list[AssignmentOut])
@paginate(Pages, page_size=50)
def assignment_list(request: HttpRequest, filters: Query[AssignmentFilter]) -> Any:
    require_perm(request, "mentoring.view_assignment")
    return filters.apply(selectors.assignment_list(request.user))


@router.post("/assignments/{assignment_id}/accept", response=AssignmentOut)
def assignment_accept(request: HttpRequest, assignment_id: Id) -> Any:
    return services.assignment_respond(actor=request.user, assignment_id=assignment_id, accept=True)


@router.post("/assignments/{assignment_id}/decline", response=AssignmentOut)
def assignment_decline(request: HttpRequest, assignment_id: Id, payload: DeclineIn) -> Any:
    return services.assignment_respond(
        actor=request.user, assignment_id=assignment_id, accept=False, reason=payload.reason
    )


@router.post("/assignments/{assignment_id}/end", response=AssignmentOut)
def assignment_end(request: HttpRequest, assignment_id: Id, payload: EndIn) -> Any:
    return services.assignment_end(
        actor=request.user, assignment_id=assignment_id, reason=payload.reason, note=payload.note
    )
