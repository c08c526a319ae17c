"""KUBE through the API: list, form a draft, detail with failures, explicit transitions."""

from datetime import date
from typing import Annotated, Any, ClassVar

from django.http import HttpRequest
from ninja import Field, FilterLookup, Query, Router, Schema, Status
from ninja.pagination import paginate

from sinergi.core.api_lists import ListFilter, SortedFilter
from sinergi.core.api_perms import require_perm
from sinergi.core.api_schemas import Id, Pages, ReasonIn, column_rupiah
from sinergi.kube import selectors, services
from sinergi.kube.messages import failure_text
from sinergi.kube.models import IksEntry, Kube
from sinergi.kube.models import Status as KubeStatus

router = Router(tags=["kube"])


class KubeOut(Schema):
    id: int
    name: str
    business_type: str = Field(..., alias="business_type_code")
    village_code: str = Field(..., alias="area_code")
    status: str
    member_count: int | None = None


class KubeMemberOut(Schema):
    person_id: Id
    name: str
    nik_masked: str
    role: str
    start_date: date
    end_date: date | None
    end_reason: str


class FailureOut(Schema):
    rule: str
    person_id: Id | None
    message: str


class TransitionOut(Schema):
    from_status: str
    to_status: str
    actor: str | None
    reason: str
    at: Any


class KubeDetailOut(KubeOut):
    bank_name: str
    bank_account: str
    bank_account_holder: str
    members: list[KubeMemberOut]
    failures: list[FailureOut]
    transitions: list[TransitionOut]


class KubeIn(Schema):
    name: str = Field(..., max_length=150)
    business_type: str = Field(..., max_length=30)
    village_code: str = Field(..., max_length=16)
    member_ids: list[Id] = Field(..., max_length=40)
    officers: dict[str, Id] = Field(
        default_factory=dict, description="ketua, sekretaris, bendahara → person id"
    )
    bank_name: str = Field("", max_length=80)
    bank_account: str = Field("", max_length=30)
    bank_account_holder: str = Field("", max_length=150)


class KubeFilter(ListFilter):
    ordering_fields: ClassVar = {
        "area": ("area_code", "name"),
        "name": "name",
        "status": "status",
        "updated": "updated_at",
    }
    default_ordering: ClassVar = "area"
    # The selector applies these itself (the area rule and the word search).
    selector_fields: ClassVar = frozenset({"area", "q"})

    status: KubeStatus | None = None
    business_type: Annotated[
        str | None, FilterLookup("business_type__code"), Field(None, max_length=30)
    ] = None
    area: str = Field("", max_length=13, description="A region code: groups in that area")
    q: str = Field("", max_length=100, description="Words in the group's name")


def _detail(kube: Kube) -> dict[str, Any]:
    members = selectors.memberships(kube)
    return {
        "id": kube.pk,
        "name": kube.name,
        "business_type_code": kube.business_type.code,
        "area_code": kube.area_code,
        "status": kube.status,
        "member_count": sum(1 for m in members if m.end_date is None),
        "bank_name": kube.bank_name,
        "bank_account": kube.bank_account,
        "bank_account_holder": kube.bank_account_holder,
        "members": [
            {
                "person_id": m.person_id,
                "name": m.person.name,
                "nik_masked": m.person.nik_mask,
                "role": m.role,
                "start_date": m.start_date,
                "end_date": m.end_date,
                "end_reason": m.end_reason,
            }
            for m in members
        ],
        "failures": [
            {"rule": f.rule, "person_id": f.person_id, "message": failure_text(f)}
            for f in services.kube_failures(kube)
        ],
        "transitions": [
            {
                "from_status": t.from_status,
                "to_status": t.to_status,
                "actor": str(t.actor) if t.actor else None,
                "reason": t.reason,
                "at": t.at,
            }
            for t in selectors.transitions(kube)
        ],
    }


class BusinessTypeOut(Schema):
    code: str
    name: str
    label: str = Field(description="The name in the caller's language")


class BusinessTypeFilter(SortedFilter):
    ordering_fields: ClassVar = {"code": "code", "name": "name"}
    default_ordering: ClassVar = "name"


@router.get("/business-types", response=list[BusinessTypeOut], summary="Business types")
@paginate(Pages, page_size=50)
def business_types(request: HttpRequest, filters: Query[BusinessTypeFilter]) -> Any:
    require_perm(request, "kube.view_kube")
    return filters.apply(selectors.business_types())


@router.get("/", response=list[KubeOut], summary="KUBE in your area")
@paginate(Pages, page_size=50)
def kube_list(request: HttpRequest, filters: Query[KubeFilter]) -> Any:
    require_perm(request, "kube.view_kube")
    return filters.apply(selectors.kube_list(actor=request.user, area=filters.area, q=filters.q))


@router.post("/", response={201: KubeDetailOut}, summary="Form a draft group")
def kube_create(request: HttpRequest, payload: KubeIn) -> Any:
    require_perm(request, "kube.add_kube")
    kube, _failures = services.kube_create(actor=request.user, **payload.dict())
    return Status(201, _detail(kube))


@router.get("/{kube_id}", response=KubeDetailOut)
def kube_detail(request: HttpRequest, kube_id: Id) -> Any:
    return _detail(selectors.kube_get(actor=request.user, pk=kube_id))


def _move(request: HttpRequest, kube_id: Id, to: str, payload: ReasonIn) -> Any:
    kube = services.kube_transition(
        actor=request.user, kube_id=kube_id, to_status=to, reason=payload.reason
    )
    return _detail(kube)


@router.post("/{kube_id}/submit", response=KubeDetailOut)
def kube_submit(request: HttpRequest, kube_id: Id, payload: ReasonIn) -> Any:
    return _move(request, kube_id, KubeStatus.SUBMITTED, payload)


@router.post("/{kube_id}/return", response=KubeDetailOut, summary="Send back to draft")
def kube_return(request: HttpRequest, kube_id: Id, payload: ReasonIn) -> Any:
    return _move(request, kube_id, KubeStatus.DRAFT, payload)


@router.post("/{kube_id}/verify", response=KubeDetailOut)
def kube_verify(request: HttpRequest, kube_id: Id, payload: ReasonIn) -> Any:
    return _move(request, kube_id, KubeStatus.VERIFIED, payload)


@router.post("/{kube_id}/activate", response=KubeDetailOut)
def kube_activate(request: HttpRequest, kube_id: Id, payload: ReasonIn) -> Any:
    return _move(request, kube_id, KubeStatus.ACTIVE, payload)


@router.post("/{kube_id}/graduate", response=KubeDetailOut)
def kube_graduate(request: HttpRequest, kube_id: Id, payload: ReasonIn) -> Any:
    return _move(request, kube_id, KubeStatus.GRADUATED, payload)


@router.post("/{kube_id}/dissolve", response=KubeDetailOut)
def kube_dissolve(request: HttpRequest, kube_id: Id, payload: ReasonIn) -> Any:
    return _move(request, kube_id, KubeStatus.DISSOLVED, payload)


@router.post("/{kube_id}/members/{person_id}/end", response=KubeDetailOut)
def member_end(request: HttpRequest, kube_id: Id, person_id: Id, payload: ReasonIn) -> Any:
    services.membership_end(
        actor=request.user, kube_id=kube_id, person_id=person_id, reason=payload.reason
    )
    return _detail(selectors.kube_get(actor=request.user, pk=kube_id))


class IksIn(Schema):
    kind: str = Field(..., pattern="^(contribution|withdrawal)$")
    amount: column_rupiah(IksEntry, "amount", gt=0)  # type: ignore[valid-type]
    day: date
    profit: (
        column_rupiah(  # type: ignore[valid-type]
            IksEntry, "profit", ge=0, description="Profit the contribution is based on"
        )
        | None
    ) = None
    note: str = Field("", max_length=200)


class IksLineOut(Schema):
    day: date
    kind: str
    amount: int
    profit: int | None
    note: str
    balance: int


class IksOut(Schema):
    balance: int
    expected_contribution: int | None = None
    lines: list[IksLineOut]


def _iks(kube: Kube, expected: int | None = None) -> dict[str, Any]:
    lines = services.iks_ledger(kube)
    return {
        "balance": lines[-1]["balance"] if lines else 0,
        "expected_contribution": expected,
        "lines": [
            {
                "day": line["entry"].day,
                "kind": line["entry"].kind,
                "amount": line["entry"].amount,
                "profit": line["entry"].profit,
                "note": line["entry"].note,
                "balance": line["balance"],
            }
            for line in lines
        ],
    }


@router.get("/{kube_id}/iks", response=IksOut, summary="The group's solidarity-fund ledger")
def iks_get(request: HttpRequest, kube_id: Id) -> Any:
    require_perm(request, "kube.view_iksentry")
    return _iks(selectors.kube_get(actor=request.user, pk=kube_id))


class IksEntryFilter(ListFilter):
    ordering_fields: ClassVar = {"day": ("day", "id")}
    default_ordering: ClassVar = "day"
    changed_since_field: ClassVar = "created_at"  # ledger lines are never changed

    kind: str | None = Field(None, pattern="^(contribution|withdrawal)$")


@router.get(
    "/{kube_id}/iks/entries",
    response=list[IksLineOut],
    summary="The group's IKS lines, a page at a time, each with the balance after it",
)
@paginate(Pages, page_size=50)
def iks_entries(request: HttpRequest, kube_id: Id, filters: Query[IksEntryFilter]) -> Any:
    require_perm(request, "kube.view_iksentry")
    return filters.apply(selectors.iks_entries(selectors.kube_get(actor=request.user, pk=kube_id)))


@router.post("/{kube_id}/iks", response={201: IksOut})
def iks_post(request: HttpRequest, kube_id: Id, payload: IksIn) -> Any:
    require_perm(request, "kube.add_iksentry")
    _entry, _balance, expected = services.iks_record(
        actor=request.user, kube_id=kube_id, **payload.dict()
    )
    return Status(201, _iks(selectors.kube_get(actor=request.user, pk=kube_id), expected))


class MemberIn(Schema):
    person_id: Id
    role: str = Field("anggota", pattern="^(ketua|sekretaris|bendahara|anggota)$")


@router.post("/{kube_id}/members", response={201: KubeDetailOut}, summary="Add a member")
def member_add(request: HttpRequest, kube_id: Id, payload: MemberIn) -> Any:
    services.membership_add(
        actor=request.user, kube_id=kube_id, person_id=payload.person_id, role=payload.role
    )
    return Status(201, _detail(selectors.kube_get(actor=request.user, pk=kube_id)))


class KubeEditIn(Schema):
    """Only the fields sent change."""

    name: str | None = Field(None, max_length=150)
    business_type: str | None = Field(None, max_length=30)
    bank_name: str | None = Field(None, max_length=80)
    bank_account: str | None = Field(None, max_length=30)
    bank_account_holder: str | None = Field(None, max_length=150)


@router.patch("/{kube_id}", response=KubeDetailOut, summary="Change a group's details")
def kube_edit(request: HttpRequest, kube_id: Id, payload: KubeEditIn) -> Any:
    require_perm(request, "kube.change_kube")
    kube = services.kube_update(
        actor=request.user, kube_id=kube_id, **payload.dict(exclude_unset=True)
    )
    return _detail(kube)


class RoleIn(Schema):
    role: str = Field(..., pattern="^(ketua|sekretaris|bendahara|anggota)$")


@router.post(
    "/{kube_id}/members/{person_id}/role",
    response=KubeDetailOut,
    summary="Change a member's role (the post's previous holder becomes a member)",
)
def member_role(request: HttpRequest, kube_id: Id, person_id: Id, payload: RoleIn) -> Any:
    require_perm(request, "kube.change_kube")
    services.membership_role(
        actor=request.user, kube_id=kube_id, person_id=person_id, role=payload.role
    )
    return _detail(selectors.kube_get(actor=request.user, pk=kube_id))
