"""KUBE pages: the list, forming a group from registry heads, the group and its moves.

Reads go through ``selectors``, writes through ``services``, and what a person sends through
the forms of ``forms``: a refused write shows the page again with the form as it was sent and
the reason next to the field.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.core.errors import DomainError, require_permission
from sinergi.core.forms import posted, refused_status, submit_once
from sinergi.core.money import rupiah
from sinergi.core.pagination import CappedPaginator
from sinergi.kube import forms, selectors, services
from sinergi.kube.lifecycle import CLOSED, TRANSITIONS
from sinergi.kube.messages import failure_text
from sinergi.kube.models import Kube, OfficerRole, Status
from sinergi.wilayah.filters import area_filter


def _refused(form: Any, exc: DomainError) -> int:
    """A service's refusal next to the field it names (or above the form); the page's status
    says which (403 for a role or four-eyes refusal, 400 for input)."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return exc.status


@login_required
@permission_required("kube.view_kube", raise_exception=True)
def kube_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    kind = request.GET.get("jenis", "")
    q = request.GET.get("q", "").strip()[:100]
    area = area_filter(request)
    qs = selectors.kube_list(
        actor=request.user,
        status=status if status in Status.values else "",
        business_type=kind,
        q=q,
        area=area.code,
    )
    page = CappedPaginator([] if area.refused else qs, settings.SINERGI_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "kube/kube_list.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "q": q,
            "area": area.text,
            "statuses": Status.choices,
            "kinds": selectors.business_types(),
        },
    )


def _formation(request: HttpRequest) -> dict[str, Any]:
    """The formation page's state: the village chosen (step one), then the candidates of its
    district and the draft form (step two) with what its ticks break so far."""
    chosen = "desa" in request.GET or "desa__q" in request.GET
    village_form = forms.VillageForm(request.GET if chosen else None, actor=request.user)
    context: dict[str, Any] = {"village_form": village_form, "form": None}
    if not (chosen and village_form.is_valid()):
        return context
    village = village_form.cleaned_data["desa"]
    data = posted(request)
    # The candidates' name filter travels with the draft, so filtering keeps what was ticked.
    q = ((data.get("q") if data is not None else None) or request.GET.get("q", "")).strip()[:100]
    keep = forms.raw_ids(data.getlist("members")) if data is not None else []
    candidates = selectors.formation_candidates(
        actor=request.user, district_code=village[:8], q=q, keep=keep
    )
    form = forms.KubeForm(data, kinds=selectors.business_types(), candidates=candidates)
    ids, officers = forms.draft_of(form)
    context.update(
        {
            "village": village,
            "q": q,
            "form": form,
            "candidates": candidates,
            "ticked": set(ids),
            "officer_fields": [form[role] for role in ("ketua", "sekretaris", "bendahara")],
            "check": selectors.draft_check(
                actor=request.user,
                district_code=village[:8],
                member_ids=ids,
                officers=officers,
            )
            if data is not None
            else None,
            "shown_max": selectors.CANDIDATES_SHOWN,
            "sees_decile": selectors.sees_decile(request.user),
        }
    )
    return context


@login_required
@permission_required("kube.add_kube", raise_exception=True)
@submit_once
def kube_create(request: HttpRequest) -> HttpResponse:
    """Step 1: a village, picked by name; step 2: tick members among that district's heads
    (those who cannot join greyed out with the reason), pick officers, save the draft.
    "Check" (or ticking, with htmx) shows what the draft breaks without saving it."""
    context = _formation(request)
    form = context["form"]
    status = 200
    if form is not None and form.is_bound and "_check" not in form.data and form.is_valid():
        data = form.cleaned_data
        try:
            kube, failures = services.kube_create(
                actor=request.user,
                name=data["name"],
                business_type=data["business_type"],
                village_code=context["village"],
                member_ids=data["members"],
                officers=form.officers(),
                bank_name=data["bank_name"],
                bank_account=data["bank_account"],
                bank_account_holder=data["bank_account_holder"],
            )
        except DomainError as exc:
            status = _refused(form, exc)
        else:
            if failures:
                messages.warning(
                    request,
                    _("Draft saved. It cannot be submitted until the problems below are fixed."),
                )
            else:
                messages.success(request, _("Draft saved; it meets every rule."))
            return redirect("kube:kube_detail", pk=kube.pk)
    if status == 200 and form is not None and "_check" not in form.data:
        status = refused_status(form)  # a refused save is 400; "Check" is still filling in
    return render(request, "kube/kube_form.html", context, status=status)


@login_required
@permission_required("kube.add_kube", raise_exception=True)
@require_POST
def kube_check(request: HttpRequest) -> HttpResponse:
    """The draft's live check (htmx, as members are ticked): what it breaks so far."""
    return render(request, "kube/_draft_check.html", _formation(request))


def _detail(request: HttpRequest, kube: Kube, *, status: int = 200, **bound: Any) -> HttpResponse:
    """The group page; ``bound`` holds the form that was just sent (shown with its errors)."""
    actor = request.user
    failures = services.kube_failures(kube)
    members = list(selectors.memberships(kube))
    names = {m.person_id: m.person.name for m in members}
    open_group = kube.status not in CLOSED
    may_change = actor.has_perm("kube.change_kube") and open_group
    member_form = bound.get("member_form") or forms.MemberAddForm(actor=actor, kube_id=kube.pk)
    role_forms = {
        m.person_id: (
            bound["role_form"]
            if bound.get("role_person") == m.person_id
            else forms.MemberRoleForm(initial={"role": m.role}, prefix=f"r{m.person_id}")
        )
        for m in members
        if m.end_date is None
    }
    end_forms = {
        m.person_id: (
            bound["end_form"]
            if bound.get("end_person") == m.person_id
            else forms.MemberEndForm(prefix=f"e{m.person_id}")
        )
        for m in members
        if m.end_date is None
    }
    moves = selectors.kube_moves(actor=actor, kube=kube, failures=failures)
    move_forms = [
        (
            move,
            bound["move_form"]
            if bound.get("move_to") == move.to
            else forms.MoveForm(initial={"to": move.to}, auto_id=f"m{move.to}_%s"),
        )
        for move in moves
    ]
    rows = [
        {"m": m, "role_form": role_forms.get(m.person_id), "end_form": end_forms.get(m.person_id)}
        for m in members
    ]
    return render(
        request,
        "kube/kube_detail.html",
        {
            "kube": kube,
            "rows": rows,
            "moves": move_forms,
            "may_change": may_change,
            "member_form": member_form if may_change else None,
            "iks": services.iks_ledger(kube) if selectors.iks_visible(actor) else [],
            "iks_form": bound.get("iks_form") or forms.IksForm(),
            "failures": [(names.get(f.person_id or 0, ""), failure_text(f)) for f in failures],
            "transitions": selectors.transitions(kube),
        },
        status=status,
    )


@login_required
@permission_required("kube.view_kube", raise_exception=True)
def kube_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.kube_get(actor=request.user, pk=pk))


@login_required
@permission_required("kube.change_kube", raise_exception=True)
@submit_once
def kube_edit(request: HttpRequest, pk: int) -> HttpResponse:
    kube = selectors.kube_get(actor=request.user, pk=pk)
    initial = {
        "name": kube.name,
        "business_type": kube.business_type.code,
        "bank_name": kube.bank_name,
        "bank_account": kube.bank_account,
        "bank_account_holder": kube.bank_account_holder,
    }
    form = forms.KubeEditForm(
        posted(request), initial=initial, record=kube, kinds=selectors.business_types()
    )
    if form.is_bound and form.is_valid():
        try:
            services.kube_update(
                actor=request.user,
                kube_id=kube.pk,
                **{k: form.cleaned_data[k] for k in initial},
            )
        except DomainError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("kube:kube_detail", pk=kube.pk)
    return render(request, "kube/kube_edit.html", {"kube": kube, "form": form})


@login_required
@require_POST
@submit_once
def kube_move(request: HttpRequest, pk: int) -> HttpResponse:
    # A role that takes no move at all is refused as such, before the form is read.
    require_permission(request.user, *set(TRANSITIONS.values()))
    kube = selectors.kube_get(actor=request.user, pk=pk)
    form = forms.MoveForm(posted(request))
    to = form.data.get("to", "")
    status = 400
    if form.is_valid():
        try:
            services.kube_transition(
                actor=request.user,
                kube_id=pk,
                to_status=form.cleaned_data["to"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            status = _refused(form, exc)
        else:
            messages.success(request, _("Status changed."))
            return redirect("kube:kube_detail", pk=pk)
    form.auto_id = f"m{to}_%s"
    return _detail(request, kube, status=status, move_form=form, move_to=to)


@login_required
@permission_required("kube.change_kube", raise_exception=True)
@require_POST
def kube_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    kube = selectors.kube_get(actor=request.user, pk=pk)
    form = forms.MemberAddForm(posted(request), actor=request.user, kube_id=kube.pk)
    if form.is_valid():
        try:
            services.membership_add(
                actor=request.user,
                kube_id=pk,
                person_id=form.cleaned_data["person"],
                role=form.cleaned_data["role"],
            )
        except DomainError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("kube:kube_detail", pk=pk)
    finding = form.finding()
    return _detail(request, kube, status=200 if finding else 400, member_form=form)


@login_required
@permission_required("kube.change_kube", raise_exception=True)
@require_POST
def kube_member_end(request: HttpRequest, pk: int, person: int) -> HttpResponse:
    kube = selectors.kube_get(actor=request.user, pk=pk)
    form = forms.MemberEndForm(posted(request), prefix=f"e{person}")
    if form.is_valid():
        try:
            services.membership_end(
                actor=request.user, kube_id=pk, person_id=person, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("kube:kube_detail", pk=pk)
    return _detail(request, kube, status=400, end_form=form, end_person=person)


@login_required
@permission_required("kube.change_kube", raise_exception=True)
@require_POST
def kube_member_role(request: HttpRequest, pk: int, person: int) -> HttpResponse:
    """An officer's post changed in place (the previous holder becomes a member)."""
    kube = selectors.kube_get(actor=request.user, pk=pk)
    form = forms.MemberRoleForm(posted(request), prefix=f"r{person}")
    if form.is_valid():
        try:
            services.membership_role(
                actor=request.user, kube_id=pk, person_id=person, role=form.cleaned_data["role"]
            )
        except DomainError as exc:
            _refused(form, exc)
        else:
            messages.success(
                request,
                _("Role changed to %(role)s.")
                % {"role": OfficerRole(form.cleaned_data["role"]).label},
            )
            return redirect("kube:kube_detail", pk=pk)
    return _detail(request, kube, status=400, role_form=form, role_person=person)


@login_required
@permission_required("kube.add_iksentry", raise_exception=True)
@require_POST
@submit_once
def kube_iks(request: HttpRequest, pk: int) -> HttpResponse:
    kube = selectors.kube_get(actor=request.user, pk=pk)
    form = forms.IksForm(posted(request))
    if form.is_valid():
        try:
            _e, _b, expected = services.iks_record(
                actor=request.user,
                kube_id=pk,
                **{k: form.cleaned_data[k] for k in ("kind", "amount", "day", "profit", "note")},
            )
        except DomainError as exc:
            _refused(form, exc)
        else:
            if expected is not None:
                messages.info(
                    request,
                    _("The IKS policy expects Rp%(rp)s from this profit.")
                    % {"rp": rupiah(expected)},
                )
            messages.success(request, _("Saved."))
            return redirect("kube:kube_detail", pk=pk)
    return _detail(request, kube, status=400, iks_form=form)
