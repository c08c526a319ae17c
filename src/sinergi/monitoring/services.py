"""Monitoring steps: filing a group's monthly report, classing groups, proposing graduations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.core.corrections import refuse_if_submitted, return_for_correction
from sinergi.core.crypto import decrypt, encrypt
from sinergi.core.errors import Conflict, InvalidInput, NotFound, require_permission
from sinergi.core.events import snapshot
from sinergi.core.four_eyes import refusal
from sinergi.core.models import AuditEvent
from sinergi.core.scoping import access
from sinergi.engines import graduation as rule
from sinergi.engines.rubric import classify
from sinergi.kube.models import Kube, Membership, Status, Transition
from sinergi.kube.services import membership_end
from sinergi.market.models import SALE_AMOUNT, Sale
from sinergi.mentoring.models import Session
from sinergi.monitoring import events
from sinergi.monitoring.models import (
    ClassResult,
    Graduation,
    GraduationRule,
    GroupReport,
    MemberIncome,
    Metric,
    ProposalStatus,
    RegencyFigures,
    RegencyMonth,
    ReportStatus,
    Rubric,
    RubricIndicator,
)
from sinergi.monitoring.poverty import LineTable, area_type_of
from sinergi.registry.models import Person
from sinergi.registry.services import household_graduated

INCOME_FIELD = "income"
MAX_AMOUNT = 100_000_000_000  # Rp 100 billion: above any KUBE's month, below integer limits


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def market_sales(kube_id: int, period: date) -> int:
    """What the market module recorded for the group in that month (Rp)."""
    return Sale.objects.filter(
        kube_id=kube_id, day__gte=period, day__lt=add_months(period, 1)
    ).total()


def active_members(kube: Kube) -> list[Membership]:
    return list(
        kube.memberships.filter(end_date__isnull=True)
        .select_related("person", "person__household")
        .order_by("role", "person__name")
    )


def report_for(actor: Any, kube_id: int, period: date) -> GroupReport:
    """The group's report for the month, or a new one pre-filled from the market's sales."""
    kube = access(Kube.objects, actor=actor, permission="monitoring.view_groupreport", pk=kube_id)
    report = GroupReport.objects.filter(kube=kube, period=period).first()
    if report is None:
        sales = market_sales(kube.pk, period)
        report = GroupReport(
            kube=kube,
            period=period,
            market_sales=sales,
            turnover=sales,
            active_members=kube.memberships.filter(end_date__isnull=True).count(),
        )
    return report


REPORT_FIGURES = ("turnover", "costs", "assets", "savings", "iks_paid")


def _check_figures(figures: Mapping[str, Any], members: int) -> dict[str, Any]:
    """The figures that were sent, checked; a figure not sent is left as it is (a save with
    only the turnover must not reset the rest to zero)."""
    clean: dict[str, Any] = {}
    for name in REPORT_FIGURES:
        if figures.get(name) is None:
            continue
        value = figures[name]
        if not isinstance(value, int) or not 0 <= value <= MAX_AMOUNT:
            raise InvalidInput(
                _("Enter a whole number of rupiah, zero or more, for this figure."), field=name
            )
        clean[name] = value
    active = figures.get("active_members")
    if active is not None:
        if not isinstance(active, int) or not 0 <= active <= members:
            raise InvalidInput(
                _("Active members must be between 0 and the group's %(n)s members.")
                % {"n": members},
                field="active_members",
            )
        clean["active_members"] = active
    if figures.get("problems") is not None:
        clean["problems"] = str(figures["problems"])[:4000]
    return clean


@transaction.atomic
def save_report(
    *,
    actor: Any,
    kube_id: int,
    period: date,
    figures: Mapping[str, Any],
    incomes: Mapping[int, int | None],
    submit: bool,
) -> GroupReport:
    """Save (and with ``submit`` file) a month's report; each member's income is compared with
    the poverty line of her province for that month. Everything is checked before writing.
    Only the figures in ``figures`` change; a submitted report is final (core.corrections)."""
    require_permission(actor, "monitoring.add_groupreport")
    kube = access(
        Kube.objects,
        actor=actor,
        lock=True,
        permission="monitoring.add_groupreport",
        pk=kube_id,
    )
    report = GroupReport.objects.select_for_update().filter(kube=kube, period=period).first()
    refuse_if_submitted(
        report,
        _(
            "This month's report is already submitted and final: ask the social office to "
            "return it for correction."
        ),
    )
    if kube.status != Status.ACTIVE:
        raise InvalidInput(_("Only an active group files monthly reports."))
    today = timezone.localdate()
    if period > today.replace(day=1):
        raise InvalidInput(_("A report cannot be filed for a month still to come."), field="period")
    members = active_members(kube)
    clean = _check_figures(figures, len(members))
    by_person = {m.person_id: m.person for m in members}
    unknown = set(incomes) - set(by_person)
    if unknown:
        raise InvalidInput(_("Incomes can be given only for the group's current members."))
    for person_id, income in incomes.items():
        if income is not None and (not isinstance(income, int) or not 0 <= income <= 10**10):
            raise InvalidInput(
                _("Income of %(name)s: enter the household's monthly income in whole rupiah.")
                % {"name": by_person[person_id].name},
                field=f"income_{person_id}",
            )
    if report is None:
        report = GroupReport(kube=kube, period=period, market_sales=market_sales(kube.pk, period))
    before = snapshot(report, "status", *REPORT_FIGURES, "active_members") if report.pk else {}
    for name, value in clean.items():
        setattr(report, name, value)
    report.profit = report.turnover - report.costs
    report.filed_by = actor
    if submit:
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = timezone.now()  # a resubmission after a return counts anew
    report.save()
    _record_incomes(report, by_person, incomes)
    AuditEvent.record(
        events.GROUP_REPORT_SUBMITTED if submit else events.GROUP_REPORT_SAVED,
        actor=actor,
        obj=report,
        area_code=kube.area_code,
        before=before,
        after=snapshot(report, "status", *REPORT_FIGURES, "active_members"),
    )
    if report.status == ReportStatus.SUBMITTED:
        classify_groups(Kube.objects.filter(pk=kube.pk), period)
        propose_graduations(
            MemberIncome.objects.filter(report=report).values_list("household_id", flat=True)
        )
    return report


@transaction.atomic
def return_report(*, actor: Any, kube_id: int, period: date, reason: str) -> GroupReport:
    """Send a submitted report back to the group to be corrected, saying what is wrong; the
    group then edits and submits it again (the audit trail keeps both versions)."""
    require_permission(actor, "monitoring.return_groupreport")
    kube = access(Kube.objects, actor=actor, permission="monitoring.view_groupreport", pk=kube_id)
    report = GroupReport.objects.select_for_update().filter(kube=kube, period=period).first()
    if report is None:
        raise NotFound(_("No report for this month yet."))
    return return_for_correction(
        report,
        actor=actor,
        reason=reason,
        author=report.filed_by_id,
        event=events.GROUP_REPORT_RETURNED,
        area_code=kube.area_code,
        own_message=_own_report(),
    )


def _own_report() -> str:
    return _("You filed this report; someone else must return it for correction.")


def return_refusal(actor: Any, report: GroupReport) -> str:
    """Why ``actor`` may not return ``report`` (four eyes), for the page to say instead of
    offering the button; empty when nothing stands in the way."""
    return refusal(actor, report.filed_by_id, message=_own_report())


def _record_incomes(
    report: GroupReport, persons: Mapping[int, Person], incomes: Mapping[int, int | None]
) -> None:
    lines = LineTable()
    households = {p.household_id for p in persons.values()}
    sizes = dict(
        Person.objects.filter(household_id__in=households)
        .values("household_id")
        .annotate(n=Count("id"))
        .values_list("household_id", "n")
    )
    for person_id, income in incomes.items():
        person = persons[person_id]
        if income is None:
            MemberIncome.objects.filter(report=report, person=person).delete()
            continue
        size = max(1, sizes.get(person.household_id, 1))
        per_capita = income // size
        applied = lines.find(
            person.area_code[:2], area_type_of(person.household.area_code), report.period
        )
        if applied is None:
            raise InvalidInput(
                _(
                    "No poverty line is loaded for %(month)s: ask the national admin to load "
                    "the BPS table first."
                )
                % {"month": f"{report.period:%Y-%m}"}
            )
        MemberIncome.objects.update_or_create(
            report=report,
            person=person,
            defaults={
                "household_id": person.household_id,
                "household_size": size,
                "income_cipher": encrypt(str(income), field=INCOME_FIELD),
                "per_capita_cipher": encrypt(str(per_capita), field=INCOME_FIELD),
                "line_amount": applied.amount,
                "line_label": applied.label,
                "above_line": rule.is_above(
                    rule.Observation(report.period, per_capita, applied.amount)
                ),
            },
        )


def reveal_income(row: MemberIncome) -> tuple[int, int]:
    """(household income, per capita) for a reader allowed to see them (the view checks)."""
    return (
        int(decrypt(row.income_cipher, field=INCOME_FIELD)),
        int(decrypt(row.per_capita_cipher, field=INCOME_FIELD)),
    )


# --- Class rubric -------------------------------------------------------------------------


def _months_between(start: date, end: date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month)


def group_metrics(
    kubes: QuerySet[Kube], period: date, window: int
) -> dict[int, dict[str, float | None]]:
    """Every rubric metric for many groups at once: a fixed number of grouped queries."""
    start = add_months(period, -(window - 1))
    end = add_months(period, 1)
    ids = kubes.values("pk")
    out: dict[int, dict[str, float | None]] = {}
    for pk in kubes.values_list("pk", flat=True):
        out[pk] = {m.value: None for m in Metric}
        out[pk].update({Metric.SESSIONS: 0.0, Metric.SALES: 0.0, Metric.REPORTING: 0.0})
    reports = GroupReport.objects.filter(
        kube__in=ids, period__gte=start, period__lt=end, status=ReportStatus.SUBMITTED
    )
    for row in reports.values("kube_id").annotate(
        n=Count("id"),
        turnover=Sum("turnover"),
        profit=Sum("profit"),
        iks=Count("id", filter=Q(iks_paid__gt=0)),
    ):
        m = out[row["kube_id"]]
        m[Metric.REPORTING] = 100.0 * row["n"] / window
        m[Metric.TURNOVER] = row["turnover"] / row["n"]
        m[Metric.MARGIN] = 100.0 * row["profit"] / row["turnover"] if row["turnover"] else 0.0
        m[Metric.IKS] = 100.0 * row["iks"] / row["n"]
    seen: set[int] = set()
    for kube_id, savings, active in reports.order_by("kube_id", "-period").values_list(
        "kube_id", "savings", "active_members"
    ):
        if kube_id not in seen:
            seen.add(kube_id)
            out[kube_id][Metric.SAVINGS] = savings / max(1, active)
    for kube_id, n in (
        Session.objects.filter(kube__in=ids, held_on__gte=start, held_on__lt=end)
        .values("kube_id")
        .annotate(n=Count("id"))
        .values_list("kube_id", "n")
    ):
        out[kube_id][Metric.SESSIONS] = float(n)
    for kube_id, total in (
        Sale.objects.filter(kube__in=ids, day__gte=start, day__lt=end)
        .values("kube_id")
        .annotate(t=Sum(SALE_AMOUNT))
        .values_list("kube_id", "t")
    ):
        out[kube_id][Metric.SALES] = float(total or 0)
    latest: dict[int, date] = {}
    for month_row in (
        MemberIncome.objects.filter(
            report__kube__in=ids,
            report__period__gte=start,
            report__period__lt=end,
            report__status=ReportStatus.SUBMITTED,
        )
        .values("report__kube_id", "report__period")
        .annotate(n=Count("id"), above=Count("id", filter=Q(above_line=True)))
        .order_by("report__kube_id", "-report__period")
    ):
        kube_id = month_row["report__kube_id"]
        if kube_id not in latest:
            latest[kube_id] = month_row["report__period"]
            out[kube_id][Metric.ABOVE_LINE] = 100.0 * month_row["above"] / month_row["n"]
    for kube_id, first in (
        Transition.objects.filter(kube__in=ids, to_status=Status.ACTIVE)
        .values("kube_id")
        .annotate(first=Min("at"))
        .values_list("kube_id", "first")
    ):
        out[kube_id][Metric.MONTHS_ACTIVE] = float(_months_between(first.date(), period))
    return out


@dataclass(frozen=True)
class ClassRun:
    groups: int
    rubric: Rubric | None


def classify_groups(kubes: QuerySet[Kube], period: date) -> ClassRun:
    """Class every active group of ``kubes`` for the month with the rubric then in force."""
    rubric = Rubric.on(period)
    if rubric is None:
        return ClassRun(0, None)
    criteria = rubric.as_engine()
    active = kubes.filter(status=Status.ACTIVE)
    metrics = group_metrics(active, period, rubric.window_months)
    results = []
    classes: dict[str, list[int]] = defaultdict(list)
    for kube_id, values in metrics.items():
        result = classify(criteria, values)
        classes[result.klass].append(kube_id)
        results.append(
            ClassResult(
                kube_id=kube_id,
                rubric=rubric,
                period=period,
                klass=result.klass,
                score=Decimal(str(round(float(result.score), 1))),
                explanation=result.explain(),
            )
        )
    with transaction.atomic():
        ClassResult.objects.filter(kube__in=active.values("pk"), period=period).delete()
        ClassResult.objects.bulk_create(results, batch_size=2000)
        # Only the newest month sets the group's class shown everywhere.
        for klass, ids in classes.items():
            for chunk in range(0, len(ids), 5000):
                Kube.objects.filter(pk__in=ids[chunk : chunk + 5000]).exclude(
                    classes__period__gt=period
                ).update(klass=klass)
    return ClassRun(len(results), rubric)


# --- Graduation ---------------------------------------------------------------------------


def propose_graduations(household_ids: Iterable[int] | None = None) -> int:
    """Propose every household the rule says has stayed above the line long enough."""
    required, margin = GraduationRule.on(timezone.localdate())
    rows = MemberIncome.objects.filter(report__status=ReportStatus.SUBMITTED)
    if household_ids is not None:
        rows = rows.filter(household_id__in=list(household_ids))
    open_statuses = [ProposalStatus.PROPOSED, ProposalStatus.CONFIRMED]
    rows = rows.exclude(
        household_id__in=Graduation.objects.filter(status__in=open_statuses).values("household_id")
    )
    # A rejected household is proposed again only on months after those it was rejected on.
    rejected_up_to: dict[int, str] = {}
    for household_id, rejected_months in Graduation.objects.filter(
        status=ProposalStatus.REJECTED
    ).values_list("household_id", "months"):
        last = max(rejected_months, default="")
        rejected_up_to[household_id] = max(rejected_up_to.get(household_id, ""), last)
    stream = rows.values_list(
        "household_id",
        "person_id",
        "report__kube_id",
        "report__kube__area_code",
        "report__period",
        "per_capita_cipher",
        "line_amount",
    ).order_by("household_id", "report__period")
    created: list[Graduation] = []
    # One household at a time (rows come sorted by household): memory stays flat however
    # many months and households the registry holds.
    for household_id, group in groupby(stream.iterator(chunk_size=5000), key=itemgetter(0)):
        months: dict[date, rule.Observation] = {}
        latest: tuple[Any, ...] = ()
        for _h, person_id, kube_id, area_code, period, cipher, line in group:
            # Two members of one household in one month report the same household income.
            if period not in months:
                months[period] = rule.Observation(
                    period, int(decrypt(cipher, field=INCOME_FIELD)), line
                )
            latest = (kube_id, area_code, person_id)
        decision = rule.decide(months.values(), required=required, margin_bp=margin)
        if decision.propose and f"{decision.streak[-1]:%Y-%m}" > rejected_up_to.get(
            household_id, ""
        ):
            kube_id, area_code, person_id = latest
            created.append(
                Graduation(
                    household_id=household_id,
                    person_id=person_id,
                    kube_id=kube_id,
                    area_code=area_code,
                    months=[f"{d:%Y-%m}" for d in decision.streak],
                )
            )
    Graduation.objects.bulk_create(created, batch_size=2000)
    return len(created)


DECISION_FIELDS = ("status", "reason", "decided_by", "decided_at")


@transaction.atomic
def decide_graduation(*, actor: Any, pk: int, confirm: bool, reason: str = "") -> Graduation:
    """Confirm or set aside a proposal. Confirming ends the household's memberships (through
    the KUBE's own service, with the reason), records the graduation on the household (the
    registry's service) and counts it in the group's and region's figures
    at once, without waiting for the nightly rebuild."""
    require_permission(actor, "monitoring.decide_graduation")
    item = access(Graduation.objects, actor=actor, lock=True, pk=pk)
    if item.status != ProposalStatus.PROPOSED:
        raise InvalidInput(_("This proposal has already been decided."))
    if not confirm and not reason.strip():
        raise InvalidInput(_("Say why the household is not graduating."), field="reason")
    before = snapshot(item, *DECISION_FIELDS)
    item.status = ProposalStatus.CONFIRMED if confirm else ProposalStatus.REJECTED
    item.decided_by = actor
    item.decided_at = timezone.now()
    item.reason = reason.strip()[:300]
    item.save()
    ended = _end_memberships(actor, item) if confirm else []
    if confirm:
        household_graduated(
            actor=actor,
            household_id=item.household_id,
            on=timezone.localtime(item.decided_at).date(),
            group=item.kube.name,
            note=item.reason,
        )
    _count_decision(item, members_left=sum(1 for m in ended if m.kube.status == Status.ACTIVE))
    AuditEvent.record(
        events.GRADUATION_DECIDED[item.status],
        actor=actor,
        obj=item,
        area_code=item.area_code,
        reason=item.reason,
        before=before,
        after=snapshot(item, *DECISION_FIELDS),
        data={"memberships_ended": [m.pk for m in ended]},
    )
    return item


def _end_memberships(actor: Any, item: Graduation) -> list[Membership]:
    """A graduated household leaves its groups: each member of it still in a KUBE leaves."""
    why = _("Graduated: income above the poverty line")
    if item.reason:
        why = f"{why} ({item.reason})"
    open_rows = Membership.objects.filter(
        person__household_id=item.household_id, end_date__isnull=True
    ).values_list("kube_id", "person_id")
    return [
        membership_end(actor=actor, kube_id=kube_id, person_id=person_id, reason=why)
        for kube_id, person_id in open_rows
    ]


def _count_decision(item: Graduation, *, members_left: int) -> None:
    """The decision in the summary tables now; the next rebuild recounts the same from rows."""
    regency = item.area_code[:5]
    change: dict[str, Any] = {"graduations_open": Greatest(F("graduations_open") - 1, 0)}
    if item.status == ProposalStatus.CONFIRMED:
        change["households_graduated"] = F("households_graduated") + 1
        change["members"] = Greatest(F("members") - members_left, 0)
        assert item.decided_at is not None
        month = timezone.localtime(item.decided_at).date().replace(day=1)
        row, _created = RegencyMonth.objects.select_for_update().get_or_create(
            regency_code=regency, month=month
        )
        RegencyMonth.objects.filter(pk=row.pk).update(graduations=F("graduations") + 1)
    RegencyFigures.objects.filter(regency_code=regency).update(**change)


# --- The class rubric (written by the centre) -------------------------------------------------

RUBRIC_FIELDS = ("name", "provisional", "note", "window_months", "berkembang_from", "maju_from")


def _rubric_state(rubric: Rubric) -> dict[str, Any]:
    state = snapshot(rubric, *RUBRIC_FIELDS)
    state["indicators"] = [
        [i.metric, i.weight, i.bands] for i in rubric.indicators.order_by("metric")
    ]
    return state


def _whole(bands: Iterable[Iterable[Any]]) -> list[list[Any]]:
    # 50.0 from JSON is stored as 50, as the page and the engine's explanation show it.
    return [
        [int(v) if isinstance(v, float) and v.is_integer() else v for v in pair] for pair in bands
    ]


@transaction.atomic
def rubric_save(
    *,
    actor: Any,
    valid_from: date,
    name: str,
    window_months: int,
    berkembang_from: int,
    maju_from: int,
    indicators: Iterable[Mapping[str, Any]],
    provisional: bool = False,
    note: str = "",
) -> Rubric:
    """Add the rubric valid from ``valid_from``, or change it while no group has been classed
    with it (a class already given must stay explainable by the criteria that gave it)."""
    rubric = Rubric.objects.select_for_update().filter(valid_from=valid_from).first()
    require_permission(actor, "monitoring.change_rubric" if rubric else "monitoring.add_rubric")
    if rubric is not None and ClassResult.objects.filter(rubric=rubric).exists():
        raise Conflict(
            _(
                "Groups have been classed with the rubric valid from %(day)s: add a new rubric "
                "valid from a later date instead."
            )
            % {"day": f"{valid_from:%Y-%m-%d}"},
            field="valid_from",
        )
    before = _rubric_state(rubric) if rubric else {}
    rubric = rubric or Rubric(valid_from=valid_from)
    rubric.name, rubric.note, rubric.provisional = (
        name.strip()[:150],
        note.strip()[:200],
        provisional,
    )
    rubric.window_months, rubric.berkembang_from = window_months, berkembang_from
    rubric.maju_from = maju_from
    rows = [
        RubricIndicator(metric=i["metric"], weight=i["weight"], bands=_whole(i["bands"]))
        for i in indicators
    ]
    metrics = [r.metric for r in rows]
    if not rows:
        raise InvalidInput(_("Give at least one indicator."), field="indicators")
    if len(set(metrics)) != len(metrics):
        raise InvalidInput(_("Each indicator may appear once."), field="indicators")
    try:
        rubric.clean()
        for row in rows:
            if row.metric not in Metric.values:
                raise ValidationError(_("Unknown indicator %(m)s.") % {"m": row.metric[:30]})
            row.clean()
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="indicators") from exc
    rubric.save()
    rubric.indicators.all().delete()
    for row in rows:
        row.rubric = rubric
    RubricIndicator.objects.bulk_create(rows)
    AuditEvent.record(
        events.RUBRIC_SAVED,
        actor=actor,
        obj=rubric,
        before=before,
        after=_rubric_state(rubric),
    )
    return rubric
