"""Forms of the accounts pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.roles import Role, grantable_roles
from sinergi.core.forms import SubmitOnceMixin
from sinergi.core.widgets import PickerField, PickerFormMixin


class ApiTokenForm(SubmitOnceMixin, forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        required=False,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("Token name, e.g. district laptop"),
                "aria-label": _("Token name"),
            }
        ),
    )


# --- User management -------------------------------------------------------------------------


class RoleField(forms.ChoiceField):
    """Offers the roles the manager may give; any known role passes the form, so that one they
    may not give (typed into the page by hand) reaches the service and is refused there with
    the reason beside the field, not with Django's "not one of the available choices" naming
    the role's code."""

    def valid_value(self, value: Any) -> bool:
        return str(value) in Role.values


def _role_choices(actor: Any) -> list[tuple[str, str]]:
    allowed = grantable_roles(getattr(actor, "role", ""))
    return [(value, str(label)) for value, label in Role.choices if value in allowed]


class UserCreateForm(PickerFormMixin, SubmitOnceMixin, forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and . _ - only; e.g. dinsos.garut.rina"),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("The invitation, with the link that sets the password, is sent here."),
    )
    role = RoleField(label=_("Role"), choices=())
    area = PickerField(
        "region",
        label=_("Area"),
        required=False,
        help_text=_("A province or regency inside your own area; empty is the whole nation."),
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=120, required=False)
    kube = PickerField(
        "account_kube",
        label=_("KUBE (for a KUBE officer)"),
        required=False,
        coerce=int,
        help_text=_("The group this account belongs to; its area is the group's regency."),
    )
    mentor = PickerField(
        "mentor",
        label=_("Mentor profile (for a mentor)"),
        required=False,
        coerce=int,
        help_text=_("The mentor this account belongs to; its area is the mentor's regency."),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["role"].choices = _role_choices(actor)  # type: ignore[attr-defined]
        allowed = grantable_roles(getattr(actor, "role", ""))
        # Only the records the manager may bind an account to.
        if Role.KUBE_OFFICER not in allowed:
            del self.fields["kube"]
        if Role.MENTOR not in allowed:
            del self.fields["mentor"]


class UserChangeForm(PickerFormMixin, SubmitOnceMixin, forms.Form):
    role = RoleField(label=_("Role"), choices=())
    area = PickerField(
        "region",
        label=_("Area"),
        required=False,
        help_text=_("A province or regency inside your own area; empty is the whole nation."),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["role"].choices = _role_choices(actor)  # type: ignore[attr-defined]


class ReasonForm(SubmitOnceMixin, forms.Form):
    """A step on a user (deactivate, reactivate, require a new password, invite …)."""

    reason = forms.CharField(
        label=_("Reason (kept on the audit trail)"), max_length=300, required=False
    )


class UserImportForm(SubmitOnceMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "First line: username,first_name,last_name,email,role,area_code. Comma or "
            "semicolon separated, UTF-8. At most 2,000 rows; nothing is created if a row is "
            "wrong."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 2 MB; split it."))
        return upload


# --- Signing in, invitations, second factor ---------------------------------------------------


class CodeForm(SubmitOnceMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class NewPasswordForm(SetPasswordForm):
    """A new password without the old one (an invitation, a required change at sign-in, a
    reset link), checked by Django's validators; saved through the service."""

    how = "required_change"

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        # ``user`` by name: core.forms.bind passes the POST first.
        super().__init__(user, *args, **kwargs)

    def save(self, commit: bool = True) -> Any:
        from sinergi.accounts.services import password_set_by_user

        return password_set_by_user(
            user=self.user, password=self.cleaned_data["new_password1"], how=self.how
        )


class ResetPasswordForm(NewPasswordForm):
    how = "reset_link"


class ResetRequestForm(PasswordResetForm):
    """Django's forgotten-password form; its mail leaves after commit and a mail server that
    refuses is logged, never shown (the page says the same whatever happened)."""

    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from sinergi.accounts.mail import send_later

        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        send_later(
            kind="password_reset",
            user_id=context["user"].pk,
            subject=subject,
            body=body,
        )
