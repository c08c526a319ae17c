"""Every read of aid: programmes, cycles, proposals, transfers and fund-use reports.

Proposals, transfers and reports are scoped by their own area code; a report's purchases by
their report's (``LpjItem.objects.for_user``), so a receipt is never served for a group the
reader may not see, whatever path asks. Programmes and cycles are national or regional
definitions everyone with the permission may read.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from sinergi.aid.models import (
    AidGrant,
    Cycle,
    CycleStatus,
    Disbursement,
    Lpj,
    LpjItem,
    LpjStatus,
    Programme,
    Proposal,
    ProposalStatus,
)
from sinergi.core.scoping import access, user_area
from sinergi.engines import wilayah as regions
from sinergi.kube.models import Kube, Status


def area_level(actor: Any) -> int:
    """0 nation, 1 province, 2 regency: proposals come from a regency, are recommended by a
    province and approved by the centre."""
    area = user_area(actor)
    return 0 if area is None else regions.level_of(area)


def cycle_roles(*, actor: Any) -> dict[str, bool]:
    """Which steps of any cycle the actor's role and level take at all, whatever its status:
    a step outside these is refused as the role's (403), one of these on a closed cycle as
    the cycle's state."""
    level = area_level(actor)
    checker = actor.has_perm("aid.recommend_proposal") and level <= 1
    approver = actor.has_perm("aid.approve_cycle") and level == 0
    return {
        "propose": actor.has_perm("aid.propose_kube") and level == 2,
        "recommend": checker,
        "reject": checker or approver,
        "approve": approver,
        "disburse": actor.has_perm("aid.add_disbursement"),
    }


def cycle_steps(*, actor: Any, cycle: Cycle) -> dict[str, bool]:
    """Which steps of this cycle the actor may take now: the page shows only these (the
    services check again)."""
    is_open = cycle.status == CycleStatus.OPEN
    return {
        step: allowed and (is_open or step == "disburse")
        for step, allowed in cycle_roles(actor=actor).items()
    }


def _used() -> Any:
    approved = Q(cycles__proposals__status=ProposalStatus.APPROVED)
    return Coalesce(Sum("cycles__proposals__amount", filter=approved), Value(0))


def programme_list(*, actor: Any) -> QuerySet[Programme]:
    """Programmes with ``used`` (rupiah approved so far) for whoever may read them."""
    if not actor.has_perm("aid.view_programme"):
        return Programme.objects.none()
    return Programme.objects.annotate(used=_used()).prefetch_related("cycles")


def programme_get(*, actor: Any, pk: int) -> Programme:
    programme = programme_list(actor=actor).filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme


def cycle_list(*, actor: Any) -> QuerySet[Cycle]:
    if not actor.has_perm("aid.view_cycle"):
        return Cycle.objects.none()
    return Cycle.objects.select_related("programme")


def cycle_get(*, actor: Any, pk: int) -> Cycle:
    cycle = cycle_list(actor=actor).filter(pk=pk).first()
    if cycle is None:
        raise Http404
    return cycle


def proposal_list(*, actor: Any, cycle_id: int | None = None) -> QuerySet[Proposal]:
    """Proposals in the actor's area, with ``paid`` (rupiah transferred so far)."""
    qs = Proposal.objects.for_user(actor)
    if cycle_id is not None:
        qs = qs.filter(cycle_id=cycle_id)
    return qs.select_related("kube__village", "cycle").annotate(
        paid=Coalesce(Sum("disbursements__amount"), Value(0))
    )


def proposal_get(*, actor: Any, pk: int) -> Proposal:
    return access(Proposal.objects.select_related("kube", "cycle__programme"), actor=actor, pk=pk)


def proposal_choices(
    *, actor: Any, cycle: Cycle, q: str = "", limit: int = 20, kube_id: int | None = None
) -> list[tuple[Kube, str]]:
    """Groups a regency officer may look at for ``cycle``, each with why it cannot be
    proposed ("" when it can): the picker greys those out instead of refusing after a save.
    The services check every rule again."""
    if not cycle_steps(actor=actor, cycle=cycle)["propose"]:
        return []
    programme = cycle.programme
    qs = (
        Kube.objects.for_user(actor)
        .filter(status__in=[Status.VERIFIED, Status.ACTIVE])
        .select_related("village")
        .annotate(
            proposed_here=Exists(Proposal.objects.filter(cycle=cycle, kube=OuterRef("pk"))),
            aided=Exists(AidGrant.objects.filter(kube=OuterRef("pk"))),
        )
        .order_by("name", "pk")
    )
    if kube_id is not None:
        qs = qs.filter(pk=kube_id)
    for word in q.split()[:4]:
        qs = qs.filter(name__icontains=word)
    rows: list[tuple[Kube, str]] = []
    for kube in qs[:limit]:
        reason = ""
        if kube.status != Status.ACTIVE:
            reason = _("not active yet (status: %(status)s)") % {
                "status": kube.get_status_display()
            }
        elif getattr(kube, "proposed_here", False):
            reason = _("already proposed in this cycle")
        elif getattr(kube, "aided", False) and not programme.allow_previously_aided:
            reason = _("received KUBE aid before")
        elif programme.area_code and not regions.in_area(kube.area_code, programme.area_code):
            reason = _("outside the programme's area")
        rows.append((kube, reason))
    return rows


def disbursement_list(*, actor: Any, proposal_id: int | None = None) -> QuerySet[Disbursement]:
    qs = Disbursement.objects.for_user(actor)
    if proposal_id is not None:
        qs = qs.filter(proposal_id=proposal_id)
    return qs


def paid_total(proposal: Proposal) -> int:
    return int(proposal.disbursements.aggregate(total=Sum("amount"))["total"] or 0)


def lpj_list(*, actor: Any) -> QuerySet[Lpj]:
    return Lpj.objects.for_user(actor).select_related("proposal__kube")


def lpj_of(*, actor: Any, proposal_id: int) -> tuple[Proposal, Lpj | None]:
    """The proposal (404 outside the actor's area) and its report, if one was started."""
    proposal = proposal_get(actor=actor, pk=proposal_id)
    return proposal, Lpj.objects.filter(proposal=proposal).first()


def lpj_totals(lpj: Lpj) -> dict[str, int]:
    spent = int(lpj.items.aggregate(total=Sum("amount"))["total"] or 0)
    received = int(lpj.proposal.disbursements.aggregate(total=Sum("amount"))["total"] or 0)
    return {"spent": spent, "received": received, "difference": received - spent}


def lpj_item_get(*, actor: Any, proposal_id: int, item_id: int) -> LpjItem:
    """One purchase of a report the actor may read (its receipt is financial data)."""
    return access(
        LpjItem.objects.filter(lpj__proposal_id=proposal_id),
        actor=actor,
        permission="aid.view_lpj",
        pk=item_id,
    )


EXPORT_HEADERS = {
    "approved": ["kube", "kode_desa", "desa", "jenis_usaha", "anggota", "jumlah_rp"],
    "disbursement": [
        "kube",
        "kode_desa",
        "bank",
        "rekening",
        "atas_nama",
        "disetujui_rp",
        "disalurkan_rp",
        "sisa_rp",
    ],
}


def cycle_export_rows(*, actor: Any, cycle_id: int, sheet: str) -> list[list[Any]]:
    """The rows of a cycle's approved list or disbursement sheet in the actor's area."""
    proposals: Any = (
        proposal_list(actor=actor, cycle_id=cycle_id)
        .filter(status=ProposalStatus.APPROVED)
        .select_related("kube__business_type")
        .order_by("area_code", "kube__name")
    )
    if sheet == "approved":
        return [
            [
                p.kube.name,
                p.area_code,
                p.kube.village.name,
                p.kube.business_type.label,
                p.member_count,
                p.amount,
            ]
            for p in proposals
        ]
    return [
        [
            p.kube.name,
            p.area_code,
            p.kube.bank_name,
            p.kube.bank_account,
            p.kube.bank_account_holder,
            p.amount,
            p.paid,
            p.amount - p.paid,
        ]
        for p in proposals
    ]


# What waits for the actor (core.inbox; aid/inbox.py) ------------------------------------------


def waiting_recommendation(*, actor: Any) -> QuerySet[Proposal]:
    """Proposals of open cycles waiting for the province's recommendation, oldest first: for
    a provincial office with the permission, without those it proposed itself (four eyes).
    The centre may also recommend (``cycle_roles``), but the step is the province's, so it
    waits for the centre's approval of the cycle instead."""
    if not actor.has_perm("aid.recommend_proposal") or area_level(actor) != 1:
        return Proposal.objects.none()
    return (
        Proposal.objects.for_user(actor)
        .filter(status=ProposalStatus.PROPOSED, cycle__status=CycleStatus.OPEN)
        .exclude(proposed_by=actor)
        .select_related("kube", "cycle__programme")
        .order_by("updated_at", "pk")
    )


def waiting_approval(*, actor: Any) -> QuerySet[Cycle]:
    """Open cycles with recommended proposals, for the centre's approver, oldest waiting first
    (``waiting_since``: the first recommendation); a cycle where the actor proposed or
    recommended one of them is left out (four eyes)."""
    if not actor.has_perm("aid.approve_cycle") or area_level(actor) != 0:
        return Cycle.objects.none()
    recommended = Proposal.objects.filter(cycle=OuterRef("pk"), status=ProposalStatus.RECOMMENDED)
    own = recommended.filter(Q(proposed_by=actor) | Q(recommended_by=actor))
    first = recommended.order_by("updated_at").values("updated_at")[:1]
    return (
        Cycle.objects.filter(status=CycleStatus.OPEN)
        .filter(Exists(recommended))
        .exclude(Exists(own))
        .annotate(waiting_since=Subquery(first))
        .select_related("programme")
        .order_by("waiting_since", "pk")
    )


def waiting_lpj_check(*, actor: Any) -> QuerySet[Lpj]:
    """Submitted fund-use reports the actor may accept or return, oldest first, without those
    the actor submitted (four eyes)."""
    if not actor.has_perm("aid.check_lpj"):
        return Lpj.objects.none()
    return (
        Lpj.objects.for_user(actor)
        .filter(status=LpjStatus.SUBMITTED)
        .exclude(submitted_by=actor)
        .select_related("proposal__kube")
        .order_by("updated_at", "pk")
    )


def waiting_lpj_write(*, actor: Any) -> QuerySet[Proposal]:
    """For a group's own officer: paid aid whose fund-use report is not written yet, or was
    returned for correction (``lpj_status``: "", draft or returned), oldest first."""
    if not actor.has_perm("aid.add_lpjitem") or getattr(actor, "kube_id", None) is None:
        return Proposal.objects.none()
    lpj = Lpj.objects.filter(proposal=OuterRef("pk"))
    paid = Disbursement.objects.filter(proposal=OuterRef("pk")).order_by("day")
    return (
        Proposal.objects.for_user(actor)
        .filter(status=ProposalStatus.APPROVED)
        .filter(Exists(paid))
        .exclude(Exists(lpj.filter(status__in=[LpjStatus.SUBMITTED, LpjStatus.ACCEPTED])))
        .annotate(
            lpj_status=Coalesce(Subquery(lpj.values("status")[:1]), Value("")),
            lpj_since=Subquery(lpj.values("updated_at")[:1]),
            paid_on=Subquery(paid.values("day")[:1]),
        )
        .select_related("kube")
        .order_by("paid_on", "pk")
    )
