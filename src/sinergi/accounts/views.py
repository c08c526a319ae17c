"""Sign-in, profile with API tokens, and the scoped user directory with its CSV export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.accounts import selectors, services, signin
from sinergi.accounts.forms import (
    ApiTokenForm,
    CodeForm,
    NewPasswordForm,
    ReasonForm,
    ResetPasswordForm,
    ResetRequestForm,
    UserChangeForm,
    UserCreateForm,
    UserImportForm,
)
from sinergi.accounts.roles import Role, grantable_roles
from sinergi.core.errors import DomainError
from sinergi.core.exports import csv_stream_response
from sinergi.core.forms import bind, refused_status, submit_once
from sinergi.core.scoping import user_area


class LoginView(auth_views.LoginView):
    """The password; then, when the account owes a second factor or a new password, the
    steps of ``accounts.signin`` before the session is opened."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        step = signin.begin(self.request, form.get_user(), self.get_redirect_url())
        if step is None:
            return super().form_valid(form)
        return redirect(step)


class LogoutView(auth_views.LogoutView):
    """Signing out also deletes what this browser keeps for offline work (the offline app's
    kept pages, queued forms and service worker): the next person on a shared phone finds
    nothing of the last one's."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


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
    user: Any = request.user
    return render(
        request,
        "accounts/profile.html",
        {
            "tokens": tokens,
            "new_token": request.session.pop("new_api_token", None),
            "form": form,
            "second_factor": services.second_factor_enrolled(user),
            "second_factor_required": services.second_factor_required(user),
            "recovery_left": selectors.recovery_codes_left(user),
        },
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
    if services.second_factor_asked(request.user) and not signin.second_factor_done(request):
        # A token acts without a second factor later: it is made only in a session opened
        # with one (the API's POST /auth/token asks for the code itself).
        form.add_error(
            None,
            _(
                "A token can only be created in a session opened with your second factor: "
                "sign out and sign in again with your authenticator code."
            ),
        )
        return _profile(request, form, status=403)
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


# --- Signing in in steps (accounts.signin) ----------------------------------------------------


def _pending_or_login(request: HttpRequest) -> Any:
    found = signin.pending(request)
    if found is None:
        messages.info(request, _("Your sign-in took too long or was not started; sign in again."))
    return found


def signin_code(request: HttpRequest) -> HttpResponse:
    """The second factor: a code from the authenticator app, or a recovery code."""
    found = _pending_or_login(request)
    if found is None:
        return redirect("accounts:login")
    user, state = found
    form = bind(CodeForm, request)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            right = services.second_factor_verify(user=user, code=form.cleaned_data["code"])
        except DomainError as exc:  # blocked after too many wrong codes
            form.add_error("code", exc.message)
            status = exc.status
        else:
            if right:
                state["verified"] = True
                return redirect(signin.advance(request, user, state))
            if signin.failed_try(request, state):
                messages.error(
                    request, _("Too many wrong codes. Sign in again with your password.")
                )
                return redirect("accounts:login")
            form.add_error("code", _("That code is not right, or it was already used."))
    return render(
        request,
        "accounts/signin_code.html",
        {"form": form},
        status=max(status, refused_status(form)),
    )


def _qr_svg(uri: str) -> str:
    """The otpauth address as an inline SVG QR code (drawn here: no outside service)."""
    return str(segno.make(uri, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff"))


def signin_enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in under the rule: set up the authenticator, then continue signing in."""
    found = _pending_or_login(request)
    if found is None:
        return redirect("accounts:login")
    user, state = found
    return _enrol(request, user, state)


def _enrol(request: HttpRequest, user: Any, state: dict[str, Any] | None) -> HttpResponse:
    form = bind(CodeForm, request)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_confirm(user=user, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            request.session["new_recovery_codes"] = codes
            if state is None:  # set up from the profile page
                request.session[signin.SECOND_FACTOR_KEY] = 1
                request.session["recovery_codes_next"] = reverse("accounts:profile")
            else:
                state["verified"] = True
                request.session["recovery_codes_next"] = signin.advance(request, user, state)
            return redirect("accounts:recovery_codes")
    try:
        uri = services.totp_begin(user=user)
    except DomainError as exc:
        messages.info(request, exc.message)
        return redirect("accounts:profile" if state is None else "accounts:signin_code")
    secret = uri.split("secret=", 1)[1].split("&", 1)[0]
    return render(
        request,
        "accounts/signin_enrol.html",
        {
            "form": form,
            "qr": _qr_svg(uri),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "uri": uri,
            "during_signin": state is not None,
        },
        status=refused_status(form),
    )


def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, shown once (only their hashes are kept)."""
    codes = request.session.pop("new_recovery_codes", None)
    next_url = request.session.pop("recovery_codes_next", None) or reverse("accounts:profile")
    if not codes:
        return redirect(next_url)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})


def signin_password(request: HttpRequest) -> HttpResponse:
    """An officer required a new password: chosen before the session is opened."""
    found = _pending_or_login(request)
    if found is None:
        return redirect("accounts:login")
    user, state = found
    form = bind(NewPasswordForm, request, user=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your new password is set."))
        return redirect(signin.advance(request, user, state))
    return render(
        request,
        "accounts/password_set.html",
        {
            "form": form,
            "title": _("Choose a new password"),
            "intro": _("Your office asks you to choose a new password before you continue."),
        },
        status=refused_status(form),
    )


@login_required
def twofactor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator from the profile (before the rule requires it, or again
    after a manager removed a lost one)."""
    return _enrol(request, request.user, None)


@login_required
@require_POST
@submit_once
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    form = bind(CodeForm, request)
    if form.is_valid():
        try:
            codes = services.recovery_codes_renew(
                user=request.user,  # type: ignore[arg-type]
                code=form.cleaned_data["code"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            request.session["new_recovery_codes"] = codes
            request.session["recovery_codes_next"] = reverse("accounts:profile")
            return redirect("accounts:recovery_codes")
    else:
        messages.error(request, _("Type a code from your authenticator app."))
    return redirect("accounts:profile")


# --- Invitations ------------------------------------------------------------------------------


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link of an invitation: the invited person sets their password, once."""
    try:
        found = services.invitation_check(selectors.invitation_by_token(token))
    except services.LinkNotUsable as exc:
        return render(
            request,
            "accounts/link_not_usable.html",
            {"message": exc.message},
            status=exc.status,
        )
    form = bind(NewPasswordForm, request, user=found.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(raw=token, password=form.cleaned_data["new_password1"])
        except services.LinkNotUsable as exc:
            return render(
                request,
                "accounts/link_not_usable.html",
                {"message": exc.message},
                status=exc.status,
            )
        messages.success(request, _("Your password is set. Sign in with it now."))
        return redirect("accounts:login")
    return render(
        request,
        "accounts/password_set.html",
        {
            "form": form,
            "title": _("Welcome to Sinergi"),
            "intro": _("Choose the password of your account %(username)s.")
            % {"username": found.user.username},
        },
        status=refused_status(form),
    )


# --- Forgotten password (Django's views, Sinergi's pages and mails) --------------------------


class PasswordResetView(auth_views.PasswordResetView):
    """Always the same answer, whether the address is known or not (no user enumeration)."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    form_class = ResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = ResetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if not context.get("validlink"):
            context["reason"] = services.reset_link_problem(self.user, self.kwargs.get("token", ""))
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        if not context.get("validlink"):
            kwargs["status"] = 410
        return super().render_to_response(context, **kwargs)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- Managing the users of one's area ---------------------------------------------------------


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@login_required
@permission_required("accounts.manage_user", raise_exception=True)
@submit_once
def user_create(request: HttpRequest) -> HttpResponse:
    form = bind(UserCreateForm, request, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.user_create(
                actor=request.user,  # type: ignore[arg-type]
                username=data["username"],
                password=None,
                role=data["role"],
                area_code=data["area"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                organisation=data["organisation"],
                invite_site=_site(request),
                kube_id=data.get("kube"),
                mentor_id=data.get("mentor"),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("%(user)s was created and an invitation was sent to their e-mail.")
                % {"user": created},
            )
            return redirect("accounts:user_detail", pk=created.pk)
    return render(request, "accounts/user_form.html", {"form": form}, status=refused_status(form))


def _detail(
    request: HttpRequest, person: Any, *, change: Any = None, status: int = 200
) -> HttpResponse:
    actor: Any = request.user
    may_manage = actor.has_perm("accounts.manage_user") and person.pk != actor.pk
    if change is None:
        change = UserChangeForm(
            actor=actor,
            initial={"role": person.role, "area": person.area.code if person.area else ""},
        )
    return render(
        request,
        "accounts/user_detail.html",
        {
            "person": person,
            "change_form": change,
            "step_form": ReasonForm(),
            "may_manage": may_manage,
            "grantable": person.role in grantable_roles(actor.role),
            "events": selectors.account_events(user=person),
            "invitation": selectors.invitation_latest(person),
            "second_factor": services.second_factor_enrolled(person),
            "usable_password": person.has_usable_password(),
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
@permission_required("accounts.manage_user", raise_exception=True)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.user_manageable(actor=request.user, pk=pk))


@login_required
@permission_required("accounts.manage_user", raise_exception=True)
@require_POST
@submit_once
def user_change(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.user_manageable(actor=request.user, pk=pk)
    form = bind(UserChangeForm, request, actor=request.user)
    if form.is_valid():
        try:
            services.user_change(
                actor=request.user,  # type: ignore[arg-type]
                user_id=person.pk,
                role=form.cleaned_data["role"],
                area_code=form.cleaned_data["area"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, _("The role and area of %(user)s are saved.") % {"user": person}
            )
            return redirect("accounts:user_detail", pk=person.pk)
    return _detail(request, person, change=form, status=refused_status(form))


def _user_step(request: HttpRequest, pk: int, step: Callable[..., Any], done: str) -> HttpResponse:
    """A step on a user from its page (with an optional reason): done and said, or refused
    with the reason on the same page."""
    person = selectors.user_manageable(actor=request.user, pk=pk)
    form = bind(ReasonForm, request)
    if form.is_valid():
        try:
            step(actor=request.user, user_id=person.pk, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("accounts:user_detail", pk=person.pk)
        messages.success(request, done % {"user": person})
    return redirect("accounts:user_detail", pk=person.pk)


@login_required
@permission_required("accounts.manage_user", raise_exception=True)
@require_POST
@submit_once
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    def step(**kwargs: Any) -> Any:
        return services.user_set_active(active=False, **kwargs)

    return _user_step(request, pk, step, _("%(user)s is deactivated; their history is kept."))


@login_required
@permission_required("accounts.manage_user", raise_exception=True)
@require_POST
@submit_once
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    def step(**kwargs: Any) -> Any:
        return services.user_set_active(active=True, **kwargs)

    return _user_step(request, pk, step, _("%(user)s is active again."))


@login_required
@permission_required("accounts.manage_user", raise_exception=True)
@require_POST
@submit_once
def user_require_reset(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_step(
        request,
        pk,
        services.user_require_password_reset,
        _("%(user)s must choose a new password at their next sign-in."),
    )


@login_required
@permission_required("accounts.manage_user", raise_exception=True)
@require_POST
@submit_once
def user_invite(request: HttpRequest, pk: int) -> HttpResponse:
    site = _site(request)

    def step(*, actor: Any, user_id: int, reason: str) -> Any:
        return services.invitation_send(actor=actor, user_id=user_id, site=site)

    return _user_step(request, pk, step, _("An invitation was sent to %(user)s."))


@login_required
@permission_required("accounts.manage_user", raise_exception=True)
@require_POST
@submit_once
def user_remove_2fa(request: HttpRequest, pk: int) -> HttpResponse:
    def step(*, actor: Any, user_id: int, reason: str) -> Any:
        return services.second_factor_remove(actor=actor, user_id=user_id)

    return _user_step(
        request,
        pk,
        step,
        _("The second factor of %(user)s is removed; they set up a new one at next sign-in."),
    )


@login_required
@permission_required("accounts.manage_user", raise_exception=True)
@submit_once
def user_import(request: HttpRequest) -> HttpResponse:
    """Users from a CSV file: all created and invited, or none, with a report per row."""
    form = bind(UserImportForm, request)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            report = services.users_import(
                actor=request.user,  # type: ignore[arg-type]
                data=form.cleaned_data["file"].read(),
                site=_site(request),
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            status = 200 if report.ok else 400
    else:
        status = refused_status(form)
    return render(
        request,
        "accounts/user_import.html",
        {"form": form, "report": report, "roles": sorted(grantable_roles(request.user.role))},  # type: ignore[union-attr]
        status=status,
    )


def admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin site signs in through Sinergi's sign-in (with its second factor)."""
    target = reverse("accounts:login")
    next_url = request.GET.get("next", "/admin/")
    return redirect(f"{target}?{urlencode({'next': next_url})}")
