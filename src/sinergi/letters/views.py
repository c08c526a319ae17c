"""Letters pages (/surat/): the list of letters in the reader's area, one letter with its files
and the void step, issuing from a record's page, and the offices' templates.

Reads through ``selectors``, writes through ``services`` with the forms of ``forms``; a refused
step shows the page again with the reason beside the field (400; 403 for a role refusal, 409
answers as 400 with the reason: the state refuses it, not the form).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.core.errors import DomainError
from sinergi.core.forms import submit_once
from sinergi.core.pagination import CappedPaginator
from sinergi.core.scoping import user_area
from sinergi.letters import files, forms, kinds, selectors, services
from sinergi.letters.models import Kind, LetterStatus


def _refused(form: Any, exc: DomainError) -> int:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return 403 if exc.status == 403 else 400


def _require_view(request: HttpRequest) -> None:
    if not selectors.may_view(request.user):
        raise PermissionDenied


@login_required
def letter_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    kind = request.GET.get("jenis", "")
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()[:60]
    qs = selectors.letter_list(
        actor=request.user,
        kind=kind if kind in Kind.values else "",
        status=status if status in LetterStatus.values else "",
        q=q,
    )
    page = CappedPaginator(qs, settings.SINERGI_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "letters/letter_list.html",
        {
            "page": page,
            "kind": kind,
            "status": status,
            "q": q,
            "kinds": Kind.choices,
            "statuses": LetterStatus.choices,
        },
    )


def _detail(request: HttpRequest, pk: int, *, status: int = 200, **bound: Any) -> HttpResponse:
    letter = selectors.letter_get(actor=request.user, pk=pk)
    return render(
        request,
        "letters/letter_detail.html",
        {
            "letter": letter,
            "void_form": bound.get("void_form") or forms.VoidForm(),
            "may_void": letter.status == LetterStatus.ISSUED
            and request.user.has_perm("letters.void_letter"),
        },
        status=status,
    )


@login_required
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request)
    return _detail(request, pk)


@login_required
def letter_file(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    """The stored file with its true type, as a download (never rendered in the page)."""
    _require_view(request)
    if fmt not in files.CONTENT_TYPES:
        raise Http404
    letter = selectors.letter_get(actor=request.user, pk=pk)
    return files.file_response(letter, fmt)


@login_required
@require_POST
@permission_required("letters.void_letter", raise_exception=True)
@submit_once
def letter_void(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.letter_get(actor=request.user, pk=pk)
    form = forms.bind(forms.VoidForm, request)
    if form.is_valid():
        try:
            services.letter_void(
                actor=request.user, letter_id=pk, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            return _detail(request, pk, status=_refused(form, exc), void_form=form)
        messages.success(request, _("The letter is void; its number stays with it."))
        return redirect("letters:letter_detail", pk=pk)
    return _detail(request, pk, status=400, void_form=form)


@login_required
@permission_required("letters.add_letter", raise_exception=True)
@submit_once
def letter_issue(request: HttpRequest) -> HttpResponse:
    """GET: the issue form for ``?kind=&object_id=`` (the record pages' buttons post it
    directly); POST: issue, then go to the letter."""
    form = forms.bind(
        forms.IssueForm,
        request,
        initial={
            "kind": request.GET.get("kind", ""),
            "object_id": request.GET.get("object_id", ""),
        },
    )
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                letter = services.letter_issue(
                    actor=request.user,
                    kind=data["kind"],
                    object_id=data["object_id"],
                    office_code=data["office_code"] or "",
                )
            except DomainError as exc:
                status = _refused(form, exc)
            else:
                messages.success(
                    request, _("Letter %(number)s issued.") % {"number": letter.number}
                )
                return redirect("letters:letter_detail", pk=letter.pk)
    return render(request, "letters/letter_issue.html", {"form": form}, status=status)


@login_required
@permission_required("letters.view_lettertemplate", raise_exception=True)
def template_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.template_rows(actor=request.user)
    return render(
        request,
        "letters/template_list.html",
        {"rows": rows, "may_edit": request.user.has_perm("letters.change_lettertemplate")},
    )


@login_required
@permission_required("letters.view_lettertemplate", raise_exception=True)
@submit_once
def template_edit(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in Kind.values:
        raise Http404
    area = user_area(request.user)
    office = request.GET.get("kantor", "") if area is None else area
    if office and not all(part.isdigit() for part in office.split(".")):
        raise Http404
    if request.method == "POST" and not services.may_edit_office(request.user, office):
        raise PermissionDenied
    current = selectors.template_get(kind=kind, office_code=office)
    form = forms.bind(
        forms.TemplateForm,
        request,
        kind=kind,
        initial={name: getattr(current, name) for name in services.TEMPLATE_FIELDS},
    )
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.template_save(
                    actor=request.user,
                    kind=kind,
                    office_code=office,
                    values={name: data[name] for name in services.TEMPLATE_FIELDS},
                    logo=data.get("logo"),
                )
            except DomainError as exc:
                status = _refused(form, exc)
            else:
                messages.success(request, _("Template saved."))
                return redirect("letters:template_list")
    return render(
        request,
        "letters/template_edit.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": Kind(kind).label,
            "office": office,
            "current": current,
            "placeholders": kinds.placeholders(kind).items(),
            "number_fields": kinds.NUMBER_FIELDS.items(),
        },
        status=status,
    )
