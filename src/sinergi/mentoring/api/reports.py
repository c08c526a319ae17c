"""Facilitators' monthly reports through the API."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from sinergi.core.api_schemas import Id, Pages
from sinergi.core.errors import NotFound, require_permission
from sinergi.mentoring import selectors, services
from sinergi.mentoring.api.schemas import (
    FacilitatorReportIn,
    FacilitatorReportOut,
    ReportFilter,
    ReturnIn,
)
from sinergi.mentoring.models import MonthlyReport

router = Router(tags=["mentoring"])


@router.get("/groups/{kube_id}/reports", response=list[FacilitatorReportOut])
@paginate(Pages, page_size=24)
def report_list(request: HttpRequest, kube_id: Id, filters: Query[ReportFilter]) -> Any:
    return filters.apply(selectors.report_list(request.user, kube_id))


@router.get(
    "/groups/{kube_id}/reports/{month}",
    response=FacilitatorReportOut,
    summary="A month's report, or the pre-filled template when none is saved",
)
def report_detail(request: HttpRequest, kube_id: Id, month: str) -> Any:
    view = selectors.report_view(request.user, kube_id, month)
    if view.report:
        return view.report
    # Not saved: what a new report would hold (status "new", no id).
    return MonthlyReport(kube=view.kube, month=view.month, activities=view.draft, facts=view.facts)


@router.put("/groups/{kube_id}/reports/{month}", response=FacilitatorReportOut)
def report_put(request: HttpRequest, kube_id: Id, month: str, payload: FacilitatorReportIn) -> Any:
    return services.report_save(actor=request.user, kube_id=kube_id, month=month, **payload.dict())


@router.post(
    "/groups/{kube_id}/reports/{month}/return",
    response=FacilitatorReportOut,
    summary="Return a submitted report to its author for correction",
)
def report_return(request: HttpRequest, kube_id: Id, month: str, payload: ReturnIn) -> Any:
    # The role is refused (403) before the report is looked up (which would answer 404).
    require_permission(request.user, "mentoring.return_monthlyreport")
    view = selectors.report_view(request.user, kube_id, month)
    if view.report is None:
        raise NotFound(_("No report for this month yet."))
    return services.report_return(
        actor=request.user, report_id=view.report.pk, reason=payload.reason
    )
