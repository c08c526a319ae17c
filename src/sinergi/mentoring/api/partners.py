"""Partner organisations, their units and agreements (with KPI progress) through the API."""

from typing import Any

from django.http import HttpRequest
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from sinergi.core.api_perms import require_perm
from sinergi.core.api_schemas import Id, Pages
from sinergi.mentoring import selectors, services
from sinergi.mentoring.api.schemas import (
    AgreementFilter,
    AgreementIn,
    AgreementOut,
    OrganisationFilter,
    OrganisationIn,
    OrganisationOut,
    UnitFilter,
    UnitIn,
    UnitOut,
)

router = Router(tags=["mentoring"])


@router.get("/organisations", response=list[OrganisationOut], summary="Partner organisations")
@paginate(Pages, page_size=50)
def organisation_list(request: HttpRequest, filters: Query[OrganisationFilter]) -> Any:
    require_perm(request, "mentoring.view_organisation")
    return filters.apply(selectors.organisation_list(request.user, include_inactive=True))


@router.post("/organisations", response={201: OrganisationOut}, summary="Record a partner")
def organisation_create(request: HttpRequest, payload: OrganisationIn) -> Any:
    organisation = services.organisation_save(
        actor=request.user, data=services.OrganisationData(**payload.dict())
    )
    return Status(201, organisation)


@router.put("/organisations/{organisation_id}", response=OrganisationOut)
def organisation_update(request: HttpRequest, organisation_id: Id, payload: OrganisationIn) -> Any:
    return services.organisation_save(
        actor=request.user,
        data=services.OrganisationData(**payload.dict()),
        organisation_id=organisation_id,
    )


@router.get("/units", response=list[UnitOut], summary="Partner units in your area")
@paginate(Pages, page_size=50)
def unit_list(request: HttpRequest, filters: Query[UnitFilter]) -> Any:
    require_perm(request, "mentoring.view_unit")
    return filters.apply(selectors.unit_list(request.user))


@router.post("/units", response={201: UnitOut}, summary="Record a partner unit")
def unit_create(request: HttpRequest, payload: UnitIn) -> Any:
    return Status(201, services.unit_save(actor=request.user, **payload.dict()))


@router.get("/units/{unit_id}", response=UnitOut)
def unit_detail(request: HttpRequest, unit_id: Id) -> Any:
    return selectors.unit_get(request.user, unit_id)


@router.put("/units/{unit_id}", response=UnitOut, summary="Correct a partner unit")
def unit_update(request: HttpRequest, unit_id: Id, payload: UnitIn) -> Any:
    return services.unit_save(actor=request.user, unit_id=unit_id, **payload.dict())


@router.get("/agreements", response=list[AgreementOut], summary="MoUs and PKS with KPI progress")
@paginate(Pages, page_size=20)
def agreement_list(request: HttpRequest, filters: Query[AgreementFilter]) -> Any:
    require_perm(request, "mentoring.view_agreement")
    return filters.apply(selectors.agreement_list(request.user))


@router.post("/agreements", response={201: AgreementOut}, summary="Record an MoU or PKS")
def agreement_create(request: HttpRequest, payload: AgreementIn) -> Any:
    agreement = services.agreement_save(
        actor=request.user, data=services.AgreementData(**payload.dict())
    )
    return Status(201, agreement)


@router.put("/agreements/{agreement_id}", response=AgreementOut)
def agreement_update(request: HttpRequest, agreement_id: Id, payload: AgreementIn) -> Any:
    return services.agreement_save(
        actor=request.user, data=services.AgreementData(**payload.dict()), agreement_id=agreement_id
    )


@router.post("/agreements/{agreement_id}/document", response=AgreementOut)
def agreement_document(request: HttpRequest, agreement_id: Id, document: File[UploadedFile]) -> Any:
    return services.agreement_attach(
        actor=request.user, agreement_id=agreement_id, document=document
    )


@router.get("/agreements/{agreement_id}", response=AgreementOut)
def agreement_detail(request: HttpRequest, agreement_id: Id) -> Any:
    return selectors.agreement_get(request.user, agreement_id)
