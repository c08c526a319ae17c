"""Personal-data pages: data-subject requests (/pdp/permintaan/) and retention (/pdp/retensi/).

Reads through ``selectors``, writes through ``services`` with the forms of ``forms``; a refused
step shows the page again with the reason (400, a legal hold included; 403 for a role or
four-eyes refusal).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.core import four_eyes, jobs
from sinergi.core.errors import DomainError, require_permission
from sinergi.core.forms import submit_once
from sinergi.core.pagination import CappedPaginator
from sinergi.pdp import forms, retention, selectors, services
from sinergi.pdp.erasure import legal_holds
from sinergi.pdp.jobs import RETENTION
from sinergi.pdp.models import (
    CorrectionStatus,
    RequestKind,
    RequestStatus,
    RetentionCategory,
)


def _status(exc: DomainError) -> int:
    """A refused step's page: 403 for a role or four-eyes refusal, else 400 (a legal hold or
    a closed request included), as every module answers a refused form."""
    return 403 if exc.status == 403 else 400


def _refused(form: Any, exc: DomainError) -> int:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return _status(exc)


@login_required
@permission_required("pdp.view_datasubjectrequest", raise_exception=True)
def request_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    kind = request.GET.get("jenis", "")
    qs = selectors.request_list(
        actor=request.user,
        status=status if status in RequestStatus.values else "",
        kind=kind if kind in RequestKind.values else "",
    )
    page = CappedPaginator(qs, settings.SINERGI_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "pdp/request_list.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "statuses": RequestStatus.choices,
            "kinds": RequestKind.choices,
        },
    )


@login_required
@permission_required("pdp.add_datasubjectrequest", raise_exception=True)
@submit_once
def request_create(request: HttpRequest) -> HttpResponse:
    form = forms.bind(forms.RequestForm, request)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.request_create(
                    actor=request.user,
                    kind=data["kind"],
                    nik=data["nik"],
                    channel=data["channel"],
                    received_on=data["received_on"],
                    details=data["details"],
                )
            except DomainError as exc:
                status = _refused(form, exc)
            else:
                text = services.found_text(created)
                if text:
                    messages.warning(request, text)
                else:
                    messages.success(request, _("Request recorded."))
                return redirect("pdp:request_detail", pk=created.pk)
    return render(request, "pdp/request_form.html", {"form": form}, status=status)


def _readable(changes: dict[str, Any]) -> list[tuple[str, str]]:
    """A correction's before/after values as a person reads them: each field by its label,
    a chosen value (sex, relation) by its name, never the field's or the choice's code."""
    fields = forms.CorrectionForm.base_fields
    shown = []
    for name, value in changes.items():
        field = fields.get(name)
        choices = dict(getattr(field, "choices", None) or ())
        shown.append(
            (str(field.label) if field is not None else name, str(choices.get(value, value)))
        )
    return shown


def _detail(request: HttpRequest, pk: int, *, status: int = 200, **bound: Any) -> HttpResponse:
    actor = request.user
    dsr = selectors.request_get(actor=actor, pk=pk)
    is_open = dsr.status == RequestStatus.OPEN
    may_change = is_open and actor.has_perm("pdp.change_datasubjectrequest")
    holds = []
    if dsr.person_id and dsr.kind == RequestKind.ERASURE and is_open:
        holds = legal_holds(dsr.person) if dsr.person else []
    corrections = list(selectors.corrections(dsr))
    access_job = None
    job_id = (dsr.result or {}).get("access_job")
    if job_id:
        try:
            access_job = jobs.get_visible(actor, int(job_id))
        except Http404:
            access_job = None
    return render(
        request,
        "pdp/request_detail.html",
        {
            "dsr": dsr,
            "found_text": services.found_text(dsr),
            "may_change": may_change,
            "close_form": bound.get("close_form") or forms.CloseForm(),
            "erase_form": bound.get("erase_form") or forms.EraseForm(),
            "correction_form": bound.get("correction_form") or forms.CorrectionForm(),
            "decide_forms": [
                (
                    c,
                    forms.DecideForm(initial={"correction": c.pk}, auto_id=f"d{c.pk}_%s"),
                    four_eyes.refusal(
                        request.user,
                        c.proposed_by_id,
                        message=_("You proposed this correction; another officer must approve it."),
                    ),
                )
                for c in corrections
                if c.status == CorrectionStatus.PROPOSED
            ],
            "corrections": corrections,
            "correction_rows": [(c, _readable(c.before), _readable(c.after)) for c in corrections],
            "holds": holds,
            "may_erase": is_open
            and dsr.kind == RequestKind.ERASURE
            and dsr.person_id is not None
            and actor.has_perm("pdp.erase_person"),
            "may_correct": may_change
            and dsr.kind == RequestKind.CORRECTION
            and dsr.person_id is not None,
            "may_access": dsr.person_id is not None and dsr.kind == RequestKind.ACCESS,
            "may_approve": actor.has_perm("pdp.approve_correction"),
            "access_job": access_job,
            "error": bound.get("error", ""),
        },
        status=status,
    )


@login_required
@permission_required("pdp.view_datasubjectrequest", raise_exception=True)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


def _step(
    request: HttpRequest,
    pk: int,
    form_class: type[Any],
    act: Callable[[dict[str, Any]], object],
    done: str,
    *,
    slot: str = "",
    invalid: str = "",
) -> HttpResponse:
    """One step on a request the actor may see: the form bound, the service called with its
    data, then back to the request with ``done``. A refusal or a bad form shows the request
    page again: with the form in ``slot`` carrying the reason beside its field, or (no slot)
    with the reason, or ``invalid``, as the page's error."""
    selectors.request_get(actor=request.user, pk=pk)
    form = forms.bind(form_class, request)
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except DomainError as exc:
            if slot:
                return _detail(request, pk, status=_refused(form, exc), **{slot: form})
            return _detail(request, pk, status=_status(exc), error=exc.message)
        messages.success(request, done)
        return redirect("pdp:request_detail", pk=pk)
    if slot:
        return _detail(request, pk, status=400, **{slot: form})
    return _detail(request, pk, status=400, error=invalid)


@login_required
@require_POST
@permission_required("pdp.change_datasubjectrequest", raise_exception=True)
@submit_once
def request_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        forms.CloseForm,
        lambda data: services.request_close(
            actor=request.user, request_id=pk, outcome=data["outcome"], refused=data["refused"]
        ),
        _("Request closed."),
        slot="close_form",
    )


@login_required
@require_POST
@permission_required("pdp.view_datasubjectrequest", raise_exception=True)
@submit_once
def request_access(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.request_get(actor=request.user, pk=pk)
    try:
        job = services.access_start(actor=request.user, request_id=pk)
    except DomainError as exc:
        return _detail(request, pk, status=_status(exc), error=exc.message)
    messages.success(request, _("The access file is being prepared."))
    return redirect("core:job", pk=job.pk)


@login_required
@permission_required("pdp.view_datasubjectrequest", raise_exception=True)
def request_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The access file's PDF for whoever asked for it (the job's own-only rule), audited."""
    dsr = selectors.request_get(actor=request.user, pk=pk)
    job_id = (dsr.result or {}).get("access_job")
    if not job_id:
        raise Http404(_("No access file has been made for this request yet."))
    job, handle = jobs.open_file(request.user, int(job_id))  # audits the download
    handle.close()
    name = str((job.result or {}).get("pdf", ""))
    if not name or not default_storage.exists(name):
        raise Http404(_("This file has been removed; ask for it again."))
    return FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=f"akses-data-{dsr.pk}.pdf",
        content_type="application/pdf",
    )


@login_required
@require_POST
@permission_required("pdp.erase_person", raise_exception=True)
@submit_once
def request_erase(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        forms.EraseForm,
        lambda data: services.person_erase(
            actor=request.user, request_id=pk, reason=data["reason"]
        ),
        _("The person's data has been erased (anonymised)."),
        slot="erase_form",
    )


@login_required
@require_POST
@permission_required("pdp.change_datasubjectrequest", raise_exception=True)
@submit_once
def request_correct(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        forms.CorrectionForm,
        lambda data: services.correction_propose(actor=request.user, request_id=pk, changes=data),
        _("Correction proposed; another officer must approve it."),
        slot="correction_form",
    )


@login_required
@require_POST
@permission_required("pdp.approve_correction", raise_exception=True)
@submit_once
def correction_decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        forms.DecideForm,
        lambda data: services.correction_decide(
            actor=request.user,
            correction_id=data["correction"],
            approve=data["approve"],
            note=data["note"],
        ),
        _("Decision recorded."),
        invalid=_("Choose a decision."),
    )


@login_required
@permission_required("pdp.view_retentionrule", raise_exception=True)
@submit_once
def retention_page(request: HttpRequest) -> HttpResponse:
    form = forms.bind(forms.RunForm, request)
    if form.is_bound:
        require_permission(request.user, "pdp.run_retention")
        if form.is_valid():
            job = retention.start(actor=request.user)
            messages.success(request, _("The retention task has been started."))
            return redirect("core:job", pk=job.pk)
    runs = list(jobs.listed(request.user, kind=RETENTION.code)[:20])
    labels = dict(RetentionCategory.choices)
    words = {
        "deleted": _("deleted"),
        "anonymised": _("anonymised"),
        "held": _("kept under a legal hold"),
        "days": _("period (days)"),
        "skipped": _("not applied"),
    }
    for run in runs:
        run.lines = [  # type: ignore[attr-defined]
            (
                labels.get(k, k),
                ", ".join(
                    str(words.get(w, w)) if n is True else f"{words.get(w, w)} {n}"
                    for w, n in v.items()
                ),
            )
            for k, v in (run.result or {}).items()
            if isinstance(v, dict)
        ]
    return render(
        request,
        "pdp/retention.html",
        {"rules": selectors.retention_rules(), "runs": runs, "form": forms.RunForm()},
    )
