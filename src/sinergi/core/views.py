"""Dashboard, audit trail, health check and the error pages (never a stack trace)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from sinergi.core.errors import envelope
from sinergi.core.forms import LanguageForm, bind
from sinergi.core.models import AuditEvent
from sinergi.core.selectors import audit_event_list

logger = logging.getLogger(__name__)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The home page. What it shows belongs to the domain (``SINERGI_HOME_VIEW``, the
    accounts app's role dashboard), so ``core`` names no domain app."""
    home: Any = import_string(settings.SINERGI_HOME_VIEW)
    response: HttpResponse = home(request)
    return response


@login_required
@permission_required("core.view_auditevent", raise_exception=True)
def audit_list(request: HttpRequest) -> HttpResponse:
    events = audit_event_list(actor=request.user, event_type=request.GET.get("jenis", "").strip())
    page = Paginator(events, settings.SINERGI_PAGE_SIZE).get_page(request.GET.get("page"))
    AuditEvent.name_related(page)
    return render(request, "core/audit_list.html", {"page": page})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; an unknown code is refused with a message, not ignored."""
    form = bind(LanguageForm, request)
    if form.is_valid():
        return django_set_language(request)
    for error in form.errors.get("language", []):
        messages.error(request, str(error))
    next_url = form.data.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = "/"
    return redirect(next_url)


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and the demo script."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception:
        logger.exception("health check failed")
        return JsonResponse({"status": "database unavailable"}, status=503)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    context: dict[str, Any] = {
        "status": status,
        "title": title,
        "message": message,
        "request_id": getattr(request, "request_id", ""),
    }
    if _wants_json(request):
        return JsonResponse(envelope(status, message), status=status)
    if request.headers.get("HX-Request") == "true":
        # htmx swaps a refusal into the part of the page that asked (see base.html's
        # responseHandling): a sentence there, not a whole page nested inside the page.
        return render(request, "core/error_fragment.html", context, status=status)
    return render(request, "core/error.html", context, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, _("Bad request"), _("The request could not be understood."))


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        403,
        _("Access denied"),
        _("Your role or area does not allow this page. Ask your administrator if you need it."),
    )


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    detail = ""
    if exception is not None and exception.args and isinstance(exception.args[0], str):
        # Our own 404s carry a translated sentence; Django's resolver ones carry a dict.
        detail = exception.args[0]
    return _error(
        request,
        404,
        _("Not found"),
        detail or _("This page does not exist, or it is outside your area."),
    )


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request,
        500,
        _("Something went wrong"),
        _(
            "Sorry, the system hit an unexpected error. It has been logged; quote the "
            "reference below when you report it."
        ),
    )
