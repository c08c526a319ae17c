"""The registry through the API. Numbers are masked everywhere; revealing one is its own,
audited call. Partner roles hold no registry permission and get 403 on every endpoint."""

from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, File, FilterLookup, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from sinergi.core.api_lists import ListFilter, SortedFilter
from sinergi.core.api_perms import require_perm
from sinergi.core.api_schemas import Id, Pages
from sinergi.core.errors import InvalidInput, NotFound
from sinergi.core.pagination import RowsThrough
from sinergi.registry import access_log, batches, profiles, review, selectors, services
from sinergi.registry.imports import resume_if_stale
from sinergi.registry.mapping import DATE_STYLES, Spec
from sinergi.registry.messages import problem_text, reason_text
from sinergi.registry.models import (
    AccessPurpose,
    ConsentGiver,
    ConsentPurpose,
    DuplicateCandidate,
    DuplicateStatus,
    Household,
    Relation,
    Sex,
)
from sinergi.wilayah import selectors as wilayah_selectors

router = Router(tags=["registry"])


class PersonOut(Schema):
    id: int
    household_id: Id
    nik_masked: str = Field(..., alias="nik_mask")
    name: str
    sex: str
    birth_place: str
    birth_date: date
    relation: str
    is_head: bool
    phone: str
    area_code: str
    flags: list[str]
    merged_into_id: Id | None


class HouseholdOut(Schema):
    id: int
    kk_masked: str = Field(..., alias="kk_mask")
    village_code: str = Field(..., alias="area_code")
    address: str
    desil: int | None
    desil_date: date | None
    member_count: int | None = None
    head_name: str | None = None


class HouseholdGraduationOut(Schema):
    on: date = Field(..., description="The day the graduation was confirmed")
    group: str = Field(..., description="The KUBE the household left")
    note: str = Field(..., description="The deciding officer's note (may be empty)")


class HouseholdDetailOut(HouseholdOut):
    members: list[PersonOut]
    graduation: HouseholdGraduationOut | None = Field(
        None, description="Set once the household's graduation is confirmed"
    )


class HouseholdIn(Schema):
    kk: str = Field(..., max_length=30)
    village_code: str = Field(..., max_length=16)
    address: str = Field("", max_length=255)
    desil: int | None = Field(None, ge=1, le=10)
    desil_date: date | None = None


class HouseholdUpdateIn(Schema):
    village_code: str = Field(..., max_length=16)
    address: str = Field("", max_length=255)
    desil: int | None = Field(None, ge=1, le=10)
    desil_date: date | None = None


class PersonIn(Schema):
    nik: str = Field(..., max_length=30)
    name: str = Field(..., max_length=150)
    sex: Literal["L", "P"]
    birth_place: str = Field("", max_length=100)
    birth_date: date
    relation: Literal["kepala", "istri", "suami", "anak", "orang_tua", "lainnya"]
    is_head: bool = False
    phone: str = Field("", max_length=20)


class PersonUpdateIn(PersonIn):
    nik: str = Field("", max_length=30, description="A new NIK, or empty to keep")


class RevealIn(Schema):
    kind: Literal["nik", "kk"]
    id: Id
    reason: str = Field(..., min_length=5, max_length=200)


class RevealOut(Schema):
    value: str


class ImportOut(Schema):
    id: UUID
    file_name: str
    profile: str = Field(
        ..., alias="profile_name", description="The layout the file is read in; empty: own"
    )
    status: str = Field(..., description="mapping (its columns wait to be mapped), queued, …")
    all_or_nothing: bool
    file_error: str
    rows_read: int
    rows_valid: int
    rows_rejected: int
    rows_duplicate: int
    rows_skipped: int
    rows_committed: int
    progress_done: int
    progress_total: int
    rejected_by_reason: dict[str, int]


class IssueOut(Schema):
    row: int = Field(..., alias="row_number")
    column: str
    code: str
    message: str
    value: str
    warning: bool = Field(..., alias="is_warning")

    @staticmethod
    def resolve_message(obj: Any) -> str:
        return problem_text(obj.code)


class DuplicateOut(Schema):
    id: int
    score: float
    reason: str = Field(..., description="Stable code: same_nik, nik_typo, …")
    reason_label: str = Field(..., description="The reason in the caller's language")
    status: str
    person_a: PersonOut
    person_b: PersonOut

    @staticmethod
    def resolve_reason_label(obj: Any) -> str:
        return reason_text(obj.reason)


class DuplicateDecisionIn(Schema):
    decision: Literal["keep_a", "keep_b", "reject"]


def _household_out(household: Household, actor: Any) -> Household:
    if not selectors.sees_welfare(actor):
        household.desil = None
        household.desil_date = None
    return household


class _AreaFilter(ListFilter):
    selector_fields: ClassVar = frozenset({"q", "area"})
    q: str = Field("", max_length=100, description="A name (a full number: use the search POST)")
    area: str = Field(
        "", max_length=100, description="A region in your area, by code or by name (Sukasari)"
    )

    def area_code(self, actor: Any) -> str:
        return wilayah_selectors.area_from_text(actor=actor, text=self.area)


class HouseholdFilter(_AreaFilter):
    ordering_fields: ClassVar = {"area": "area_code", "updated": "updated_at", "id": "id"}
    default_ordering: ClassVar = "area"
    desil: int | None = Field(None, ge=1, le=10, description="Welfare decile")


@router.get("/households", response=list[HouseholdOut], summary="Households in your area")
@paginate(Pages, page_size=50)
def household_list(request: HttpRequest, filters: Query[HouseholdFilter]) -> Any:
    require_perm(request, "registry.view_household")
    selectors.refuse_number_in_address(filters.q, "/api/v1/registry/households/search")
    found = selectors.household_list(
        actor=request.user, q=filters.q, area=filters.area_code(request.user)
    )
    return RowsThrough(filters.apply(found), lambda h: _household_out(h, request.user))


class NumberSearchIn(Schema):
    number: str = Field(..., max_length=30, description="A full NIK or KK number")


@router.post(
    "/households/search",
    response=list[HouseholdOut],
    summary="Households with a member's NIK or the KK number (sent in the body, never the URL)",
)
def household_search(request: HttpRequest, payload: NumberSearchIn) -> Any:
    require_perm(request, "registry.view_household")
    number = selectors.require_full_number(payload.number)
    found = list(selectors.household_list(actor=request.user, q=number)[:50])
    access_log.record_many(request.user, AccessPurpose.NUMBER_SEARCH, households=found)
    return [_household_out(h, request.user) for h in found]


@router.post(
    "/persons/search",
    response=list[PersonOut],
    summary="Persons with a NIK (sent in the body, never the URL)",
)
def person_search(request: HttpRequest, payload: NumberSearchIn) -> Any:
    require_perm(request, "registry.view_person")
    number = selectors.require_full_number(payload.number)
    found = list(selectors.person_list(actor=request.user, q=number)[:50])
    access_log.record_many(request.user, AccessPurpose.NUMBER_SEARCH, persons=found)
    return found


@router.post("/households", response={201: HouseholdDetailOut}, summary="Register a household")
def household_create(request: HttpRequest, payload: HouseholdIn) -> Any:
    require_perm(request, "registry.add_household")
    household = services.household_create(actor=request.user, **payload.dict())
    household.member_count = 0  # type: ignore[attr-defined]
    return Status(201, _detail(household, request.user))


def _detail(household: Household, actor: Any) -> dict[str, Any]:
    out = HouseholdOut.from_orm(_household_out(household, actor)).model_dump(by_alias=True)
    out["members"] = [
        PersonOut.from_orm(p).model_dump(by_alias=True) for p in household.members.all()
    ]
    out["member_count"] = len(out["members"])
    out["graduation"] = selectors.household_graduation(household)
    return out


@router.get("/households/{household_id}", response=HouseholdDetailOut)
def household_detail(request: HttpRequest, household_id: Id) -> Any:
    require_perm(request, "registry.view_household")
    household = selectors.household_get(actor=request.user, pk=household_id)
    access_log.record(request.user, AccessPurpose.API_HOUSEHOLD, household=household)
    return _detail(household, request.user)


@router.put("/households/{household_id}", response=HouseholdDetailOut)
def household_update(request: HttpRequest, household_id: Id, payload: HouseholdUpdateIn) -> Any:
    require_perm(request, "registry.change_household")
    household = services.household_update(
        actor=request.user, household_id=household_id, **payload.dict()
    )
    return _detail(household, request.user)


@router.post("/households/{household_id}/persons", response={201: PersonOut})
def person_create(request: HttpRequest, household_id: Id, payload: PersonIn) -> Any:
    require_perm(request, "registry.add_person")
    person = services.person_create(actor=request.user, household_id=household_id, **payload.dict())
    return Status(201, person)


class PersonFilter(_AreaFilter):
    ordering_fields: ClassVar = {
        "area": ("area_code", "household_id"),
        "name": "name",
        "birth_date": "birth_date",
        "updated": "updated_at",
        "id": "id",
    }
    default_ordering: ClassVar = "area"
    household_id: Id | None = None
    sex: Sex | None = None
    relation: Relation | None = None
    is_head: bool | None = None
    born_from: Annotated[date | None, FilterLookup("birth_date__gte")] = None
    born_until: Annotated[date | None, FilterLookup("birth_date__lte")] = None


@router.get("/persons", response=list[PersonOut], summary="Persons in your area")
@paginate(Pages, page_size=50)
def person_list(request: HttpRequest, filters: Query[PersonFilter]) -> Any:
    require_perm(request, "registry.view_person")
    selectors.refuse_number_in_address(filters.q, "/api/v1/registry/persons/search")
    found = selectors.person_list(
        actor=request.user, q=filters.q, area=filters.area_code(request.user)
    )
    return filters.apply(found)


@router.put("/persons/{person_id}", response=PersonOut)
def person_update(request: HttpRequest, person_id: Id, payload: PersonUpdateIn) -> Any:
    require_perm(request, "registry.change_person")
    return services.person_update(actor=request.user, person_id=person_id, **payload.dict())


@router.post("/reveal", response=RevealOut, summary="Reveal one NIK or KK number (audited)")
def reveal(request: HttpRequest, payload: RevealIn) -> Any:
    value = services.identifier_reveal(
        actor=request.user, kind=payload.kind, object_id=payload.id, reason=payload.reason
    )
    return {"value": value}


@router.post(
    "/imports",
    response={202: ImportOut},
    summary="Upload a CSV/XLSX to check",
    description="``profile`` names the file's layout (``sinergi``, ``dtsen``, ``kobo``, a "
    "saved layout, or ``auto`` to recognise it: a file no layout reads waits in status "
    "``mapping``); without it the file is in Sinergi's own 14 columns, in order. A layout "
    "that cannot read the file (a required field unmapped, two columns on one field, a "
    "code without a mapping) is a 422 naming the field, and nothing is stored.",
)
def import_upload(
    request: HttpRequest,
    file: File[UploadedFile],
    all_or_nothing: Form[bool] = False,
    profile: Form[str] = "",
) -> Any:
    require_perm(request, "registry.add_importbatch")
    try:
        batch = batches.import_upload(
            actor=request.user,
            upload=file,
            file_name=file.name or "upload.csv",
            all_or_nothing=all_or_nothing,
            profile=profile[: profiles.NAME_MAX + 10],
        )
    finally:
        file.close()  # a large upload's temporary file goes now, not at the request's end
    return Status(202, batch)


@router.get("/imports/{batch_id}", response=ImportOut)
def import_detail(request: HttpRequest, batch_id: UUID) -> Any:
    require_perm(request, "registry.view_importbatch")
    batch = selectors.import_get(actor=request.user, pk=batch_id)
    if resume_if_stale(batch):  # its worker died: a new one takes it over
        batch.refresh_from_db()
    return batch


class IssueFilter(SortedFilter):
    ordering_fields: ClassVar = {"row": "row_number", "column": "column", "code": "code"}
    default_ordering: ClassVar = "row"
    column: str | None = Field(None, max_length=40)
    code: str | None = Field(None, max_length=40, description="Problem code, e.g. nik_exists")
    warning: Annotated[bool | None, FilterLookup("is_warning")] = None


@router.get("/imports/{batch_id}/issues", response=list[IssueOut])
@paginate(Pages, page_size=100)
def import_issues(request: HttpRequest, batch_id: UUID, filters: Query[IssueFilter]) -> Any:
    require_perm(request, "registry.view_importbatch")
    batch = selectors.import_get(actor=request.user, pk=batch_id)
    return filters.apply(selectors.import_issues(actor=request.user, batch=batch))


@router.post("/imports/{batch_id}/commit", response={202: ImportOut})
def import_commit(request: HttpRequest, batch_id: UUID) -> Any:
    require_perm(request, "registry.add_importbatch")
    return Status(202, batches.import_commit(actor=request.user, batch_id=batch_id))


@router.post(
    "/imports/{batch_id}/resume",
    response={202: ImportOut},
    summary="Resume an import whose worker stopped",
)
def import_resume_endpoint(request: HttpRequest, batch_id: UUID) -> Any:
    require_perm(request, "registry.add_importbatch")
    return Status(202, batches.import_resume(actor=request.user, batch_id=batch_id))


@router.post(
    "/imports/{batch_id}/cancel",
    response=ImportOut,
    summary="Cancel an import (its file is deleted; saved rows stay)",
)
def import_cancel_endpoint(request: HttpRequest, batch_id: UUID) -> Any:
    require_perm(request, "registry.add_importbatch")
    return batches.import_cancel(actor=request.user, batch_id=batch_id)


class ProfileOut(Schema):
    name: str
    label: str
    builtin: bool = Field(..., description="Shipped with Sinergi: can be copied, not changed")
    area_code: str = Field(..., description="The office that saved it; empty for built-ins")
    columns: dict[str, str] = Field(..., description="File column -> Sinergi field")
    value_maps: dict[str, dict[str, str]] = Field(
        ..., description="Field -> {value in the file: value Sinergi reads}"
    )
    date_style: str
    header_row: int

    @staticmethod
    def resolve_columns(obj: Any) -> dict[str, str]:
        return dict(obj.spec.columns)

    @staticmethod
    def resolve_value_maps(obj: Any) -> dict[str, dict[str, str]]:
        return dict(obj.spec.value_maps)

    @staticmethod
    def resolve_date_style(obj: Any) -> str:
        return str(obj.spec.date_style)

    @staticmethod
    def resolve_header_row(obj: Any) -> int:
        return int(obj.spec.header_row)


class ProfileIn(Schema):
    name: str = Field(..., min_length=1, max_length=60)
    columns: dict[str, str] = Field(
        ..., max_length=300, description="File column -> Sinergi field (empty: ignore)"
    )
    value_maps: dict[str, dict[str, str]] = Field(default_factory=dict, max_length=10)
    date_style: Literal[DATE_STYLES] = "auto"  # type: ignore[valid-type]
    header_row: int = Field(1, ge=1, le=20)
    header: list[Annotated[str, Field(max_length=100)]] | None = Field(
        None, max_length=300, description="The whole header of the file (default: the columns)"
    )


@router.get(
    "/import-profiles",
    response=list[ProfileOut],
    summary="Import layouts you can use (built-in and your office's)",
)
@paginate(Pages, page_size=50)
def profile_list(request: HttpRequest) -> Any:
    require_perm(request, "registry.view_importbatch")
    return profiles.layouts(actor=request.user)


@router.post(
    "/import-profiles",
    response={201: ProfileOut},
    summary="Save an import layout for your office",
)
def profile_create(request: HttpRequest, payload: ProfileIn) -> Any:
    require_perm(request, "registry.add_importbatch")
    if any(len(k) > 100 for k in payload.columns) or any(
        len(v) > 100 for m in payload.value_maps.values() for v in [*m, *m.values()]
    ):
        from django.utils.translation import gettext as _

        raise InvalidInput(_("A column name or code has at most 100 characters."), field="columns")
    spec = Spec(
        columns=payload.columns,
        value_maps=payload.value_maps,
        date_style=payload.date_style,
        header_row=payload.header_row,
    )
    saved = profiles.profile_save(
        actor=request.user,
        name=payload.name,
        spec=spec,
        header=payload.header or list(payload.columns),
    )
    return Status(201, profiles.layout_get(actor=request.user, name=saved.name))


@router.get("/import-profiles/{name}", response=ProfileOut, summary="One import layout")
def profile_detail(request: HttpRequest, name: str) -> Any:
    require_perm(request, "registry.view_importbatch")
    return _layout_here(request, name)


def _layout_here(request: HttpRequest, name: str) -> Any:
    # A layout outside the caller's area looks absent, as any other record does.
    try:
        return profiles.layout_get(actor=request.user, name=name[:100])
    except InvalidInput as exc:
        raise NotFound(exc.message, field="profile") from exc


@router.delete(
    "/import-profiles/{name}", response={204: None}, summary="Delete your office's layout"
)
def profile_delete(request: HttpRequest, name: str) -> Any:
    require_perm(request, "registry.add_importbatch")
    layout = _layout_here(request, name)
    profiles.profile_delete(actor=request.user, layout=layout)
    return Status(204, None)


class DuplicateFilter(ListFilter):
    ordering_fields: ClassVar = {"score": "score", "updated": "updated_at", "id": "id"}
    default_ordering: ClassVar = "-score"
    selector_fields: ClassVar = frozenset({"status"})
    status: DuplicateStatus = DuplicateStatus.PENDING
    reason: str | None = Field(None, max_length=40, description="same_nik, nik_typo, …")


@router.get("/duplicates", response=list[DuplicateOut], summary="Review queue")
@paginate(Pages, page_size=20)
def duplicate_list(request: HttpRequest, filters: Query[DuplicateFilter]) -> Any:
    require_perm(request, "registry.change_duplicatecandidate")
    return filters.apply(selectors.duplicate_queue(actor=request.user, status=filters.status))


class EvidenceOut(Schema):
    speaks_for_one_person: bool
    text: str


class DuplicateReviewOut(DuplicateOut):
    nik_a_compared: str = Field(
        ...,
        description="Person A's NIK masked, the differing positions unmasked (• to roles "
        "that may not reveal numbers)",
    )
    nik_b_compared: str
    differing_positions: list[int] = Field(..., description="NIK digit positions, from 1")
    evidence: list[EvidenceOut]


@router.get(
    "/duplicates/{candidate_id}",
    response=DuplicateReviewOut,
    summary="One pair with the evidence, as the review page shows it",
)
def duplicate_detail(request: HttpRequest, candidate_id: Id) -> Any:
    require_perm(request, "registry.change_duplicatecandidate")
    candidate = selectors.duplicate_get(actor=request.user, pk=candidate_id)
    pair = review.pair_review(candidate, show_digits=review.may_see_digits(request.user))
    # Read off the pair by the schema like any row (the persons keep their own resolvers).
    candidate.nik_a_compared = "".join(d.char for d in pair.nik_a)  # type: ignore[attr-defined]
    candidate.nik_b_compared = "".join(d.char for d in pair.nik_b)  # type: ignore[attr-defined]
    candidate.differing_positions = [  # type: ignore[attr-defined]
        i + 1 for i, d in enumerate(pair.nik_a) if d.differs
    ]
    candidate.evidence = [  # type: ignore[attr-defined]
        {"speaks_for_one_person": m, "text": t} for m, t in pair.evidence
    ]
    return candidate


@router.post("/duplicates/{candidate_id}/decide", response=DuplicateOut)
def duplicate_decide(request: HttpRequest, candidate_id: Id, payload: DuplicateDecisionIn) -> Any:
    require_perm(request, "registry.change_duplicatecandidate")
    candidate: DuplicateCandidate = services.duplicate_decide(
        actor=request.user,
        candidate_id=candidate_id,
        same_person=payload.decision != "reject",
        keep="b" if payload.decision == "keep_b" else "a",
    )
    return candidate


# --- Access log and consent (UU PDP) ---------------------------------------------------------


class AccessOut(Schema):
    at: datetime
    user: str | None = Field(None, description="Username of who read (empty if since deleted)")
    household_id: int | None
    person_id: int | None
    purpose: str = Field(..., description="Code: household_page, api_household, reveal_nik, …")
    purpose_label: str = Field(..., description="The purpose in the caller's language")
    reason: str = Field(..., description="The reason typed for a reveal")

    @staticmethod
    def resolve_user(obj: Any) -> str | None:
        return obj.user.username if obj.user_id else None

    @staticmethod
    def resolve_purpose_label(obj: Any) -> str:
        return str(obj.get_purpose_display())


@router.get(
    "/households/{household_id}/access-log",
    response=list[AccessOut],
    summary="Who read the household's and its members' data, newest first",
)
@paginate(Pages, page_size=50)
def household_access_log(request: HttpRequest, household_id: Id) -> Any:
    require_perm(request, "registry.view_accesslog")
    household = selectors.household_get(actor=request.user, pk=household_id)
    return selectors.household_access_log(actor=request.user, household=household)


@router.get(
    "/persons/{person_id}/access-log",
    response=list[AccessOut],
    summary="Who read the person's data (and their household's page), newest first",
)
@paginate(Pages, page_size=50)
def person_access_log(request: HttpRequest, person_id: Id) -> Any:
    require_perm(request, "registry.view_accesslog")
    person = selectors.person_get(actor=request.user, pk=person_id)
    return selectors.access_log_for(person, actor=request.user)


class AccessPatternOut(Schema):
    user_id: int
    username: str
    role: str
    day: int = Field(..., description="Reads in the last 24 hours")
    week: int = Field(..., description="Reads in the last 7 days")
    records_day: int = Field(..., description="Distinct households read in the last 24 hours")
    reveals_week: int
    usual_day: float = Field(..., description="The user's mean reads per day before this week")
    peers_day: float = Field(..., description="Median of same-role users, last 24 hours")
    peers_week: float
    unusual_day: bool
    unusual_week: bool


@router.get(
    "/access/unusual",
    response=list[AccessPatternOut],
    summary="Users reading far more records of your area than usual or than their peers",
)
def unusual_access(request: HttpRequest, everyone: bool = False) -> Any:
    require_perm(request, "registry.view_accesslog")
    patterns = selectors.access_patterns(actor=request.user)
    return patterns if everyone else [p for p in patterns if p.unusual]


class ConsentOut(Schema):
    id: int
    person_id: int
    purpose: str
    purpose_label: str
    category: str
    notice_version: str
    given_at: datetime
    given_by: str
    guardian_name: str
    evidence: str
    withdrawn_at: datetime | None
    current: bool

    @staticmethod
    def resolve_purpose_label(obj: Any) -> str:
        return str(obj.get_purpose_display())

    @staticmethod
    def resolve_current(obj: Any) -> bool:
        return obj.withdrawn_at is None


class ConsentIn(Schema):
    purpose: ConsentPurpose
    notice_version: str = Field(..., min_length=1, max_length=20)
    given_at: datetime | None = Field(None, description="Default: now")
    given_by: ConsentGiver = ConsentGiver.SELF
    guardian_name: str = Field("", max_length=150, description="Required for a child (under 18)")
    evidence: str = Field("", max_length=200)


class ConsentWithdrawIn(Schema):
    note: str = Field("", max_length=200)


@router.get("/persons/{person_id}/consents", response=list[ConsentOut])
def person_consents(request: HttpRequest, person_id: Id) -> Any:
    require_perm(request, "registry.view_consentrecord")
    person = selectors.person_get(actor=request.user, pk=person_id)
    return list(selectors.person_consents(actor=request.user, person=person))


@router.post(
    "/persons/{person_id}/consents",
    response={201: ConsentOut},
    summary="Record a consent (a child's from a parent or guardian; audited)",
)
def consent_create(request: HttpRequest, person_id: Id, payload: ConsentIn) -> Any:
    require_perm(request, "registry.add_consentrecord")
    record = services.consent_record(
        actor=request.user,
        person_id=person_id,
        purpose=payload.purpose,
        notice_version=payload.notice_version,
        given_at=payload.given_at,
        given_by=payload.given_by,
        guardian_name=payload.guardian_name,
        evidence=payload.evidence,
    )
    return Status(201, record)


@router.post(
    "/consents/{consent_id}/withdraw",
    response=ConsentOut,
    summary="Withdraw a consent: it stops allowing anything at once (audited)",
)
def consent_withdraw(request: HttpRequest, consent_id: Id, payload: ConsentWithdrawIn) -> Any:
    require_perm(request, "registry.change_consentrecord")
    return services.consent_withdraw(actor=request.user, consent_id=consent_id, note=payload.note)
