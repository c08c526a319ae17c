"""Scoped reads for the mentoring pages, the API and the KPI figures."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache as cache_function
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.aid.models import Disbursement
from sinergi.core.errors import InvalidInput, require_permission
from sinergi.core.pagination import FirstThenRest, SubqueryCount
from sinergi.core.scoping import access, area_q, user_area
from sinergi.kube.models import BusinessType, IksEntry, Kube, Membership, Status, Transition
from sinergi.kube.selectors import KUBE_LIST_FIELDS
from sinergi.market.models import Sale
from sinergi.mentoring.models import (
    OPEN_STATUSES,
    ActionItem,
    ActionStatus,
    Agreement,
    Assignment,
    AssignmentStatus,
    Indicator,
    Kpi,
    MatchRun,
    Mentor,
    MonthlyReport,
    Organisation,
    ReportStatus,
    Session,
    SessionPhoto,
    Unit,
)


def mentoring_groups(actor: Any, permission: str = "mentoring.view_session") -> Any:
    """The groups whose mentoring the actor may follow: a mentor's own, else the area's."""
    return Kube.objects.for_user(actor, permission=permission).select_related(
        "business_type", "village"
    )


def open_load(mentor_ids: Iterable[int] | QuerySet[Any]) -> dict[int, int]:
    """Groups each mentor holds or has been offered (ids as a list or a subquery)."""
    ids = mentor_ids if isinstance(mentor_ids, QuerySet) else list(mentor_ids)
    rows = (
        Assignment.objects.filter(mentor_id__in=ids, status__in=OPEN_STATUSES)
        .values("mentor_id")
        .annotate(n=Count("id"))
    )
    return {r["mentor_id"]: r["n"] for r in rows}


def matching_history(kube_ids: Iterable[int] | QuerySet[Any]) -> set[tuple[str, str]]:
    """Pairs that worked together before: an ended assignment or a logged session.

    A national run passes its groups as a subquery: 100,000 ids would not fit in one
    statement's parameters.
    """
    kube_ids = kube_ids if isinstance(kube_ids, QuerySet) else list(kube_ids)
    ended = Assignment.objects.filter(
        kube_id__in=kube_ids, status=AssignmentStatus.ENDED, mentor__isnull=False
    ).values_list("kube_id", "mentor_id")
    met = Session.objects.filter(kube_id__in=kube_ids).values_list("kube_id", "mentor_id")
    return {(str(k), str(m)) for k, m in [*ended, *met]}


def waiting_groups(actor: Any, area_code: str | None) -> Any:
    """Active groups in the area with no mentor and no pending offer."""
    return (
        Kube.objects.for_user(actor, permission="mentoring.run_matching")
        .filter(area_q("area_code", area_code), status=Status.ACTIVE)
        .exclude(mentor_assignments__status__in=OPEN_STATUSES)
        .select_related("business_type")
        .order_by("area_code", "pk")
    )


# Counting the groups waiting for a mentor joins every active group of the area with the open
# assignments (15-40 ms of the database for the nation's 35,000 active groups), for a figure that
# changes only when an assignment or a group does. It is kept per process under a key holding
# what changes it (the newest assignment change and row, group and status change), so a match
# sent, an offer answered or a group activated shows at once; the time limit covers changes
# that bypass those marks (bulk updates, deletions).
WAITING_COUNT_SECONDS = 300


def waiting_count(actor: Any) -> int:
    """How many active groups of the actor's area wait for a mentor (``waiting_groups``)."""
    marks = ":".join(str(mark) for mark in _waiting_marks())
    key = (
        "mentoring-waiting:"
        + hashlib.sha256(
            f"{actor.pk}:{getattr(actor, 'role', '')}:{user_area(actor) or ''}:{marks}".encode()
        ).hexdigest()
    )
    found = cache.get(key)
    if found is None:
        found = waiting_groups(actor, None).count()
        cache.set(key, found, WAITING_COUNT_SECONDS)
    return int(found)


def _waiting_marks() -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(_marks_sql())
        row = cursor.fetchone()
    return tuple(row) if row else ()


@cache_function
def _marks_sql() -> str:
    # Index reads only (primary keys, the assignments' updated_at index); names from the models.
    quote = connection.ops.quote_name
    assignment = quote(Assignment._meta.db_table)
    return (
        f"SELECT (SELECT MAX({quote('updated_at')}) FROM {assignment}),"  # noqa: S608
        f" (SELECT MAX({quote('id')}) FROM {assignment}),"
        f" (SELECT MAX({quote('id')}) FROM {quote(Transition._meta.db_table)}),"
        f" (SELECT MAX({quote('id')}) FROM {quote(Kube._meta.db_table)})"
    )


def group_list(
    actor: Any, *, q: str = "", area: str = "", without_mentor: bool = False
) -> FirstThenRest:
    """Groups with their mentor, last session and open/overdue action items: the groups with
    an overdue item first, then the others, each part in region order.

    Every figure is a correlated subquery (evaluated for the page's rows only) and the two parts
    are read one after the other in the order of the area code index, so a page costs the same
    for 50 groups or 50,000; ordering by the number of overdue items would count every group's
    items and sort the whole table for each page. ``.queryset`` is the whole list in one order.
    """
    today = timezone.localdate()
    open_, accepted = ActionStatus.OPEN.value, AssignmentStatus.ACCEPTED.value
    qs = (
        mentoring_groups(actor)
        .only(*KUBE_LIST_FIELDS)
        .annotate(
            mentor_name=_group_figure("mentor_name", [accepted], CharField()),
            last_session=_group_figure("last_session", [], DateField()),
            open_items=_group_figure("open_items", [open_], IntegerField()),
            overdue_items=_group_figure("overdue_items", [open_, today], IntegerField()),
        )
    )
    if area:
        qs = qs.filter(area_q("area_code", area, by_range=True))
    if without_mentor:
        current = Assignment.objects.filter(kube=OuterRef("pk"), status=AssignmentStatus.ACCEPTED)
        qs = qs.filter(~Exists(current))
    for word in q.split()[:4]:
        qs = qs.filter(name__icontains=word)
    overdue = _group_figure("overdue", [open_, today], BooleanField())
    return FirstThenRest(qs.order_by("area_code", "name"), overdue)


def _group_figure(name: str, params: list[Any], field: Any) -> RawSQL:
    return RawSQL(_group_figures()[name], params, output_field=field)  # noqa: S611  # written from model names, values bound


@cache_function
def _group_figures() -> dict[str, str]:
    """The group list's per-row figures as correlated subqueries, written out once.

    The same statements the ORM built from ``Subquery``/``SubqueryCount`` (the accepted
    assignment's mentor, newest first; the newest session's day; open and overdue action
    items), but the ORM compiled four nested querysets for each statement of each page (a
    regency's page reads two: the overdue groups, then the rest), ~3 ms of CPU a request.
    Names from the models; values bound.
    """
    quote = connection.ops.quote_name
    kube = f"{quote(Kube._meta.db_table)}.{quote(str(Kube._meta.pk.column))}"
    assignment, mentor = quote(Assignment._meta.db_table), quote(Mentor._meta.db_table)
    session, item = quote(Session._meta.db_table), quote(ActionItem._meta.db_table)
    items = f"FROM {item} _i WHERE _i.{quote('kube_id')} = {kube} AND _i.{quote('status')} = %s"
    overdue = f"{items} AND _i.{quote('due_on')} < %s"
    return {
        "mentor_name": (
            f"SELECT _m.{quote('name')} FROM {assignment} _a"  # noqa: S608
            f" LEFT OUTER JOIN {mentor} _m ON _a.{quote('mentor_id')} = _m.{quote('id')}"
            f" WHERE _a.{quote('kube_id')} = {kube} AND _a.{quote('status')} = %s"
            f" ORDER BY _a.{quote('created_at')} DESC LIMIT 1"
        ),
        "last_session": (
            f"SELECT _s.{quote('held_on')} FROM {session} _s"  # noqa: S608
            f" WHERE _s.{quote('kube_id')} = {kube} ORDER BY _s.{quote('held_on')} DESC LIMIT 1"
        ),
        "open_items": f"SELECT count(*) {items}",
        "overdue_items": f"SELECT count(*) {overdue}",
        "overdue": f"EXISTS(SELECT 1 {overdue})",
    }


@dataclass
class GroupView:
    kube: Kube
    members: list[Membership]
    assignment: Assignment | None
    sessions: QuerySet[Session]
    items: list[ActionItem]
    past: QuerySet[Assignment]


def group_view(actor: Any, kube_id: int) -> GroupView:
    """One group as the mentoring pages show it: names and roles only, never identifiers."""
    kube = mentoring_groups(actor).filter(pk=kube_id).first()
    if kube is None:
        raise Http404
    members = list(
        Membership.objects.filter(kube=kube, end_date__isnull=True)
        .select_related("person")
        .only("id", "role", "person__name", "kube_id")
        .order_by("role", "person__name")
    )
    assignment = (
        Assignment.objects.filter(kube=kube, status__in=OPEN_STATUSES)
        .select_related("mentor", "mentor__unit")
        .first()
    )
    sessions = (
        Session.objects.filter(kube=kube)
        .select_related("mentor")
        .prefetch_related("photos")
        .annotate(n_present=Count("present"))
        .order_by("-held_on", "-id")
    )
    # Open items first, the earliest due (the overdue ones) on top; then the closed ones.
    items = list(
        ActionItem.objects.filter(kube=kube)
        .select_related("raised_in")
        .annotate(closed=Case(When(status=ActionStatus.OPEN, then=0), default=1))
        .order_by("closed", "due_on", "id")
    )
    past = (
        Assignment.objects.filter(
            kube=kube, status__in=[AssignmentStatus.ENDED, AssignmentStatus.DECLINED]
        )
        .select_related("mentor")
        .order_by("-updated_at")
    )
    return GroupView(kube, members, assignment, sessions, items, past)


def mentor_list(actor: Any, *, q: str = "", area: str = "", include_left: bool = False) -> Any:
    """Mentors with their load and, as the list ``sector_list``, their sectors: a list rather
    than ``sectors.all()``'s cache, which Django's prefetch builds as one queryset per row (50
    clones a page, more CPU than the statement)."""
    qs = _with_load(
        Mentor.objects.for_user(actor)
        .select_related("unit", "base_regency")
        .prefetch_related(Prefetch("sectors", to_attr="sector_list"))
    )
    if not include_left:
        qs = qs.filter(active=True)
    if area:
        qs = qs.filter(area_q("area_code", area))
    for word in q.split()[:4]:
        qs = qs.filter(name__icontains=word)
    return qs.order_by("area_code", "name")


def offers_for(actor: Any) -> Any:
    """Offers waiting for the signed-in mentor's answer."""
    if getattr(actor, "mentor_id", None) is None:
        return Assignment.objects.none()
    return (
        Assignment.objects.for_user(actor)
        .filter(status=AssignmentStatus.OFFERED)
        .select_related("kube", "kube__business_type", "kube__village")
    )


ASSIGNMENT_LIST_FIELDS = (
    "kube_id",
    "mentor_id",
    "status",
    "reasons",
    "start_date",
    "end_date",
    "end_reason",
    "end_note",
    "decline_reason",
    "updated_at",
)


def assignment_list(actor: Any, *, status: str = "") -> Any:
    qs = Assignment.objects.for_user(actor).exclude(
        status__in=[AssignmentStatus.PROPOSED, AssignmentStatus.DISCARDED]
    )
    if status:
        qs = qs.filter(status=status)
    # The columns a list row shows; not the groups' bank details nor the mentors' contacts.
    return (
        qs.select_related("kube", "mentor")
        .only(*ASSIGNMENT_LIST_FIELDS, "kube__name", "mentor__name")
        .order_by("-updated_at")
    )


def mentor_get(actor: Any, mentor_id: int) -> Mentor:
    """One mentor the actor may see, with her load (groups held or offered); else 404."""
    return access(
        _with_load(Mentor.objects.select_related("unit", "base_regency")),
        actor=actor,
        pk=mentor_id,
    )


def _with_load(qs: Any) -> Any:
    # Per row, not a GROUP BY over every mentor's assignments before the page is cut.
    return qs.annotate(
        load=SubqueryCount(
            Assignment.objects.filter(mentor=OuterRef("pk"), status__in=OPEN_STATUSES)
            .order_by()
            .values("pk")
        )
    )


def mentor_assignments(mentor: Mentor) -> Any:
    """A mentor's groups, past and present (not proposals that never reached her)."""
    return (
        Assignment.objects.filter(mentor=mentor)
        .exclude(status__in=[AssignmentStatus.PROPOSED, AssignmentStatus.DISCARDED])
        .select_related("kube")
    )


def assignment_get(actor: Any, assignment_id: int) -> Assignment:
    return access(
        Assignment.objects.select_related("kube", "mentor"), actor=actor, pk=assignment_id
    )


def run_get(actor: Any, run_id: int) -> MatchRun:
    return access(MatchRun.objects, actor=actor, pk=run_id)


def run_rows(run: MatchRun) -> Any:
    return run.assignments.select_related(
        "kube", "kube__business_type", "kube__village", "mentor", "mentor__base_regency"
    ).order_by(F("mentor_id").asc(nulls_last=True), "kube__area_code", "kube__name")


def run_list(actor: Any) -> Any:
    return MatchRun.objects.for_user(actor).select_related("created_by")[:20]


# Sessions and their children (photos, action items): scoped through the session's group.


def session_list(actor: Any, kube_id: int) -> Any:
    """A group's sessions, newest first, once the actor may follow the group (else 404)."""
    return group_view(actor, kube_id).sessions.prefetch_related("present")


def session_get(actor: Any, session_id: int) -> Session:
    return access(Session.objects.select_related("kube", "mentor"), actor=actor, pk=session_id)


def session_photo_get(actor: Any, session_id: int, photo_id: int) -> SessionPhoto:
    """A session's photo: the session decides who may see it; a photo of another session is 404."""
    photo = (
        SessionPhoto.objects.filter(
            session__in=Session.objects.for_user(actor).filter(pk=session_id), pk=photo_id
        )
        .select_related("session")
        .first()
    )
    if photo is None:
        raise Http404
    return photo


def open_items(view: GroupView) -> list[ActionItem]:
    return [i for i in view.items if i.status == ActionStatus.OPEN]


# Partners: organisations, units, agreements (the signed document is the agreement's).


def organisation_list(actor: Any, *, include_inactive: bool = False) -> Any:
    if not actor.has_perm("mentoring.view_organisation"):
        return Organisation.objects.none()
    qs = Organisation.objects.all()
    return qs if include_inactive else qs.filter(active=True)


def organisation_get(actor: Any, organisation_id: int) -> Organisation:
    organisation = (
        organisation_list(actor, include_inactive=True).filter(pk=organisation_id).first()
    )
    if organisation is None:
        raise Http404
    return organisation


def unit_list(actor: Any, *, organisation: int | None = None, level: str = "") -> Any:
    qs = Unit.objects.for_user(actor).select_related("organisation", "region")
    if organisation:
        qs = qs.filter(organisation_id=organisation)
    if level:
        qs = qs.filter(level=level)
    return qs


def unit_get(actor: Any, unit_id: int) -> Unit:
    return access(Unit.objects.select_related("organisation", "region"), actor=actor, pk=unit_id)


def agreement_list(actor: Any) -> Any:
    return (
        Agreement.objects.for_user(actor)
        .select_related("organisation", "signing_unit", "area")
        .prefetch_related("kpis")
    )


def agreement_get(actor: Any, agreement_id: int) -> Agreement:
    return access(
        Agreement.objects.select_related("organisation", "signing_unit", "area").prefetch_related(
            "kpis"
        ),
        actor=actor,
        pk=agreement_id,
    )


def agreement_document(actor: Any, agreement_id: int) -> Any:
    """The signed document of an agreement the actor may see; 404 when none is attached."""
    agreement = agreement_get(actor, agreement_id)
    if not agreement.document:
        raise Http404
    return agreement.document


def sectors() -> Any:
    """The business types a mentor can be matched on."""
    return BusinessType.objects.filter(active=True)


# KPI progress: what the agreement's organisation has done in its area and period.


def _in_agreement(agreement: Agreement, field: str) -> Q:
    return area_q(field, agreement.area_code or None)


def kpi_value(agreement: Agreement, indicator: str, today: date | None = None) -> int:
    start = agreement.valid_from
    end = min(agreement.valid_until, today or timezone.localdate())
    org_mentors = Q(mentor__unit__organisation=agreement.organisation)
    if indicator == Indicator.KUBE_MENTORED:
        return (
            Assignment.objects.filter(
                org_mentors,
                _in_agreement(agreement, "kube__area_code"),
                status__in=[AssignmentStatus.ACCEPTED, AssignmentStatus.ENDED],
                start_date__lte=end,
            )
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
            .values("kube_id")
            .distinct()
            .count()
        )
    if indicator == Indicator.SESSIONS_HELD:
        return Session.objects.filter(
            org_mentors,
            _in_agreement(agreement, "kube__area_code"),
            held_on__gte=start,
            held_on__lte=end,
        ).count()
    if indicator == Indicator.MENTORS_ACTIVE:
        return (
            Session.objects.filter(
                org_mentors,
                _in_agreement(agreement, "kube__area_code"),
                held_on__gte=start,
                held_on__lte=end,
            )
            .values("mentor_id")
            .distinct()
            .count()
        )
    if indicator == Indicator.ACTION_ITEMS_DONE:
        return ActionItem.objects.filter(
            _in_agreement(agreement, "kube__area_code"),
            raised_in__mentor__unit__organisation=agreement.organisation,
            status=ActionStatus.DONE,
            closed_on__gte=start,
            closed_on__lte=end,
        ).count()
    raise ValueError(indicator)


@dataclass
class KpiProgress:
    kpi: Kpi
    value: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.value / self.kpi.target)) if self.kpi.target else 100


def agreement_progress(agreement: Agreement) -> list[KpiProgress]:
    return [KpiProgress(k, kpi_value(agreement, k.indicator)) for k in agreement.kpis.all()]


# Facilitator reports


def month_start(raw: str) -> date:
    """The first day of a month given as YYYY-MM; a month still to come is refused."""
    try:
        year, month = (int(p) for p in raw.strip().split("-")[:2])
        first = date(year, month, 1)
    except (ValueError, TypeError):
        raise InvalidInput(_("Give the month as YYYY-MM."), field="month") from None
    if first > timezone.localdate():
        raise InvalidInput(_("This month has not started yet."), field="month")
    return first


def _month_end(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month_facts(kube: Kube, first: date) -> dict[str, Any]:
    """What the records say about one group's month: the template's pre-filled part."""
    end = _month_end(first)
    sessions = list(
        Session.objects.filter(kube=kube, held_on__gte=first, held_on__lt=end)
        .annotate(n_present=Count("present"))
        .order_by("held_on", "pk")
    )
    items = ActionItem.objects.filter(kube=kube)
    members = Membership.objects.filter(kube=kube, start_date__lt=end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)
    )
    disbursed = Disbursement.objects.filter(
        proposal__kube=kube, day__gte=first, day__lt=end
    ).aggregate(s=Sum("amount"))["s"]
    iks = IksEntry.objects.filter(kube=kube, day__gte=first, day__lt=end).aggregate(
        s=Sum("amount")
    )["s"]
    sales = Sale.objects.filter(kube=kube, day__gte=first, day__lt=end).total()
    return {
        "sessions": [
            {"date": s.held_on.isoformat(), "topics": s.topics, "present": s.n_present}  # type: ignore[attr-defined]
            for s in sessions
        ],
        "members": members.count(),
        "items_raised": items.filter(
            raised_in__held_on__gte=first, raised_in__held_on__lt=end
        ).count(),
        "items_closed": items.filter(
            status=ActionStatus.DONE, closed_on__gte=first, closed_on__lt=end
        ).count(),
        "items_overdue": items.filter(status=ActionStatus.OPEN, due_on__lt=end).count(),
        "disbursed": disbursed or 0,
        "iks_paid": iks or 0,
        "sales": sales,
    }


def draft_activities(facts: dict[str, Any]) -> str:
    lines = [
        _("%(date)s: mentoring session on %(topics)s (%(present)d present)") % s
        for s in facts["sessions"]
    ]
    return "\n".join(lines)


def report_group(actor: Any, kube_id: int, *, write: bool = False) -> Kube:
    """A group the actor may report on (write) or read reports of; else 404."""
    permission = "mentoring.add_monthlyreport" if write else "mentoring.view_monthlyreport"
    require_permission(actor, permission)
    return access(Kube.objects, actor=actor, permission=permission, pk=kube_id)


def report_list(actor: Any, kube_id: int) -> Any:
    """A group's facilitator reports, newest month first (404 outside the actor's reach)."""
    kube = report_group(actor, kube_id)
    return MonthlyReport.objects.filter(kube=kube).order_by("-month")


def group_reports(actor: Any, kube: Kube) -> Any:
    """The reports listed on a group's page: none for who may not read them."""
    if not actor.has_perm("mentoring.view_monthlyreport"):
        return MonthlyReport.objects.none()
    return MonthlyReport.objects.for_user(actor).filter(kube=kube).order_by("-month")


@dataclass
class ReportView:
    kube: Kube
    month: date
    report: MonthlyReport | None
    facts: dict[str, Any]
    draft: str


def report_view(actor: Any, kube_id: int, month: str) -> ReportView:
    """A month's report of a group, or what a new one would be pre-filled with."""
    kube = report_group(actor, kube_id)
    first = month_start(month)
    report = MonthlyReport.objects.filter(kube=kube, month=first).first()
    facts = report.facts if report else month_facts(kube, first)
    return ReportView(kube, first, report, facts, draft_activities(facts))


# What waits for the actor (core.inbox; mentoring/inbox.py) ------------------------------------

# A month's report is due by this day of the next month (facilitators' and groups' alike).
REPORT_DUE_DAY = 10


def report_due(period: date) -> date:
    """The day a report on the month starting ``period`` is due."""
    return date(period.year + period.month // 12, period.month % 12 + 1, REPORT_DUE_DAY)


def previous_month(today: date) -> date:
    """The first day of the month before ``today``'s: the month whose reports are due now."""
    return date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)


def waiting_offers(actor: Any) -> Any:
    """Offers waiting for the signed-in mentor's answer, oldest first."""
    if not actor.has_perm("mentoring.respond_assignment"):
        return Assignment.objects.none()
    return offers_for(actor).order_by("offered_at", "pk")


def overdue_items_by_group(actor: Any, today: date) -> Any:
    """For a group's officer or its mentor: per group, how many action items are overdue and
    since when (``n``, ``oldest``), most overdue first. Offices follow them on the dashboards."""
    if getattr(actor, "kube_id", None) is None and getattr(actor, "mentor_id", None) is None:
        return ActionItem.objects.none()
    if not actor.has_perm("mentoring.view_session"):
        return ActionItem.objects.none()
    return (
        ActionItem.objects.for_user(actor)
        .filter(status=ActionStatus.OPEN, due_on__lt=today)
        .values("kube_id", "kube__name", "kube__area_code")
        .annotate(n=Count("pk"), oldest=Min("due_on"))
        .order_by("oldest", "kube_id")
    )


def reports_due(actor: Any, today: date) -> Any:
    """For a facilitator: the mentored active groups of her area whose report on last month
    is not written or not submitted (a returned one is listed by ``reports_returned``),
    annotated with ``report_status`` ("" when not started), in region order."""
    if not actor.has_perm("mentoring.add_monthlyreport"):
        return Kube.objects.none()
    month = previous_month(today)
    report = MonthlyReport.objects.filter(kube=OuterRef("pk"), month=month)
    mentored = Assignment.objects.filter(kube=OuterRef("pk"), status=AssignmentStatus.ACCEPTED)
    return (
        Kube.objects.for_user(actor, permission="mentoring.add_monthlyreport")
        .filter(status=Status.ACTIVE)
        .filter(Exists(mentored))
        .exclude(Exists(report.filter(status__in=[ReportStatus.SUBMITTED, ReportStatus.RETURNED])))
        .annotate(report_status=Subquery(report.values("status")[:1]))
        .only("name", "area_code")
        .order_by("area_code", "pk")
    )


def reports_returned(actor: Any) -> Any:
    """Facilitator reports returned for correction to their author, oldest first."""
    if not actor.has_perm("mentoring.add_monthlyreport"):
        return MonthlyReport.objects.none()
    return (
        MonthlyReport.objects.for_user(actor)
        .filter(status=ReportStatus.RETURNED, author=actor)
        .select_related("kube")
        .order_by("returned_at", "pk")
    )


def unmatched_groups(actor: Any) -> Any:
    """For whoever runs the matcher: active groups of her area with no mentor and no pending
    offer (``waiting_groups``), oldest record first (in id order: the database stops at the
    first rows it finds instead of sorting a nation's waiting groups)."""
    if not actor.has_perm("mentoring.run_matching"):
        return Kube.objects.none()
    return (
        waiting_groups(actor, None)
        .select_related(None)
        .only("name", "area_code", "updated_at")
        .order_by("pk")
    )
