"""Mentoring work waiting for a person (core.inbox): offers to answer, overdue action items,
facilitators' monthly reports due or returned, and groups waiting for a mentor."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sinergi.core.inbox import (
    PER_KIND,
    InboxItem,
    any_row,
    as_datetime,
    batch_provider,
    bounded,
    by_audience,
    counted,
    empty,
    kind,
    more_text,
    personal_ids,
    provider,
)
from sinergi.mentoring import selectors
from sinergi.mentoring.models import MonthlyReport, ReportStatus

OFFER = kind("mentoring.offer", gettext_lazy("Mentoring offers to answer"))
OVERDUE = kind("mentoring.overdue", gettext_lazy("Overdue action items"))
REPORT = kind("mentoring.report", gettext_lazy("Facilitator reports due"))
RETURNED = kind("mentoring.returned", gettext_lazy("Facilitator reports returned"))
MATCH = kind("mentoring.match", gettext_lazy("Groups waiting for a mentor"))


@provider("mentoring.work")
def work(user: Any) -> Iterable[InboxItem]:
    today = timezone.localdate()
    offers_url = reverse("mentoring:group_list")
    items: list[InboxItem] = []

    def offer(a: Any) -> InboxItem:
        return InboxItem(
            OFFER, _("Answer the offer to mentor %(kube)s") % {"kube": a.kube.name},
            offers_url, a.offered_at or a.updated_at, area=a.kube.area_code,
        )  # fmt: skip

    def offer_more(count: str, a: Any) -> InboxItem:
        return InboxItem(
            OFFER, _("%(n)s more mentoring offers to answer") % {"n": count},
            offers_url, a.offered_at or a.updated_at,
        )  # fmt: skip

    items += bounded(selectors.waiting_offers(user), offer, offer_more)

    # A mentor follows a handful of groups, a group's officer one: no 'more' item needed.
    overdue = selectors.overdue_items_by_group(user, today)
    for row in [] if empty(overdue) else overdue[:PER_KIND]:
        text = ngettext(
            "%(n)s overdue action item in %(kube)s",
            "%(n)s overdue action items in %(kube)s",
            row["n"],
        ) % {"n": row["n"], "kube": row["kube__name"]}
        items.append(
            InboxItem(
                OVERDUE,
                text,
                reverse("mentoring:group_detail", args=[row["kube_id"]]),
                as_datetime(row["oldest"]),
                due=row["oldest"],
                area=row["kube__area_code"],
            )
        )

    month = selectors.previous_month(today)
    due = selectors.report_due(month)
    label = month.strftime("%Y-%m")

    def report(k: Any) -> InboxItem:
        text = (
            _("Finish and submit the report on %(kube)s for %(month)s")
            if k.report_status
            else _("Write the report on %(kube)s for %(month)s")
        )
        return InboxItem(
            REPORT, text % {"kube": k.name, "month": label},
            reverse("mentoring:report", args=[k.pk, label]), as_datetime(due.replace(day=1)),
            due=due, area=k.area_code,
        )  # fmt: skip

    def report_more(count: str, k: Any) -> InboxItem:
        return InboxItem(
            REPORT,
            _("%(n)s more groups' reports due for %(month)s") % {"n": count, "month": label},
            reverse("mentoring:group_list"), as_datetime(due.replace(day=1)), due=due,
        )  # fmt: skip

    items += bounded(selectors.reports_due(user, today), report, report_more)

    def returned(r: Any) -> InboxItem:
        month_label = r.month.strftime("%Y-%m")
        return InboxItem(
            RETURNED,
            _("Correct your report on %(kube)s for %(month)s: it was returned")
            % {"kube": r.kube.name, "month": month_label},
            reverse("mentoring:report", args=[r.kube_id, month_label]),
            r.returned_at or r.updated_at, area=r.kube.area_code,
        )  # fmt: skip

    def returned_more(count: str, r: Any) -> InboxItem:
        return InboxItem(
            RETURNED, _("%(n)s more returned reports to correct") % {"n": count},
            reverse("mentoring:group_list"), r.returned_at or r.updated_at,
        )  # fmt: skip

    items += bounded(
        selectors.reports_returned(user), returned, returned_more,
        guard=lambda: any_row(MonthlyReport, status=ReportStatus.RETURNED, author=user.pk),
    )  # fmt: skip

    count, since = counted(selectors.unmatched_groups(user), "updated_at")
    if count:
        text = ngettext(
            "%(n)s active group waits for a mentor: run the matcher",
            "%(n)s active groups wait for a mentor: run the matcher",
            count,
        ) % {"n": more_text(count)}
        items.append(InboxItem(MATCH, text, reverse("mentoring:match"), as_datetime(since)))
    return items


@batch_provider("mentoring.work")
def work_for_users(users: Sequence[Any]) -> Mapping[int, Iterable[InboxItem]]:
    # Personal: the authors of returned reports.
    returned = MonthlyReport.objects.filter(status=ReportStatus.RETURNED)
    mine = personal_ids(returned, "author_id", users)
    return by_audience("mentoring.work", users, work, personal=mine)
