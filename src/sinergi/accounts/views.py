"""Sign-in, profile with API tokens, and the scoped user directory with its CSV export."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.accounts import selectors, services
from sinergi.accounts.forms import ApiTokenForm
from sinergi.accounts.roles import Role
from sinergi.core.errors import DomainError
from sinergi.core.exports import csv_stream_response
from sinergi.core.forms import bind, submit_once
from sinergi.core.scoping import user_area


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The home page: what each role sees first (``SINERGI_HOME_VIEW``)."""
    return render(
        request, "core/dashboard.html", {"summary": selectors.dashboard_summary(actor=request.user)}
    )


def _profile(request: HttpRequest, form: ApiTokenForm, status: int = 200) -> HttpResponse:
    tokens = request.user.api_tokens.all()  # type: ignore[union-attr]
    return render(
        request,
        "accounts/profile.html",
        {"tokens": tokens, "new_token": request.session.pop("new_api_token", None), "form": form},
        status=status,
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return _profile(request, ApiTokenForm())


@login_required
@require_POST
@submit_once
def token_create(request: HttpRequest) -> HttpResponse:
    form = bind(ApiTokenForm, request)
    if not form.is_valid():
        return _profile(request, form, status=400)
    _token, raw = services.api_token_create(
        actor=request.user,  # type: ignore[arg-type]
        name=form.cleaned_data["name"],
    )
    # Shown once on the next page, then gone from the session.
    request.session["new_api_token"] = raw
    return redirect("accounts:profile")


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        services.api_token_revoke(actor=request.user, token_id=token_id)  # type: ignore[arg-type]
        messages.success(request, _("The token has been revoked."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:profile")


@login_required
@permission_required("accounts.view_user", raise_exception=True)
def user_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    if role not in Role.values:
        role = ""
    users = selectors.user_list(actor=request.user, q=q, role=role)
    page = Paginator(users, settings.SINERGI_PAGE_SIZE).get_page(request.GET.get("page"))
    template = "accounts/user_list.html#results" if request.htmx else "accounts/user_list.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {"page": page, "q": q, "role": role, "roles": Role.choices},
    )


@login_required
@permission_required("accounts.export_user", raise_exception=True)
def user_export(request: HttpRequest) -> StreamingHttpResponse:
    """CSV of the users the actor may export, streamed; the export itself is audited."""
    users = selectors.user_list(actor=request.user, action="export")
    services.audit_export(
        actor=request.user,
        what="accounts.users",
        rows=users.count(),
        area_code=user_area(request.user) or "",
    )
    header = ["username", "nama", "peran", "kode_wilayah", "wilayah", "email", "aktif"]
    rows = (
        [
            user.username,
            user.get_full_name(),
            user.role,
            user.area.code if user.area else "",
            user.area.name if user.area else "",
            user.email,
            int(user.is_active),
        ]
        for user in users.iterator(chunk_size=1000)
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return csv_stream_response(f"pengguna-{stamp}.csv", header, rows)
