"""Proposals flow regency → province → centre; whoever proposes or recommends cannot approve.

Each service locks the rows it changes, re-checks state inside the transaction and writes its
audit event there, so two officers approving one cycle at once end with one approval and one
clear refusal. Aid goes to active groups only: proposing, approving and paying each check it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.aid import events, selectors
from sinergi.aid.models import (
    AidGrant,
    AmountRule,
    Cycle,
    CycleStatus,
    Disbursement,
    FundingSource,
    Lpj,
    LpjItem,
    LpjStatus,
    Programme,
    Proposal,
    ProposalStatus,
    StatementProfile,
)
from sinergi.core.errors import Forbidden, InvalidInput, NotFound, require_permission
from sinergi.core.events import EventType, snapshot
from sinergi.core.four_eyes import refusal, require_different
from sinergi.core.models import AuditEvent
from sinergi.core.money import rupiah
from sinergi.core.scoping import access, user_area
from sinergi.core.uploads import DOCUMENT_TYPES, clean_upload
from sinergi.engines import statements
from sinergi.engines import wilayah as regions
from sinergi.engines.reconcile import Transfer, reconcile
from sinergi.kube.models import Kube, Status
from sinergi.kube.services import kube_failures

_level = selectors.area_level


def _status_words(kube: Kube) -> str:
    return _("%(group)s (status: %(status)s)") % {
        "group": kube.name,
        "status": kube.get_status_display(),
    }


def _require_active(kube: Kube, *, field: str = "kube") -> None:
    """Aid is only for active groups: a verified group has not started its business yet."""
    if kube.status != Status.ACTIVE:
        raise InvalidInput(
            _("Aid is only for active groups: %(group)s is not active.")
            % {"group": _status_words(kube)},
            field=field,
        )


def budget_used(programme: Programme) -> int:
    return int(
        Proposal.objects.filter(
            cycle__programme=programme, status=ProposalStatus.APPROVED
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )


def budget_remaining(programme: Programme) -> int:
    return programme.budget_ceiling - budget_used(programme)


# --- programmes and cycles (the centre) ---------------------------------------------------

PROGRAMME_FIELDS = (
    "name",
    "year",
    "funding_source",
    "amount_rule",
    "amount",
    "cap",
    "budget_ceiling",
    "area_code",
    "allow_previously_aided",
    "max_desil",
)


def _clean_programme(values: dict[str, Any]) -> dict[str, Any]:
    clean = {k: values[k] for k in PROGRAMME_FIELDS if k in values}
    if "name" in clean:
        clean["name"] = str(clean["name"]).strip()[:150]
        if not clean["name"]:
            raise InvalidInput(_("Give the programme a name."), field="name")
    if "funding_source" in clean and clean["funding_source"] not in FundingSource.values:
        raise InvalidInput(_("Choose one of the funding sources."), field="funding_source")
    if "amount_rule" in clean and clean["amount_rule"] not in AmountRule.values:
        raise InvalidInput(_("Choose one of the amount rules."), field="amount_rule")
    for name in ("amount", "budget_ceiling"):
        if name in clean and (clean[name] is None or clean[name] <= 0):
            raise InvalidInput(_("The amount must be a positive number of rupiah."), field=name)
    if clean.get("cap") is not None and clean["cap"] <= 0:
        raise InvalidInput(_("The amount must be a positive number of rupiah."), field="cap")
    if "area_code" in clean:
        clean["area_code"] = (clean["area_code"] or "").strip()
        if clean["area_code"] and regions.level_of(clean["area_code"]) > 2:
            raise InvalidInput(
                _("A programme covers the nation, a province or a regency."), field="area_code"
            )
    if clean.get("max_desil") is not None and not 1 <= clean["max_desil"] <= 10:
        raise InvalidInput(_("The decile is a number from 1 to 10."), field="max_desil")
    return clean


def programme_check(
    values: dict[str, Any], *, programme: Programme | None = None
) -> dict[str, Any]:
    """The values a programme may take, or InvalidInput naming the field: what the services
    and the admin's form check alike (a ceiling never below what ``programme`` has approved)."""
    clean = _clean_programme(values)
    if programme is not None:
        used = budget_used(programme)
        if clean.get("budget_ceiling", programme.budget_ceiling) < used:
            raise InvalidInput(
                _("Rp%(used)s is already approved; the ceiling cannot be lower.")
                % {"used": rupiah(used)},
                field="budget_ceiling",
            )
    return clean


@transaction.atomic
def programme_create(*, actor: Any, **values: Any) -> Programme:
    """The centre defines a year's programme: funding source, amount rule and budget."""
    require_permission(actor, "aid.add_programme")
    clean = _clean_programme(values)
    missing = [k for k in ("name", "year", "funding_source", "amount_rule") if not clean.get(k)]
    missing += [k for k in ("amount", "budget_ceiling") if k not in clean]
    if missing:
        raise InvalidInput(_("This field is required."), field=missing[0])
    programme = Programme.objects.create(**clean)
    AuditEvent.record(
        events.PROGRAMME_CREATED,
        actor=actor,
        obj=programme,
        area_code=programme.area_code,
        after=snapshot(programme, *PROGRAMME_FIELDS),
    )
    return programme


@transaction.atomic
def programme_update(*, actor: Any, programme_id: int, **values: Any) -> Programme:
    """Change a programme; its ceiling can never fall below what is already approved."""
    require_permission(actor, "aid.change_programme")
    programme = Programme.objects.select_for_update().filter(pk=programme_id).first()
    if programme is None:
        raise NotFound(_("No such programme."))
    clean = programme_check(values, programme=programme)
    before = snapshot(programme, *PROGRAMME_FIELDS)
    for name, value in clean.items():
        setattr(programme, name, value)
    programme.save()
    AuditEvent.record(
        events.PROGRAMME_CHANGED,
        actor=actor,
        obj=programme,
        area_code=programme.area_code,
        before=before,
        after=snapshot(programme, *PROGRAMME_FIELDS),
    )
    return programme


@transaction.atomic
def cycle_create(*, actor: Any, programme_id: int) -> Cycle:
    """Open the programme's next cycle (tahap) for proposals."""
    require_permission(actor, "aid.add_cycle")
    programme = Programme.objects.select_for_update().filter(pk=programme_id).first()
    if programme is None:
        raise NotFound(_("No such programme."))
    last = programme.cycles.aggregate(last=Max("number"))["last"] or 0
    cycle = Cycle.objects.create(programme=programme, number=last + 1)
    AuditEvent.record(
        events.CYCLE_CREATED,
        actor=actor,
        obj=cycle,
        area_code=programme.area_code,
        after=snapshot(cycle, "number", "status"),
    )
    return cycle


# --- proposals and the cycle's approval --------------------------------------------------


@transaction.atomic
def proposal_create(*, actor: Any, cycle_id: int, kube_id: int) -> Proposal:
    """A regency officer proposes an active group that meets every rule."""
    if not actor.has_perm("aid.propose_kube") or _level(actor) != 2:
        raise Forbidden(_("Only a regency social office can propose groups."))
    cycle = (
        Cycle.objects.select_for_update().select_related("programme").filter(pk=cycle_id).first()
    )
    if cycle is None or cycle.status != CycleStatus.OPEN:
        raise InvalidInput(_("This cycle is not open for proposals."), field="cycle")
    kube = access(Kube.objects, actor=actor, pk=kube_id)
    programme = cycle.programme
    _require_active(kube)
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
        events.PROPOSAL_PROPOSED,
        actor=actor,
        obj=proposal,
        area_code=proposal.area_code,
        data={"amount": proposal.amount, "members": members},
        after=snapshot(proposal, "status"),
    )
    return proposal


def _locked(actor: Any, proposal_id: int) -> Proposal:
    return access(
        Proposal.objects.select_related("cycle", "kube"), actor=actor, lock=True, pk=proposal_id
    )


@transaction.atomic
def proposal_recommend(*, actor: Any, proposal_id: int) -> Proposal:
    """The province recommends; the person who proposed cannot."""
    if not actor.has_perm("aid.recommend_proposal") or _level(actor) > 1:
        raise Forbidden(_("Only a provincial social office can recommend proposals."))
    proposal = _locked(actor, proposal_id)
    if proposal.cycle.status != CycleStatus.OPEN or proposal.status != ProposalStatus.PROPOSED:
        raise InvalidInput(_("This proposal cannot be recommended now."), field="status")
    require_different(
        actor,
        proposal.proposed_by_id,
        message=_("You proposed this group; another person must recommend it."),
    )
    before = snapshot(proposal, "status", "recommended_by")
    proposal.status, proposal.recommended_by = ProposalStatus.RECOMMENDED, actor
    proposal.save(update_fields=["status", "recommended_by", "updated_at"])
    AuditEvent.record(
        events.PROPOSAL_RECOMMENDED,
        actor=actor,
        obj=proposal,
        area_code=proposal.area_code,
        before=before,
        after=snapshot(proposal, "status", "recommended_by"),
    )
    return proposal


@transaction.atomic
def proposal_reject(*, actor: Any, proposal_id: int, reason: str) -> Proposal:
    """The province or the centre turns a proposal down, saying why."""
    require_permission(actor, "aid.recommend_proposal", "aid.approve_cycle")
    if _level(actor) > 1:
        raise Forbidden(_("Only the province or the centre can reject proposals."))
    if not reason.strip():
        raise InvalidInput(_("Give a reason for this step."), field="reason")
    proposal = _locked(actor, proposal_id)
    if proposal.cycle.status != CycleStatus.OPEN or proposal.status not in (
        ProposalStatus.PROPOSED,
        ProposalStatus.RECOMMENDED,
    ):
        raise InvalidInput(_("This proposal cannot be rejected now."), field="status")
    require_different(
        actor,
        proposal.proposed_by_id,
        message=_("You proposed this group; another person must decide."),
    )
    before = snapshot(proposal, "status")
    proposal.status, proposal.decided_reason = ProposalStatus.REJECTED, reason.strip()[:300]
    proposal.save(update_fields=["status", "decided_reason", "updated_at"])
    AuditEvent.record(
        events.PROPOSAL_REJECTED,
        actor=actor,
        obj=proposal,
        area_code=proposal.area_code,
        reason=reason.strip(),
        before=before,
        after=snapshot(proposal, "status"),
    )
    return proposal


def _maker_cannot_approve() -> str:
    return _("You proposed or recommended groups in this cycle; another person must approve it.")


def _maker_cannot_check() -> str:
    return _("You submitted this report; another person must check it.")


def _approver_cannot_pay() -> str:
    return _("You approved this cycle; another person must record its transfers.")


def disbursement_refusal(*, actor: Any, cycle: Cycle) -> str:
    """Why ``actor`` may not record transfers of ``cycle`` (four eyes: who approved the cycle
    does not pay it), or "": pages disable the step and say so."""
    return refusal(actor, cycle.approved_by_id, message=_approver_cannot_pay())


def lpj_check_refusal(*, actor: Any, lpj: Lpj) -> str:
    """Why ``actor`` may not check ``lpj`` (four eyes), or "": the page says it instead of
    offering buttons that would be refused."""
    return refusal(actor, lpj.submitted_by_id, message=_maker_cannot_check())


@dataclass(frozen=True)
class ApprovalPreview:
    """What approving a cycle would do, for the confirmation the approver reads first."""

    proposals: int
    total: int
    remaining: int
    inactive: list[str]
    refusal: str  # four eyes: why this approver may not approve, or ""


def cycle_approval_preview(*, actor: Any, cycle: Cycle) -> ApprovalPreview:
    recommended = Proposal.objects.filter(
        cycle=cycle, status=ProposalStatus.RECOMMENDED
    ).select_related("kube")
    rows = list(recommended)
    makers = [m for p in rows for m in (p.proposed_by_id, p.recommended_by_id)]
    return ApprovalPreview(
        proposals=len(rows),
        total=sum(p.amount for p in rows),
        remaining=budget_remaining(cycle.programme),
        inactive=[_status_words(p.kube) for p in rows if p.kube.status != Status.ACTIVE],
        refusal=refusal(actor, *makers, message=_maker_cannot_approve()),
    )


@transaction.atomic
def cycle_approve(*, actor: Any, cycle_id: int) -> Cycle:
    """The centre approves every recommended proposal of a cycle and freezes it.

    Refused when the cycle is already approved (a second approver arriving a moment late),
    when the approver proposed or recommended any of its groups, when a group is no longer
    active, when the programme's budget ceiling would be exceeded, or when the programme aids
    only groups never aided and one of them was aided meanwhile (another cycle approved since
    it was proposed); then nothing changes. Locks, always in this order: the cycle, its
    proposals, the programme (budget), the groups by id (aid once per group, whichever
    programme approves it).
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
    require_different(
        actor,
        *[m for p in proposals for m in (p.proposed_by_id, p.recommended_by_id)],
        message=_maker_cannot_approve(),
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
    before = snapshot(cycle, "status")
    cycle.status, cycle.approved_by, cycle.approved_at = (
        CycleStatus.APPROVED,
        actor,
        timezone.now(),
    )
    cycle.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    AuditEvent.record(
        events.CYCLE_APPROVED,
        actor=actor,
        obj=cycle,
        data={"proposals": len(proposals), "total": total},
        before=before,
        after=snapshot(cycle, "status"),
    )
    return cycle


def _grant_numbers(programme: Programme, proposals: list[Proposal]) -> dict[int, int]:
    """Each proposed group's next grant number, refusing groups that may not be aided.

    The groups' rows are locked (in id order, so approvals never wait on each other in a
    circle) before their status and grants are read: a concurrent approval of another cycle
    holding one of these groups, of this programme or another, finishes first and its grant is
    seen here; a group closed meanwhile is seen closed.
    """
    kube_ids = sorted({p.kube_id for p in proposals})
    locked = list(Kube.objects.select_for_update().filter(pk__in=kube_ids).order_by("pk"))
    inactive = sorted(_status_words(k) for k in locked if k.status != Status.ACTIVE)
    if inactive:
        raise InvalidInput(
            _(
                "Aid is only for active groups; not active: %(groups)s. Reject their "
                "proposals, then approve the cycle."
            )
            % {"groups": ", ".join(inactive)},
            field="cycle",
        )
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


EXPORT_SHEETS = ("approved", "disbursement")
EXPORT_FORMATS = ("xlsx", "csv")


def cycle_export(*, actor: Any, cycle_id: int, sheet: str) -> tuple[list[str], list[list[Any]]]:
    """A cycle's approved list or disbursement sheet (bank accounts: audited)."""
    require_permission(actor, "aid.view_proposal")
    if sheet not in EXPORT_SHEETS:
        raise InvalidInput(
            _("Choose sheet approved or disbursement, and format xlsx or csv."), field="sheet"
        )
    rows = selectors.cycle_export_rows(actor=actor, cycle_id=cycle_id, sheet=sheet)
    AuditEvent.record(
        events.CYCLE_EXPORTED[sheet],
        actor=actor,
        area_code=user_area(actor) or "",
        data={"rows": len(rows), "cycle": cycle_id},
    )
    return selectors.EXPORT_HEADERS[sheet], rows


# --- money out and its reconciliation ----------------------------------------------------


@transaction.atomic
def disbursement_record(
    *, actor: Any, proposal_id: int, amount: int, day: Any, reference: str
) -> Disbursement:
    """Record a transfer to the group's account; the total can never pass the approved amount,
    and money goes only to a group that is active when it is paid."""
    require_permission(actor, "aid.add_disbursement")
    proposal = _locked(actor, proposal_id)
    if proposal.status != ProposalStatus.APPROVED:
        raise InvalidInput(_("Only approved proposals can be disbursed."), field="proposal")
    approver = Cycle.objects.filter(pk=proposal.cycle_id).values_list("approved_by", flat=True)
    require_different(actor, approver.first(), message=_approver_cannot_pay())
    kube = Kube.objects.select_for_update().get(pk=proposal.kube_id)
    _require_active(kube, field="proposal")
    reference = reference.strip()
    if not reference:
        raise InvalidInput(_("Give the bank reference of the transfer."), field="reference")
    if Disbursement.objects.filter(reference=reference).exists():
        raise InvalidInput(_("This bank reference is already recorded."), field="reference")
    if amount <= 0:
        raise InvalidInput(_("The amount must be a positive number of rupiah."), field="amount")
    paid = selectors.paid_total(proposal)
    if paid + amount > proposal.amount:
        raise InvalidInput(
            _("Rp%(amount)s would exceed the approved amount: Rp%(left)s is left to pay.")
            % {"amount": rupiah(amount), "left": rupiah(proposal.amount - paid)},
            field="amount",
        )
    account = kube.bank_account
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
        events.DISBURSEMENT_RECORDED,
        actor=actor,
        obj=disbursement,
        area_code=disbursement.area_code,
        data={"amount": amount, "paid_before": paid, "paid_after": paid + amount},
    )
    return disbursement


# --- bank statements ------------------------------------------------------------------------

STATEMENT_MAX = 5 * 1024 * 1024


def _problem_text(problem: statements.Problem) -> str:
    """One unreadable line in words: what is wrong, the value found, what was expected."""
    values = {"value": problem.value, "expected": problem.expected}
    if problem.code == "amount":
        text = _(
            "the amount is not a whole number of rupiah: “%(value)s” (expected like %(expected)s)"
        )
        return text % values
    if problem.code == "cents":
        return _("the amount “%(value)s” has a fraction of a rupiah") % values
    if problem.code == "date":
        return _("the date is not a real date: “%(value)s” (expected like %(expected)s)") % values
    if problem.code == "reference":
        return _("no bank reference")
    return problem.code


def _difference_labels() -> dict[str, str]:
    return {
        "account": _("Account number"),
        "amount": _("Amount"),
        "date": _("Transfer date"),
    }


@dataclass(frozen=True)
class Difference:
    """One field where the statement and Sinergi disagree, in words."""

    field: str
    label: str
    expected: str  # what Sinergi recorded
    actual: str  # what the bank's statement says


@dataclass
class StatementCheck:
    """A reconciliation a person can read: each difference with both values."""

    matched: list[str] = field(default_factory=list)
    mismatched: list[tuple[str, list[Difference]]] = field(default_factory=list)
    unknown: list[Any] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # line, code, words
    # The problems' details as read (value found, style expected), beside their words.
    details: list[statements.Problem] = field(default_factory=list)
    profile: str = ""  # the profile the statement was read with
    skipped: int = 0  # lines that are no transfer of the programme (balances, fees, money in)
    by_entry: bool = False  # MT940: problems are numbered by entry, not by line


def _shown(name: str, value: Any) -> str:
    if name == "amount":
        return f"Rp{rupiah(value)}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value) or "—"


def statement_profiles() -> list[StatementProfile]:
    """The active profiles, for the choice on the page and the API (reference data: no area)."""
    return list(StatementProfile.objects.filter(active=True).order_by("name"))


def _read_statement(data: bytes, profile: str) -> statements.Statement:
    """The statement read with the named profile, or with the one its content matches."""
    profiles = statement_profiles()
    chosen = None
    if profile:
        chosen = next((p for p in profiles if p.name == profile), None)
        if chosen is None:
            raise InvalidInput(
                _("There is no statement profile “%(name)s”. Profiles: %(names)s.")
                % {"name": profile[:40], "names": ", ".join(p.name for p in profiles)},
                field="profile",
            )
    try:
        return statements.read(
            data,
            [p.layout() for p in profiles],
            chosen=chosen.layout() if chosen else None,
        )
    except statements.StatementError as exc:
        raise InvalidInput(_statement_error(exc), field="file") from exc


def _statement_error(exc: statements.StatementError) -> str:
    tried = ", ".join(exc.tried)
    if exc.code == "no_layout":
        return _(
            "The file matches none of the statement profiles (tried: %(tried)s). Choose your "
            "bank's profile to see what differs, or ask the administrator to add its layout."
        ) % {"tried": tried}
    if exc.code == "header":
        return _(
            "The file does not have the columns profile %(profile)s expects (%(columns)s) in "
            "its first lines. Check that it is this bank's statement, or choose another profile."
        ) % {"profile": tried, "columns": exc.detail}
    if exc.code == "not_mt940":
        return _("This is not an MT940 file; choose the profile of the file's layout.")
    if exc.code == "mt940":
        return _("The MT940 file could not be read: %(detail)s") % {"detail": exc.detail}
    return _("The file could not be read as a statement: %(detail)s") % {"detail": exc.detail}


def statement_reconcile(*, actor: Any, data: bytes, profile: str = "") -> StatementCheck:
    """Compare a bank statement (a bank's CSV layout or MT940; the profile named, or found
    by content) with the transfers the actor may see; audited."""
    require_permission(actor, "aid.reconcile_disbursement")
    if len(data) > STATEMENT_MAX:
        raise InvalidInput(_("The statement is larger than 5 MB; split it by month."), field="file")
    read = _read_statement(data, profile.strip())
    rows = read.transfers
    ours = [
        Transfer(d.reference, d.account, d.amount, d.day)
        for d in selectors.disbursement_list(actor=actor)
    ]
    result = reconcile(ours, rows)
    recorded = {t.reference: t for t in ours}
    stated: dict[str, Transfer] = {}
    for row in rows:
        stated.setdefault(row.reference, row)
    names = _difference_labels()
    attr = {"account": "account", "amount": "amount", "date": "day"}
    check = StatementCheck(
        matched=result.matched,
        mismatched=[
            (
                reference,
                [
                    Difference(
                        code,
                        names[code],
                        _shown(code, getattr(recorded[reference], attr[code])),
                        _shown(code, getattr(stated[reference], attr[code])),
                    )
                    for code in codes
                ],
            )
            for reference, codes in result.mismatched
        ],
        unknown=result.unknown,
        missing=result.missing,
        problems=[(p.line, p.code, _problem_text(p)) for p in read.problems],
        details=read.problems,
        profile=read.layout,
        skipped=read.skipped,
        by_entry=read.by_entry,
    )
    AuditEvent.record(
        events.STATEMENT_RECONCILED,
        actor=actor,
        area_code=user_area(actor) or "",
        data={
            "profile": read.layout,
            "matched": len(check.matched),
            "mismatched": len(check.mismatched),
            "unknown": len(check.unknown),
            "missing": len(check.missing),
        },
    )
    return check


# --- the group's fund-use report (LPJ) ---------------------------------------------------

RECEIPT_MAX = 5 * 1024 * 1024
lpj_totals = selectors.lpj_totals


def _lpj_for_write(actor: Any, proposal_id: int) -> Lpj:
    """The report, locked and open for writing: a submitted report is final until the
    facilitator returns it for correction."""
    proposal = _locked(actor, proposal_id)
    if proposal.status != ProposalStatus.APPROVED or not proposal.disbursements.exists():
        raise InvalidInput(_("A fund-use report follows a disbursement."), field="proposal")
    lpj, _created = Lpj.objects.get_or_create(
        proposal=proposal, defaults={"area_code": proposal.area_code}
    )
    lpj = Lpj.objects.select_for_update().get(pk=lpj.pk)
    if lpj.status not in (LpjStatus.DRAFT, LpjStatus.RETURNED):
        raise InvalidInput(
            _(
                "This report is %(status)s; it cannot change now. The facilitator can return "
                "it for correction."
            )
            % {"status": lpj.get_status_display().lower()},
            field="status",
        )
    return lpj


def _receipt(receipt: Any, *, row: int | None = None) -> Any:
    try:
        return clean_upload(
            receipt,
            kinds=DOCUMENT_TYPES,
            max_bytes=RECEIPT_MAX,
            missing=_("Attach the receipt: a photo or PDF of at most 5 MB."),
            wrong_kind=_("The receipt must be a JPEG or PNG photo, or a PDF."),
            field="receipt",
        )
    except InvalidInput as exc:
        exc.params["row"] = row
        raise


def _check_item(description: str, amount: int, *, row: int | None = None) -> str:
    description = description.strip()
    if not description:
        raise InvalidInput(_("Say what was bought."), field="description", row=row)
    if amount <= 0:
        raise InvalidInput(
            _("The amount must be a positive number of rupiah."), field="amount", row=row
        )
    return description[:200]


@transaction.atomic
def lpj_add_item(
    *, actor: Any, proposal_id: int, description: str, amount: int, day: Any, receipt: Any
) -> LpjItem:
    """Add a purchase with its receipt (JPEG, PNG or PDF, at most 5 MB) to a report in writing."""
    require_permission(actor, "aid.add_lpjitem")
    lpj = _lpj_for_write(actor, proposal_id)
    description = _check_item(description, amount)
    item = LpjItem.objects.create(
        lpj=lpj, description=description, amount=amount, day=day, receipt=_receipt(receipt)
    )
    lpj.save(update_fields=["updated_at"])
    AuditEvent.record(
        events.LPJ_ITEM_ADDED,
        actor=actor,
        obj=lpj,
        area_code=lpj.area_code,
        data={"amount": amount},
    )
    return item


@dataclass(frozen=True)
class ItemRow:
    """One row of the report's purchases as typed: ``item_id`` None for a new purchase;
    ``receipt`` None keeps a stored purchase's receipt."""

    description: str
    amount: int
    day: date
    item_id: int | None = None
    receipt: Any = None
    delete: bool = False


@transaction.atomic
def lpj_save_items(*, actor: Any, proposal_id: int, rows: list[ItemRow]) -> Lpj:
    """Save the purchases of a report in writing (draft or returned) all at once.

    Either every row is saved or none is; a refused row is named by ``row`` (its index) in
    the error, so the form can show the message on it.
    """
    require_permission(actor, "aid.add_lpjitem")
    lpj = _lpj_for_write(actor, proposal_id)
    stored = {i.pk: i for i in lpj.items.all()}
    spent_before = sum(i.amount for i in stored.values())
    added = changed = removed = 0
    for n, row in enumerate(rows):
        item = stored.get(row.item_id) if row.item_id is not None else None
        if row.item_id is not None and item is None:
            raise InvalidInput(_("This purchase is no longer in the report."), row=n)
        if row.delete:
            if item is not None:
                item.delete()
                removed += 1
            continue
        description = _check_item(row.description, row.amount, row=n)
        if item is None:
            LpjItem.objects.create(
                lpj=lpj,
                description=description,
                amount=row.amount,
                day=row.day,
                receipt=_receipt(row.receipt, row=n),
            )
            added += 1
            continue
        values = (description, row.amount, row.day)
        if values != (item.description, item.amount, item.day) or row.receipt is not None:
            item.description, item.amount, item.day = values
            if row.receipt is not None:
                item.receipt = _receipt(row.receipt, row=n)
            item.save()
            changed += 1
    if added or changed or removed:
        # The report's version moves with its purchases, so a form opened before is stale.
        lpj.save(update_fields=["updated_at"])
        AuditEvent.record(
            events.LPJ_ITEMS_SAVED,
            actor=actor,
            obj=lpj,
            area_code=lpj.area_code,
            data={
                "added": added,
                "changed": changed,
                "removed": removed,
                "changes": {"spent": [spent_before, selectors.lpj_totals(lpj)["spent"]]},
            },
        )
    return lpj


@transaction.atomic
def lpj_submit(*, actor: Any, proposal_id: int) -> Lpj:
    """Hand the report to the facilitator; from now on it is final unless returned."""
    require_permission(actor, "aid.add_lpjitem")
    lpj = _lpj_for_write(actor, proposal_id)
    if not lpj.items.exists():
        raise InvalidInput(_("Add the purchases before submitting."), field="status")
    before = snapshot(lpj, "status")
    lpj.status, lpj.submitted_by = LpjStatus.SUBMITTED, actor
    lpj.save(update_fields=["status", "submitted_by", "updated_at"])
    AuditEvent.record(
        events.LPJ_SUBMITTED,
        actor=actor,
        obj=lpj,
        area_code=lpj.area_code,
        data=selectors.lpj_totals(lpj),
        before=before,
        after=snapshot(lpj, "status"),
    )
    return lpj


def _lpj_to_check(actor: Any, proposal_id: int) -> Lpj:
    require_permission(actor, "aid.check_lpj")
    proposal = access(Proposal.objects, actor=actor, lock=True, pk=proposal_id)
    lpj = Lpj.objects.select_for_update().filter(proposal=proposal).first()
    if lpj is None or lpj.status != LpjStatus.SUBMITTED:
        raise InvalidInput(_("There is no submitted report to check."), field="status")
    require_different(actor, lpj.submitted_by_id, message=_maker_cannot_check())
    return lpj


@transaction.atomic
def lpj_accept(*, actor: Any, proposal_id: int, note: str = "") -> Lpj:
    """The facilitator accepts a report whose totals reconcile."""
    lpj = _lpj_to_check(actor, proposal_id)
    totals = selectors.lpj_totals(lpj)
    if totals["difference"] != 0:
        raise InvalidInput(
            _(
                "Spent Rp%(spent)s against Rp%(received)s received: the difference of "
                "Rp%(difference)s must be explained before the report can be accepted."
            )
            % {k: rupiah(v) for k, v in totals.items()},
            field="status",
        )
    return _lpj_checked(actor, lpj, LpjStatus.ACCEPTED, note, events.LPJ_ACCEPTED, totals)


@transaction.atomic
def lpj_return(*, actor: Any, proposal_id: int, reason: str) -> Lpj:
    """The facilitator returns a submitted report for correction, saying what to correct;
    the group may then change it and submit it again."""
    lpj = _lpj_to_check(actor, proposal_id)
    if not reason.strip():
        raise InvalidInput(_("Say what must be corrected."), field="reason")
    return _lpj_checked(
        actor, lpj, LpjStatus.RETURNED, reason, events.LPJ_RETURNED, selectors.lpj_totals(lpj)
    )


def _lpj_checked(
    actor: Any, lpj: Lpj, status: str, note: str, event: EventType, totals: dict[str, int]
) -> Lpj:
    """The checker's decision on a report, with the note saved and recorded as the reason."""
    before = snapshot(lpj, "status")
    lpj.status, lpj.checked_by, lpj.check_note = status, actor, note.strip()[:300]
    lpj.save(update_fields=["status", "checked_by", "check_note", "updated_at"])
    AuditEvent.record(
        event,
        actor=actor,
        obj=lpj,
        area_code=lpj.area_code,
        reason=note.strip(),
        data=totals,
        before=before,
        after=snapshot(lpj, "status"),
    )
    return lpj


def lpj_check(*, actor: Any, proposal_id: int, accept: bool, note: str = "") -> Lpj:
    """Accept, or return for correction with ``note`` as the reason (one call for both)."""
    if accept:
        return lpj_accept(actor=actor, proposal_id=proposal_id, note=note)
    try:
        return lpj_return(actor=actor, proposal_id=proposal_id, reason=note)
    except InvalidInput as exc:
        if exc.field == "reason":
            exc.field = "note"
        raise
