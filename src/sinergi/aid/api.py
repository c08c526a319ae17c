"""Aid through the API: programmes with what remains, proposals, and each step as its own call."""

from datetime import date
from typing import Any

from django.db.models import Sum
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from sinergi.aid import services
from sinergi.aid.models import Disbursement, Lpj, LpjItem, Programme, Proposal
from sinergi.core.api_perms import require_perm
from sinergi.core.api_schemas import Id, Pages, ReasonIn, column_rupiah
from sinergi.core.errors import InvalidInput
from sinergi.core.exports import table_response
from sinergi.core.models import AuditEvent
from sinergi.core.scoping import access, user_area
from sinergi.core.uploads import serve_upload

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
    cycle_id: Id
    kube_id: Id
    area_code: str
    member_count: int
    amount: int
    status: str
    decided_reason: str


class ProposeIn(Schema):
    cycle_id: Id
    kube_id: Id


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
@paginate(Pages, page_size=50)
def proposal_list(request: HttpRequest, cycle_id: Id | None = None) -> Any:
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
def recommend(request: HttpRequest, proposal_id: Id) -> Any:
    require_perm(request, "aid.recommend_proposal")
    return services.proposal_recommend(actor=request.user, proposal_id=proposal_id)


@router.post("/proposals/{proposal_id}/reject", response=ProposalOut)
def reject(request: HttpRequest, proposal_id: Id, payload: ReasonIn) -> Any:
    return services.proposal_reject(
        actor=request.user, proposal_id=proposal_id, reason=payload.reason
    )


@router.post("/cycles/{cycle_id}/approve", response=CycleOut, summary="Approve and freeze")
def approve(request: HttpRequest, cycle_id: Id) -> Any:
    require_perm(request, "aid.approve_cycle")
    return services.cycle_approve(actor=request.user, cycle_id=cycle_id)


class DisbursementIn(Schema):
    amount: column_rupiah(Disbursement, "amount", gt=0)  # type: ignore[valid-type]
    day: date
    reference: str = Field(..., max_length=60)


class DisbursementOut(Schema):
    id: int
    proposal_id: Id
    amount: int
    day: date
    reference: str
    account: str


class MismatchOut(Schema):
    reference: str
    differences: list[str]


class StatementRowOut(Schema):
    reference: str
    account: str
    amount: int
    day: date


class LineProblemOut(Schema):
    line: int
    problem: str


class ReconciliationOut(Schema):
    matched: list[str]
    mismatched: list[MismatchOut]
    unknown: list[StatementRowOut]
    missing: list[str]
    problems: list[LineProblemOut]


@router.post("/proposals/{proposal_id}/disbursements", response={201: DisbursementOut})
def disburse(request: HttpRequest, proposal_id: Id, payload: DisbursementIn) -> Any:
    require_perm(request, "aid.add_disbursement")
    made = services.disbursement_record(
        actor=request.user,
        proposal_id=proposal_id,
        amount=payload.amount,
        day=payload.day,
        reference=payload.reference,
    )
    return Status(201, made)


@router.get("/disbursements", response=list[DisbursementOut], summary="Transfers in your area")
@paginate(Pages, page_size=100)
def disbursement_list(request: HttpRequest) -> Any:
    require_perm(request, "aid.view_disbursement")
    return Disbursement.objects.for_user(request.user)


@router.post(
    "/reconcile",
    response=ReconciliationOut,
    summary="Match a bank statement (CSV: reference,account,amount,date)",
)
def reconcile_statement(request: HttpRequest, file: File[UploadedFile]) -> Any:
    require_perm(request, "aid.reconcile_disbursement")
    raw = file.read(5 * 1024 * 1024 + 1)
    if len(raw) > 5 * 1024 * 1024:
        raise InvalidInput(_("The statement is larger than 5 MB; split it by month."), field="file")
    result = services.statement_reconcile(
        actor=request.user, text=raw.decode("utf-8-sig", errors="replace")
    )
    return {
        "matched": result.matched,
        "mismatched": [{"reference": r, "differences": d} for r, d in result.mismatched],
        "unknown": [t.__dict__ for t in result.unknown],
        "missing": result.missing,
        "problems": [{"line": n, "problem": p} for n, p in result.problems],
    }


class LpjItemOut(Schema):
    description: str
    amount: int
    day: date
    receipt_url: str


class LpjOut(Schema):
    proposal_id: Id
    status: str
    check_note: str
    spent: int
    received: int
    difference: int
    items: list[LpjItemOut]


class LpjCheckIn(Schema):
    accept: bool
    note: str = Field("", max_length=300)


def _lpj(proposal_id: Id) -> dict[str, Any]:
    lpj = Lpj.objects.select_related("proposal").get(proposal_id=proposal_id)
    return {
        "proposal_id": proposal_id,
        "status": lpj.status,
        "check_note": lpj.check_note,
        **services.lpj_totals(lpj),
        "items": [
            {
                "description": i.description,
                "amount": i.amount,
                "day": i.day,
                # Receipts are personal financial data: only the scoped endpoint serves them.
                "receipt_url": f"/api/v1/aid/proposals/{proposal_id}/lpj/items/{i.pk}/receipt",
            }
            for i in lpj.items.all()
        ],
    }


@router.get("/proposals/{proposal_id}/lpj", response=LpjOut, summary="Fund-use report")
def lpj_get(request: HttpRequest, proposal_id: Id) -> Any:
    require_perm(request, "aid.view_lpj")
    access(Proposal.objects, actor=request.user, pk=proposal_id)
    if not Lpj.objects.filter(proposal_id=proposal_id).exists():
        raise InvalidInput(_("No fund-use report has been started yet."), field="proposal")
    return _lpj(proposal_id)


@router.post("/proposals/{proposal_id}/lpj/items", response={201: LpjOut})
def lpj_item(
    request: HttpRequest,
    proposal_id: Id,
    description: Form[str],
    amount: Form[column_rupiah(LpjItem, "amount", gt=0)],  # type: ignore[valid-type]
    day: Form[date],
    receipt: File[UploadedFile],
) -> Any:
    require_perm(request, "aid.add_lpjitem")
    services.lpj_add_item(
        actor=request.user,
        proposal_id=proposal_id,
        description=description,
        amount=amount,
        day=day,
        receipt=receipt,
    )
    return Status(201, _lpj(proposal_id))


@router.get("/proposals/{proposal_id}/lpj/items/{item_id}/receipt", response={200: None})
def lpj_receipt(request: HttpRequest, proposal_id: Id, item_id: Id) -> Any:
    require_perm(request, "aid.view_lpj")
    access(Proposal.objects, actor=request.user, pk=proposal_id)
    item = LpjItem.objects.filter(pk=item_id, lpj__proposal_id=proposal_id).first()
    if item is None:
        raise InvalidInput(_("No such receipt."), field="item")
    return serve_upload(item.receipt, download_name=f"nota-{item.pk}")


@router.post("/proposals/{proposal_id}/lpj/submit", response=LpjOut)
def lpj_submit(request: HttpRequest, proposal_id: Id) -> Any:
    services.lpj_submit(actor=request.user, proposal_id=proposal_id)
    return _lpj(proposal_id)


@router.post("/proposals/{proposal_id}/lpj/check", response=LpjOut)
def lpj_check(request: HttpRequest, proposal_id: Id, payload: LpjCheckIn) -> Any:
    require_perm(request, "aid.check_lpj")
    services.lpj_check(
        actor=request.user, proposal_id=proposal_id, accept=payload.accept, note=payload.note
    )
    return _lpj(proposal_id)


@router.get(
    "/cycles/{cycle_id}/export", summary="Approved list or disbursement sheet", response={200: None}
)
def cycle_export(
    request: HttpRequest, cycle_id: Id, sheet: str = "approved", fmt: str = "xlsx"
) -> Any:
    """``sheet``: approved (the cycle's approved groups) or disbursement (accounts, paid and
    left to pay); ``fmt``: xlsx or csv. Only proposals in the caller's area; audited."""
    require_perm(request, "aid.view_proposal")
    if sheet not in ("approved", "disbursement") or fmt not in ("xlsx", "csv"):
        raise InvalidInput(
            _("Choose sheet approved or disbursement, and format xlsx or csv."), field="sheet"
        )
    proposals = (
        Proposal.objects.for_user(request.user)
        .filter(cycle_id=cycle_id, status="approved")
        .select_related("kube__business_type", "kube__village", "cycle__programme")
        .annotate(paid=Sum("disbursements__amount"))
        .order_by("area_code", "kube__name")
    )
    if sheet == "approved":
        header = ["kube", "kode_desa", "desa", "jenis_usaha", "anggota", "jumlah_rp"]
        rows = [
            [
                p.kube.name,
                p.area_code,
                p.kube.village.name,
                p.kube.business_type.name,
                p.member_count,
                p.amount,
            ]
            for p in proposals
        ]
    else:
        header = [
            "kube",
            "kode_desa",
            "bank",
            "rekening",
            "atas_nama",
            "disetujui_rp",
            "disalurkan_rp",
            "sisa_rp",
        ]
        rows = [
            [
                p.kube.name,
                p.area_code,
                p.kube.bank_name,
                p.kube.bank_account,
                p.kube.bank_account_holder,
                p.amount,
                p.paid or 0,
                p.amount - (p.paid or 0),
            ]
            for p in proposals
        ]
    AuditEvent.record(
        f"aid.cycle.exported_{sheet}",
        actor=request.user,
        area_code=user_area(request.user) or "",
        data={"rows": len(rows), "cycle": cycle_id},
    )
    return table_response(f"tahap-{cycle_id}-{sheet}", header, rows, fmt)
