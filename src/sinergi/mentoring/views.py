"""Mentoring pages: groups and their sessions, offers, mentors, the matcher, partners, reports.

Views are thin: they read through ``selectors``, hand what was sent to a form from
``mentoring.forms``, call one service and render; a refused step comes back as the form with
what was typed and the message next to its field.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.core.errors import DomainError
from sinergi.core.filters import area_param
from sinergi.core.forms import posted, refused_status, submit_once
from sinergi.core.numbers import ascii_id
from sinergi.core.pagination import CappedPaginator
from sinergi.core.uploads import serve_upload
from sinergi.engines.matching import Weights
from sinergi.kube.selectors import shared_chair_phone
from sinergi.mentoring import forms, selectors, services
from sinergi.mentoring.models import AssignmentStatus, MatchRunStatus, ReportStatus
from sinergi.wilayah import selectors as wilayah_selectors
from sinergi.wilayah.filters import area_filter


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


def _refused(form: Any, exc: DomainError) -> None:
    """A service's refusal next to the field it names (or above the form)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@login_required
@permission_required("mentoring.view_session", raise_exception=True)
def group_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    area = area_filter(request)
    without = request.GET.get("tanpa") == "1"
    qs = selectors.group_list(request.user, q=q, area=area.code, without_mentor=without)
    page = CappedPaginator([] if area.refused else qs, settings.SINERGI_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "mentoring/group_list.html",
        {
            "page": page,
            "q": q,
            "area": area.text,
            "without": without,
            "offers": selectors.offers_for(request.user),
            "today": timezone.localdate(),
        },
    )


def _group_page(
    request: HttpRequest, pk: int, *, end_form: Any = None, status: int = 200
) -> HttpResponse:
    view = selectors.group_view(request.user, pk)
    user: Any = request.user
    is_mentor = (
        view.assignment is not None
        and view.assignment.status == AssignmentStatus.ACCEPTED
        and view.assignment.mentor_id == getattr(user, "mentor_id", None)
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
            "reports": selectors.group_reports(user, view.kube),
            "end_form": end_form or forms.AssignmentEndForm(),
            "item_form": forms.ItemStatusForm(),
            "reasons": reason_labels(view.assignment.reasons) if view.assignment else [],
            # Shown only with the chair's consent to share it (UU PDP).
            "chair_phone": shared_chair_phone(view.kube),
        },
        status=status,
    )


@login_required
@permission_required("mentoring.view_session", raise_exception=True)
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _group_page(request, pk)


@login_required
@permission_required("mentoring.add_session", raise_exception=True)
@submit_once
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    view = selectors.group_view(request.user, pk)
    form = forms.SessionForm(
        posted(request),
        request.FILES or None,
        members=view.members,
        open_items=selectors.open_items(view),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_log(
                actor=request.user,
                kube_id=pk,
                held_on=form.cleaned_data["held_on"],
                place=form.cleaned_data["place"],
                topics=form.cleaned_data["topics"],
                notes=form.cleaned_data["notes"],
                present=form.cleaned_data["present"],
                photos=form.cleaned_data["photos"],
                new_items=form.items.items(),
                reviews=form.reviews(),
            )
        except DomainError as exc:
            form.add_service_error(exc.field, exc.message)
        else:
            messages.success(request, _("Session recorded."))
            return redirect("mentoring:group_detail", pk=pk)
    return render(
        request,
        "mentoring/session_form.html",
        {
            "view": view,
            "kube": view.kube,
            "form": form,
            "items": form.items,
            "today": timezone.localdate(),
        },
        status=refused_status(form),
    )


@login_required
def session_photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    photo = selectors.session_photo_get(request.user, pk, photo_pk)
    return serve_upload(photo.image, download_name=f"sesi-{pk}-foto-{photo.pk}")


@login_required
@require_POST
@permission_required("mentoring.respond_assignment", raise_exception=True)
@submit_once
def offer_respond(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.OfferAnswerForm(posted(request))
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect("mentoring:group_list")
    accept = form.cleaned_data["answer"] == "accept"
    try:
        row = services.assignment_respond(
            actor=request.user,
            assignment_id=pk,
            accept=accept,
            reason=form.cleaned_data["reason"],
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
@permission_required("mentoring.change_assignment", raise_exception=True)
@submit_once
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    row = selectors.assignment_get(request.user, pk)
    form = forms.AssignmentEndForm(posted(request))
    if form.is_valid():
        try:
            services.assignment_end(
                actor=request.user,
                assignment_id=pk,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Assignment ended; the group waits for the next match."))
            return redirect("mentoring:group_detail", pk=row.kube_id)
    return _group_page(request, row.kube_id, end_form=form, status=400)


@login_required
@require_POST
@permission_required("mentoring.change_actionitem", raise_exception=True)
def item_update(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.ItemStatusForm(posted(request))
    if not form.is_valid():
        messages.error(request, _("Choose open, done or dropped."))
        return redirect("mentoring:group_list")
    try:
        item = services.action_item_update(
            actor=request.user,
            item_id=pk,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
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
@submit_once
def mentor_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user: Any = request.user
    can_edit = user.has_perm("mentoring.change_mentor" if pk else "mentoring.add_mentor")
    # The role is asked before the mentor is read: refused (403), not "absent" (404).
    if (pk is None or request.method == "POST") and not can_edit:
        raise PermissionDenied
    mentor = selectors.mentor_get(user, pk) if pk else None
    data = posted(request)
    leaving = data is not None and "leave" in data
    form = forms.MentorForm(
        None if leaving else data,
        actor=user,
        units=selectors.unit_list(user),
        sectors=selectors.sectors(),
        mentor=mentor,
    )
    leave_form = forms.MentorLeaveForm(data if leaving else None)
    if leaving and mentor and leave_form.is_valid():
        try:
            services.mentor_leave(
                actor=user, mentor_id=mentor.pk, note=leave_form.cleaned_data["note"]
            )
        except DomainError as exc:
            _refused(leave_form, exc)
        else:
            messages.success(request, _("Mentor marked as left; her assignments ended."))
            return redirect("mentoring:mentor_list")
    elif request.method == "POST" and not leaving and form.is_valid() and not form.finding():
        try:
            saved = services.mentor_save(actor=user, data=form.data_for_service(), mentor_id=pk)
        except DomainError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Mentor saved."))
            return redirect("mentoring:mentor_edit", pk=saved.pk)
    return render(
        request,
        "mentoring/mentor_form.html",
        {
            "mentor": mentor,
            "can_edit": can_edit,
            "form": form,
            "leave_form": leave_form,
            "assignments": selectors.mentor_assignments(mentor) if mentor else [],
        },
        status=refused_status(form, leave_form),
    )


# Matching


@login_required
@permission_required("mentoring.run_matching", raise_exception=True)
@submit_once
def match_index(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = forms.MatchRunForm(posted(request), actor=user)
    if request.method == "POST" and form.is_valid() and not form.finding():
        c = form.cleaned_data
        try:
            run = services.match_run(
                actor=user,
                area=c["area"] or "",
                weights=Weights(c["other_regency"], c["sector_mismatch"], c["history_bonus"]),
            )
        except DomainError as exc:
            _refused(form, exc)
        else:
            return redirect("mentoring:run_detail", pk=run.pk)
    return render(
        request,
        "mentoring/match.html",
        {
            "runs": selectors.run_list(user),
            "waiting": selectors.waiting_count(user),
            "form": form,
        },
        status=refused_status(form),
    )


@login_required
@permission_required("mentoring.view_matchrun", raise_exception=True)
@submit_once
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    if request.method == "POST" and not user.has_perm("mentoring.run_matching"):
        raise PermissionDenied  # the role, asked before the run is read (403, not 404)
    run = selectors.run_get(user, pk)
    proposed = run.status == MatchRunStatus.PROPOSED and user.has_perm("mentoring.run_matching")
    rows = list(selectors.run_rows(run))
    data = posted(request)
    action = data.get("action", "") if data is not None else ""
    discard_form = forms.RunDiscardForm(data if action == "discard" else None)
    chosen = ascii_id(request.GET.get("baris", ""))
    change_form = forms.ProposalChangeForm(
        data if action == "change" else None,
        actor=user,
        rows=rows if proposed else [],
        area=run.area_code,
        initial={"row": chosen},
    )
    if data is not None and not proposed:
        # The role may; the run, sent or discarded, no longer changes: said on its page.
        messages.error(request, _("This proposal has been sent or discarded."))
        return redirect("mentoring:run_detail", pk=run.pk)
    try:
        if action == "change" and change_form.is_valid() and not change_form.finding():
            services.proposal_change(
                actor=user,
                assignment_id=change_form.cleaned_data["row"],
                mentor_id=change_form.cleaned_data["mentor"],
            )
            messages.success(request, _("Proposal changed."))
            return redirect("mentoring:run_detail", pk=run.pk)
        if action == "send":
            outcome = services.run_send(actor=user, run_id=run.pk)
            messages.success(
                request, _("%(sent)d offers sent to mentors; %(skipped)d skipped.") % outcome
            )
            return redirect("mentoring:run_detail", pk=run.pk)
        if action == "discard" and discard_form.is_valid():
            services.run_discard(actor=user, run_id=run.pk)
            messages.success(request, _("Proposal discarded."))
            return redirect("mentoring:run_detail", pk=run.pk)
    except DomainError as exc:
        _refused(change_form if action == "change" else discard_form, exc)
    # Districts and the run's area by name, the code beside it (people know the names).
    names = wilayah_selectors.region_names(
        [run.area_code, *(row.kube.area_code[:8] for row in rows)]
    )
    return render(
        request,
        "mentoring/run_detail.html",
        {
            "run": run,
            "rows": [
                (row, reason_labels(row.reasons), code, names.get(code, ""))
                for row, code in ((row, row.kube.area_code[:8]) for row in rows)
            ],
            "area_name": names.get(run.area_code, ""),
            "proposed": proposed,
            "discard_form": discard_form,
            "change_form": change_form,
            "changing": action == "change" or chosen is not None,
        },
        status=refused_status(change_form, discard_form),
    )


# Partners and agreements


@login_required
@permission_required("mentoring.view_agreement", raise_exception=True)
def partner_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    return render(
        request,
        "mentoring/partner_list.html",
        {
            "organisations": selectors.organisation_list(user),
            "units": selectors.unit_list(user),
            "agreements": selectors.agreement_list(user),
            "today": timezone.localdate(),
        },
    )


@login_required
@permission_required("mentoring.add_unit", raise_exception=True)
@submit_once
def unit_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user: Any = request.user
    unit = selectors.unit_get(user, pk) if pk else None
    if pk and not user.has_perm("mentoring.change_unit"):
        raise PermissionDenied
    initial = (
        {
            "organisation": unit.organisation_id,
            "level": unit.level,
            "name": unit.name,
            "region": unit.area_code,
        }
        if unit
        else {}
    )
    form = forms.UnitForm(
        posted(request),
        actor=user,
        organisations=selectors.organisation_list(user),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid() and not form.finding():
        c = form.cleaned_data
        try:
            services.unit_save(
                actor=user,
                organisation_id=c["organisation"],
                level=c["level"],
                name=c["name"],
                region_code=c["region"] or "",
                unit_id=pk,
            )
        except DomainError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Partner unit saved."))
            return redirect("mentoring:partner_list")
    return render(
        request,
        "mentoring/unit_form.html",
        {"form": form, "unit": unit},
        status=refused_status(form),
    )


@login_required
@permission_required("mentoring.add_agreement", raise_exception=True)
@submit_once
def agreement_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user: Any = request.user
    agreement = selectors.agreement_get(user, pk) if pk else None
    if pk and not user.has_perm("mentoring.change_agreement"):
        raise PermissionDenied
    initial: dict[str, Any] = {}
    if agreement:
        initial = {name: getattr(agreement, name) for name in (
            "kind", "number", "title", "ministry_party", "ministry_signatory",
            "partner_signatory", "witnesses", "signed_on", "valid_from", "valid_until",
            "scope", "area_code",
        )}  # fmt: skip
        initial["signing_unit"] = agreement.signing_unit_id
        initial.update({f"kpi_{k.indicator}": k.target for k in agreement.kpis.all()})
    form = forms.AgreementForm(
        posted(request),
        request.FILES or None,
        actor=user,
        units=selectors.unit_list(user),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid() and not form.finding():
        try:
            saved = services.agreement_save_with_document(
                actor=user,
                data=form.data_for_service(),
                agreement_id=pk,
                document=form.cleaned_data["document"],
            )
        except DomainError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Agreement saved."))
            return redirect("mentoring:agreement_detail", pk=saved.pk)
    return render(
        request,
        "mentoring/agreement_form.html",
        {"form": form, "agreement": agreement},
        status=refused_status(form),
    )


@login_required
@permission_required("mentoring.view_agreement", raise_exception=True)
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(request.user, pk)
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
    document = selectors.agreement_document(request.user, pk)
    return serve_upload(document, download_name=f"perjanjian-{pk}")


# Facilitator reports


@login_required
@permission_required("mentoring.view_monthlyreport", raise_exception=True)
@submit_once
def report_form(request: HttpRequest, pk: int, month: str) -> HttpResponse:
    user: Any = request.user
    # A post writes or returns the report: a role doing neither is refused before the read.
    if request.method == "POST" and not (
        user.has_perm("mentoring.add_monthlyreport")
        or user.has_perm("mentoring.return_monthlyreport")
    ):
        raise PermissionDenied
    try:
        view = selectors.report_view(user, pk, month)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("mentoring:group_detail", pk=pk)
    report = view.report
    can_write = user.has_perm("mentoring.add_monthlyreport") and (
        report is None or report.status != ReportStatus.SUBMITTED
    )
    can_return = (
        report is not None
        and report.status == ReportStatus.SUBMITTED
        and user.has_perm("mentoring.return_monthlyreport")
    )
    data = posted(request)
    returning = data is not None and "return" in data
    initial = (
        {
            "activities": report.activities,
            "problems": report.problems,
            "follow_up": report.follow_up,
        }
        if report
        else {"activities": view.draft}
    )
    form = forms.ReportForm(None if returning else data, record=report, initial=initial)
    return_form = forms.ReportReturnForm(data if returning else None)
    if returning:
        if not can_return or report is None:
            raise PermissionDenied
        if return_form.is_valid():
            try:
                services.report_return(
                    actor=user, report_id=report.pk, reason=return_form.cleaned_data["reason"]
                )
            except DomainError as exc:
                _refused(return_form, exc)
            else:
                messages.success(request, _("Report returned to its author for correction."))
                return redirect("mentoring:report", pk=pk, month=month)
    elif data is not None:
        if not can_write:
            raise PermissionDenied
        if form.is_valid():
            try:
                report = services.report_save(
                    actor=user,
                    kube_id=pk,
                    month=month,
                    activities=form.cleaned_data["activities"],
                    problems=form.cleaned_data["problems"],
                    follow_up=form.cleaned_data["follow_up"],
                    submit=form.cleaned_data["action"] == "submit",
                )
            except DomainError as exc:
                _refused(form, exc)
            else:
                messages.success(
                    request,
                    _("Report submitted.")
                    if report.status == ReportStatus.SUBMITTED
                    else _("Draft saved."),
                )
                return redirect("mentoring:report", pk=pk, month=month)
    return render(
        request,
        "mentoring/report_form.html",
        {
            "kube": view.kube,
            "month": view.month,
            "month_text": f"{view.month:%Y-%m}",
            "report": report,
            "facts": view.facts,
            "form": form,
            "return_form": return_form,
            "can_write": can_write,
            "can_return": can_return,
        },
        status=refused_status(form, return_form),
    )
