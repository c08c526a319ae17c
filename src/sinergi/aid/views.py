"""Aid pages: programmes with what remains, a cycle's proposals and their steps, payments,
bank-statement reconciliation, and a proposal's fund-use report (LPJ).

Thin: read through ``selectors``, check what was typed with a form from ``forms``, write
through ``services``; a service's refusal is shown next to the field it names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.aid import forms, selectors, services
from sinergi.aid.models import LpjStatus
from sinergi.core.errors import DomainError, Forbidden
from sinergi.core.forms import submit_once


def _refused(form: django_forms.Form, exc: DomainError) -> None:
    """A service's refusal next to the field it names, else above the form."""
    name = exc.field if exc.field in form.fields else None
    form.add_error(name, exc.message)


def _done(
    request: HttpRequest, form: django_forms.Form, step: Callable[[], object], message: str
) -> bool:
    """Run a form's service step: done, it is said (True); refused, the reason is shown on
    the form (False) and the page is shown again with what was typed."""
    try:
        step()
    except DomainError as exc:
        _refused(form, exc)
        return False
    messages.success(request, message)
    return True


@login_required
@permission_required("aid.view_programme", raise_exception=True)
def programme_list(request: HttpRequest) -> HttpResponse:
    rows: Any = selectors.programme_list(actor=request.user)  # annotated with ``used``
    programmes = [
        {
            "programme": p,
            "used": p.used,
            "remaining": p.budget_ceiling - p.used,
            "cycles": p.cycles.all(),
        }
        for p in rows
    ]
    return render(request, "aid/programme_list.html", {"programmes": programmes})


def _cycle_page(request: HttpRequest, pk: int, **forms_given: Any) -> HttpResponse:
    cycle = selectors.cycle_get(actor=request.user, pk=pk)
    steps = selectors.cycle_steps(actor=request.user, cycle=cycle)
    context: dict[str, Any] = {
        "cycle": cycle,
        "steps": steps,
        "disburse_refusal": services.disbursement_refusal(actor=request.user, cycle=cycle)
        if steps["disburse"]
        else "",
        "proposals": selectors.proposal_list(actor=request.user, cycle_id=cycle.pk).order_by(
            "area_code", "kube__name"
        ),
        "remaining": services.budget_remaining(cycle.programme),
        "propose_form": forms_given.get("propose_form")
        or (forms.ProposeForm(cycle=cycle, actor=request.user) if steps["propose"] else None),
    }
    given = forms_given.get("propose_form")
    status = 400 if given is not None and not given.finding() else 200
    return render(request, "aid/cycle_detail.html", context, status=status)


@login_required
@permission_required("aid.view_proposal", raise_exception=True)
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _cycle_page(request, pk)


def _not_now(request: HttpRequest, cycle_id: int, message: str) -> HttpResponse:
    """A step the role takes, asked of a cycle no longer open: said on the cycle's page (the
    state refuses it, not the role)."""
    messages.error(request, message)
    return redirect("aid:cycle_detail", pk=cycle_id)


@login_required
@require_POST
@submit_once
def proposal_create(request: HttpRequest, pk: int) -> HttpResponse:
    # The role is asked before the cycle is read, so a role without the step gets 403.
    if not selectors.cycle_roles(actor=request.user)["propose"]:
        raise Forbidden(_("Only a regency social office can propose groups."))
    cycle = selectors.cycle_get(actor=request.user, pk=pk)
    if not selectors.cycle_steps(actor=request.user, cycle=cycle)["propose"]:
        return _not_now(request, cycle.pk, _("This cycle is not open for proposals."))
    form = forms.bind(forms.ProposeForm, request, cycle=cycle, actor=request.user)
    if form.is_valid() and _done(
        request,
        form,
        lambda: services.proposal_create(
            actor=request.user, cycle_id=cycle.pk, kube_id=form.cleaned_data["kube"]
        ),
        _("Group proposed."),
    ):
        return redirect("aid:cycle_detail", pk=cycle.pk)
    return _cycle_page(request, pk, propose_form=form)


@login_required
@require_POST
@permission_required("aid.recommend_proposal", raise_exception=True)
@submit_once
def proposal_recommend(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.cycle_roles(actor=request.user)["recommend"]:
        raise Forbidden(_("Only a provincial social office can recommend proposals."))
    proposal = selectors.proposal_get(actor=request.user, pk=pk)
    form = forms.bind(forms.ConfirmStepForm, request)
    if form.is_valid():
        try:
            services.proposal_recommend(actor=request.user, proposal_id=proposal.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(group)s recommended.") % {"group": proposal.kube.name})
    return redirect("aid:cycle_detail", pk=proposal.cycle_id)


@login_required
@permission_required("aid.view_proposal", raise_exception=True)
@submit_once
def proposal_reject(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.cycle_roles(actor=request.user)["reject"]:
        raise Forbidden(_("Only the province or the centre can reject proposals."))
    proposal = selectors.proposal_get(actor=request.user, pk=pk)
    if not selectors.cycle_steps(actor=request.user, cycle=proposal.cycle)["reject"]:
        return _not_now(request, proposal.cycle_id, _("This proposal cannot be rejected now."))
    form = forms.bind(forms.ReasonForm, request)
    if (
        request.method == "POST"
        and form.is_valid()
        and _done(
            request,
            form,
            lambda: services.proposal_reject(
                actor=request.user, proposal_id=proposal.pk, reason=form.cleaned_data["reason"]
            ),
            _("Proposal rejected."),
        )
    ):
        return redirect("aid:cycle_detail", pk=proposal.cycle_id)
    return render(
        request,
        "aid/proposal_reject.html",
        {"proposal": proposal, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@permission_required("aid.approve_cycle", raise_exception=True)
@submit_once
def cycle_approve(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.cycle_roles(actor=request.user)["approve"]:
        raise Forbidden(_("Only the centre can approve a cycle."))
    cycle = selectors.cycle_get(actor=request.user, pk=pk)
    if not selectors.cycle_steps(actor=request.user, cycle=cycle)["approve"]:
        return _not_now(request, cycle.pk, _("This cycle is already approved."))
    form = forms.bind(forms.CycleApproveForm, request)
    if (
        request.method == "POST"
        and form.is_valid()
        and _done(
            request,
            form,
            lambda: services.cycle_approve(actor=request.user, cycle_id=cycle.pk),
            _("Cycle approved and frozen."),
        )
    ):
        return redirect("aid:cycle_detail", pk=cycle.pk)
    preview = services.cycle_approval_preview(actor=request.user, cycle=cycle)
    return render(
        request,
        "aid/cycle_approve.html",
        {
            "cycle": cycle,
            "form": form,
            "preview": preview,
            "after": preview.remaining - preview.total,
        },
        status=400 if form.errors else 200,
    )


@login_required
@permission_required("aid.add_disbursement", raise_exception=True)
@submit_once
def disbursement_create(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(actor=request.user, pk=pk)
    paid = selectors.paid_total(proposal)
    left = proposal.amount - paid
    form = forms.bind(
        forms.DisbursementForm,
        request,
        left_to_pay=left,
        initial={"amount": left or None, "day": timezone.localdate()},
    )
    # Four eyes: who approved the cycle does not pay it; the page says so and the button is
    # disabled; a POST all the same is refused (403) before anything is read from it.
    refusal = services.disbursement_refusal(actor=request.user, cycle=proposal.cycle)
    if request.method == "POST" and refusal:
        status = 403
    elif (
        request.method == "POST"
        and form.is_valid()
        and _done(
            request,
            form,
            lambda: services.disbursement_record(
                actor=request.user,
                proposal_id=proposal.pk,
                amount=form.cleaned_data["amount"],
                day=form.cleaned_data["day"],
                reference=form.cleaned_data["reference"],
            ),
            _("Transfer recorded."),
        )
    ):
        return redirect("aid:cycle_detail", pk=proposal.cycle_id)
    else:
        status = 400 if form.errors else 200
    return render(
        request,
        "aid/disbursement_form.html",
        {
            "proposal": proposal,
            "form": form,
            "paid": paid,
            "left": left,
            "transfers": selectors.disbursement_list(actor=request.user, proposal_id=proposal.pk),
            "refusal": refusal,
        },
        status=status,
    )


@login_required
@permission_required("aid.reconcile_disbursement", raise_exception=True)
def reconcile(request: HttpRequest) -> HttpResponse:
    form = forms.bind(forms.StatementForm, request, profiles=services.statement_profiles())
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.statement_reconcile(
                actor=request.user,
                data=form.data_bytes(),
                profile=form.cleaned_data["profile"],
            )
        except DomainError as exc:
            _refused(form, exc)
    return render(
        request,
        "aid/reconcile.html",
        {"form": form, "result": result},
        status=400 if form.errors else 200,
    )


def _item_rows(formset: Any) -> list[services.ItemRow]:
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or (not data.get("item_id") and not form.has_changed()):
            continue  # an extra row left empty
        rows.append(
            services.ItemRow(
                description=data.get("description") or "",
                amount=data.get("amount") or 0,
                day=data.get("day"),
                item_id=data.get("item_id"),
                receipt=data.get("receipt") or None,
                delete=bool(data.get("DELETE")),
            )
        )
    return rows


def _lpj_page(
    request: HttpRequest,
    pk: int,
    *,
    formset: Any = None,
    version_form: Any = None,
    accept_form: Any = None,
    return_form: Any = None,
    status: int = 200,
) -> HttpResponse:
    proposal, lpj = selectors.lpj_of(actor=request.user, proposal_id=pk)
    items = list(lpj.items.all()) if lpj else []
    editable = request.user.has_perm("aid.add_lpjitem") and (
        lpj is None or lpj.status in (LpjStatus.DRAFT, LpjStatus.RETURNED)
    )
    check_refusal = ""
    checking = False
    if lpj is not None and lpj.status == LpjStatus.SUBMITTED:
        checking = request.user.has_perm("aid.check_lpj")
        check_refusal = services.lpj_check_refusal(actor=request.user, lpj=lpj) if checking else ""
    checking = checking and not check_refusal
    if editable and version_form is None:
        version_form = forms.LpjVersionForm(record=lpj)
    if editable and formset is None:
        formset = forms.LpjItemFormSet(
            prefix="items",
            initial=[
                {"item_id": i.pk, "description": i.description, "amount": i.amount, "day": i.day}
                for i in items
            ],
        )
    return render(
        request,
        "aid/lpj_detail.html",
        {
            "proposal": proposal,
            "lpj": lpj,
            "items": items,
            "receipts": {i.pk: i for i in items},
            "totals": selectors.lpj_totals(lpj) if lpj else None,
            "paid": selectors.paid_total(proposal),
            "formset": formset if editable else None,
            "version_form": version_form,
            "can_submit": editable and bool(items),
            "check_refusal": check_refusal,
            "accept_form": accept_form or (forms.LpjAcceptForm() if checking else None),
            "return_form": return_form or (forms.LpjReturnForm() if checking else None),
        },
        status=status,
    )


@login_required
@permission_required("aid.view_lpj", raise_exception=True)
@submit_once
def lpj_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return _lpj_page(request, pk)
    if not request.user.has_perm("aid.add_lpjitem"):
        raise Forbidden(_("Your role does not allow this step."))
    _proposal, lpj = selectors.lpj_of(actor=request.user, proposal_id=pk)
    formset = forms.bind(forms.LpjItemFormSet, request, prefix="items")
    version = forms.bind(forms.LpjVersionForm, request, record=lpj)
    # A report no longer open for writing is refused by the service, with the reason.
    writable = lpj is None or lpj.status in (LpjStatus.DRAFT, LpjStatus.RETURNED)
    if (version.is_valid() or not writable) and formset.is_valid():
        try:
            services.lpj_save_items(actor=request.user, proposal_id=pk, rows=_item_rows(formset))
        except DomainError as exc:
            row = exc.params.get("row")
            if row is not None and 0 <= row < len(formset.forms):
                _refused(formset.forms[row], exc)
            else:
                messages.error(request, exc.message)
                return redirect("aid:lpj_detail", pk=pk)
        else:
            messages.success(request, _("Purchases saved."))
            return redirect("aid:lpj_detail", pk=pk)
    return _lpj_page(request, pk, formset=formset, version_form=version, status=400)


@login_required
@require_POST
@permission_required("aid.add_lpjitem", raise_exception=True)
@submit_once
def lpj_submit(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.bind(forms.ConfirmStepForm, request)
    if form.is_valid():
        try:
            services.lpj_submit(actor=request.user, proposal_id=pk)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Report submitted."))
    return redirect("aid:lpj_detail", pk=pk)


@login_required
@require_POST
@permission_required("aid.check_lpj", raise_exception=True)
@submit_once
def lpj_accept(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.bind(forms.LpjAcceptForm, request)
    if form.is_valid() and _done(
        request,
        form,
        lambda: services.lpj_accept(
            actor=request.user, proposal_id=pk, note=form.cleaned_data["note"]
        ),
        _("Report accepted."),
    ):
        return redirect("aid:lpj_detail", pk=pk)
    return _lpj_page(request, pk, accept_form=form, status=400)


@login_required
@require_POST
@permission_required("aid.check_lpj", raise_exception=True)
@submit_once
def lpj_return(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.bind(forms.LpjReturnForm, request)
    if form.is_valid() and _done(
        request,
        form,
        lambda: services.lpj_return(
            actor=request.user, proposal_id=pk, reason=form.cleaned_data["reason"]
        ),
        _("Report returned to the group for correction."),
    ):
        return redirect("aid:lpj_detail", pk=pk)
    return _lpj_page(request, pk, return_form=form, status=400)
