"""Mentoring pages: groups and their sessions, offers, mentors, the matcher, partners, reports."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.core.errors import DomainError
from sinergi.core.filters import area_param
from sinergi.core.numbers import ascii_id, posted_ids, posted_number
from sinergi.core.pagination import CappedPaginator
from sinergi.core.scoping import access
from sinergi.core.uploads import serve_upload
from sinergi.engines.matching import Weights
from sinergi.kube.models import BusinessType
from sinergi.mentoring import selectors, services
from sinergi.mentoring.models import (
    ActionStatus,
    Agreement,
    Assignment,
    AssignmentStatus,
    EndReason,
    MatchRun,
    MatchRunStatus,
    Mentor,
    MonthlyReport,
    Organisation,
    Session,
    SessionPhoto,
    Unit,
)


def reason_labels(codes: list[str]) -> list[str]:
    # Looked up per request so the labels follow the user's language.
    labels = {
        "same_regency": _("same regency"),
        "other_regency": _("another regency"),
        "sector_match": _("sector matches"),
        "sector_mismatch": _("other sector"),
        "history": _("worked together before"),
    }
    return [labels.get(c, c) for c in codes]


@login_required
@permission_required("mentoring.view_session", raise_exception=True)
def group_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    area = area_param(request)
    without = request.GET.get("tanpa") == "1"
    qs = selectors.group_list(request.user, q=q, area=area, without_mentor=without)
    page = CappedPaginator(qs, settings.SINERGI_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mentoring/group_list.html",
        {
            "page": page,
            "q": q,
            "area": area,
            "without": without,
            "offers": selectors.offers_for(request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
@permission_required("mentoring.view_session", raise_exception=True)
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    view = selectors.group_view(request.user, pk)
    user: Any = request.user
    is_mentor = (
        view.assignment is not None
        and view.assignment.status == AssignmentStatus.ACCEPTED
        and view.assignment.mentor_id == getattr(user, "mentor_id", None)
    )
    reports = (
        MonthlyReport.objects.filter(kube=view.kube)
        if user.has_perm("mentoring.view_monthlyreport")
        else MonthlyReport.objects.none()
    )
    return render(
        request,
        "mentoring/group_detail.html",
        {
            "view": view,
            "kube": view.kube,
            "is_mentor": is_mentor,
            "today": timezone.localdate(),
            "this_month": f"{timezone.localdate():%Y-%m}",
            "reports": reports,
            "end_reasons": EndReason.choices,
            "item_statuses": ActionStatus.choices,
            "reasons": reason_labels(view.assignment.reasons) if view.assignment else [],
        },
    )


def _posted_items(request: HttpRequest) -> list[services.NewItem]:
    items = []
    descriptions = request.POST.getlist("item_description")
    owners = request.POST.getlist("item_owner")
    dues = request.POST.getlist("item_due")
    for number, (text, owner, due) in enumerate(
        zip(descriptions, owners, dues, strict=False), start=1
    ):
        if not (text.strip() or owner.strip() or due.strip()):
            continue
        try:
            day = date.fromisoformat(due)
        except ValueError:
            raise DomainError(
                _("Action item %(n)d: give a due date.") % {"n": number}, field="items"
            ) from None
        items.append(services.NewItem(text, owner, day))
    return items


def _posted_reviews(request: HttpRequest) -> list[services.Review]:
    reviews = []
    for key in request.POST:
        value = request.POST.get(key, "")
        item = ascii_id(key[7:]) if key.startswith("review_") else None
        if item is not None and value:
            note = request.POST.get(f"review_note_{key[7:]}", "")
            reviews.append(services.Review(item, value, note))
    return reviews


@login_required
@permission_required("mentoring.add_session", raise_exception=True)
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    view = selectors.group_view(request.user, pk)
    error = ""
    if request.method == "POST":
        try:
            try:
                held_on = date.fromisoformat(request.POST.get("held_on", ""))
            except ValueError:
                raise DomainError(_("Give the date of the session."), field="held_on") from None
            services.session_log(
                actor=request.user,
                kube_id=pk,
                held_on=held_on,
                place=request.POST.get("place", ""),
                topics=request.POST.get("topics", ""),
                notes=request.POST.get("notes", ""),
                present=posted_ids(request.POST.getlist("present")),
                photos=request.FILES.getlist("photos"),
                new_items=_posted_items(request),
                reviews=_posted_reviews(request),
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Session recorded."))
            return redirect("mentoring:group_detail", pk=pk)
    open_items = [i for i in view.items if i.status == ActionStatus.OPEN]
    return render(
        request,
        "mentoring/session_form.html",
        {
            "view": view,
            "kube": view.kube,
            "error": error,
            "open_items": open_items,
            "item_statuses": ActionStatus.choices,
            "today": timezone.localdate(),
            "posted": request.POST,
            "present": set(request.POST.getlist("present")),
            "blank_items": range(3),
        },
    )


@login_required
def session_photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    session = access(Session.objects, actor=request.user, pk=pk)
    photo = get_object_or_404(SessionPhoto, session=session, pk=photo_pk)
    return serve_upload(photo.image, download_name=f"sesi-{session.pk}-foto-{photo.pk}")


@login_required
@require_POST
def offer_respond(request: HttpRequest, pk: int) -> HttpResponse:
    accept = request.POST.get("answer") == "accept"
    try:
        row = services.assignment_respond(
            actor=request.user,
            assignment_id=pk,
            accept=accept,
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("mentoring:group_list")
    if accept:
        messages.success(request, _("You now mentor %(name)s.") % {"name": row.kube.name})
        return redirect("mentoring:group_detail", pk=row.kube_id)
    messages.success(request, _("Offer declined."))
    return redirect("mentoring:group_list")


@login_required
@require_POST
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    row = access(Assignment.objects, actor=request.user, pk=pk)
    try:
        services.assignment_end(
            actor=request.user,
            assignment_id=pk,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Assignment ended; the group waits for the next match."))
    return redirect("mentoring:group_detail", pk=row.kube_id)


@login_required
@require_POST
def item_update(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = services.action_item_update(
            actor=request.user,
            item_id=pk,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("mentoring:group_list")
    messages.success(request, _("Action item updated."))
    return redirect("mentoring:group_detail", pk=item.kube_id)


# Mentors


@login_required
@permission_required("mentoring.view_mentor", raise_exception=True)
def mentor_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    area = area_param(request)
    left = request.GET.get("keluar") == "1"
    qs = selectors.mentor_list(request.user, q=q, area=area, include_left=left)
    page = CappedPaginator(qs, settings.SINERGI_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mentoring/mentor_list.html",
        {"page": page, "q": q, "area": area, "left": left},
    )


@login_required
@permission_required("mentoring.view_mentor", raise_exception=True)
def mentor_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user: Any = request.user
    mentor = access(Mentor.objects, actor=user, pk=pk) if pk else None
    can_edit = user.has_perm("mentoring.change_mentor" if pk else "mentoring.add_mentor")
    if pk is None and not can_edit:
        raise PermissionDenied
    error, field = "", ""
    if request.method == "POST" and can_edit:
        if request.POST.get("action") == "leave" and mentor:
            try:
                services.mentor_leave(
                    actor=user, mentor_id=mentor.pk, note=request.POST.get("note", "")
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Mentor marked as left; her assignments ended."))
            return redirect("mentoring:mentor_list")
        until = request.POST.get("available_until", "").strip()
        try:
            data = services.MentorData(
                name=request.POST.get("name", ""),
                unit_id=ascii_id(request.POST.get("unit", "")) or 0,
                base_regency=request.POST.get("base_regency", ""),
                sectors=request.POST.getlist("sectors"),
                capacity=posted_number(request.POST, "capacity", model=Mentor, default=-1),
                phone=request.POST.get("phone", ""),
                business=request.POST.get("business", ""),
                available=request.POST.get("available") == "on",
                available_until=date.fromisoformat(until) if until else None,
            )
            saved = services.mentor_save(actor=user, data=data, mentor_id=pk)
        except ValueError:
            error, field = _("Give the date as YYYY-MM-DD."), "available_until"
        except DomainError as exc:
            error, field = exc.message, exc.field or ""
        else:
            messages.success(request, _("Mentor saved."))
            return redirect("mentoring:mentor_edit", pk=saved.pk)
    assignments = (
        Assignment.objects.filter(mentor=mentor)
        .exclude(status__in=[AssignmentStatus.PROPOSED, AssignmentStatus.DISCARDED])
        .select_related("kube")
        if mentor
        else []
    )
    return render(
        request,
        "mentoring/mentor_form.html",
        {
            "mentor": mentor,
            "can_edit": can_edit,
            "error": error,
            "field": field,
            "posted": request.POST if request.method == "POST" else None,
            "units": Unit.objects.for_user(user).select_related("organisation"),
            "sectors": BusinessType.objects.filter(active=True),
            "chosen": set(request.POST.getlist("sectors"))
            if request.method == "POST"
            else {s.code for s in mentor.sectors.all()}
            if mentor
            else set(),
            "assignments": assignments,
        },
    )


# Matching


@login_required
@permission_required("mentoring.run_matching", raise_exception=True)
def match_index(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    error, field = "", ""
    if request.method == "POST":
        try:
            weights = Weights(
                *(
                    posted_number(request.POST, name, model=MatchRun, default=default)
                    for name, default in (
                        ("other_regency", 40),
                        ("sector_mismatch", 25),
                        ("history_bonus", 10),
                    )
                )
            )
        except DomainError as exc:
            error, field = exc.message, "weights"
        else:
            try:
                run = services.match_run(
                    actor=user, area=request.POST.get("area", ""), weights=weights
                )
            except DomainError as exc:
                error, field = exc.message, exc.field or ""
            else:
                return redirect("mentoring:run_detail", pk=run.pk)
    waiting = services.waiting_groups(user, None).count()
    return render(
        request,
        "mentoring/match.html",
        {
            "runs": selectors.run_list(user),
            "waiting": waiting,
            "error": error,
            "field": field,
            "posted": request.POST,
            "defaults": Weights(),
        },
    )


@login_required
@permission_required("mentoring.view_matchrun", raise_exception=True)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    run = access(MatchRun.objects, actor=user, pk=pk)
    if request.method == "POST" and run.status == MatchRunStatus.PROPOSED:
        action = request.POST.get("action")
        try:
            if action == "change":
                raw = request.POST.get("mentor", "")
                services.proposal_change(
                    actor=user,
                    assignment_id=ascii_id(request.POST.get("row", "")) or 0,
                    mentor_id=ascii_id(raw),
                )
                messages.success(request, _("Proposal changed."))
            elif action == "send":
                outcome = services.run_send(actor=user, run_id=run.pk)
                messages.success(
                    request,
                    _("%(sent)d offers sent to mentors; %(skipped)d skipped.") % outcome,
                )
            elif action == "discard":
                services.run_discard(actor=user, run_id=run.pk)
                messages.success(request, _("Proposal discarded."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("mentoring:run_detail", pk=run.pk)
    rows = [(row, reason_labels(row.reasons)) for row in selectors.run_rows(run)]
    mentors = (
        selectors.mentor_list(user, area=run.area_code)
        if run.status == MatchRunStatus.PROPOSED
        else []
    )
    return render(
        request,
        "mentoring/run_detail.html",
        {"run": run, "rows": rows, "mentors": mentors},
    )


# Partners and agreements


@login_required
@permission_required("mentoring.view_agreement", raise_exception=True)
def partner_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    units = Unit.objects.for_user(user).select_related("organisation", "region")
    agreements = Agreement.objects.for_user(user).select_related("organisation", "signing_unit")
    return render(
        request,
        "mentoring/partner_list.html",
        {
            "organisations": Organisation.objects.filter(active=True),
            "units": units,
            "agreements": agreements,
            "today": timezone.localdate(),
        },
    )


@login_required
@permission_required("mentoring.view_agreement", raise_exception=True)
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = access(
        Agreement.objects.select_related("organisation", "signing_unit", "area"),
        actor=request.user,
        pk=pk,
    )
    return render(
        request,
        "mentoring/agreement_detail.html",
        {
            "agreement": agreement,
            "progress": selectors.agreement_progress(agreement),
            "today": timezone.localdate(),
        },
    )


@login_required
@permission_required("mentoring.view_agreement", raise_exception=True)
def agreement_document(request: HttpRequest, pk: int) -> FileResponse:
    agreement = access(Agreement.objects, actor=request.user, pk=pk)
    if not agreement.document:
        raise Http404
    return serve_upload(agreement.document, download_name=f"perjanjian-{agreement.pk}")


# Facilitator reports


@login_required
@permission_required("mentoring.view_monthlyreport", raise_exception=True)
def report_form(request: HttpRequest, pk: int, month: str) -> HttpResponse:
    user: Any = request.user
    kube = services.report_group(user, pk)
    try:
        first = services.month_start(month)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("mentoring:group_detail", pk=pk)
    report = MonthlyReport.objects.filter(kube=kube, month=first).first()
    error, field = "", ""
    if request.method == "POST":
        try:
            report = services.report_save(
                actor=user,
                kube_id=pk,
                month=month,
                activities=request.POST.get("activities", ""),
                problems=request.POST.get("problems", ""),
                follow_up=request.POST.get("follow_up", ""),
                submit=request.POST.get("action") == "submit",
            )
        except DomainError as exc:
            error, field = exc.message, exc.field or ""
        else:
            messages.success(
                request,
                _("Report submitted.") if report.status == "submitted" else _("Draft saved."),
            )
            return redirect("mentoring:report", pk=pk, month=month)
    facts = report.facts if report else services.month_facts(kube, first)
    return render(
        request,
        "mentoring/report_form.html",
        {
            "kube": kube,
            "month": first,
            "month_text": f"{first:%Y-%m}",
            "report": report,
            "facts": facts,
            "draft": services.draft_activities(facts),
            "error": error,
            "field": field,
            "posted": request.POST if request.method == "POST" else None,
            "can_write": user.has_perm("mentoring.add_monthlyreport")
            and (report is None or report.status != "submitted"),
        },
    )
