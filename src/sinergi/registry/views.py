"""Registry pages: households and persons, reveal, imports with progress, duplicate review."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms as djforms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.core.errors import DomainError
from sinergi.core.exports import csv_stream_response
from sinergi.core.filters import page_number
from sinergi.core.pagination import CappedPaginator
from sinergi.core.scoping import access
from sinergi.registry import selectors, services
from sinergi.registry.forms import (
    HouseholdEditForm,
    HouseholdForm,
    ImportForm,
    PersonEditForm,
    PersonForm,
    RevealForm,
)
from sinergi.registry.imports import (
    enqueue,
    import_cancel,
    import_create,
    import_resumable,
    import_resume,
    import_start_commit,
    resume_if_stale,
)
from sinergi.registry.messages import problem_text
from sinergi.registry.models import (
    Household,
    ImportBatch,
    ImportStatus,
    Person,
)

FIELD_MAP = {
    "kk": "kk",
    "village": "village_code",
    "desil": "desil",
    "desil_date": "desil_date",
    "nik": "nik",
    "name": "name",
    "sex": "sex",
    "relation": "relation",
    "birth_date": "birth_date",
    "phone": "phone",
}


def _bound(request: HttpRequest) -> Any:
    """POST data whenever the method is POST, so an empty submission shows its errors."""
    return request.POST if request.method == "POST" else None


def _form_error(form: djforms.Form, exc: DomainError) -> None:
    field = FIELD_MAP.get(exc.field or "")
    form.add_error(field if field in form.fields else None, exc.message)


@login_required
@permission_required("registry.view_household", raise_exception=True)
def household_list(request: HttpRequest) -> HttpResponse:
    """The registry list and its search. The search box posts; a name comes back as ``?q=``
    (bookmarkable, pageable), a full NIK or KK number is answered to the post itself and never
    enters an address (a number finds one household: nothing to bookmark or page through)."""
    if request.method == "POST":
        q = request.POST.get("q", "").strip()[:100]
        if not selectors.is_full_number(q) and not request.htmx:  # type: ignore[attr-defined]
            return redirect(_household_list_url(q))
    else:
        q = request.GET.get("q", "").strip()[:100]
        if selectors.is_full_number(q):
            messages.error(
                request,
                _(
                    "Type a full NIK or KK number in the search box: numbers are never put in "
                    "web addresses, where logs and browser history would keep them."
                ),
            )
            return redirect(_household_list_url(""))
    page = CappedPaginator(
        selectors.household_list(actor=request.user, q=q), settings.SINERGI_PAGE_SIZE
    ).get_page(page_number(request))
    template = "registry/household_list.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#results"
    response = render(
        request,
        template,
        {"page": page, "q": q, "sees_welfare": selectors.sees_welfare(request.user)},
    )
    if request.method == "POST" and request.htmx:  # type: ignore[attr-defined]
        number = selectors.is_full_number(q)
        response["HX-Push-Url"] = _household_list_url("" if number else q)
    return response


def _household_list_url(q: str) -> str:
    url = reverse("registry:household_list")
    return f"{url}?{urlencode({'q': q})}" if q else url


@login_required
@permission_required("registry.add_household", raise_exception=True)
def household_create(request: HttpRequest) -> HttpResponse:
    form = HouseholdForm(_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Household registered."))
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "registry/household_form.html", {"form": form, "household": None})


@login_required
@permission_required("registry.change_household", raise_exception=True)
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    household = access(Household.objects, actor=request.user, pk=pk)
    initial = {
        "village_code": household.area_code,
        "address": household.address,
        "desil": household.desil,
        "desil_date": household.desil_date,
    }
    form = HouseholdEditForm(_bound(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "kk"}
        try:
            services.household_update(actor=request.user, household_id=pk, **data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Household saved."))
            return redirect("registry:household_detail", pk=pk)
    return render(request, "registry/household_form.html", {"form": form, "household": household})


@login_required
@permission_required("registry.view_household", raise_exception=True)
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = access(Household.objects.select_related("village"), actor=request.user, pk=pk)
    members = household.members.order_by("-is_head", "birth_date")
    history = list(household.history.select_related("history_user")[:20])
    member_history = Person.history.filter(household_id=pk).select_related("history_user")[:30]
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "members": members,
            "history": history,
            "member_history": member_history,
            "reveal_form": RevealForm(),
            "sees_welfare": selectors.sees_welfare(request.user),
        },
    )


@login_required
@permission_required("registry.add_person", raise_exception=True)
def person_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = access(Household.objects, actor=request.user, pk=pk)
    form = PersonForm(_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.person_create(actor=request.user, household_id=pk, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Person added."))
            return redirect("registry:household_detail", pk=pk)
    return render(
        request, "registry/person_form.html", {"form": form, "household": household, "person": None}
    )


@login_required
@permission_required("registry.change_person", raise_exception=True)
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = access(Person.objects.select_related("household"), actor=request.user, pk=pk)
    initial = {
        f: getattr(person, f)
        for f in ("name", "sex", "birth_place", "birth_date", "relation", "is_head", "phone")
    }
    form = PersonEditForm(_bound(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, person_id=pk, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Person saved."))
            return redirect("registry:household_detail", pk=person.household_id)
    return render(
        request,
        "registry/person_form.html",
        {"form": form, "household": person.household, "person": person},
    )


@login_required
@require_POST
def reveal(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Show one full number after a reason is given; the reveal is audited."""
    form = RevealForm(request.POST)
    # The service judges the reason too (after the area), so a row outside the area is 404
    # whatever the form holds; the form only trims and bounds what was typed.
    reason = (
        form.cleaned_data["reason"] if form.is_valid() else request.POST.get("reason", "")[:200]
    )
    value, error, status = "", "", 400
    try:
        value = services.identifier_reveal(
            actor=request.user, kind=kind, object_id=pk, reason=reason
        )
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        error, status = exc.message, exc.status
    return render(
        request,
        "registry/reveal.html",
        # On a refusal the form comes back open with the reason as typed and the message.
        {"value": value, "error": error, "kind": kind, "pk": pk, "reason": reason},
        status=200 if value else status,
    )


@login_required
@permission_required("registry.add_importbatch", raise_exception=True)
def import_list(request: HttpRequest) -> HttpResponse:
    form = ImportForm(_bound(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = import_create(
                actor=request.user,
                source=upload,
                file_name=upload.name,
                all_or_nothing=form.cleaned_data["all_or_nothing"],
            )
        finally:
            upload.close()  # a large upload's temporary file goes now, not at the request's end
        enqueue(batch, "check")
        return redirect("registry:import_detail", pk=batch.pk)
    page = Paginator(selectors.import_list(actor=request.user), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "registry/import_list.html", {"form": form, "page": page})


def _batch(request: HttpRequest, pk: Any) -> ImportBatch:
    return access(ImportBatch.objects, actor=request.user, pk=pk)


@login_required
@permission_required("registry.view_importbatch", raise_exception=True)
def import_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    batch = _batch(request, pk)
    if resume_if_stale(batch):  # its worker died: a new one takes it over, nobody has to ask
        batch.refresh_from_db()
    issues = Paginator(batch.issues.all(), 100).get_page(request.GET.get("page"))
    running = batch.status in (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.COMMITTING)
    context = {
        "batch": batch,
        "issues": issues,
        "running": running,
        "reasons": [
            (key.split(":")[0], problem_text(key.split(":")[1]), n)
            for key, n in batch.rejected_by_reason.items()
        ],
        "file_error": problem_text(batch.file_error.split(":")[0]) if batch.file_error else "",
        "resumable": import_resumable(batch),
        "cancellable": batch.status not in (ImportStatus.COMMITTED, ImportStatus.CANCELLED),
        "file_error_detail": batch.file_error.partition(":")[2],
    }
    if request.htmx:  # type: ignore[attr-defined]
        response = render(request, "registry/import_detail.html#status", context)
        if not running:
            # Finished: reload the whole page once so the report below appears too.
            response["HX-Refresh"] = "true"
        return response
    return render(request, "registry/import_detail.html", context)


def _batch_step(request: HttpRequest, pk: Any, step: Callable[..., Any], done: str) -> HttpResponse:
    """Run one officer step on a batch (save, resume, cancel) and show how it went."""
    try:
        step(actor=request.user, batch=_batch(request, pk))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("registry:import_detail", pk=pk)


@login_required
@permission_required("registry.add_importbatch", raise_exception=True)
@require_POST
def import_commit_view(request: HttpRequest, pk: Any) -> HttpResponse:
    return _batch_step(request, pk, import_start_commit, _("Saving the valid rows…"))


@login_required
@permission_required("registry.add_importbatch", raise_exception=True)
@require_POST
def import_resume_view(request: HttpRequest, pk: Any) -> HttpResponse:
    return _batch_step(request, pk, import_resume, _("The import continues where it stopped."))


@login_required
@permission_required("registry.add_importbatch", raise_exception=True)
@require_POST
def import_cancel_view(request: HttpRequest, pk: Any) -> HttpResponse:
    return _batch_step(request, pk, import_cancel, _("Import cancelled; its file was deleted."))


@login_required
@permission_required("registry.view_importbatch", raise_exception=True)
def import_report(request: HttpRequest, pk: Any) -> StreamingHttpResponse:
    """Every problem as CSV (row, column, problem, masked value), in the user's language."""
    batch = _batch(request, pk)
    header = [_("row"), _("column"), _("problem"), _("value"), _("warning")]
    rows = (
        [
            issue.row_number,
            issue.column,
            problem_text(issue.code),
            issue.value,
            int(issue.is_warning),
        ]
        for issue in batch.issues.all().iterator(chunk_size=5000)
    )
    return csv_stream_response(f"laporan-impor-{batch.pk}.csv", header, rows)


@login_required
@permission_required("registry.change_duplicatecandidate", raise_exception=True)
def duplicate_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.duplicate_queue(actor=request.user), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "registry/duplicate_list.html", {"page": page})


@login_required
@permission_required("registry.change_duplicatecandidate", raise_exception=True)
@require_POST
def duplicate_decide(request: HttpRequest, pk: int) -> HttpResponse:
    decision = request.POST.get("decision", "")
    if decision not in ("keep_a", "keep_b", "reject"):
        messages.error(request, _("Choose merge or not the same person."))
        return redirect("registry:duplicate_list")
    try:
        services.duplicate_decide(
            actor=request.user,
            candidate_id=pk,
            same_person=decision != "reject",
            keep="b" if decision == "keep_b" else "a",
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Decision saved."))
    return redirect("registry:duplicate_list")
