"""Pages of the breach register (/pdp/insiden/), the records of processing (/pdp/pemrosesan/) and
the DPIA (/pdp/dpia/). Reads through ``selectors``, writes through ``services``, what a person
sends through ``forms``; a refused write shows the form again with the reason by its field."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sinergi.compliance import forms, pdf, register, selectors, services
from sinergi.compliance.clock import clock
from sinergi.compliance.models import Recipient
from sinergi.core.errors import DomainError
from sinergi.core.exports import table_response
from sinergi.core.forms import bind, refused_status, submit_once


def _refused(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _language(request: HttpRequest) -> str:
    wanted = request.GET.get("bahasa", "") or translation.get_language() or "id"
    return wanted if wanted in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


@login_required
@permission_required("compliance.view_incident", raise_exception=True)
def incident_list(request: HttpRequest) -> HttpResponse:
    open_only = request.GET.get("status") == "open"
    rows = selectors.incident_list(request.user, open_only=open_only)
    names = selectors.area_names(rows)
    now = timezone.now()
    return render(
        request,
        "compliance/incident_list.html",
        {
            "rows": [(i, clock(i, now), names.get(i.area_code, "")) for i in rows],
            "open_only": open_only,
            "limit": selectors.LIST_LIMIT,
            "can_add": request.user.has_perm("compliance.add_incident"),
        },
    )


def _incident_values(form: Any) -> dict[str, Any]:
    c = form.cleaned_data
    return {
        "title": c["title"],
        "area_code": c["area_code"] or "",
        "categories": c["categories"],
        "affected_count": c["affected_count"],
        "occurred_at": c["occurred_at"],
        "discovered_at": c["discovered_at"],
        "description": c["description"],
        "measures": c["measures"],
    }


@login_required
@permission_required("compliance.add_incident", raise_exception=True)
@submit_once
def incident_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = bind(forms.IncidentForm, request, actor=user, initial={"area_code": user.area_code})
    if request.method == "POST" and form.is_valid() and not form.finding():
        try:
            incident = services.incident_record(actor=user, **_incident_values(form))
        except DomainError as exc:
            _refused(form, exc)
        else:
            messages.success(
                request,
                _("Incident recorded. Notify the authority and the people concerned by %(d)s.")
                % {"d": timezone.localtime(incident.deadline).strftime("%d-%m-%Y %H:%M")},
            )
            return redirect("compliance:incident_detail", pk=incident.pk)
    return render(
        request,
        "compliance/incident_form.html",
        {"form": form, "incident": None},
        status=refused_status(form),
    )


@login_required
@permission_required("compliance.change_incident", raise_exception=True)
@submit_once
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    incident = selectors.incident_get(user, pk)
    initial = {
        name: getattr(incident, name)
        for name in (
            "title",
            "area_code",
            "categories",
            "affected_count",
            "description",
            "measures",
        )
    }
    initial["occurred_at"] = timezone.localtime(incident.occurred_at)
    initial["discovered_at"] = timezone.localtime(incident.discovered_at)
    form = bind(forms.IncidentForm, request, actor=user, initial=initial)
    if request.method == "POST" and form.is_valid() and not form.finding():
        try:
            services.incident_update(actor=user, incident_id=incident.pk, **_incident_values(form))
        except DomainError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("compliance:incident_detail", pk=incident.pk)
    return render(
        request,
        "compliance/incident_form.html",
        {"form": form, "incident": incident},
        status=refused_status(form),
    )


@login_required
@permission_required("compliance.view_incident", raise_exception=True)
@submit_once
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The incident, its clock and its notices; a POST records a notice."""
    user: Any = request.user
    can_change = user.has_perm("compliance.change_incident")
    if request.method == "POST" and not can_change:
        raise PermissionDenied  # reading the register is not recording notices
    incident = selectors.incident_get(user, pk)
    form = bind(forms.NotificationForm, request, initial={"sent_at": timezone.localtime()})
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            services.notification_record(
                actor=user,
                incident_id=incident.pk,
                recipient=c["recipient"],
                sent_at=c["sent_at"],
                means=c["means"],
                reference=c["reference"],
            )
        except DomainError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Notice recorded."))
            return redirect("compliance:incident_detail", pk=incident.pk)
    labels = dict(services.category_choices())
    return render(
        request,
        "compliance/incident_detail.html",
        {
            "incident": incident,
            "clock": clock(incident),
            "area": selectors.area_name(incident.area_code),
            "categories": [labels.get(c, c) for c in incident.categories],
            "notices": selectors.notifications(request.user, incident),
            "form": form if can_change else None,
            "can_change": can_change,
            "letters": [
                (Recipient.AUTHORITY.value, Recipient.AUTHORITY.label),
                (Recipient.SUBJECTS.value, Recipient.SUBJECTS.label),
            ],
            "languages": settings.LANGUAGES,
        },
        status=refused_status(form),
    )


@login_required
@permission_required("compliance.view_incident", raise_exception=True)
def incident_letter(request: HttpRequest, pk: int, recipient: str) -> HttpResponse:
    """The letter to the authority or to the data subjects: ?format=pdf or txt (default)."""
    if recipient not in (Recipient.AUTHORITY, Recipient.SUBJECTS):
        raise Http404
    fmt = "pdf" if request.GET.get("format") == "pdf" else "txt"
    try:
        letter = services.letter_render(
            actor=request.user,
            incident_id=pk,
            recipient=recipient,
            language=_language(request),
            fmt=fmt,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("compliance:incident_detail", pk=pk)
    name = f"surat-{recipient}-INS-{pk:05d}-{letter.language}"
    if fmt == "pdf":
        response = HttpResponse(pdf.letter(letter.subject, letter.body), "application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    response = HttpResponse(letter.text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.txt"'
    return response


@login_required
@permission_required("compliance.view_register", raise_exception=True)
def processing_register(request: HttpRequest) -> HttpResponse:
    """The records of processing activities: the page, ?format=csv or pdf (?bahasa=id|en)."""
    fmt = request.GET.get("format", "")
    language = _language(request)
    if fmt in ("csv", "pdf"):
        services.register_downloaded(
            actor=request.user, what="register", fmt=fmt, language=language
        )
        with translation.override(language):
            if fmt == "csv":
                return table_response(
                    "catatan-pemrosesan", register.HEADER, register.table(), "csv"
                )
            title = _("Records of processing activities — Sinergi")
            subtitle = _(
                "Controller: %(c)s. Generated on %(d)s from the system's configuration."
            ) % {
                "c": register.controller(),
                "d": timezone.localdate().isoformat(),
            }
            response = HttpResponse(
                pdf.register(title, subtitle, register.rows()), "application/pdf"
            )
        response["Content-Disposition"] = 'attachment; filename="catatan-pemrosesan.pdf"'
        return response
    return render(
        request,
        "compliance/register.html",
        {
            "rows": register.rows(),
            "controller": register.controller(),
            "retention_rules": selectors.retention_rules(),
        },
    )


@login_required
@permission_required("compliance.view_register", raise_exception=True)
def dpia(request: HttpRequest) -> HttpResponse:
    """The DPIA template pre-filled from the register: the page, ?format=md or pdf, ?bahasa=."""
    fmt = request.GET.get("format", "")
    language = _language(request)
    with translation.override(language):
        title, sections = register.dpia()
        if fmt in ("md", "pdf"):
            services.register_downloaded(
                actor=request.user, what="dpia", fmt=fmt, language=language
            )
        if fmt == "md":
            response = HttpResponse(
                register.dpia_markdown(title, sections), content_type="text/markdown; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="dpia-sinergi-{language}.md"'
            return response
        if fmt == "pdf":
            response = HttpResponse(pdf.sections(title, sections), "application/pdf")
            response["Content-Disposition"] = f'attachment; filename="dpia-sinergi-{language}.pdf"'
            return response
    return render(
        request,
        "compliance/dpia.html",
        {
            "title": title,
            "sections": sections,
            "language": language,
            "languages": settings.LANGUAGES,
        },
    )
