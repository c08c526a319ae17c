"""The registry export page: a small form that starts the export job and goes to its page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sinergi.core import forms
from sinergi.core.errors import DomainError
from sinergi.core.forms import submit_once
from sinergi.core.jobs import listed
from sinergi.registry import export
from sinergi.registry.export_forms import ExportForm
from sinergi.registry.jobs import EXPORT
from sinergi.wilayah import selectors as wilayah_selectors


@login_required
@permission_required(export.EXPORT_PERMISSION, raise_exception=True)
@submit_once
def export_form(request: HttpRequest) -> HttpResponse:
    initial = {"area": request.GET.get("area", "")[:100]}
    form = forms.bind(ExportForm, request, actor=request.user, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            area = wilayah_selectors.area_from_text(actor=request.user, text=data["area"])
            job = export.export_start(
                actor=request.user,
                fmt=data["format"],
                reveal=bool(data.get("reveal")),
                purpose=data["purpose"],
                area=area,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            status = exc.status
        else:
            return redirect("core:job", pk=job.pk)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "registry/export.html",
        {"form": form, "jobs": listed(request.user, kind=EXPORT.code)[:10]},
        status=status,
    )
