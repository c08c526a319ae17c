"""Scoped reads for the mentoring pages, the API and the KPI figures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.aid.models import Disbursement
from sinergi.core.errors import InvalidInput, require_permission
from sinergi.core.pagination import FirstThenRest, SubqueryCount
from sinergi.core.scoping import access, area_q
from sinergi.kube.models import IksEntry, Kube, Membership, Status
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
    Session,
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
    current = Assignment.objects.filter(kube=OuterRef("pk"), status=AssignmentStatus.ACCEPTED)
    latest = Session.objects.filter(kube=OuterRef("pk")).order_by("-held_on")
    open_items = ActionItem.objects.filter(kube=OuterRef("pk"), status=ActionStatus.OPEN)
    overdue = open_items.filter(due_on__lt=today).order_by()
    qs = (
        mentoring_groups(actor)
        .only(*KUBE_LIST_FIELDS)
        .annotate(
            mentor_name=Subquery(current.values("mentor__name")[:1]),
            last_session=Subquery(latest.values("held_on")[:1]),
            open_items=SubqueryCount(open_items.order_by().values("pk")),
            overdue_items=SubqueryCount(overdue.values("pk")),
        )
    )
    if area:
        qs = qs.filter(area_q("area_code", area, by_range=True))
    if without_mentor:
        qs = qs.filter(~Exists(current))
    for word in q.split()[:4]:
        qs = qs.filter(name__icontains=word)
    return FirstThenRest(qs.order_by("area_code", "name"), Exists(overdue))


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
    qs = (
        Mentor.objects.for_user(actor)
        .select_related("unit", "base_regency")
        .prefetch_related("sectors")
        # Per row, not a GROUP BY over every mentor's assignments before the page is cut.
        .annotate(
            load=SubqueryCount(
                Assignment.objects.filter(mentor=OuterRef("pk"), status__in=OPEN_STATUSES)
                .order_by()
                .values("pk")
            )
        )
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


def run_rows(run: MatchRun) -> Any:
    return run.assignments.select_related(
        "kube", "kube__business_type", "kube__village", "mentor", "mentor__base_regency"
    ).order_by(F("mentor_id").asc(nulls_last=True), "kube__area_code", "kube__name")


def run_list(actor: Any) -> Any:
    return MatchRun.objects.for_user(actor).select_related("created_by")[:20]


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
