"""Monitoring work waiting for a person (core.inbox): a group's monthly report due or returned,
graduations to confirm."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.core.inbox import (
    InboxItem,
    any_row,
    as_datetime,
    batch_provider,
    bounded,
    by_audience,
    kind,
    personal_ids,
    provider,
)
from sinergi.core.templatetags.fast_lists import row_url
from sinergi.mentoring.selectors import previous_month, report_due
from sinergi.monitoring import selectors
from sinergi.monitoring.models import Graduation, GroupReport, ReportStatus
from sinergi.monitoring.models import ProposalStatus as GraduationStatus

REPORT = kind("monitoring.report", gettext_lazy("Group reports due"))
RETURNED = kind("monitoring.returned", gettext_lazy("Group reports returned"))
GRADUATION = kind("monitoring.graduation", gettext_lazy("Graduations to confirm"))


@provider("monitoring.work")
def work(user: Any) -> Iterable[InboxItem]:
    today = timezone.localdate()
    period = previous_month(today)
    label = period.strftime("%Y-%m")
    due = report_due(period)
    items: list[InboxItem] = []

    def report(k: Any) -> InboxItem:
        text = (
            _("Finish and submit the report of %(kube)s for %(month)s")
            if k.report_status
            else _("Write the report of %(kube)s for %(month)s")
        )
        return InboxItem(
            REPORT, text % {"kube": k.name, "month": label},
            reverse("monitoring:report", args=[k.pk, label]), as_datetime(due.replace(day=1)),
            due=due, area=k.area_code,
        )  # fmt: skip

    def report_more(count: str, k: Any) -> InboxItem:
        return InboxItem(
            REPORT, _("%(n)s more group reports due") % {"n": count},
            reverse("monitoring:report", args=[k.pk, label]), as_datetime(due.replace(day=1)),
            due=due,
        )  # fmt: skip

    items += bounded(selectors.group_report_due(user, period), report, report_more)

    def returned(r: Any) -> InboxItem:
        month = r.period.strftime("%Y-%m")
        return InboxItem(
            RETURNED,
            _("Correct the report of %(kube)s for %(month)s: it was returned")
            % {"kube": r.kube.name, "month": month},
            reverse("monitoring:report", args=[r.kube_id, month]), r.returned_at or r.updated_at,
            area=r.kube.area_code,
        )  # fmt: skip

    def returned_more(count: str, r: Any) -> InboxItem:
        month = r.period.strftime("%Y-%m")
        return InboxItem(
            RETURNED, _("%(n)s more returned group reports to correct") % {"n": count},
            reverse("monitoring:report", args=[r.kube_id, month]), r.returned_at or r.updated_at,
        )  # fmt: skip

    items += bounded(
        selectors.group_reports_returned(user), returned, returned_more,
        guard=lambda: any_row(GroupReport, status=ReportStatus.RETURNED),
    )  # fmt: skip

    def graduation(g: Any) -> InboxItem:
        return InboxItem(
            GRADUATION,
            _("Confirm or set aside the graduation of a household of %(kube)s")
            % {"kube": g.kube.name},
            row_url("monitoring:graduation_decide", g.pk), g.created_at,
            area=g.area_code,
        )  # fmt: skip

    def graduation_more(count: str, g: Any) -> InboxItem:
        return InboxItem(
            GRADUATION, _("%(n)s more graduations to confirm") % {"n": count},
            reverse("monitoring:graduations"), g.created_at,
        )  # fmt: skip

    items += bounded(
        selectors.graduations_to_decide(user), graduation, graduation_more,
        guard=lambda: any_row(Graduation, status=GraduationStatus.PROPOSED),
    )  # fmt: skip
    return items


@batch_provider("monitoring.work")
def work_for_users(users: Sequence[Any]) -> Mapping[int, Iterable[InboxItem]]:
    # Personal: who filed a returned group report (a group's own officer is its audience).
    returned = GroupReport.objects.filter(status=ReportStatus.RETURNED)
    mine = personal_ids(returned, "filed_by_id", users)
    return by_audience("monitoring.work", users, work, personal=mine)
