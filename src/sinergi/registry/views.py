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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from sinergi.core.errors import DomainError
from sinergi.core.exports import csv_stream_response
from sinergi.core.filters import page_number
from sinergi.core.forms import posted as posted_data
from sinergi.core.forms import refused_status, submit_once
from sinergi.core.pagination import CappedPaginator
from sinergi.engines import wilayah as wilayah_engine
from sinergi.engines.tabular import TabularError, open_table
from sinergi.registry import (
    access_log,
    batches,
    consent,
    forms,
    imports,
    mapping,
    profiles,
    review,
    selectors,
    services,
)
from sinergi.registry.forms import (
    ConsentForm,
    ConsentWithdrawForm,
    DuplicateDecisionForm,
    HouseholdEditForm,
    HouseholdForm,
    ImportForm,
    MappingForm,
    PersonEditForm,
    PersonForm,
    RevealForm,
)
from sinergi.registry.imports import import_resumable, resume_if_stale
from sinergi.registry.messages import problem_text
from sinergi.registry.models import AccessPurpose, ImportStatus
from sinergi.wilayah import selectors as wilayah_selectors

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


def _form_error(form: djforms.Form, exc: DomainError) -> None:
    field = FIELD_MAP.get(exc.field or "")
    form.add_error(field if field in form.fields else None, exc.message)


@login_required
@permission_required("registry.view_household", raise_exception=True)
def household_list(request: HttpRequest) -> HttpResponse:
    """The registry list and its search. The search box posts; a name comes back as ``?q=``
    (bookmarkable, pageable), a full NIK or KK number is answered to the post itself and never
    enters an address (a number finds one household: nothing to bookmark or page through)."""
    posted = request.method == "POST"
    form = forms.bind_search(request)
    q = area = ""
    if form.is_valid():
        q, area_text = form.cleaned_data["q"].strip(), form.cleaned_data["area"].strip()
        try:
            area = wilayah_selectors.area_from_text(actor=request.user, text=area_text)
        except DomainError as exc:
            form.add_error("area", exc.message)
        if posted and not selectors.is_full_number(q) and not request.htmx:  # type: ignore[attr-defined]
            return redirect(_household_list_url(q, area_text))
        if not posted and selectors.is_full_number(q):
            messages.error(
                request,
                _(
                    "Type a full NIK or KK number in the search box: numbers are never put in "
                    "web addresses, where logs and browser history would keep them."
                ),
            )
            return redirect(_household_list_url("", area_text))
    page = CappedPaginator(
        selectors.household_list(actor=request.user, q=q, area=area), settings.SINERGI_PAGE_SIZE
    ).get_page(page_number(request))
    if selectors.is_full_number(q):  # a look-up of one record by its number is a read of it
        access_log.record_many(request.user, AccessPurpose.NUMBER_SEARCH, households=page)
    template = "registry/household_list.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#results"
    response = render(
        request,
        template,
        {
            "page": page,
            "q": q,
            "form": form,
            "sees_welfare": selectors.sees_welfare(request.user),
        },
    )
    if posted and request.htmx:  # type: ignore[attr-defined]
        number = selectors.is_full_number(q)
        area_text = form.cleaned_data.get("area", "") if form.is_valid() else ""
        response["HX-Push-Url"] = _household_list_url("" if number else q, area_text)
    return response


def _household_list_url(q: str, area: str = "") -> str:
    url = reverse("registry:household_list")
    query = {k: v for k, v in (("q", q), ("area", area)) if v}
    return f"{url}?{urlencode(query)}" if query else url


@login_required
@permission_required("registry.add_household", raise_exception=True)
@submit_once
def household_create(request: HttpRequest) -> HttpResponse:
    form = forms.bind(HouseholdForm, request, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(actor=request.user, **forms.entered(form))
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Household registered."))
            return redirect("registry:household_detail", pk=household.pk)
    return render(
        request,
        "registry/household_form.html",
        {"form": form, "household": None},
        status=refused_status(form),
    )


@login_required
@permission_required("registry.change_household", raise_exception=True)
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(actor=request.user, pk=pk)
    access_log.record(request.user, AccessPurpose.HOUSEHOLD_EDIT, household=household)
    initial = {
        "village_code": household.area_code,
        "address": household.address,
        "desil": household.desil,
        "desil_date": household.desil_date,
    }
    form = forms.bind(
        HouseholdEditForm, request, initial=initial, actor=request.user, record=household
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(
                actor=request.user, household_id=pk, **forms.entered(form, without=("kk",))
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Household saved."))
            return redirect("registry:household_detail", pk=pk)
    return render(
        request,
        "registry/household_form.html",
        {"form": form, "household": household},
        status=refused_status(form),
    )


@login_required
@permission_required("registry.view_household", raise_exception=True)
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(actor=request.user, pk=pk)
    access_log.record(request.user, AccessPurpose.HOUSEHOLD_PAGE, household=household)
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "members": selectors.household_members(household),
            "graduation": selectors.household_graduation(household),
            **selectors.household_history(household),
            "reveal_form": RevealForm(),
            "sees_welfare": selectors.sees_welfare(request.user),
            "sees_access_log": selectors.sees_access_log(request.user),
        },
    )


@login_required
@permission_required("registry.add_person", raise_exception=True)
@submit_once
def person_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(actor=request.user, pk=pk)
    form = forms.bind(PersonForm, request)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_create(actor=request.user, household_id=pk, **forms.entered(form))
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Person added."))
            return redirect("registry:household_detail", pk=pk)
    return render(
        request,
        "registry/person_form.html",
        {"form": form, "household": household, "person": None},
        status=refused_status(form),
    )


@login_required
@permission_required("registry.change_person", raise_exception=True)
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, pk=pk)
    access_log.record(request.user, AccessPurpose.PERSON_EDIT, person=person)
    initial = {
        f: getattr(person, f)
        for f in ("name", "sex", "birth_place", "birth_date", "relation", "is_head", "phone")
    }
    form = forms.bind(PersonEditForm, request, initial=initial, record=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, person_id=pk, **forms.entered(form))
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Person saved."))
            return redirect("registry:household_detail", pk=person.household_id)
    return render(
        request,
        "registry/person_form.html",
        {"form": form, "household": person.household, "person": person},
        status=refused_status(form),
    )


@login_required
@require_POST
def reveal(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Show one full number after a reason is given; the reveal is audited."""
    form = forms.bind(RevealForm, request)
    # The service judges the reason too (after the area), so a row outside the area is 404
    # whatever the form holds; the form only trims and bounds what was typed.
    reason = form.cleaned_data["reason"] if form.is_valid() else form.data.get("reason", "")[:200]
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
@submit_once
def import_list(request: HttpRequest) -> HttpResponse:
    form = forms.bind(ImportForm, request, layouts=profiles.layouts(actor=request.user))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = batches.import_upload(
                actor=request.user,
                upload=upload,
                file_name=upload.name,
                all_or_nothing=form.cleaned_data["all_or_nothing"],
                # Empty (a form posted without the choice): the own fixed format, as before.
                profile=form.cleaned_data["profile"],
            )
        except profiles.LayoutRefused as exc:
            for _field, message in exc.problems:
                form.add_error("profile", message)
        except DomainError as exc:
            form.add_error("profile", exc.message)
        else:
            if batch.status == ImportStatus.MAPPING:
                return redirect("registry:import_map", pk=batch.pk)
            return redirect("registry:import_detail", pk=batch.pk)
        finally:
            upload.close()  # a large upload's temporary file goes now, not at the request's end
    page = Paginator(selectors.import_list(actor=request.user), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "registry/import_list.html",
        {"form": form, "page": page},
        status=refused_status(form),
    )


def _mapping_form(
    request: HttpRequest, columns: list[Any], proposed: Any, extra: dict[str, list[str]]
) -> MappingForm:
    """The mapping form for a file: the coded values offered are those of the column each
    coded field is mapped to now (as posted, or as proposed), and any a refusal named."""
    posted = posted_data(request)
    codes: dict[str, list[str]] = {}
    for i, column in enumerate(columns):
        target = posted.get(f"col_{i}", "") if posted is not None else column.proposal
        if target in mapping.CODES:
            allowed = mapping.CODES[target]
            values = sorted(v for v in column.values if mapping.canonical(target, v) not in allowed)
            codes.setdefault(target, []).extend(values)
    for target, values in extra.items():
        codes.setdefault(target, []).extend(v for v in values if v not in codes[target])
    initial: dict[str, Any] = {"date_style": proposed.date_style}
    for target, values in codes.items():
        for j, value in enumerate(values):
            initial[f"code_{target}_{j}"] = proposed.value_maps.get(target, {}).get(value, "")
    return forms.bind(MappingForm, request, columns=columns, codes=codes, initial=initial)


@login_required
@permission_required("registry.add_importbatch", raise_exception=True)
def import_map(request: HttpRequest, pk: Any) -> HttpResponse:
    """The mapping step of a file in a layout Sinergi does not know: its columns with a few
    (masked) values and a proposed field each, its coded values, and a name to keep it."""
    batch = selectors.import_get(actor=request.user, pk=pk)
    if batch.status != ImportStatus.MAPPING:
        return redirect("registry:import_detail", pk=pk)
    try:
        table = open_table(imports.file_opener(batch))
        try:
            proposed, columns = mapping.propose(
                table.header, table.rows, index=wilayah_engine.default_index()
            )
        finally:
            table.rows.close()  # type: ignore[attr-defined]  # a generator: its file closes
    except TabularError as exc:
        messages.error(request, f"{problem_text(exc.code)} {exc.detail}".strip())
        batches.import_cancel(actor=request.user, batch_id=pk)
        return redirect("registry:import_list")
    form = _mapping_form(request, columns, proposed, {})
    if request.method == "POST" and form.is_valid():
        try:
            batches.import_map(
                actor=request.user,
                batch_id=pk,
                spec=form.spec(),
                save_as=form.cleaned_data["save_as"],
                header=table.header,
            )
        except profiles.LayoutRefused as exc:
            extra = {
                p.field: [v for v, _n in p.items] for p in exc.found if p.code == "unmapped_codes"
            }
            if extra:
                form = _mapping_form(request, columns, proposed, extra)
                form.is_valid()
            by_header = {c.header: f"col_{i}" for i, c in enumerate(columns)}
            for problem, (_field, message) in zip(exc.found, exc.problems, strict=False):
                named = [by_header[c] for c, _n in problem.items if c in by_header]
                if problem.code == "duplicate_field" and named:
                    for name in named:
                        form.add_error(name, message)
                else:
                    form.add_error(None, message)
            if not exc.found:
                for _field, message in exc.problems:
                    form.add_error(None, message)
        except DomainError as exc:
            form.add_error("save_as" if exc.field == "name" else None, exc.message)
        else:
            messages.success(request, _("Columns mapped; the file is being checked."))
            return redirect("registry:import_detail", pk=pk)
    return render(
        request,
        "registry/import_map.html",
        {"batch": batch, "form": form, "columns": columns},
        status=refused_status(form),
    )


@login_required
@permission_required("registry.view_importbatch", raise_exception=True)
def import_profiles(request: HttpRequest) -> HttpResponse:
    """The layouts an officer can import with: built-in, and saved by her office or above."""
    page = Paginator(profiles.layouts(actor=request.user), 50).get_page(request.GET.get("page"))
    shown = [layout.pk for layout in page if layout.pk is not None]
    mine = set(profiles.deletable_pks(actor=request.user, among=shown))
    return render(
        request,
        "registry/import_profiles.html",
        {
            "layouts": page,
            "page": page,
            "deletable": mine,
            "labels": profiles.TARGET_LABELS,
        },
    )


@login_required
@permission_required("registry.add_importbatch", raise_exception=True)
@require_POST
def import_profile_delete(request: HttpRequest, pk: int) -> HttpResponse:
    layout = profiles.layout_by_pk(actor=request.user, pk=pk)
    try:
        profiles.profile_delete(actor=request.user, layout=layout)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Layout deleted; imports made with it are kept."))
    return redirect("registry:import_profiles")


@login_required
@permission_required("registry.view_importbatch", raise_exception=True)
def import_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    batch = selectors.import_get(actor=request.user, pk=pk)
    if resume_if_stale(batch):  # its worker died: a new one takes it over, nobody has to ask
        batch.refresh_from_db()
    issues = Paginator(selectors.import_issues(actor=request.user, batch=batch), 100).get_page(
        request.GET.get("page")
    )
    running = batches.is_running(batch)
    context = {
        "batch": batch,
        "issues": issues,
        "running": running,
        # No worker has taken the work yet (no lease beat): say so, never "0 / 0".
        "waiting": batch.status == ImportStatus.QUEUED or (running and not batch.heartbeat_at),
        # Saving was asked for but no worker has taken it: its job counts as running (the
        # check's row count is its total), so say it waits rather than "0 of n done".
        "waiting_save": batch.status == ImportStatus.COMMITTING and not batch.heartbeat_at,
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
        step(actor=request.user, batch_id=pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("registry:import_detail", pk=pk)


@login_required
@permission_required("registry.add_importbatch", raise_exception=True)
@require_POST
@submit_once
def import_commit_view(request: HttpRequest, pk: Any) -> HttpResponse:
    return _batch_step(request, pk, batches.import_commit, _("Saving the valid rows…"))


@login_required
@permission_required("registry.add_importbatch", raise_exception=True)
@require_POST
@submit_once
def import_resume_view(request: HttpRequest, pk: Any) -> HttpResponse:
    return _batch_step(
        request, pk, batches.import_resume, _("The import continues where it stopped.")
    )


@login_required
@permission_required("registry.add_importbatch", raise_exception=True)
@require_POST
@submit_once
def import_cancel_view(request: HttpRequest, pk: Any) -> HttpResponse:
    return _batch_step(
        request, pk, batches.import_cancel, _("Import cancelled; its file was deleted.")
    )


@login_required
@permission_required("registry.view_importbatch", raise_exception=True)
def import_report(request: HttpRequest, pk: Any) -> StreamingHttpResponse:
    """Every problem as CSV (row, column, problem, masked value), in the user's language."""
    batch = selectors.import_get(actor=request.user, pk=pk)
    header = [_("row"), _("column"), _("problem"), _("value"), _("warning")]
    rows = (
        [
            issue.row_number,
            issue.column,
            problem_text(issue.code),
            issue.value,
            int(issue.is_warning),
        ]
        for issue in selectors.import_issues(actor=request.user, batch=batch).iterator(
            chunk_size=5000
        )
    )
    return csv_stream_response(f"laporan-impor-{batch.pk}.csv", header, rows)


@login_required
@permission_required("registry.change_duplicatecandidate", raise_exception=True)
def duplicate_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.duplicate_queue(actor=request.user), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "registry/duplicate_list.html", {"page": page})


@never_cache
@login_required
@permission_required("registry.change_duplicatecandidate", raise_exception=True)
@require_safe
def duplicate_review(request: HttpRequest, pk: int) -> HttpResponse:
    """One pair side by side with the evidence. Not cached: it may show digits of the NIKs."""
    candidate = selectors.duplicate_get(actor=request.user, pk=pk)
    access_log.record_many(
        request.user,
        AccessPurpose.DUPLICATE_REVIEW,
        persons=(candidate.person_a, candidate.person_b),
    )
    return _review_page(request, candidate, DuplicateDecisionForm())


@never_cache
@login_required
@permission_required("registry.change_duplicatecandidate", raise_exception=True)
@require_POST
@submit_once
def duplicate_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision on a pair; a merge comes back first as a confirmation saying what it does."""
    candidate = selectors.duplicate_get(actor=request.user, pk=pk)
    form = forms.bind(DuplicateDecisionForm, request)
    if not form.is_valid():
        return _review_page(request, candidate, form)
    decision = form.cleaned_data["decision"]
    if form.merges and not form.cleaned_data["confirm"]:
        return _review_page(request, candidate, form, confirm=decision)
    try:
        services.duplicate_decide(
            actor=request.user,
            candidate_id=pk,
            same_person=form.merges,
            keep="b" if decision == "keep_b" else "a",
        )
    except DomainError as exc:
        form.add_error("decision" if exc.field == "decision" else None, exc.message)
        return _review_page(request, candidate, form)
    messages.success(request, _("Decision saved."))
    return redirect("registry:duplicate_list")


def _review_page(
    request: HttpRequest, candidate: Any, form: DuplicateDecisionForm, *, confirm: str = ""
) -> HttpResponse:
    pair = review.pair_review(candidate, show_digits=review.may_see_digits(request.user))
    kept, merged = (
        (candidate.person_b, candidate.person_a)
        if confirm == "keep_b"
        else (candidate.person_a, candidate.person_b)
    )
    return render(
        request,
        "registry/duplicate_review.html",
        {
            "pair": pair,
            "candidate": candidate,
            "form": form,
            "confirming": bool(confirm),
            "decision": confirm,
            "kept": kept,
            "merged": merged,
            "kept_letter": "B" if confirm == "keep_b" else "A",
            "merged_letter": "A" if confirm == "keep_b" else "B",
        },
        status=refused_status(form),
    )


# --- A person's page: their record, their consents, who read their data ----------------------


@login_required
@permission_required("registry.view_person", raise_exception=True)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, pk=pk)
    access_log.record(request.user, AccessPurpose.PERSON_PAGE, person=person)
    return _person_page(request, person)


def _person_page(
    request: HttpRequest,
    person: Any,
    consent_form: ConsentForm | None = None,
    withdraw_form: ConsentWithdrawForm | None = None,
    withdrawing: int | None = None,
) -> HttpResponse:
    user = request.user
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "household": person.household,
            "child": consent.is_child(person),
            "consents": selectors.person_consents(actor=user, person=person),
            "consent_form": consent_form or ConsentForm(initial={"given_on": timezone.localdate()}),
            "withdraw_form": withdraw_form or ConsentWithdrawForm(),
            "withdrawing": withdrawing,
            "sees_access_log": selectors.sees_access_log(user),
        },
        status=refused_status(consent_form, withdraw_form),
    )


@login_required
@permission_required("registry.add_consentrecord", raise_exception=True)
@require_POST
@submit_once
def consent_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a consent on the person's page; a refusal comes back on it with what was typed."""
    person = selectors.person_get(actor=request.user, pk=pk)
    form = forms.bind(ConsentForm, request)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_record(
                actor=request.user,
                person_id=person.pk,
                purpose=data["purpose"],
                notice_version=data["notice_version"],
                given_at=_start_of(data["given_on"]),
                given_by=data["given_by"],
                guardian_name=data["guardian_name"],
                evidence=data["evidence"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("registry:person_detail", pk=person.pk)
    return _person_page(request, person, consent_form=form)


def _start_of(day: Any) -> Any:
    """A consent given on ``day``: recorded at that day's start, or now when it is today."""
    import datetime

    if day is None or day >= timezone.localdate():
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


@login_required
@permission_required("registry.change_consentrecord", raise_exception=True)
@require_POST
@submit_once
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a consent: from now on every check refuses what needed it."""
    record = selectors.consent_get(actor=request.user, pk=pk, action="change")
    form = forms.bind(ConsentWithdrawForm, request)
    if form.is_valid():
        try:
            services.consent_withdraw(
                actor=request.user, consent_id=record.pk, note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Consent withdrawn: it no longer allows anything."))
        return redirect("registry:person_detail", pk=record.person_id)
    return _person_page(request, record.person, withdraw_form=form, withdrawing=record.pk)


@login_required
@permission_required("registry.view_accesslog", raise_exception=True)
def household_access(request: HttpRequest, pk: int) -> HttpResponse:
    """Who read this household's data, and its members', when and why."""
    household = selectors.household_get(actor=request.user, pk=pk)
    page = Paginator(
        selectors.household_access_log(actor=request.user, household=household), 50
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/access_log.html",
        {"household": household, "person": None, "page": page},
    )


@login_required
@permission_required("registry.view_accesslog", raise_exception=True)
def person_access(request: HttpRequest, pk: int) -> HttpResponse:
    """Who read this person's data (their own records and their household's page)."""
    person = selectors.person_get(actor=request.user, pk=pk)
    page = Paginator(selectors.access_log_for(person, actor=request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "registry/access_log.html",
        {"household": person.household, "person": person, "page": page},
    )


@login_required
@permission_required("registry.view_accesslog", raise_exception=True)
def unusual_access(request: HttpRequest) -> HttpResponse:
    """Users reading far more records in the area than they usually do or than their peers."""
    patterns = selectors.access_patterns(actor=request.user)
    return render(
        request,
        "registry/unusual_access.html",
        {
            "patterns": patterns,
            "unusual": [p for p in patterns if p.unusual],
            "floor_day": selectors.UNUSUAL_FLOOR_DAY,
            "floor_week": selectors.UNUSUAL_FLOOR_WEEK,
            "factor": selectors.UNUSUAL_FACTOR,
            "baseline_days": selectors.BASELINE_DAYS,
        },
    )
