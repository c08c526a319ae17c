"""What monitoring pages, the API and exports read: dashboards, reports, classes, graduations.

A dashboard is for the nation, a province or a regency; which of them a user may open follows
from her area (an officer of 32 sees 32 and its regencies, never the nation or 33).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from sinergi.aid.models import Programme
from sinergi.core.models import Job
from sinergi.core.scoping import access, area_q, user_area
from sinergi.engines import wilayah as regions
from sinergi.kube.models import Kube, Membership
from sinergi.monitoring.models import (
    ClassResult,
    Graduation,
    GraduationRule,
    GroupReport,
    MemberIncome,
    PovertyLine,
    ProposalStatus,
    RegencyFigures,
    RegencyMonth,
    ReportStatus,
    Rubric,
)
from sinergi.monitoring.services import add_months, reveal_income
from sinergi.monitoring.summaries import latest_run
from sinergi.wilayah.selectors import region_names

FIGURES = [f.name for f in RegencyFigures._meta.fields if f.name not in ("id", "regency_code")]
SERIES = ["sessions", "sales", "turnover", "reports", "graduations"]
NATION, PROVINCE, REGENCY = "nation", "province", "regency"


@dataclass
class Scope:
    code: str  # '' for the nation
    level: str
    name: str
    parent: tuple[str, str] | None = None  # (code, name) to go up to, if the user may

    @property
    def province(self) -> str:
        return self.code[:2]


def may_open(actor: Any, code: str) -> bool:
    """Whether the dashboard of ``code`` ('' the nation) lies in the actor's area."""
    return regions.in_area(code, user_area(actor))


def scope_for(actor: Any, code: str) -> Scope:
    """The dashboard scope for ``code`` ('' nation, 'PP' province, 'PP.RR' regency), or 404."""
    if not actor.has_perm("monitoring.view_regencyfigures"):
        raise Http404(_("This page does not exist, or it is outside your area."))
    if code and not (
        (len(code) == 2 and code.isdigit())
        or (len(code) == 5 and code[2] == "." and code.replace(".", "").isdigit())
    ):
        raise Http404(_("Dashboards exist for the nation, a province or a regency/city."))
    if not may_open(actor, code):
        raise Http404(_("This page does not exist, or it is outside your area."))
    if not code:
        return Scope("", NATION, _("Indonesia"))
    names = region_names([code, code[:2]])
    if code not in names:
        raise Http404(_("No region has the code %(code)s.") % {"code": code})
    level = PROVINCE if len(code) == 2 else REGENCY
    up = ("", _("Indonesia")) if level == PROVINCE else (code[:2], names.get(code[:2], code[:2]))
    return Scope(code, level, names[code], up if may_open(actor, up[0]) else None)


def _in_scope(scope: Scope) -> Q:
    return area_q("regency_code", scope.code or None)


def _kpi_in_scope(area: str, scope: Scope) -> bool:
    """An agreement shows where its area and the dashboard's overlap (either holds the other);
    national agreements' figures are national, so they show on the national dashboard only."""
    if scope.level == NATION:
        return True
    return bool(area) and (regions.in_area(area, scope.code) or regions.in_area(scope.code, area))


def _agreement_openable(actor: Any, area: str) -> bool:
    """Whether the agreement's page opens for ``actor`` (its area lies in hers): a regency's
    dashboard shows its province's agreements' figures, but not a link the officer may not
    follow (mentoring's agreement selectors scope by the agreement's own area)."""
    if not actor.has_perm("mentoring.view_agreement"):
        return False
    mine = user_area(actor)
    return mine is None or (bool(area) and regions.in_area(area, mine))


@dataclass
class Dashboard:
    scope: Scope
    totals: dict[str, int]
    children: list[dict[str, Any]]  # one row per province / regency, with its figures
    months: list[date]
    series: dict[str, list[int]]
    budget: int
    kpis: list[dict[str, Any]]
    run: Job | None  # the newest finished figures refresh
    # A regency's breakdown is its groups: the scoped queryset, unread, so the page reads one
    # page of it and an export all of it (a large regency has thousands).
    groups: Any = None

    @property
    def coverage(self) -> int:
        active = self.totals.get("groups_active", 0)
        return round(100 * self.totals.get("groups_mentored", 0) / active) if active else 0

    @property
    def graduated_groups(self) -> int:
        return self.totals.get("groups_graduated", 0)

    @property
    def unclassed(self) -> int:
        classed = sum(self.totals.get(f"class_{k}", 0) for k in ("tumbuh", "berkembang", "maju"))
        return max(0, self.totals.get("groups_active", 0) - classed)


def dashboard(actor: Any, code: str, *, today: date) -> Dashboard:
    scope = scope_for(actor, code)
    rows = list(RegencyFigures.objects.filter(_in_scope(scope)).values("regency_code", *FIGURES))
    totals = {name: sum(r[name] for r in rows) for name in FIGURES}
    children: list[dict[str, Any]] = []
    if scope.level != REGENCY:  # a regency's breakdown is its groups, listed below
        grouped: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
        for r in rows:
            key = r["regency_code"][:2] if scope.level == NATION else r["regency_code"]
            for name in FIGURES:
                grouped[key][name] += r[name]
        names = region_names(list(grouped))
        children = [
            {"code": key, "name": names.get(key, key), **values}
            for key, values in sorted(grouped.items())
        ]
    first = add_months(today.replace(day=1), -11)
    months = [add_months(first, i) for i in range(12)]
    sums = (
        RegencyMonth.objects.filter(_in_scope(scope), month__gte=first)
        .values("month")
        .annotate(**{name: Sum(name) for name in SERIES})
        .order_by("month")
    )
    by_month: dict[date, dict[str, Any]] = {row["month"]: dict(row) for row in sums}
    series = {name: [int(by_month.get(m, {}).get(name) or 0) for m in months] for name in SERIES}
    programmes = Programme.objects.all()
    if scope.level != NATION:
        programmes = programmes.filter(area_q("area_code", scope.code))
    budget = int(programmes.aggregate(b=Sum("budget_ceiling"))["b"] or 0)
    run = latest_run()
    kpis = [
        {**k, "openable": _agreement_openable(actor, k["area_code"])}
        for k in (run.result.get("kpis", []) if run else [])
        if _kpi_in_scope(k["area_code"], scope)
    ]
    groups = None
    if scope.level == REGENCY:
        groups = (
            Kube.objects.for_user(actor, permission="monitoring.view_regencyfigures")
            .filter(area_q("area_code", scope.code))
            .select_related("business_type", "village")
            .order_by("status", "name", "id")
        )
    return Dashboard(scope, totals, children, months, series, budget, kpis, run, groups)


def map_values(actor: Any, board: Dashboard, metric: str) -> dict[str, float]:
    """The figure ``metric`` of each region on the dashboard's map: provinces on the national
    map, regencies on a province's (and a regency's, which shows its province around it).
    Regions outside the actor's area are left out: their figures are not hers to see."""
    if metric not in FIGURES:
        raise ValueError(metric)
    area = user_area(actor)
    if board.scope.level == REGENCY:
        rows = RegencyFigures.objects.filter(
            area_q("regency_code", board.scope.province), area_q("regency_code", area)
        ).values_list("regency_code", metric)
        return {code: float(value) for code, value in rows}
    return {c["code"]: float(c[metric]) for c in board.children if regions.in_area(c["code"], area)}


def home_code(actor: Any) -> str:
    """Where a user's dashboard opens: her own area, cut to its regency."""
    area = user_area(actor) or ""
    return area[:5]


# --- Groups ---------------------------------------------------------------------------------


def group_reports(actor: Any, kube: Kube) -> Any:
    return GroupReport.objects.for_user(actor).filter(kube=kube).select_related("filed_by")


def group_classes(actor: Any, kube: Kube) -> Any:
    return ClassResult.objects.for_user(actor).filter(kube=kube).select_related("rubric")


def report_incomes(actor: Any, report: GroupReport) -> Any:
    return (
        MemberIncome.objects.for_user(actor)
        .filter(report=report)
        .select_related("person")
        .order_by("person__name")
    )


def graduation_list(actor: Any, *, status: str = "", area: str = "") -> Any:
    qs = Graduation.objects.for_user(actor).select_related(
        "household", "person", "kube", "decided_by"
    )
    if status:
        qs = qs.filter(status=status)
    if area:
        qs = qs.filter(area_q("area_code", area))
    return qs.order_by("status", "-created_at")


def graduation_evidence(actor: Any, items: list[Graduation]) -> dict[int, list[dict[str, Any]]]:
    """For readers of incomes: each proposal's months with income per capita and the line."""
    if not items or not actor.has_perm("monitoring.view_memberincome"):
        return {}
    wanted = {(g.household_id, m): g.pk for g in items for m in g.months}
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    seen: set[tuple[int, str]] = set()
    rows = (
        MemberIncome.objects.for_user(actor)
        .filter(household_id__in={g.household_id for g in items})
        .select_related("report")
        .order_by("report__period", "pk")
    )
    for row in rows:
        key = (row.household_id, f"{row.report.period:%Y-%m}")
        if key in wanted and key not in seen:
            seen.add(key)
            out[wanted[key]].append(
                {
                    "month": key[1],
                    "per_capita": reveal_income(row)[1],
                    "line": row.line_amount,
                    "label": row.line_label,
                }
            )
    return out


def income_rows(actor: Any, scope_code: str) -> Any:
    """Member incomes in an area, for the personal-data export (needs its own permission)."""
    return (
        MemberIncome.objects.for_user(actor, "export")
        .filter(area_q("report__kube__area_code", scope_code or None))
        .select_related("person", "report", "report__kube", "household")
        .order_by("report__kube__area_code", "report__kube_id", "report__period", "person_id")
    )


def group_rows(actor: Any, scope_code: str) -> Any:
    return (
        Kube.objects.for_user(actor, permission="monitoring.view_regencyfigures")
        .filter(area_q("area_code", scope_code or None))
        .select_related("business_type")
        .order_by("area_code", "name")
    )


def group_get(actor: Any, pk: int, *, permission: str = "monitoring.view_groupreport") -> Kube:
    """A group whose monitoring pages the actor may open, else 404."""
    return access(Kube.objects, actor=actor, permission=permission, pk=pk)


def member_count(kube: Kube) -> int:
    return kube.memberships.filter(end_date__isnull=True).count()


def graduation_get(actor: Any, pk: int) -> Graduation:
    return access(
        Graduation.objects.select_related("household", "person", "kube", "decided_by"),
        actor=actor,
        pk=pk,
    )


def household_memberships(item: Graduation) -> list[Membership]:
    """The household's current memberships: what confirming its graduation ends."""
    return list(
        Membership.objects.filter(person__household_id=item.household_id, end_date__isnull=True)
        .select_related("person", "kube")
        .order_by("kube__name", "person__name")
    )


# --- Poverty lines and the rubric (national tables, the same for every reader) --------------


def poverty_lines() -> QuerySet[PovertyLine]:
    return PovertyLine.objects.all()


def rubrics() -> QuerySet[Rubric]:
    return Rubric.objects.prefetch_related("indicators")


def rubric_on(day: date) -> Rubric | None:
    return Rubric.on(day)


def graduation_rule_on(day: date) -> tuple[int, int]:
    return GraduationRule.on(day)


# What waits for the actor (core.inbox; monitoring/inbox.py) ------------------------------------


def group_report_due(actor: Any, period: date) -> QuerySet[Kube]:
    """For a group's own officer: her active group when its report on ``period`` is not
    submitted yet (``report_status``: "" when not started, or draft); a returned report is
    listed by ``group_reports_returned``. Offices follow missing reports on the dashboards."""
    if getattr(actor, "kube_id", None) is None or not actor.has_perm("monitoring.add_groupreport"):
        return Kube.objects.none()
    report = GroupReport.objects.filter(kube=OuterRef("pk"), period=period)
    return (
        Kube.objects.for_user(actor, permission="monitoring.add_groupreport")
        .filter(status="active")
        .exclude(Exists(report.exclude(status=ReportStatus.DRAFT)))
        .annotate(report_status=Coalesce(Subquery(report.values("status")[:1]), Value("")))
        .only("name", "area_code")
        .order_by("pk")
    )


def group_reports_returned(actor: Any) -> QuerySet[GroupReport]:
    """Group reports returned for correction: a group's officer sees her group's, anyone else
    who files reports the ones she filed; oldest first."""
    if not actor.has_perm("monitoring.add_groupreport"):
        return GroupReport.objects.none()
    qs = GroupReport.objects.for_user(actor).filter(status=ReportStatus.RETURNED)
    if getattr(actor, "kube_id", None) is None:
        qs = qs.filter(filed_by=actor)
    return qs.select_related("kube").order_by("returned_at", "pk")


def graduations_to_decide(actor: Any) -> QuerySet[Graduation]:
    """Households proposed for graduation in the actor's area, oldest first, for who decides."""
    if not actor.has_perm("monitoring.decide_graduation"):
        return Graduation.objects.none()
    return (
        Graduation.objects.for_user(actor)
        .filter(status=ProposalStatus.PROPOSED)
        .select_related("kube")
        .order_by("created_at", "pk")
    )
