"""Monitoring through the API: dashboards, group reports and classes, graduations, lines."""

from datetime import date
from typing import Annotated, Any, ClassVar

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, FilterLookup, Query, Router, Schema, Status
from ninja.pagination import paginate

from sinergi.core.api_lists import ListFilter, SortedFilter
from sinergi.core.api_perms import require_perm
from sinergi.core.api_schemas import Id, Pages, Rupiah, column_int, column_rupiah
from sinergi.kube.models import KubeClass
from sinergi.mentoring.api.schemas import ReturnIn  # one "return for correction" body
from sinergi.mentoring.services import month_start
from sinergi.monitoring import presenters, selectors, services, summaries
from sinergi.monitoring.models import (
    AreaType,
    GroupReport,
    Metric,
    ProposalStatus,
    ReportStatus,
    Rubric,
)
from sinergi.monitoring.poverty import save_line

router = Router(tags=["monitoring"])


class DashboardOut(Schema):
    code: str
    level: str
    name: str
    figures_as_of: Any
    being_rebuilt: bool = Field(description="A refresh of the figures is queued or running")
    totals: dict[str, int]
    mentoring_coverage_percent: int
    budget: int
    months: list[str]
    series: dict[str, list[int]]
    children: list[dict[str, Any]]
    kpis: list[dict[str, Any]]


@router.get(
    "/dashboard/{code}", response=DashboardOut, summary="Dashboard of ID, a province or a regency"
)
def dashboard(request: HttpRequest, code: str) -> Any:
    board = selectors.dashboard(
        request.user, "" if code.upper() == "ID" else code, today=timezone.localdate()
    )
    return {
        "code": board.scope.code or "ID",
        "level": board.scope.level,
        "name": board.scope.name,
        "figures_as_of": board.run.finished_at if board.run else None,
        "being_rebuilt": presenters.freshness(board, summaries.current_run())["rebuilding"],
        "totals": board.totals,
        "mentoring_coverage_percent": board.coverage,
        "budget": board.budget,
        "months": [f"{m:%Y-%m}" for m in board.months],
        "series": board.series,
        "children": board.children,
        "kpis": board.kpis,
    }


class GroupReportOut(Schema):
    id: int
    kube_id: Id
    period: date
    turnover: int
    costs: int
    profit: int
    assets: int
    savings: int
    iks_paid: int
    active_members: int
    problems: str
    market_sales: int
    status: str
    return_reason: str


class IncomeIn(Schema):
    person_id: Id
    household_income: Rupiah | None = None


class GroupReportIn(Schema):
    """A figure left out keeps its saved value (a new report starts at 0, the turnover at the
    market's sales)."""

    turnover: column_rupiah(GroupReport, "turnover") | None = None  # type: ignore[valid-type]
    costs: column_rupiah(GroupReport, "costs") | None = None  # type: ignore[valid-type]
    assets: column_rupiah(GroupReport, "assets") | None = None  # type: ignore[valid-type]
    savings: column_rupiah(GroupReport, "savings") | None = None  # type: ignore[valid-type]
    iks_paid: column_rupiah(GroupReport, "iks_paid") | None = None  # type: ignore[valid-type]
    active_members: column_int(GroupReport, "active_members") | None = None  # type: ignore[valid-type]
    problems: str | None = Field(None, max_length=4000)
    incomes: list[IncomeIn] = []
    submit: bool = False


def _report(r: GroupReport) -> dict[str, Any]:
    return {f: getattr(r, f) for f in GroupReportOut.model_fields} | {"id": r.pk or 0}


class GroupReportFilter(ListFilter):
    ordering_fields: ClassVar[dict[str, str | tuple[str, ...]]] = {
        "period": "period",
        "updated": "updated_at",
    }
    default_ordering: ClassVar[str] = "-period"
    status: ReportStatus | None = None
    period_from: Annotated[date | None, FilterLookup("period__gte")] = None
    period_to: Annotated[date | None, FilterLookup("period__lte")] = None


@router.get("/groups/{kube_id}/reports", response=list[GroupReportOut])
@paginate(Pages, page_size=50)
def report_list(request: HttpRequest, kube_id: Id, filters: Query[GroupReportFilter]) -> Any:
    require_perm(request, "monitoring.view_groupreport")
    kube = selectors.group_get(request.user, kube_id)
    return [_report(r) for r in filters.apply(selectors.group_reports(request.user, kube))]


@router.get(
    "/groups/{kube_id}/reports/{month}",
    response=GroupReportOut,
    summary="A month's report (a new one pre-filled from market sales)",
)
def report_get(request: HttpRequest, kube_id: Id, month: str) -> Any:
    require_perm(request, "monitoring.view_groupreport")
    return _report(services.report_for(request.user, kube_id, month_start(month)))


@router.put("/groups/{kube_id}/reports/{month}", response={200: GroupReportOut})
def report_put(request: HttpRequest, kube_id: Id, month: str, payload: GroupReportIn) -> Any:
    data = payload.dict()
    incomes = {i["person_id"]: i["household_income"] for i in data.pop("incomes")}
    submit = data.pop("submit")
    report = services.save_report(
        actor=request.user,
        kube_id=kube_id,
        period=month_start(month),
        figures=data,
        incomes=incomes,
        submit=submit,
    )
    return Status(200, _report(report))


@router.post(
    "/groups/{kube_id}/reports/{month}/return",
    response=GroupReportOut,
    summary="Return a submitted report to the group for correction",
)
def report_return(request: HttpRequest, kube_id: Id, month: str, payload: ReturnIn) -> Any:
    report = services.return_report(
        actor=request.user, kube_id=kube_id, period=month_start(month), reason=payload.reason
    )
    return _report(report)


class ClassOut(Schema):
    period: date
    klass: str
    klass_label: str
    score: float
    provisional: bool
    explanation: dict[str, Any]


class ClassFilter(ListFilter):
    ordering_fields: ClassVar[dict[str, str | tuple[str, ...]]] = {"period": "period"}
    default_ordering: ClassVar[str] = "-period"
    changed_since_field: ClassVar[str] = "computed_at"
    klass: KubeClass | None = None


@router.get("/groups/{kube_id}/classes", response=list[ClassOut])
@paginate(Pages, page_size=50)
def class_list(request: HttpRequest, kube_id: Id, filters: Query[ClassFilter]) -> Any:
    require_perm(request, "monitoring.view_classresult")
    kube = selectors.group_get(request.user, kube_id, permission="monitoring.view_classresult")
    return [
        {
            "period": c.period,
            "klass": c.klass,
            "klass_label": c.get_klass_display(),
            "score": float(c.score),
            "provisional": c.rubric.provisional,
            "explanation": c.explanation,
        }
        for c in filters.apply(selectors.group_classes(request.user, kube))
    ]


class GraduationOut(Schema):
    id: int
    kube_id: Id
    area_code: str
    household_kk: str
    member_name: str
    months: list[str]
    status: str
    status_label: str
    reason: str
    decided_at: Any = None


class GraduationDecisionIn(Schema):
    confirm: bool
    reason: str = Field("", max_length=300)


def _graduation(g: Any) -> dict[str, Any]:
    return {
        "id": g.pk,
        "kube_id": g.kube_id,
        "area_code": g.area_code,
        "household_kk": g.household.kk_mask,
        "member_name": g.person.name if g.person else "",
        "months": g.months,
        "status": g.status,
        "status_label": g.get_status_display(),
        "reason": g.reason,
        "decided_at": g.decided_at,
    }


class GraduationFilter(ListFilter):
    ordering_fields: ClassVar[dict[str, str | tuple[str, ...]]] = {
        "created": "created_at",
        "updated": "updated_at",
        "decided": "decided_at",
        "status": "status",
    }
    default_ordering: ClassVar[str] = "status,-created"
    selector_fields: ClassVar[frozenset[str]] = frozenset({"area"})
    status: ProposalStatus | None = None
    kube_id: Id | None = None
    area: str | None = Field(None, max_length=13, description="Region code: rows in that area")


@router.get("/graduations", response=list[GraduationOut])
@paginate(Pages, page_size=50)
def graduation_list(request: HttpRequest, filters: Query[GraduationFilter]) -> Any:
    require_perm(request, "monitoring.view_graduation")
    rows = selectors.graduation_list(request.user, area=filters.area or "")
    return [_graduation(g) for g in filters.apply(rows)]


@router.post("/graduations/{graduation_id}/decision", response=GraduationOut)
def graduation_decide(
    request: HttpRequest, graduation_id: Id, payload: GraduationDecisionIn
) -> Any:
    item = services.decide_graduation(
        actor=request.user, pk=graduation_id, confirm=payload.confirm, reason=payload.reason
    )
    return _graduation(item)


class LineOut(Schema):
    province_code: str
    year: int
    semester: int
    area_type: str
    amount: int
    source: str


class LineFilter(SortedFilter):
    ordering_fields: ClassVar[dict[str, str | tuple[str, ...]]] = {
        "survey": ("year", "semester"),
        "province": "province_code",
        "amount": "amount",
    }
    default_ordering: ClassVar[str] = "-survey,province"
    province_code: str | None = Field(None, max_length=2, description="'' for national lines")
    year: int | None = Field(None, ge=2000, le=2100)
    semester: int | None = Field(None, ge=1, le=2)
    area_type: AreaType | None = None


@router.get("/poverty-lines", response=list[LineOut])
@paginate(Pages, page_size=100)
def line_list(request: HttpRequest, filters: Query[LineFilter]) -> Any:
    require_perm(request, "monitoring.view_povertyline")
    return filters.apply(selectors.poverty_lines())


class LineIn(Schema):
    province_code: str = Field("", max_length=2, description="'' or 'ID' for the national line")
    year: int = Field(ge=2000, le=2100)
    semester: int = Field(ge=1, le=2, description="1 = March survey, 2 = September")
    area_type: AreaType
    amount: int = Field(ge=10_000, le=10_000_000, description="Rp per person per month")
    source: str = Field("", max_length=200)


@router.put(
    "/poverty-lines",
    response=LineOut,
    summary="Add or change one BPS poverty line (the change is kept in the history and audited)",
)
def line_put(request: HttpRequest, payload: LineIn) -> Any:
    data = payload.dict()
    return save_line(actor=request.user, **data)


class IndicatorIo(Schema):
    metric: Metric
    weight: int = Field(1, ge=1, le=100)
    # Pairs are checked by the rubric engine (a 400 naming the field), as on the page.
    bands: list[list[float]] = Field(
        min_length=1,
        max_length=20,
        description="[threshold, points] pairs: a value at or above a threshold earns its points",
    )


class RubricIn(Schema):
    valid_from: date = Field(description="The day the rubric applies from (one rubric a day)")
    name: str = Field(max_length=150)
    provisional: bool = False
    note: str = Field("", max_length=200)
    window_months: int = Field(6, ge=1, le=36)
    berkembang_from: int = Field(ge=1, le=100)
    maju_from: int = Field(ge=1, le=100)
    indicators: list[IndicatorIo] = Field(min_length=1, max_length=len(Metric.values))


class RubricOut(RubricIn):
    in_force: bool


def _rubric(r: Rubric, current: Rubric | None) -> dict[str, Any]:
    return {
        "valid_from": r.valid_from,
        "in_force": current is not None and r.pk == current.pk,
        **{name: getattr(r, name) for name in services.RUBRIC_FIELDS},
        "indicators": [
            {"metric": i.metric, "weight": i.weight, "bands": i.bands} for i in r.indicators.all()
        ],
    }


@router.get("/rubrics", response=list[RubricOut], summary="The class rubrics, newest first")
@paginate(Pages, page_size=50)
def rubric_list(request: HttpRequest) -> Any:
    require_perm(request, "monitoring.view_rubric")
    current = selectors.rubric_on(timezone.localdate())
    return [_rubric(r, current) for r in selectors.rubrics()]


@router.put(
    "/rubrics",
    response=RubricOut,
    summary="Add the rubric valid from a date, or change it while no group was classed with it",
)
def rubric_put(request: HttpRequest, payload: RubricIn) -> Any:
    rubric = services.rubric_save(actor=request.user, **payload.dict())
    return _rubric(rubric, selectors.rubric_on(timezone.localdate()))
