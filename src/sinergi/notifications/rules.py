"""When work changes hands: audit event → who must act now, what to tell them, where to go.

Each rule names an audit event type, a kind of message (a stable code), the sentence in words
(``%(title)s`` is the group's name or the order's number — never a person's data) and a
function that finds the people (see ``selectors.users_who_may``) and the link for each. The
app subscribes to every event named here (``apps.ready``); ``services.fan_out`` runs them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from sinergi.notifications import selectors


@dataclass(frozen=True)
class Target:
    user: Any
    url: str
    # What the message names for this reader, when it differs from ``Found.title``.
    title: str = ""


@dataclass(frozen=True)
class Found:
    title: str
    targets: list[Target]


Finder = Callable[[Any], Found | None]


@dataclass(frozen=True)
class Rule:
    event: str
    kind: str
    text: str | Promise
    find: Finder


RULES: dict[str, Rule] = {}


def kind_label(kind: str) -> str:
    """A message's kind in words, for the message log: its rule's sentence with "…" for what
    it names (the daily digest by its name); a kind no rule knows stays its code."""
    if kind == "digest":
        return capfirst(str(_("daily digest")))
    if kind == "accounts.invitation":
        return capfirst(str(_("account invitation")))
    if kind == "accounts.password_reset":
        return capfirst(str(_("password reset link")))
    for known in RULES.values():
        if known.kind == kind:
            return str(known.text) % {"title": "…"}
    return kind


def rule(event: str, kind: str, text: str | Promise) -> Callable[[Finder], Finder]:
    def register(fn: Finder) -> Finder:
        RULES[event] = Rule(event, kind, text, fn)
        return fn

    return register


def _visible(
    users: list[Any], event: Any, url: str, model: str = "", pk: Any = None
) -> list[Target]:
    """Targets among ``users`` who may see the row (the event's own unless named)."""
    label, key = model or event.object_type, event.object_id if pk is None else pk
    return [Target(u, url) for u in users if selectors.may_see(u, label, key)]


def _area_rule(permission: str, url_name: str, *, max_depth: int | None = None) -> Finder:
    """The users who may take the next step on a KUBE-like row, at the nearest level."""

    def find(event: Any) -> Found | None:
        obj = selectors.row(event.object_type, event.object_id)
        if obj is None:
            return None
        users = selectors.users_who_may(
            permission, event.area_code, exclude=[event.actor_id], max_depth=max_depth
        )
        url = reverse(url_name, args=[obj.pk])
        return Found(str(getattr(obj, "name", obj)), _visible(users, event, url))

    return find


rule("kube.kube.submitted", "kube.verify", _("A KUBE waits for your verification: %(title)s"))(
    _area_rule("kube.verify_kube", "kube:kube_detail")
)
rule("kube.kube.verified", "kube.activate", _("A verified KUBE waits to be activated: %(title)s"))(
    _area_rule("kube.activate_kube", "kube:kube_detail")
)
rule("kube.kube.draft", "kube.returned", _("A KUBE was sent back to draft: %(title)s"))(
    _area_rule("kube.submit_kube", "kube:kube_detail")
)


@rule(
    "aid.proposal.proposed",
    "aid.recommend",
    _("An aid proposal waits for your recommendation: %(title)s"),
)
def _proposal_proposed(event: Any) -> Found | None:
    proposal = selectors.row(event.object_type, event.object_id, "kube")
    if proposal is None:
        return None
    # The province recommends (aid.services.proposal_recommend): nation or province only.
    users = selectors.users_who_may(
        "aid.recommend_proposal", event.area_code, exclude=[event.actor_id], max_depth=1
    )
    url = reverse("aid:cycle_detail", args=[proposal.cycle_id])
    return Found(proposal.kube.name, _visible(users, event, url))


@rule(
    "aid.proposal.recommended",
    "aid.approve",
    _("A recommended aid proposal waits for approval: %(title)s"),
)
def _proposal_recommended(event: Any) -> Found | None:
    proposal = selectors.row(event.object_type, event.object_id, "kube")
    if proposal is None:
        return None
    users = selectors.users_who_may(
        "aid.approve_cycle", event.area_code, exclude=[event.actor_id], max_depth=0
    )
    url = reverse("aid:cycle_detail", args=[proposal.cycle_id])
    return Found(proposal.kube.name, _visible(users, event, url))


def _lpj_rule(permission: str, *, group_too: bool) -> Finder:
    def find(event: Any) -> Found | None:
        lpj = selectors.row(event.object_type, event.object_id, "proposal__kube")
        if lpj is None:
            return None
        kube = lpj.proposal.kube
        users = selectors.users_who_may(permission, event.area_code, exclude=[event.actor_id])
        if group_too:
            users += selectors.group_officers([kube.pk], permission)
        url = reverse("aid:lpj_detail", args=[lpj.proposal_id])
        return Found(kube.name, _visible(users, event, url))

    return find


rule(
    "aid.lpj.submitted",
    "aid.lpj_check",
    _("A fund-use report (LPJ) waits for your check: %(title)s"),
)(_lpj_rule("aid.check_lpj", group_too=False))
rule(
    "aid.lpj.returned",
    "aid.lpj_returned",
    _("A fund-use report (LPJ) was returned for correction: %(title)s"),
)(_lpj_rule("aid.add_lpjitem", group_too=True))


def _order_parts(event: Any) -> Found | None:
    """The groups asked to accept a part of an order (sent, or the missing part re-offered)."""
    from sinergi.market.models import PartStatus

    parts = selectors.rows("market.orderpart", order_id=event.object_id, status=PartStatus.PROPOSED)
    kube_ids = set(parts.values_list("kube_id", flat=True))
    if not kube_ids:
        return None
    users = selectors.group_officers(kube_ids, "market.respond_orderpart")
    url = reverse("market:order_detail", args=[event.object_id])
    return Found(f"#{event.object_id}", [Target(u, url) for u in users])


rule(
    "market.order.sent",
    "market.part",
    _("An order part waits for your group's answer: order %(title)s"),
)(_order_parts)
rule(
    "market.order.reallocated",
    "market.part",
    _("An order part waits for your group's answer: order %(title)s"),
)(_order_parts)


@rule(
    "mentoring.match.sent",
    "mentoring.offer",
    _("A group is offered to you for mentoring: %(title)s"),
)
def _offers(event: Any) -> Found | None:
    from sinergi.mentoring.models import AssignmentStatus

    offers = selectors.rows(
        "mentoring.assignment", run_id=event.object_id, status=AssignmentStatus.OFFERED
    ).select_related("kube")
    by_mentor: dict[int, list[str]] = {}
    for offer in offers:
        by_mentor.setdefault(offer.mentor_id, []).append(offer.kube.name)
    if not by_mentor:
        return None
    url = reverse("mentoring:group_list")
    # Each mentor's message names the groups offered to that mentor only.
    targets = [
        Target(u, url, ", ".join(sorted(by_mentor.get(u.mentor_id or 0, []))[:3]))
        for u in selectors.mentor_accounts(by_mentor)
    ]
    return Found("", targets)


def _returned_report(url_name: str, author_field: str, month_field: str) -> Finder:
    """A report sent back for correction goes back to the person who wrote it."""

    def find(event: Any) -> Found | None:
        report = selectors.row(event.object_type, event.object_id, "kube")
        if report is None:
            return None
        author = selectors.row("accounts.user", getattr(report, author_field))
        if author is None or not author.is_active:
            return None
        month = getattr(report, month_field)
        url = reverse(url_name, args=[report.kube_id, f"{month:%Y-%m}"])
        return Found(report.kube.name, _visible([author], event, url))

    return find


rule(
    "monitoring.group_report.returned",
    "monitoring.report_returned",
    _("A monthly group report was returned for correction: %(title)s"),
)(_returned_report("monitoring:report", "filed_by_id", "period"))
rule(
    "mentoring.report.returned",
    "mentoring.report_returned",
    _("Your monthly report was returned for correction: %(title)s"),
)(_returned_report("mentoring:report", "author_id", "month"))
