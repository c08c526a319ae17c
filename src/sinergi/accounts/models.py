"""Users with one role and one area, and API tokens."""

from __future__ import annotations

import hashlib
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sinergi.accounts.roles import AREA_LEVELS, NATION, PARTNER_ROLES, PROVINCE, REGENCY, Role
from sinergi.core.scoping import ScopedQuerySet
from sinergi.wilayah.models import Level


class UserQuerySet(ScopedQuerySet["User"]):
    scope_field = "area__code"


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]  # dynamic base
    """Django's user manager (create_user…) with the scoped queryset's ``for_user``."""


class User(AbstractUser):
    """A person who signs in: one role (a permission group) and one area (nation if empty)."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    area = models.ForeignKey(
        "wilayah.Region",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level__in": [Level.PROVINCE, Level.REGENCY], "retired": False},
        help_text=_("Empty means the whole nation."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    kube = models.ForeignKey(
        "kube.Kube",
        verbose_name=_("KUBE"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="officer_accounts",
        help_text=_("For a KUBE's own officers: they see this group only."),
    )
    mentor = models.ForeignKey(
        "mentoring.Mentor",
        verbose_name=_("mentor profile"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accounts",
        help_text=_("For a mentor: sees only the groups this mentor has accepted."),
    )
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)
    must_change_password = models.BooleanField(
        _("must set a new password"),
        default=False,
        help_text=_("Set by an officer: at the next sign-in the user must choose a new password."),
    )
    # For API clients keeping a copy of the directory (``changed_since``).
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])
    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("export_user", _("Can export users")),
            ("manage_user", _("Can manage the users of their own area")),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    # Set while Django may re-hash the password on a successful check (a stronger hasher or
    # more iterations): the hash changes but the password does not, so tokens stay valid.
    _rehashing = False

    def check_password(self, raw_password: str | None) -> bool:
        self._rehashing = True
        try:
            return super().check_password(raw_password)
        finally:
            self._rehashing = False

    async def acheck_password(self, raw_password: str | None) -> bool:
        self._rehashing = True
        try:
            return await super().acheck_password(raw_password)
        finally:
            self._rehashing = False

    @cached_property
    def area_code(self) -> str | None:
        return self.area.code if self.area_id and self.area else None

    @property
    def area_label(self) -> str:
        return str(self.area) if self.area_id else str(_("National"))

    @property
    def is_partner(self) -> bool:
        """Partner roles never receive NIK, KK number or decile."""
        return self.role in PARTNER_ROLES

    def clean(self) -> None:
        super().clean()
        if not self.role:
            return
        level = NATION
        if self.area_id and self.area is not None:
            level = {Level.PROVINCE: PROVINCE, Level.REGENCY: REGENCY}.get(
                Level(self.area.level), "other"
            )
        allowed = AREA_LEVELS[self.role]
        if level not in allowed:
            names = {NATION: _("nation"), PROVINCE: _("a province"), REGENCY: _("a regency")}
            raise ValidationError(
                {
                    "area": _("A %(role)s works at the level of %(levels)s; pick such an area.")
                    % {
                        "role": Role(self.role).label,
                        "levels": ", ".join(str(names[lv]) for lv in sorted(allowed)),
                    }
                }
            )


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for API clients. Only its hash is stored; the token is shown once."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class RolePermissionSeed(models.Model):
    """A default permission already given to a role group once.

    New modules add default permissions to roles; after each migrate those not yet seeded are
    given to the group, while a permission the national admin later took away stays away.
    """

    role = models.CharField(max_length=32)
    permission = models.ForeignKey("auth.Permission", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["role", "permission"], name="role_permission_seed_once")
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.permission_id}"


class Invitation(models.Model):
    """A one-time link, sent by e-mail, with which a new user sets their password.

    Only the token's hash is stored. A newer invitation to the same user revokes the older
    ones, so only the last link sent works."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="invitations"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class TotpDevice(models.Model):
    """A user's authenticator app (RFC 6238 TOTP); the shared secret is sealed like NIK
    (core.crypto). Unconfirmed until the user has typed one right code from it."""

    user = models.OneToOneField(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="totp_device"
    )
    secret_cipher = models.TextField()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # The time step of the last code accepted: a code is never accepted twice.
    last_step = models.BigIntegerField(default=0)
    # Wrong codes in a row; after too many the device refuses every code for a while (a
    # password alone must not let anyone try a million codes).
    failed_tries = models.PositiveSmallIntegerField(default=0)
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    def __str__(self) -> str:
        return str(self.user)


class RecoveryCode(models.Model):
    """A one-time code that stands in for the authenticator (a lost phone); stored hashed."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.user} #{self.pk}"
