"""Proposals flow regency → province → centre; whoever proposes or recommends cannot approve.

Each service locks the rows it changes, re-checks state inside the transaction and writes its
audit event there, so two officers approving one cycle at once end with one approval and one
clear refusal.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
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
from sinergi.core.errors import Forbidden, InvalidInput, require_permission
from sinergi.core.models import AuditEvent
from sinergi.core.money import rupiah
from sinergi.core.scoping import access, user_area
from sinergi.core.uploads import DOCUMENT_TYPES, clean_upload
from sinergi.engines import wilayah as regions
from sinergi.kube.models import Kube, Status
from sinergi.kube.services import kube_failures


def _level(actor: Any) -> int:
    """0 nation, 1 province, 2 regency."""
    area = user_area(actor)
    return 0 if area is None else regions.level_of(area)


def budget_used(programme: Programme) -> int:
    return int(
        Proposal.objects.filter(
            cycle__programme=programme, status=ProposalStatus.APPROVED
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )


def budget_remaining(programme: Programme) -> int:
    return programme.budget_ceiling - budget_used(programme)


@transaction.atomic
def proposal_create(*, actor: Any, cycle_id: int, kube_id: int) -> Proposal:
    """A regency officer proposes a verified or active group that meets every rule."""
    if not actor.has_perm("aid.propose_kube") or _level(actor) != 2:
        raise Forbidden(_("Only a regency social office can propose groups."))
    cycle = (
        Cycle.objects.select_for_update().select_related("programme").filter(pk=cycle_id).first()
    )
    if cycle is None or cycle.status != CycleStatus.OPEN:
        raise InvalidInput(_("This cycle is not open for proposals."), field="cycle")
    kube = access(Kube.objects, actor=actor, pk=kube_id)
    programme = cycle.programme
    if kube.status not in (Status.VERIFIED, Status.ACTIVE):
        raise InvalidInput(_("Only verified or active groups can be proposed."), field="kube")
    if programme.area_code and not regions.in_area(kube.area_code, programme.area_code):
        raise InvalidInput(_("This group is outside the programme's area."), field="kube")
    if kube_failures(kube, max_desil=programme.max_desil):
        raise InvalidInput(_("The group no longer meets the formation rules."), field="kube")
    # Aid is once per group, whichever programme or cycle gave it, unless the programme allows;
    # checked here to refuse early, and again by the approval under its locks.
    if AidGrant.objects.filter(kube=kube).exists() and not programme.allow_previously_aided:
        raise InvalidInput(_("This group has received KUBE aid before."), field="kube")
    if Proposal.objects.filter(cycle=cycle, kube=kube).exists():
        raise InvalidInput(_("This group is already proposed in this cycle."), field="kube")
    members = kube.memberships.filter(end_date__isnull=True).count()
    proposal = Proposal.objects.create(
        cycle=cycle,
        kube=kube,
        area_code=kube.area_code,
        member_count=members,
        amount=programme.amount_for(members),
        proposed_by=actor,
    )
    AuditEvent.record(
        "aid.proposal.proposed",
        actor=actor,
        obj=proposal,
        area_code=proposal.area_code,
        data={"amount": proposal.amount},
    )
    return proposal


def _locked(actor: Any, proposal_id: int) -> Proposal:
    return access(Proposal.objects.select_related("cycle"), actor=actor, lock=True, pk=proposal_id)


@transaction.atomic
def proposal_recommend(*, actor: Any, proposal_id: int) -> Proposal:
    """The province recommends; the person who proposed cannot."""
    if not actor.has_perm("aid.recommend_proposal") or _level(actor) > 1:
        raise Forbidden(_("Only a provincial social office can recommend proposals."))
    proposal = _locked(actor, proposal_id)
    if proposal.cycle.status != CycleStatus.OPEN or proposal.status != ProposalStatus.PROPOSED:
        raise InvalidInput(_("This proposal cannot be recommended now."), field="status")
    if proposal.proposed_by_id == actor.pk:
        raise InvalidInput(_("You proposed this group; another person must recommend it."))
    proposal.status, proposal.recommended_by = ProposalStatus.RECOMMENDED, actor
    proposal.save(update_fields=["status", "recommended_by", "updated_at"])
    AuditEvent.record(
        "aid.proposal.recommended", actor=actor, obj=proposal, area_code=proposal.area_code
    )
    return proposal


@transaction.atomic
def proposal_reject(*, actor: Any, proposal_id: int, reason: str) -> Proposal:
    require_permission(actor, "aid.recommend_proposal", "aid.approve_cycle")
    if not reason.strip():
        raise InvalidInput(_("Give a reason for this step."), field="reason")
    proposal = _locked(actor, proposal_id)
    if proposal.cycle.status != CycleStatus.OPEN or proposal.status not in (
        ProposalStatus.PROPOSED,
        ProposalStatus.RECOMMENDED,
    ):
        raise InvalidInput(_("This proposal cannot be rejected now."), field="status")
    if proposal.proposed_by_id == actor.pk:
        raise InvalidInput(_("You proposed this group; another person must decide."))
    proposal.status, proposal.decided_reason = ProposalStatus.REJECTED, reason.strip()[:300]
    proposal.save(update_fields=["status", "decided_reason", "updated_at"])
    AuditEvent.record(
        "aid.proposal.rejected",
        actor=actor,
        obj=proposal,
        area_code=proposal.area_code,
        reason=reason.strip(),
    )
    return proposal


@transaction.atomic
def cycle_approve(*, actor: Any, cycle_id: int) -> Cycle:
    """The centre approves every recommended proposal of a cycle and freezes it.

    Refused when the cycle is already approved (a second approver arriving a moment late),
    when the approver proposed or recommended any of its groups, when the programme's
    budget ceiling would be exceeded, or when the programme aids only groups never aided and
    one of them was aided meanwhile (another cycle approved since it was proposed); then
    nothing changes. Locks, always in this order: the cycle, its proposals, the programme
    (budget), the groups by id (aid once per group, whichever programme approves it).
    """
    if not actor.has_perm("aid.approve_cycle") or _level(actor) != 0:
        raise Forbidden(_("Only the centre can approve a cycle."))
    cycle = (
        Cycle.objects.select_for_update().select_related("programme").filter(pk=cycle_id).first()
    )
    if cycle is None:
        raise InvalidInput(_("No such cycle."), field="cycle")
    if cycle.status != CycleStatus.OPEN:
        raise InvalidInput(_("This cycle is already approved."), field="cycle")
    proposals = list(
        Proposal.objects.select_for_update(of=("self",))
        .filter(cycle=cycle, status=ProposalStatus.RECOMMENDED)
        .select_related("kube")
        .order_by("pk")
    )
    if not proposals:
        raise InvalidInput(_("The cycle has no recommended proposals to approve."))
    if any(actor.pk in (p.proposed_by_id, p.recommended_by_id) for p in proposals):
        raise InvalidInput(
            _("You proposed or recommended groups in this cycle; another person must approve it.")
        )
    programme = Programme.objects.select_for_update().get(pk=cycle.programme_id)
    total = sum(p.amount for p in proposals)
    remaining = budget_remaining(programme)
    if total > remaining:
        raise InvalidInput(
            _("Approving Rp%(total)s would exceed the budget: Rp%(remaining)s remains.")
            % {
                "total": rupiah(total),
                "remaining": rupiah(remaining),
            }
        )
    numbers = _grant_numbers(programme, proposals)
    Proposal.objects.filter(pk__in=[p.pk for p in proposals]).update(
        status=ProposalStatus.APPROVED, updated_at=timezone.now()
    )
    AidGrant.objects.bulk_create(
        AidGrant(
            proposal=p,
            kube_id=p.kube_id,
            programme=programme,
            number=numbers[p.kube_id],
            first_only=not programme.allow_previously_aided,
        )
        for p in proposals
    )
    cycle.status, cycle.approved_by, cycle.approved_at = (
        CycleStatus.APPROVED,
        actor,
        timezone.now(),
    )
    cycle.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    AuditEvent.record(
        "aid.cycle.approved",
        actor=actor,
        obj=cycle,
        data={"proposals": len(proposals), "total": total},
    )
    return cycle


def _grant_numbers(programme: Programme, proposals: list[Proposal]) -> dict[int, int]:
    """Each proposed group's next grant number, refusing groups the programme may not aid.

    The groups' rows are locked (in id order, so approvals never wait on each other in a
    circle) before their grants are read: a concurrent approval of another cycle holding one
    of these groups, of this programme or another, finishes first and its grant is seen here.
    """
    kube_ids = sorted({p.kube_id for p in proposals})
    list(Kube.objects.select_for_update().filter(pk__in=kube_ids).order_by("pk").values("pk"))
    last: dict[int, int] = {}
    for kube_id, number in AidGrant.objects.filter(kube_id__in=kube_ids).values_list(
        "kube_id", "number"
    ):
        last[kube_id] = max(number, last.get(kube_id, 0))
    if last and not programme.allow_previously_aided:
        names = sorted(p.kube.name for p in proposals if p.kube_id in last)
        raise InvalidInput(
            _(
                "Already aided, and this programme does not allow previously aided groups: "
                "%(groups)s. Reject their proposals, then approve the cycle."
            )
            % {"groups": ", ".join(names)},
            field="cycle",
        )
    return {kube_id: last.get(kube_id, 0) + 1 for kube_id in kube_ids}


@transaction.atomic
def disbursement_record(
    *, actor: Any, proposal_id: int, amount: int, day: Any, reference: str
) -> Disbursement:
    """Record a transfer to the group's account; the total can never pass the approved amount."""
    require_permission(actor, "aid.add_disbursement")
    proposal = _locked(actor, proposal_id)
    if proposal.status != ProposalStatus.APPROVED:
        raise InvalidInput(_("Only approved proposals can be disbursed."), field="proposal")
    reference = reference.strip()
    if not reference:
        raise InvalidInput(_("Give the bank reference of the transfer."), field="reference")
    if Disbursement.objects.filter(reference=reference).exists():
        raise InvalidInput(_("This bank reference is already recorded."), field="reference")
    if amount <= 0:
        raise InvalidInput(_("The amount must be a positive number of rupiah."), field="amount")
    paid = int(proposal.disbursements.aggregate(total=Sum("amount"))["total"] or 0)
    if paid + amount > proposal.amount:
        raise InvalidInput(
            _("Rp%(amount)s would exceed the approved amount: Rp%(left)s is left to pay.")
            % {"amount": rupiah(amount), "left": rupiah(proposal.amount - paid)},
            field="amount",
        )
    account = proposal.kube.bank_account
    if not account:
        raise InvalidInput(_("The group has no bank account on record."), field="proposal")
    disbursement = Disbursement.objects.create(
        proposal=proposal,
        amount=amount,
        day=day,
        reference=reference,
        account=account,
        area_code=proposal.area_code,
        created_by=actor,
    )
    AuditEvent.record(
        "aid.disbursement.recorded",
        actor=actor,
        obj=disbursement,
        area_code=disbursement.area_code,
        data={"amount": amount},
    )
    return disbursement


def statement_reconcile(*, actor: Any, text: str) -> Any:
    """Compare a bank statement (CSV) with the transfers the actor may see; audited."""
    from sinergi.engines.reconcile import Transfer, read_statement, reconcile

    require_permission(actor, "aid.reconcile_disbursement")
    rows, problems = read_statement(text)
    if problems and problems[0] == (1, "header"):
        raise InvalidInput(
            _("The statement needs the header: reference,account,amount,date"), field="file"
        )
    ours = [
        Transfer(d.reference, d.account, d.amount, d.day)
        for d in Disbursement.objects.for_user(actor)
    ]
    result = reconcile(ours, rows)
    result.problems = problems
    AuditEvent.record(
        "aid.statement.reconciled",
        actor=actor,
        area_code=user_area(actor) or "",
        data={
            "matched": len(result.matched),
            "mismatched": len(result.mismatched),
            "unknown": len(result.unknown),
            "missing": len(result.missing),
        },
    )
    return result


RECEIPT_MAX = 5 * 1024 * 1024


def lpj_totals(lpj: Lpj) -> dict[str, int]:
    spent = int(lpj.items.aggregate(total=Sum("amount"))["total"] or 0)
    received = int(lpj.proposal.disbursements.aggregate(total=Sum("amount"))["total"] or 0)
    return {"spent": spent, "received": received, "difference": received - spent}


def _lpj_for_write(actor: Any, proposal_id: int) -> Lpj:
    proposal = _locked(actor, proposal_id)
    if proposal.status != ProposalStatus.APPROVED or not proposal.disbursements.exists():
        raise InvalidInput(_("A fund-use report follows a disbursement."), field="proposal")
    lpj, _created = Lpj.objects.get_or_create(
        proposal=proposal, defaults={"area_code": proposal.area_code}
    )
    return Lpj.objects.select_for_update().get(pk=lpj.pk)


@transaction.atomic
def lpj_add_item(
    *, actor: Any, proposal_id: int, description: str, amount: int, day: Any, receipt: Any
) -> LpjItem:
    """Add a purchase with its receipt (JPEG, PNG or PDF, at most 5 MB) to a report in writing."""
    require_permission(actor, "aid.add_lpjitem")
    lpj = _lpj_for_write(actor, proposal_id)
    if lpj.status not in (LpjStatus.DRAFT, LpjStatus.RETURNED):
        raise InvalidInput(_("This report is submitted; it cannot change now."), field="status")
    if not description.strip():
        raise InvalidInput(_("Say what was bought."), field="description")
    if amount <= 0:
        raise InvalidInput(_("The amount must be a positive number of rupiah."), field="amount")
    receipt = clean_upload(
        receipt,
        kinds=DOCUMENT_TYPES,
        max_bytes=RECEIPT_MAX,
        missing=_("Attach the receipt: a photo or PDF of at most 5 MB."),
        wrong_kind=_("The receipt must be a JPEG or PNG photo, or a PDF."),
        field="receipt",
    )
    item = LpjItem.objects.create(
        lpj=lpj, description=description.strip()[:200], amount=amount, day=day, receipt=receipt
    )
    AuditEvent.record(
        "aid.lpj.item_added", actor=actor, obj=lpj, area_code=lpj.area_code, data={"amount": amount}
    )
    return item


@transaction.atomic
def lpj_submit(*, actor: Any, proposal_id: int) -> Lpj:
    require_permission(actor, "aid.add_lpjitem")
    lpj = _lpj_for_write(actor, proposal_id)
    if lpj.status not in (LpjStatus.DRAFT, LpjStatus.RETURNED) or not lpj.items.exists():
        raise InvalidInput(_("Add the purchases before submitting."), field="status")
    lpj.status = LpjStatus.SUBMITTED
    lpj.save(update_fields=["status", "updated_at"])
    AuditEvent.record(
        "aid.lpj.submitted", actor=actor, obj=lpj, area_code=lpj.area_code, data=lpj_totals(lpj)
    )
    return lpj


@transaction.atomic
def lpj_check(*, actor: Any, proposal_id: int, accept: bool, note: str = "") -> Lpj:
    """The facilitator accepts a report whose totals reconcile, or returns it with a note."""
    require_permission(actor, "aid.check_lpj")
    proposal = access(Proposal.objects, actor=actor, pk=proposal_id)
    lpj = Lpj.objects.select_for_update().filter(proposal=proposal).first()
    if lpj is None or lpj.status != LpjStatus.SUBMITTED:
        raise InvalidInput(_("There is no submitted report to check."), field="status")
    totals = lpj_totals(lpj)
    if accept and totals["difference"] != 0:
        raise InvalidInput(
            _(
                "Spent Rp%(spent)s against Rp%(received)s received: the difference of "
                "Rp%(difference)s must be explained before the report can be accepted."
            )
            % {k: rupiah(v) for k, v in totals.items()},
            field="status",
        )
    if not accept and not note.strip():
        raise InvalidInput(_("Say what must be corrected."), field="note")
    lpj.status = LpjStatus.ACCEPTED if accept else LpjStatus.RETURNED
    lpj.checked_by, lpj.check_note = actor, note.strip()[:300]
    lpj.save(update_fields=["status", "checked_by", "check_note", "updated_at"])
    AuditEvent.record(
        f"aid.lpj.{lpj.status}",
        actor=actor,
        obj=lpj,
        area_code=lpj.area_code,
        reason=note.strip(),
        data=totals,
    )
    return lpj
