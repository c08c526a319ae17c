"""Aid through the API: programmes and cycles, proposals, each step as its own call, transfers
and fund-use reports. Reads through ``selectors``, writes through ``services``; every list is
paged, filtered and sorted the same way, with ``changed_since``."""

from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, FilterLookup, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from sinergi.aid import selectors, services
from sinergi.aid.models import (
    AmountRule,
    CycleStatus,
    Disbursement,
    FundingSource,
    LpjItem,
    LpjStatus,
    Programme,
    ProposalStatus,
)
from sinergi.core.api_lists import ListFilter
from sinergi.core.api_perms import require_perm
from sinergi.core.api_schemas import Id, Pages, ReasonIn, column_int, column_rupiah
from sinergi.core.errors import InvalidInput
from sinergi.core.exports import table_response
from sinergi.core.uploads import serve_upload

router = Router(tags=["aid"])


def _label(choices: Any, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


# --- programmes and cycles --------------------------------------------------------------


class CycleOut(Schema):
    id: int
    programme_id: int
    number: int
    status: str
    status_label: str

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return _label(CycleStatus, obj.status)


class ProgrammeOut(Schema):
    id: int
    name: str
    year: int
    funding_source: str
    funding_source_label: str
    amount_rule: str
    amount_rule_label: str
    amount: int
    cap: int | None
    budget_ceiling: int
    budget_used: int
    budget_remaining: int
    area_code: str
    allow_previously_aided: bool
    max_desil: int | None
    cycles: list[CycleOut]

    @staticmethod
    def resolve_funding_source_label(obj: Programme) -> str:
        return _label(FundingSource, obj.funding_source)

    @staticmethod
    def resolve_amount_rule_label(obj: Programme) -> str:
        return _label(AmountRule, obj.amount_rule)

    @staticmethod
    def resolve_budget_used(obj: Any) -> int:
        used = getattr(obj, "used", None)
        return int(used) if used is not None else services.budget_used(obj)

    @staticmethod
    def resolve_budget_remaining(obj: Any) -> int:
        return int(obj.budget_ceiling) - ProgrammeOut.resolve_budget_used(obj)

    @staticmethod
    def resolve_cycles(obj: Programme) -> list[Any]:
        return list(obj.cycles.all())


class ProgrammeFilter(ListFilter):
    ordering_fields: ClassVar[dict[str, str | tuple[str, ...]]] = {
        "year": "year",
        "name": "name",
        "updated": "updated_at",
    }
    default_ordering: ClassVar[str] = "-year,name"
    year: int | None = Field(None, ge=1900, le=9999)
    funding_source: FundingSource | None = None


class ProgrammeIn(Schema):
    name: str = Field(..., min_length=1, max_length=150)
    year: column_int(Programme, "year", ge=2000, le=2100)  # type: ignore[valid-type]
    funding_source: FundingSource
    amount_rule: AmountRule
    amount: column_rupiah(Programme, "amount", gt=0)  # type: ignore[valid-type]
    cap: column_rupiah(Programme, "cap", gt=0) | None = None  # type: ignore[valid-type]
    budget_ceiling: column_rupiah(Programme, "budget_ceiling", gt=0)  # type: ignore[valid-type]
    area_code: str = Field("", max_length=13)
    allow_previously_aided: bool = False
    max_desil: int | None = Field(None, ge=1, le=10)


class ProgrammePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=150)
    year: column_int(Programme, "year", ge=2000, le=2100) | None = None  # type: ignore[valid-type]
    funding_source: FundingSource | None = None
    amount_rule: AmountRule | None = None
    amount: column_rupiah(Programme, "amount", gt=0) | None = None  # type: ignore[valid-type]
    cap: column_rupiah(Programme, "cap", gt=0) | None = None  # type: ignore[valid-type]
    budget_ceiling: column_rupiah(Programme, "budget_ceiling", gt=0) | None = None  # type: ignore[valid-type]
    area_code: str | None = Field(None, max_length=13)
    allow_previously_aided: bool | None = None
    max_desil: int | None = Field(None, ge=1, le=10)


@router.get("/programmes", response=list[ProgrammeOut], summary="Programmes with what remains")
@paginate(Pages, page_size=50)
def programme_list(request: HttpRequest, filters: Query[ProgrammeFilter]) -> Any:
    require_perm(request, "aid.view_programme")
    return filters.apply(selectors.programme_list(actor=request.user))


@router.post("/programmes", response={201: ProgrammeOut}, summary="Define a programme (centre)")
def programme_create(request: HttpRequest, payload: ProgrammeIn) -> Any:
    made = services.programme_create(actor=request.user, **payload.dict())
    return Status(201, selectors.programme_get(actor=request.user, pk=made.pk))


@router.patch("/programmes/{programme_id}", response=ProgrammeOut, summary="Change a programme")
def programme_update(request: HttpRequest, programme_id: Id, payload: ProgrammePatch) -> Any:
    services.programme_update(
        actor=request.user, programme_id=programme_id, **payload.dict(exclude_unset=True)
    )
    return selectors.programme_get(actor=request.user, pk=programme_id)


class CycleFilter(ListFilter):
    ordering_fields: ClassVar[dict[str, str | tuple[str, ...]]] = {
        "programme": "programme_id",
        "number": "number",
        "updated": "updated_at",
    }
    default_ordering: ClassVar[str] = "programme,number"
    programme_id: Id | None = None
    status: CycleStatus | None = None


@router.get("/cycles", response=list[CycleOut], summary="Cycles (tahap) of every programme")
@paginate(Pages, page_size=100)
def cycle_list(request: HttpRequest, filters: Query[CycleFilter]) -> Any:
    require_perm(request, "aid.view_cycle")
    return filters.apply(selectors.cycle_list(actor=request.user))


@router.post(
    "/programmes/{programme_id}/cycles",
    response={201: CycleOut},
    summary="Open the programme's next cycle (centre)",
)
def cycle_create(request: HttpRequest, programme_id: Id) -> Any:
    return Status(201, services.cycle_create(actor=request.user, programme_id=programme_id))


@router.post("/cycles/{cycle_id}/approve", response=CycleOut, summary="Approve and freeze")
def approve(request: HttpRequest, cycle_id: Id) -> Any:
    require_perm(request, "aid.approve_cycle")
    return services.cycle_approve(actor=request.user, cycle_id=cycle_id)


@router.get(
    "/cycles/{cycle_id}/export", summary="Approved list or disbursement sheet", response={200: None}
)
def cycle_export(
    request: HttpRequest, cycle_id: Id, sheet: str = "approved", fmt: str = "xlsx"
) -> Any:
    """``sheet``: approved (the cycle's approved groups) or disbursement (accounts, paid and
    left to pay); ``fmt``: xlsx or csv. Only proposals in the caller's area; audited."""
    require_perm(request, "aid.view_proposal")
    if fmt not in services.EXPORT_FORMATS:
        raise InvalidInput(
            _("Choose sheet approved or disbursement, and format xlsx or csv."), field="fmt"
        )
    header, rows = services.cycle_export(actor=request.user, cycle_id=cycle_id, sheet=sheet)
    return table_response(f"tahap-{cycle_id}-{sheet}", header, rows, fmt)


# --- proposals --------------------------------------------------------------------------


class ProposalOut(Schema):
    id: int
    cycle_id: Id
    kube_id: Id
    kube_name: str = Field(..., alias="kube.name")
    area_code: str
    member_count: int
    amount: int
    paid: int
    status: str
    status_label: str
    decided_reason: str
    updated_at: datetime

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return _label(ProposalStatus, obj.status)

    @staticmethod
    def resolve_paid(obj: Any) -> int:
        paid = getattr(obj, "paid", None)
        return int(paid) if paid is not None else selectors.paid_total(obj)


class ProposalFilter(ListFilter):
    ordering_fields: ClassVar[dict[str, str | tuple[str, ...]]] = {
        "id": "id",
        "area_code": "area_code",
        "amount": "amount",
        "updated": "updated_at",
    }
    default_ordering: ClassVar[str] = "id"
    cycle_id: Id | None = None
    kube_id: Id | None = None
    status: ProposalStatus | None = None


class ProposeIn(Schema):
    cycle_id: Id
    kube_id: Id


@router.get("/proposals", response=list[ProposalOut], summary="Proposals in your area")
@paginate(Pages, page_size=50)
def proposal_list(request: HttpRequest, filters: Query[ProposalFilter]) -> Any:
    require_perm(request, "aid.view_proposal")
    return filters.apply(selectors.proposal_list(actor=request.user))


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


# --- transfers and their reconciliation -------------------------------------------------


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
    updated_at: datetime


class DisbursementFilter(ListFilter):
    ordering_fields: ClassVar[dict[str, str | tuple[str, ...]]] = {
        "day": "day",
        "amount": "amount",
        "id": "id",
        "updated": "updated_at",
    }
    default_ordering: ClassVar[str] = "day"
    proposal_id: Id | None = None
    day_from: Annotated[date | None, FilterLookup("day__gte")] = None
    day_to: Annotated[date | None, FilterLookup("day__lte")] = None


class DifferenceOut(Schema):
    field: str
    label: str
    expected: str = Field(..., description="What Sinergi recorded")
    actual: str = Field(..., description="What the bank statement says")


class MismatchOut(Schema):
    reference: str
    differences: list[str]
    details: list[DifferenceOut]


class StatementRowOut(Schema):
    reference: str
    account: str
    amount: int
    day: date


class LineProblemOut(Schema):
    line: int = Field(..., description="Line of the file (MT940: number of the entry)")
    problem: str = Field(..., description="amount, cents, date or reference")
    label: str
    value: str = Field("", description="What the line holds")
    expected: str = Field("", description="An example in the profile's style")


class ReconciliationOut(Schema):
    profile: str = Field(..., description="The statement profile the file was read with")
    matched: list[str]
    mismatched: list[MismatchOut]
    unknown: list[StatementRowOut]
    missing: list[str]
    problems: list[LineProblemOut]
    skipped: int = Field(..., description="Lines that are no transfer: balances, fees, money in")


class StatementProfileOut(Schema):
    name: str
    label: str
    kind: str
    builtin: bool


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
def disbursement_list(request: HttpRequest, filters: Query[DisbursementFilter]) -> Any:
    require_perm(request, "aid.view_disbursement")
    return filters.apply(selectors.disbursement_list(actor=request.user))


@router.get(
    "/statement-profiles",
    response=list[StatementProfileOut],
    summary="Bank statement layouts the reconciliation reads",
)
@paginate(Pages, page_size=100)
def statement_profile_list(request: HttpRequest) -> Any:
    require_perm(request, "aid.reconcile_disbursement")
    return services.statement_profiles()


@router.post(
    "/reconcile",
    response=ReconciliationOut,
    summary="Match a bank statement (a bank's CSV layout, MT940, or reference,account,amount,date)",
)
def reconcile_statement(
    request: HttpRequest,
    file: File[UploadedFile],
    profile: Form[str] = "",
) -> Any:
    """``profile`` names a layout of ``GET /aid/statement-profiles``; empty, the layout is
    found from the file's content (a file matching none is refused, naming those tried)."""
    require_perm(request, "aid.reconcile_disbursement")
    raw = file.read(services.STATEMENT_MAX + 1)
    result = services.statement_reconcile(actor=request.user, data=raw, profile=profile[:40])
    return {
        "profile": result.profile,
        "matched": result.matched,
        "mismatched": [
            {
                "reference": r,
                "differences": [d.field for d in diffs],
                "details": [d.__dict__ for d in diffs],
            }
            for r, diffs in result.mismatched
        ],
        "unknown": [t.__dict__ for t in result.unknown],
        "missing": result.missing,
        "problems": [
            {
                "line": p.line,
                "problem": p.code,
                "label": words,
                "value": p.value,
                "expected": p.expected,
            }
            for (_line, _code, words), p in zip(result.problems, result.details, strict=True)
        ],
        "skipped": result.skipped,
    }


# --- fund-use reports (LPJ) -------------------------------------------------------------


class LpjItemOut(Schema):
    id: int
    description: str
    amount: int
    day: date
    receipt_url: str


class LpjOut(Schema):
    proposal_id: Id
    status: str
    status_label: str
    check_note: str
    spent: int
    received: int
    difference: int
    items: list[LpjItemOut]


class LpjSummaryOut(Schema):
    proposal_id: Id
    kube_name: str = Field(..., alias="proposal.kube.name")
    status: str
    status_label: str
    check_note: str
    updated_at: datetime

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return _label(LpjStatus, obj.status)


class LpjFilter(ListFilter):
    ordering_fields: ClassVar[dict[str, str | tuple[str, ...]]] = {
        "updated": "updated_at",
        "proposal_id": "proposal_id",
    }
    default_ordering: ClassVar[str] = "-updated"
    status: LpjStatus | None = None


class LpjCheckIn(Schema):
    accept: bool
    note: str = Field("", max_length=300)


class LpjNoteIn(Schema):
    note: str = Field("", max_length=300)


def _lpj(actor: Any, proposal_id: int) -> dict[str, Any]:
    _proposal, lpj = selectors.lpj_of(actor=actor, proposal_id=proposal_id)
    if lpj is None:
        raise InvalidInput(_("No fund-use report has been started yet."), field="proposal")
    return {
        "proposal_id": proposal_id,
        "status": lpj.status,
        "status_label": _label(LpjStatus, lpj.status),
        "check_note": lpj.check_note,
        **selectors.lpj_totals(lpj),
        "items": [
            {
                "id": i.pk,
                "description": i.description,
                "amount": i.amount,
                "day": i.day,
                # Receipts are personal financial data: only the scoped endpoint serves them.
                "receipt_url": f"/api/v1/aid/proposals/{proposal_id}/lpj/items/{i.pk}/receipt",
            }
            for i in lpj.items.all()
        ],
    }


@router.get("/lpj", response=list[LpjSummaryOut], summary="Fund-use reports in your area")
@paginate(Pages, page_size=100)
def lpj_list(request: HttpRequest, filters: Query[LpjFilter]) -> Any:
    require_perm(request, "aid.view_lpj")
    return filters.apply(selectors.lpj_list(actor=request.user))


@router.get("/proposals/{proposal_id}/lpj", response=LpjOut, summary="Fund-use report")
def lpj_get(request: HttpRequest, proposal_id: Id) -> Any:
    require_perm(request, "aid.view_lpj")
    return _lpj(request.user, proposal_id)


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
    return Status(201, _lpj(request.user, proposal_id))


@router.delete(
    "/proposals/{proposal_id}/lpj/items/{item_id}",
    response=LpjOut,
    summary="Remove a purchase from a report in writing or returned for correction",
)
def lpj_item_delete(request: HttpRequest, proposal_id: Id, item_id: Id) -> Any:
    require_perm(request, "aid.add_lpjitem")
    item = selectors.lpj_item_get(actor=request.user, proposal_id=proposal_id, item_id=item_id)
    services.lpj_save_items(
        actor=request.user,
        proposal_id=proposal_id,
        rows=[
            services.ItemRow(
                description=item.description,
                amount=item.amount,
                day=item.day,
                item_id=item.pk,
                delete=True,
            )
        ],
    )
    return _lpj(request.user, proposal_id)


@router.get("/proposals/{proposal_id}/lpj/items/{item_id}/receipt", response={200: None})
def lpj_receipt(request: HttpRequest, proposal_id: Id, item_id: Id) -> Any:
    require_perm(request, "aid.view_lpj")
    item = selectors.lpj_item_get(actor=request.user, proposal_id=proposal_id, item_id=item_id)
    return serve_upload(item.receipt, download_name=f"nota-{item.pk}")


@router.post("/proposals/{proposal_id}/lpj/submit", response=LpjOut)
def lpj_submit(request: HttpRequest, proposal_id: Id) -> Any:
    services.lpj_submit(actor=request.user, proposal_id=proposal_id)
    return _lpj(request.user, proposal_id)


@router.post("/proposals/{proposal_id}/lpj/check", response=LpjOut, deprecated=True)
def lpj_check(request: HttpRequest, proposal_id: Id, payload: LpjCheckIn) -> Any:
    """Accept, or return with ``note`` as the reason; use ``accept`` and ``return`` instead."""
    require_perm(request, "aid.check_lpj")
    services.lpj_check(
        actor=request.user, proposal_id=proposal_id, accept=payload.accept, note=payload.note
    )
    return _lpj(request.user, proposal_id)


@router.post("/proposals/{proposal_id}/lpj/accept", response=LpjOut, summary="Accept the report")
def lpj_accept(request: HttpRequest, proposal_id: Id, payload: LpjNoteIn) -> Any:
    require_perm(request, "aid.check_lpj")
    services.lpj_accept(actor=request.user, proposal_id=proposal_id, note=payload.note)
    return _lpj(request.user, proposal_id)


@router.post(
    "/proposals/{proposal_id}/lpj/return",
    response=LpjOut,
    summary="Return the submitted report for correction, with the reason",
)
def lpj_return(request: HttpRequest, proposal_id: Id, payload: ReasonIn) -> Any:
    require_perm(request, "aid.check_lpj")
    services.lpj_return(actor=request.user, proposal_id=proposal_id, reason=payload.reason)
    return _lpj(request.user, proposal_id)
