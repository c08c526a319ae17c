"""KUBE pages: the list, forming a group from registry heads, the group and its moves."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sinergi.core.errors import DomainError
from sinergi.core.filters import area_param
from sinergi.core.money import parse_rupiah, rupiah
from sinergi.core.numbers import ascii_id, posted_ids
from sinergi.core.pagination import CappedPaginator
from sinergi.core.scoping import access
from sinergi.engines import wilayah as regions
from sinergi.kube import selectors, services
from sinergi.kube.messages import failure_text
from sinergi.kube.models import BusinessType, Kube, OfficerRole, Status

# The buttons a group page offers: target status -> (label, needs a reason)
MOVES = {
    Status.SUBMITTED: (gettext_lazy("Submit for verification"), False),
    Status.VERIFIED: (gettext_lazy("Verify"), False),
    Status.DRAFT: (gettext_lazy("Send back to draft"), True),
    Status.ACTIVE: (gettext_lazy("Activate"), False),
    Status.GRADUATED: (gettext_lazy("Graduate"), True),
    Status.DISSOLVED: (gettext_lazy("Dissolve"), True),
}


@login_required
@permission_required("kube.view_kube", raise_exception=True)
def kube_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    kind = request.GET.get("jenis", "")
    q = request.GET.get("q", "").strip()[:100]
    area = area_param(request)
    qs = selectors.kube_list(
        actor=request.user,
        status=status if status in Status.values else "",
        business_type=kind,
        q=q,
        area=area,
    )
    page = CappedPaginator(qs, settings.SINERGI_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "kube/kube_list.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "q": q,
            "area": area,
            "statuses": Status.choices,
            "kinds": BusinessType.objects.filter(active=True),
        },
    )


@login_required
@permission_required("kube.add_kube", raise_exception=True)
def kube_create(request: HttpRequest) -> HttpResponse:
    """Step 1: a village; step 2: tick members among that district's heads, pick officers."""
    village = (request.POST.get("village_code") or request.GET.get("desa", "")).strip()
    candidates = None
    error = ""
    if village:
        try:
            code = regions.normalize_code(village)
            if regions.level_of(code) != regions.Level.VILLAGE:
                raise regions.RegionCodeError(village, "bad_length", "")
            candidates = selectors.formation_candidates(actor=request.user, district_code=code[:8])
            village = code
        except regions.RegionCodeError:
            error = _("Not a village code: use 10 digits, with or without dots.")
    if request.method == "POST" and candidates is not None:
        ids = posted_ids(request.POST.getlist("members"))
        officers = {
            role: chosen
            for role in ("ketua", "sekretaris", "bendahara")
            if (chosen := ascii_id(request.POST.get(role, "")))
        }
        try:
            kube, failures = services.kube_create(
                actor=request.user,
                name=request.POST.get("name", ""),
                business_type=request.POST.get("business_type", ""),
                village_code=village,
                member_ids=ids,
                officers=officers,
                bank_name=request.POST.get("bank_name", ""),
                bank_account=request.POST.get("bank_account", ""),
                bank_account_holder=request.POST.get("bank_account_holder", ""),
            )
        except DomainError as exc:
            error = exc.message
        else:
            if failures:
                messages.warning(
                    request,
                    _("Draft saved. It cannot be submitted until the problems below are fixed."),
                )
            else:
                messages.success(request, _("Draft saved; it meets every rule."))
            return redirect("kube:kube_detail", pk=kube.pk)
    return render(
        request,
        "kube/kube_form.html",
        {
            "village": village,
            "candidates": candidates,
            "error": error,
            "post": request.POST,
            "kinds": BusinessType.objects.filter(active=True),
            "officer_roles": [r for r in OfficerRole.choices if r[0] != OfficerRole.ANGGOTA],
            "chosen": set(posted_ids(request.POST.getlist("members"))),
        },
    )


@login_required
@permission_required("kube.view_kube", raise_exception=True)
def kube_detail(request: HttpRequest, pk: int) -> HttpResponse:
    kube = access(
        Kube.objects.select_related("business_type", "village"), actor=request.user, pk=pk
    )
    failures = services.kube_failures(kube)
    members = kube.memberships.select_related("person__household").order_by(
        "end_date", "role", "id"
    )
    names = {m.person_id: m.person.name for m in members}
    moves: list[dict[str, Any]] = []
    for (frm, to), permission in services.TRANSITIONS.items():
        if frm == kube.status and request.user.has_perm(permission):
            label, needs_reason = MOVES[Status(to)]
            blocked = bool(failures) and to in (Status.SUBMITTED, Status.VERIFIED, Status.ACTIVE)
            moves.append(
                {"to": to, "label": label, "needs_reason": needs_reason, "blocked": blocked}
            )
    current = {m.person_id for m in members if m.end_date is None}
    joinable: Any = []
    if request.user.has_perm("kube.change_kube") and kube.status not in (
        Status.GRADUATED,
        Status.DISSOLVED,
    ):
        joinable = selectors.formation_candidates(
            actor=request.user, district_code=kube.area_code[:8]
        ).exclude(pk__in=current)
    return render(
        request,
        "kube/kube_detail.html",
        {
            "kube": kube,
            "members": members,
            "moves": moves,
            "joinable": joinable,
            "officer_roles": OfficerRole.choices,
            "iks": services.iks_ledger(kube) if request.user.has_perm("kube.view_iksentry") else [],
            "failures": [(names.get(f.person_id or 0, ""), failure_text(f)) for f in failures],
            "transitions": kube.transitions.select_related("actor"),
        },
    )


@login_required
@require_POST
def kube_member(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a member, end a membership (with a reason), or record an IKS line."""
    post = request.POST
    try:
        if post.get("action") == "add":
            services.membership_add(
                actor=request.user,
                kube_id=pk,
                person_id=ascii_id(post.get("person", "")) or 0,
                role=post.get("role", "anggota"),
            )
        elif post.get("action") == "end":
            services.membership_end(
                actor=request.user,
                kube_id=pk,
                person_id=ascii_id(post.get("person", "")) or 0,
                reason=post.get("reason", ""),
            )
        elif post.get("action") == "iks":
            from sinergi.engines.registry_rows import parse_date

            day = parse_date(post.get("day", ""))
            amount = parse_rupiah(post.get("amount", ""))
            if day is None or amount is None:
                raise DomainError(_("Give a date and an amount in whole rupiah."))
            _e, _b, expected = services.iks_record(
                actor=request.user,
                kube_id=pk,
                kind=post.get("kind", ""),
                amount=amount,
                day=day,
                profit=parse_rupiah(post.get("profit", "")),
                note=post.get("note", ""),
            )
            if expected is not None:
                messages.info(
                    request,
                    _("The IKS policy expects Rp%(rp)s from this profit.")
                    % {"rp": rupiah(expected)},
                )
        else:
            raise DomainError(_("Unknown action."))
    except (DomainError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", _("Unknown action.")))
    else:
        messages.success(request, _("Saved."))
    return redirect("kube:kube_detail", pk=pk)


@login_required
@require_POST
def kube_move(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.kube_transition(
            actor=request.user,
            kube_id=pk,
            to_status=request.POST.get("to", ""),
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Status changed."))
    return redirect("kube:kube_detail", pk=pk)
