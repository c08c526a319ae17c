"""Official letters through the API (/api/v1/letters/): list, issue, read, download, void.

The same services and selectors as the pages (/surat/): issuing reads the record through the
caller's scope and numbers the letter under the office's counter lock; partners read only the
assignment letters addressed to them.
"""

import datetime
from typing import Any, ClassVar, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from sinergi.core.api_lists import ListFilter
from sinergi.core.api_perms import require_perm
from sinergi.core.api_schemas import Id, Pages
from sinergi.core.errors import Forbidden
from sinergi.letters import files, selectors, services
from sinergi.letters.models import Kind, Letter, LetterStatus

router = Router(tags=["letters"])


class LetterOut(Schema):
    id: int
    kind: str
    kind_label: str
    number: str
    office_code: str
    year: int
    seq: int = Field(description="Sequence number in the office's series of this kind and year")
    object_id: int = Field(
        description="The record: KUBE (kube_decree), aid cycle (proposal_*), disbursement "
        "(handover), mentor assignment (mentoring), graduation (graduation)"
    )
    about: str
    signatory: str
    issued_at: datetime.datetime
    status: str
    void_reason: str
    voided_at: datetime.datetime | None
    pdf_url: str
    docx_url: str

    @staticmethod
    def resolve_kind_label(obj: Letter) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_pdf_url(obj: Letter) -> str:
        return f"/api/v1/letters/{obj.pk}/file/pdf"

    @staticmethod
    def resolve_docx_url(obj: Letter) -> str:
        return f"/api/v1/letters/{obj.pk}/file/docx"


class IssueIn(Schema):
    kind: Kind
    object_id: Id
    office_code: str = Field(
        "",
        pattern=r"^([0-9]{2}(\.[0-9]{2})?)?$",
        description="Proposal letters only: the proposing office (32.73 to the province, 32 to "
        "the centre); empty means the caller's own office",
    )


class VoidIn(Schema):
    reason: str = Field(min_length=5, max_length=300)


class LetterFilter(ListFilter):
    ordering_fields: ClassVar = {"issued": "issued_at", "number": "number"}
    default_ordering: ClassVar = "-issued"
    kind: Kind | None = None
    status: LetterStatus | None = None
    object_id: Id | None = None


def _require_view(request: HttpRequest) -> None:
    if not selectors.may_view(request.user):
        raise Forbidden(_("Your role does not allow this."))


@router.get("/", response=list[LetterOut], summary="Official letters in your area")
@paginate(Pages, page_size=50)
def letter_list(request: HttpRequest, filters: Query[LetterFilter]) -> Any:
    _require_view(request)
    return filters.apply(selectors.letter_list(actor=request.user))


@router.post("/", response={201: LetterOut}, summary="Issue a letter for a record")
def letter_issue(request: HttpRequest, payload: IssueIn) -> Any:
    require_perm(request, "letters.add_letter")
    letter = services.letter_issue(
        actor=request.user,
        kind=payload.kind,
        object_id=payload.object_id,
        office_code=payload.office_code,
    )
    return Status(201, letter)


@router.get("/{letter_id}", response=LetterOut)
def letter_detail(request: HttpRequest, letter_id: Id) -> Any:
    _require_view(request)
    return selectors.letter_get(actor=request.user, pk=letter_id)


@router.get("/{letter_id}/file/{fmt}", response={200: None}, summary="The letter as PDF or DOCX")
def letter_file(request: HttpRequest, letter_id: Id, fmt: Literal["pdf", "docx"]) -> Any:
    _require_view(request)
    return files.file_response(selectors.letter_get(actor=request.user, pk=letter_id), fmt)


@router.post("/{letter_id}/void", response=LetterOut, summary="Void a letter (its number stays)")
def letter_void(request: HttpRequest, letter_id: Id, payload: VoidIn) -> Any:
    require_perm(request, "letters.void_letter")
    return services.letter_void(actor=request.user, letter_id=letter_id, reason=payload.reason)
