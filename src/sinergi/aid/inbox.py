"""Aid steps waiting for a person (core.inbox): proposals to recommend, cycles to approve,
fund-use reports (LPJ) to check, and a group's LPJ to write or correct."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.aid import selectors
from sinergi.aid.models import CycleStatus, Lpj, LpjStatus, Proposal, ProposalStatus
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

RECOMMEND = kind("aid.recommend", gettext_lazy("Aid proposals to recommend"))
APPROVE = kind("aid.approve", gettext_lazy("Aid cycles to approve"))
LPJ_CHECK = kind("aid.lpj_check", gettext_lazy("Fund-use reports (LPJ) to check"))
LPJ_WRITE = kind("aid.lpj_write", gettext_lazy("Fund-use reports (LPJ) to write"))


@provider("aid.steps")
def steps(user: Any) -> Iterable[InboxItem]:
    items: list[InboxItem] = []

    def recommend(p: Any) -> InboxItem:
        return InboxItem(
            RECOMMEND,
            _("Recommend the aid proposal of %(kube)s (%(cycle)s)")
            % {"kube": p.kube.name, "cycle": p.cycle},
            row_url("aid:cycle_detail", p.cycle_id), p.updated_at, area=p.area_code,
        )  # fmt: skip

    def recommend_more(count: str, p: Any) -> InboxItem:
        return InboxItem(
            RECOMMEND, _("%(n)s more aid proposals to recommend") % {"n": count},
            row_url("aid:cycle_detail", p.cycle_id), p.updated_at,
        )  # fmt: skip

    proposed = {"status": ProposalStatus.PROPOSED}
    items += bounded(
        selectors.waiting_recommendation(actor=user), recommend, recommend_more,
        guard=lambda: any_row(Proposal, **proposed),
    )  # fmt: skip

    def approve(c: Any) -> InboxItem:
        return InboxItem(
            APPROVE, _("Approve %(cycle)s: its proposals are recommended") % {"cycle": c},
            row_url("aid:cycle_detail", c.pk), c.waiting_since,
            area=c.programme.area_code,
        )  # fmt: skip

    def approve_more(count: str, c: Any) -> InboxItem:
        return InboxItem(
            APPROVE, _("%(n)s more aid cycles to approve") % {"n": count},
            reverse("aid:programme_list"), c.waiting_since,
        )  # fmt: skip

    recommended = {"status": ProposalStatus.RECOMMENDED}
    items += bounded(
        selectors.waiting_approval(actor=user), approve, approve_more,
        guard=lambda: any_row(Proposal, **recommended),
    )  # fmt: skip

    def check(lpj: Any) -> InboxItem:
        return InboxItem(
            LPJ_CHECK,
            _("Check the fund-use report (LPJ) of %(kube)s") % {"kube": lpj.proposal.kube.name},
            row_url("aid:lpj_detail", lpj.proposal_id), lpj.updated_at,
            area=lpj.area_code,
        )  # fmt: skip

    def check_more(count: str, lpj: Any) -> InboxItem:
        return InboxItem(
            LPJ_CHECK, _("%(n)s more fund-use reports (LPJ) to check") % {"n": count},
            row_url("aid:lpj_detail", lpj.proposal_id), lpj.updated_at,
        )  # fmt: skip

    submitted = {"status": LpjStatus.SUBMITTED}
    items += bounded(
        selectors.waiting_lpj_check(actor=user), check, check_more,
        guard=lambda: any_row(Lpj, **submitted),
    )  # fmt: skip

    def write(p: Any) -> InboxItem:
        if p.lpj_status == "returned":
            text = _("Correct the returned fund-use report (LPJ) of %(kube)s")
            since = p.lpj_since
        else:
            text = _("Write the fund-use report (LPJ) of the aid paid to %(kube)s")
            since = as_datetime(p.paid_on)
        return InboxItem(
            LPJ_WRITE, text % {"kube": p.kube.name},
            row_url("aid:lpj_detail", p.pk), since, area=p.area_code,
        )  # fmt: skip

    def write_more(count: str, p: Any) -> InboxItem:
        return InboxItem(
            LPJ_WRITE, _("%(n)s more fund-use reports (LPJ) to write") % {"n": count},
            row_url("aid:lpj_detail", p.pk), as_datetime(p.paid_on),
        )  # fmt: skip

    items += bounded(selectors.waiting_lpj_write(actor=user), write, write_more)
    return items


@batch_provider("aid.steps")
def steps_for_users(users: Sequence[Any]) -> Mapping[int, Iterable[InboxItem]]:
    # Personal (four eyes): who proposed or recommended a proposal still waiting in an open
    # cycle, or submitted a fund-use report still waiting to be checked.
    waiting = Proposal.objects.filter(
        cycle__status=CycleStatus.OPEN,
        status__in=[ProposalStatus.PROPOSED, ProposalStatus.RECOMMENDED],
    )
    mine = personal_ids(waiting, "proposed_by_id", users)
    mine |= personal_ids(
        waiting.filter(status=ProposalStatus.RECOMMENDED), "recommended_by_id", users
    )
    mine |= personal_ids(Lpj.objects.filter(status=LpjStatus.SUBMITTED), "submitted_by_id", users)
    return by_audience("aid.steps", users, steps, personal=mine)
