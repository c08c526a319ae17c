"""Aid through the API: programmes with what remains, proposals, and each step as its own call."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from sinergi.aid import services
from sinergi.aid.models import Programme, Proposal
from sinergi.core.api_perms import require_perm

router = Router(tags=["aid"])


class CycleOut(Schema):
    id: int
    number: int
    status: str


class ProgrammeOut(Schema):
    id: int
    name: str
    year: int
    funding_source: str
    amount_rule: str
    amount: int
    cap: int | None
    budget_ceiling: int
    budget_used: int
    budget_remaining: int
    cycles: list[CycleOut]


class ProposalOut(Schema):
    id: int
    cycle_id: int
    kube_id: int
    area_code: str
    member_count: int
    amount: int
    status: str
    decided_reason: str


class ProposeIn(Schema):
    cycle_id: int
    kube_id: int


class ReasonIn(Schema):
    reason: str = Field("", max_length=300)


@router.get("/programmes", response=list[ProgrammeOut])
def programme_list(request: HttpRequest) -> Any:
    require_perm(request, "aid.view_programme")
    return [
        {
            "id": p.pk,
            "name": p.name,
            "year": p.year,
            "funding_source": p.funding_source,
            "amount_rule": p.amount_rule,
            "amount": p.amount,
            "cap": p.cap,
            "budget_ceiling": p.budget_ceiling,
            "budget_used": services.budget_used(p),
            "budget_remaining": services.budget_remaining(p),
            "cycles": [
                {"id": c.pk, "number": c.number, "status": c.status} for c in p.cycles.all()
            ],
        }
        for p in Programme.objects.prefetch_related("cycles")
    ]


@router.get("/proposals", response=list[ProposalOut], summary="Proposals in your area")
@paginate(PageNumberPagination, page_size=50)
def proposal_list(request: HttpRequest, cycle_id: int | None = None) -> Any:
    require_perm(request, "aid.view_proposal")
    qs = Proposal.objects.for_user(request.user)
    return qs.filter(cycle_id=cycle_id) if cycle_id else qs


@router.post("/proposals", response={201: ProposalOut}, summary="Propose a group (regency)")
def propose(request: HttpRequest, payload: ProposeIn) -> Any:
    require_perm(request, "aid.propose_kube")
    proposal = services.proposal_create(
        actor=request.user, cycle_id=payload.cycle_id, kube_id=payload.kube_id
    )
    return Status(201, proposal)


@router.post("/proposals/{proposal_id}/recommend", response=ProposalOut)
def recommend(request: HttpRequest, proposal_id: int) -> Any:
    require_perm(request, "aid.recommend_proposal")
    return services.proposal_recommend(actor=request.user, proposal_id=proposal_id)


@router.post("/proposals/{proposal_id}/reject", response=ProposalOut)
def reject(request: HttpRequest, proposal_id: int, payload: ReasonIn) -> Any:
    return services.proposal_reject(
        actor=request.user, proposal_id=proposal_id, reason=payload.reason
    )


@router.post("/cycles/{cycle_id}/approve", response=CycleOut, summary="Approve and freeze")
def approve(request: HttpRequest, cycle_id: int) -> Any:
    require_perm(request, "aid.approve_cycle")
    return services.cycle_approve(actor=request.user, cycle_id=cycle_id)
