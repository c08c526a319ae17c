"""Aid pages: programmes with what remains, a cycle's proposals and their steps, payments,
bank-statement reconciliation, and a proposal's fund-use report (LPJ)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.aid import services
from sinergi.aid.models import Cycle, CycleStatus, Lpj, Programme, Proposal, ProposalStatus
from sinergi.core.errors import DomainError
from sinergi.core.money import parse_rupiah
from sinergi.core.scoping import access
from sinergi.engines.registry_rows import parse_date
from sinergi.kube.models import Kube, Status


def _int(text: str) -> int:
    """A number typed in a form; 0 (refused by the services) when it is not one."""
    return parse_rupiah(text) or 0


def _run(request: HttpRequest, done: str, call: Any, **kwargs: Any) -> bool:
    """Call a service; show its refusal as a message, in the user's language."""
    try:
        call(actor=request.user, **kwargs)
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, done)
    return True


@login_required
@permission_required("aid.view_programme", raise_exception=True)
def programme_list(request: HttpRequest) -> HttpResponse:
    programmes = [
        {
            "programme": p,
            "used": services.budget_used(p),
            "remaining": services.budget_remaining(p),
            "cycles": p.cycles.all(),
        }
        for p in Programme.objects.prefetch_related("cycles")
    ]
    return render(request, "aid/programme_list.html", {"programmes": programmes})


@login_required
@permission_required("aid.view_proposal", raise_exception=True)
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle.objects.select_related("programme"), pk=pk)
    proposals = (
        Proposal.objects.for_user(request.user)
        .filter(cycle=cycle)
        .select_related("kube__village")
        .annotate(paid=Sum("disbursements__amount"))
        .order_by("area_code", "kube__name")
    )
    proposed_ids = Proposal.objects.filter(cycle=cycle).values_list("kube_id", flat=True)
    area = getattr(request.user, "area_code", None) or ""
    candidates: Any = Kube.objects.none()
    if (
        cycle.status == CycleStatus.OPEN
        and request.user.has_perm("aid.propose_kube")
        and area.count(".") == 1  # proposals come from a regency office
    ):
        candidates = (
            Kube.objects.for_user(request.user)
            .filter(status__in=[Status.VERIFIED, Status.ACTIVE])
            .exclude(pk__in=proposed_ids)
        )
        if not cycle.programme.allow_previously_aided:
            candidates = candidates.exclude(proposals__status=ProposalStatus.APPROVED)
    return render(
        request,
        "aid/cycle_detail.html",
        {
            "cycle": cycle,
            "proposals": proposals,
            "candidates": candidates,
            "remaining": services.budget_remaining(cycle.programme),
            "today": date.today().isoformat(),
            "statuses": ProposalStatus,
        },
    )


@login_required
@require_POST
def cycle_action(request: HttpRequest, pk: int) -> HttpResponse:
    action, post = request.POST.get("action", ""), request.POST
    target = _int(post.get("proposal", ""))
    if action == "propose":
        _run(
            request,
            _("Group proposed."),
            services.proposal_create,
            cycle_id=pk,
            kube_id=_int(post.get("kube", "")),
        )
    elif action == "recommend":
        _run(request, _("Proposal recommended."), services.proposal_recommend, proposal_id=target)
    elif action == "reject":
        _run(
            request,
            _("Proposal rejected."),
            services.proposal_reject,
            proposal_id=target,
            reason=post.get("reason", ""),
        )
    elif action == "approve":
        _run(request, _("Cycle approved and frozen."), services.cycle_approve, cycle_id=pk)
    elif action == "disburse":
        day = parse_date(post.get("day", ""))
        if day is None:
            messages.error(request, _("Not a real date. Use YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY."))
        else:
            _run(
                request,
                _("Transfer recorded."),
                services.disbursement_record,
                proposal_id=target,
                amount=_int(post.get("amount", "")),
                day=day,
                reference=post.get("reference", ""),
            )
    else:
        messages.error(request, _("Unknown action."))
    return redirect("aid:cycle_detail", pk=pk)


@login_required
@permission_required("aid.reconcile_disbursement", raise_exception=True)
def reconcile(request: HttpRequest) -> HttpResponse:
    result, error = None, ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or (upload.size or 0) > 5 * 1024 * 1024:
            error = _("Choose a statement file (CSV) of at most 5 MB.")
        else:
            try:
                result = services.statement_reconcile(
                    actor=request.user, text=upload.read().decode("utf-8-sig", errors="replace")
                )
            except DomainError as exc:
                error = exc.message
    return render(request, "aid/reconcile.html", {"result": result, "error": error})


@login_required
@permission_required("aid.view_lpj", raise_exception=True)
def lpj_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = access(
        Proposal.objects.select_related("kube", "cycle__programme"), actor=request.user, pk=pk
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "item":
            day = parse_date(request.POST.get("day", "")) or date.today()
            _run(
                request,
                _("Purchase added."),
                services.lpj_add_item,
                proposal_id=pk,
                description=request.POST.get("description", ""),
                amount=_int(request.POST.get("amount", "")),
                day=day,
                receipt=request.FILES.get("receipt"),
            )
        elif action == "submit":
            _run(request, _("Report submitted."), services.lpj_submit, proposal_id=pk)
        elif action in ("accept", "return"):
            _run(
                request,
                _("Report checked."),
                services.lpj_check,
                proposal_id=pk,
                accept=action == "accept",
                note=request.POST.get("note", ""),
            )
        return redirect("aid:lpj_detail", pk=pk)
    lpj = Lpj.objects.filter(proposal=proposal).first()
    return render(
        request,
        "aid/lpj_detail.html",
        {
            "proposal": proposal,
            "lpj": lpj,
            "totals": services.lpj_totals(lpj) if lpj else None,
            "items": lpj.items.all() if lpj else [],
            "paid": proposal.disbursements.aggregate(total=Sum("amount"))["total"] or 0,
        },
    )
