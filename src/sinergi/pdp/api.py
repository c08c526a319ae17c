"""Data-subject requests and retention through the API (/api/v1/pdp/)."""

from datetime import date, datetime
from typing import Any, ClassVar

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from sinergi.core.api_lists import ListFilter
from sinergi.core.api_perms import require_perm
from sinergi.core.api_schemas import Id, Pages
from sinergi.pdp import selectors, services
from sinergi.pdp.models import (
    Channel,
    DataSubjectRequest,
    RequestKind,
    RequestStatus,
)

router = Router(tags=["pdp"])


class RequestOut(Schema):
    id: int
    kind: str
    channel: str
    received_on: date
    due_on: date
    status: str
    found: bool
    area_code: str
    details: str
    outcome: str
    responsible: str | None
    closed_at: datetime | None
    result: dict[str, Any]
    message: str = ""

    @staticmethod
    def resolve_found(obj: DataSubjectRequest) -> bool:
        return obj.person_id is not None

    @staticmethod
    def resolve_responsible(obj: DataSubjectRequest) -> str | None:
        return obj.responsible.username if obj.responsible else None

    @staticmethod
    def resolve_result(obj: DataSubjectRequest) -> dict[str, Any]:
        return obj.result or {}

    @staticmethod
    def resolve_message(obj: DataSubjectRequest) -> str:
        return services.found_text(obj)


class RequestIn(Schema):
    kind: RequestKind
    nik: str = Field(..., min_length=16, max_length=24, description="The person's NIK")
    channel: Channel
    received_on: date
    details: str = Field("", max_length=4000)


class CloseIn(Schema):
    outcome: str = Field(..., min_length=1, max_length=4000)
    refused: bool = False


class EraseIn(Schema):
    reason: str = Field(..., min_length=1, max_length=1000)


class CorrectionIn(Schema):
    name: str | None = Field(None, max_length=150)
    sex: str | None = Field(None, max_length=1)
    birth_place: str | None = Field(None, max_length=100)
    birth_date: date | None = None
    relation: str | None = Field(None, max_length=12)
    phone: str | None = Field(None, max_length=20)


class CorrectionOut(Schema):
    id: int
    status: str
    before: dict[str, Any]
    after: dict[str, Any]


class DecideIn(Schema):
    approve: bool
    note: str = Field("", max_length=300)


class AccessFileJobOut(Schema):
    job_id: int
    status: str


class RuleOut(Schema):
    category: str
    days: int
    action: str
    valid_from: date
    reference: str


class RequestFilter(ListFilter):
    ordering_fields: ClassVar = {
        "due": ("due_on",),
        "received": "received_on",
        "updated": "updated_at",
    }
    default_ordering: ClassVar = "due"
    status: RequestStatus | None = None
    kind: RequestKind | None = None


def _out(r: DataSubjectRequest) -> DataSubjectRequest:
    return r


@router.get("/requests", response=list[RequestOut], summary="Data-subject requests in your area")
@paginate(Pages, page_size=50)
def request_list(request: HttpRequest, filters: Query[RequestFilter]) -> Any:
    require_perm(request, "pdp.view_datasubjectrequest")
    return filters.apply(selectors.request_list(actor=request.user))


@router.post("/requests", response={201: RequestOut}, summary="Record a data-subject request")
def request_create(request: HttpRequest, payload: RequestIn) -> Any:
    require_perm(request, "pdp.add_datasubjectrequest")
    created = services.request_create(
        actor=request.user,
        kind=payload.kind,
        nik=payload.nik,
        channel=payload.channel,
        received_on=payload.received_on,
        details=payload.details,
    )
    return Status(201, _out(created))


@router.get("/requests/{request_id}", response=RequestOut)
def request_detail(request: HttpRequest, request_id: Id) -> Any:
    require_perm(request, "pdp.view_datasubjectrequest")
    return _out(selectors.request_get(actor=request.user, pk=request_id))


@router.post("/requests/{request_id}/close", response=RequestOut)
def request_close(request: HttpRequest, request_id: Id, payload: CloseIn) -> Any:
    require_perm(request, "pdp.change_datasubjectrequest")
    return _out(
        services.request_close(
            actor=request.user,
            request_id=request_id,
            outcome=payload.outcome,
            refused=payload.refused,
        )
    )


@router.post(
    "/requests/{request_id}/access",
    response={202: AccessFileJobOut},
    summary="Make the access file (a job; download it from /api/v1/jobs/)",
)
def request_access(request: HttpRequest, request_id: Id) -> Any:
    require_perm(request, "pdp.view_datasubjectrequest")
    job = services.access_start(actor=request.user, request_id=request_id)
    return Status(202, {"job_id": job.pk, "status": job.status})


@router.post(
    "/requests/{request_id}/erase",
    response=RequestOut,
    summary="Erase the person (409 with code legal_hold when the law keeps the data)",
)
def request_erase(request: HttpRequest, request_id: Id, payload: EraseIn) -> Any:
    require_perm(request, "pdp.erase_person")
    services.person_erase(actor=request.user, request_id=request_id, reason=payload.reason)
    return _out(selectors.request_get(actor=request.user, pk=request_id))


@router.post("/requests/{request_id}/corrections", response={201: CorrectionOut})
def correction_propose(request: HttpRequest, request_id: Id, payload: CorrectionIn) -> Any:
    require_perm(request, "pdp.change_datasubjectrequest")
    correction = services.correction_propose(
        actor=request.user,
        request_id=request_id,
        changes={k: v for k, v in payload.dict().items() if v is not None},
    )
    return Status(201, correction)


@router.post("/corrections/{correction_id}/decide", response=CorrectionOut)
def correction_decide(request: HttpRequest, correction_id: Id, payload: DecideIn) -> Any:
    require_perm(request, "pdp.approve_correction")
    return services.correction_decide(
        actor=request.user,
        correction_id=correction_id,
        approve=payload.approve,
        note=payload.note,
    )


@router.get("/retention", response=list[RuleOut], summary="Retention periods per data category")
def retention_rules(request: HttpRequest) -> Any:
    require_perm(request, "pdp.view_retentionrule")
    return list(selectors.retention_rules())
