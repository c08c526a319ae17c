"""Writes for users, roles and API tokens; each writes its audit event in the same transaction."""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int
from django.utils.translation import gettext as _

from sinergi.accounts import events
from sinergi.accounts.mail import render_in, send_later
from sinergi.accounts.models import (
    ApiToken,
    Invitation,
    RecoveryCode,
    RolePermissionSeed,
    TotpDevice,
    User,
    hash_token,
)
from sinergi.accounts.roles import (
    DEFAULT_PERMISSIONS,
    RECORD_BOUND_ROLES,
    REVEAL_PERMISSION,
    Role,
    grantable_roles,
)
from sinergi.core import crypto
from sinergi.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from sinergi.core.events import EventType, snapshot
from sinergi.core.models import AuditEvent
from sinergi.core.numbers import ID_MAX
from sinergi.core.scoping import access, area_q, user_area
from sinergi.wilayah.models import Region


def roles_sync(*, reset: bool = False) -> list[str]:
    """Give each role group the default permissions it has never been given.

    Runs after every migrate (permissions of a new module exist only then). ``reset`` makes
    each group hold exactly its defaults again.
    """
    changed = []
    for role, codenames in DEFAULT_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=str(role))
        perms = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                perms.append(perm)
        if reset:
            group.permissions.set(perms)
            fresh = perms
        else:
            seeded = set(
                RolePermissionSeed.objects.filter(role=role).values_list("permission_id", flat=True)
            )
            fresh = [p for p in perms if p.pk not in seeded]
            group.permissions.add(*fresh)
        RolePermissionSeed.objects.bulk_create(
            [RolePermissionSeed(role=role, permission=p) for p in fresh], ignore_conflicts=True
        )
        if fresh:
            changed.append(str(role))
    return changed


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    role: str,
    area_code: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_staff: bool = False,
    organisation: str = "",
    invite_site: str = "",
    kube_id: int | None = None,
    mentor_id: int | None = None,
) -> User:
    """Create a user with a role and area, validated like the admin form would.

    ``actor`` None is the system (setup, demo, tests); a person needs ``accounts.manage_user``,
    may give only a role grantable to them (``roles.GRANTABLE``) and may only place the new
    user inside their own area. ``password`` None leaves the account without a password until
    the user sets one through an invitation, sent at once when ``invite_site`` (the site's
    address, for the link) is given. A KUBE officer is bound to the group ``kube_id``, a mentor
    to the mentor profile ``mentor_id`` (a record the actor may see); the account's area is
    then the record's regency, whatever ``area_code`` says."""
    if actor is not None:
        _require_manager(actor)
        _check_grant(actor, role)
        if is_staff:
            raise Forbidden(_("Staff access to the admin site is given in the admin site only."))
    kube, mentor = _record_for(actor, role, kube_id, mentor_id)
    if kube is not None or mentor is not None:
        area_code = (kube.area_code if kube is not None else mentor.area_code)[:5]
        if mentor is not None and not organisation:
            organisation = str(mentor.unit)[:120]
    area = _area_for(actor, area_code)
    user = User(
        username=username,
        role=role,
        area=area,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=is_staff,
        organisation=organisation,
        kube=kube,
        mentor=mentor,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    _validated(user)
    user.save()
    AuditEvent.record(
        events.USER_CREATED,
        actor=actor,
        obj=user,
        area_code=area.code if area else "",
        before={},
        after=snapshot(user, *USER_STATE),
    )
    if invite_site:
        _invite(actor, user, invite_site)
    return user


MANAGE_PERMISSION = "accounts.manage_user"


def _record_for(
    actor: User | None, role: str, kube_id: int | None, mentor_id: int | None
) -> tuple[Any, Any]:
    """The group a KUBE officer's account is bound to, or the mentor profile a mentor's is:
    required for those roles when a person makes the account (optional for the system),
    refused for every other role; only a record the actor may see."""
    from sinergi.kube.models import Kube
    from sinergi.mentoring.models import Mentor

    if role == Role.KUBE_OFFICER:
        if mentor_id is not None:
            raise InvalidInput(
                _("A KUBE officer is bound to a KUBE, not to a mentor."), field="mentor"
            )
        if kube_id is None and actor is None:
            return None, None  # the system binds it itself (the demo, the admin site)
        if kube_id is None:
            raise InvalidInput(
                _("Choose the KUBE this officer's account belongs to."), field="kube"
            )
        kubes = Kube.objects.all() if actor is None else Kube.objects.for_user(actor)
        kube = kubes.filter(pk=kube_id).first()
        if kube is None:
            raise InvalidInput(
                _("There is no KUBE %(id)s in your area.") % {"id": kube_id}, field="kube"
            )
        return kube, None
    if role == Role.MENTOR:
        if kube_id is not None:
            raise InvalidInput(
                _("A mentor is bound to a mentor profile, not to a KUBE."), field="kube"
            )
        if mentor_id is None and actor is None:
            return None, None
        if mentor_id is None:
            raise InvalidInput(
                _("Choose the mentor profile this account belongs to."), field="mentor"
            )
        mentors = Mentor.objects.all() if actor is None else Mentor.objects.for_user(actor)
        mentor = mentors.select_related("unit").filter(pk=mentor_id).first()
        if mentor is None:
            raise InvalidInput(
                _("There is no mentor %(id)s in your area.") % {"id": mentor_id}, field="mentor"
            )
        holder = User.objects.filter(mentor=mentor, is_active=True).first()
        if holder is not None:
            raise Conflict(
                _("%(mentor)s already has an account: %(user)s.")
                % {"mentor": mentor.name, "user": holder.username},
                field="mentor",
            )
        return None, mentor
    if kube_id is not None or mentor_id is not None:
        raise InvalidInput(
            _("Only a KUBE officer or a mentor account is bound to a KUBE or a mentor profile."),
            field="kube" if kube_id is not None else "mentor",
        )
    return None, None


def _require_manager(actor: User) -> None:
    if not actor.has_perm(MANAGE_PERMISSION):
        raise Forbidden(_("Your role does not allow managing users."))


def _role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role or "—"


def _check_grant(actor: User, role: str) -> None:
    """Refuse a role the actor may not give (``roles.GRANTABLE``), naming those they may."""
    allowed = grantable_roles(actor.role)
    if role in allowed:
        return
    raise Forbidden(
        _(
            "You may not give the role %(role)s: it is above your own role or outside what "
            "your office manages. Roles you may give: %(allowed)s."
        )
        % {
            "role": _role_label(role),
            "allowed": ", ".join(_role_label(r) for r in Role.values if r in allowed) or "—",
        },
        field="role",
    )


def _check_target(actor: User, user: User) -> None:
    """A manager acts only on users whose present role they could give, never on themselves."""
    if user.pk == actor.pk:
        raise Forbidden(_("You cannot manage your own account here; ask another manager."))
    if user.is_superuser and not actor.is_superuser:
        raise Forbidden(
            _("%(user)s is a superuser; only a superuser may change them.") % {"user": user}
        )
    if user.role not in grantable_roles(actor.role):
        raise Forbidden(
            _(
                "%(user)s is a %(role)s, a role above yours or outside what your office "
                "manages: you may not change this account."
            )
            % {"user": user, "role": _role_label(user.role)}
        )


def _managed(actor: User, user_id: int) -> User:
    """The user ``user_id`` locked for a change by the manager ``actor`` (404 outside the
    actor's area; refused, with the reason, when the rules of ``_check_target`` say no)."""
    _require_manager(actor)
    from sinergi.accounts.selectors import partners_own

    user = access(
        partners_own(actor, User.objects.select_related("area")),
        actor=actor,
        for_write=True,
        permission=MANAGE_PERMISSION,
        pk=user_id,
    )
    _check_target(actor, user)
    return user


USER_STATE = ("role", "area", "is_active")


def _area_for(actor: User | None, area_code: str | None) -> Region | None:
    """The current region ``area_code`` names, inside the actor's own area (None: the nation)."""
    if not area_code:
        if actor is not None and user_area(actor) is not None:
            raise Forbidden(_("Only a national administrator can give a user the whole nation."))
        return None
    area = Region.objects.filter(code=area_code, retired=False).first()
    if area is None:
        raise InvalidInput(
            _("There is no region with code %(code)s.") % {"code": area_code}, field="area"
        )
    if (
        actor is not None
        and not Region.objects.filter(area_q("code", user_area(actor)), pk=area.pk).exists()
    ):
        raise Forbidden(_("You can only give a user an area inside your own area."))
    return area


def _validated(user: User) -> None:
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        field = next(iter(exc.message_dict), None)
        raise InvalidInput(
            "; ".join(m for ms in exc.message_dict.values() for m in ms),
            field=field if field != "__all__" else None,
        ) from exc


@transaction.atomic
def user_change(
    *, actor: User, user_id: int, role: str | None = None, area_code: str | None = ""
) -> User:
    """Change a user's role and/or area (``area_code`` "" keeps it, None is the whole nation):
    only from and to roles grantable to the actor, only inside the actor's area; the old and
    new values go on the audit trail."""
    user = _managed(actor, user_id)
    before = snapshot(user, *USER_STATE)
    if role is not None and role != user.role:
        _check_grant(actor, role)
        if RECORD_BOUND_ROLES & {role, user.role}:
            raise Forbidden(
                _(
                    "A KUBE officer or mentor account stays bound to its group or mentor "
                    "profile: deactivate this account and create a new one instead."
                ),
                field="role",
            )
        user.role = role
    if area_code != "":
        if user.role in RECORD_BOUND_ROLES and area_code != user.area_code:
            raise Forbidden(
                _("The area of a KUBE officer or mentor account is that of its group or mentor."),
                field="area",
            )
        user.area = _area_for(actor, area_code)
    _validated(user)
    user.save()
    after = snapshot(user, *USER_STATE)
    if before != after:
        AuditEvent.record(
            events.USER_CHANGED,
            actor=actor,
            obj=user,
            area_code=user.area_code or "",
            before=before,
            after=after,
        )
    return user


@transaction.atomic
def user_set_active(*, actor: User, user_id: int, active: bool, reason: str = "") -> User:
    """Deactivate (or reactivate) a user: a deactivated user cannot sign in, every API token
    and invitation stops working at once; nothing they did is removed (users are never
    deleted, so their history stays whole)."""
    user = _managed(actor, user_id)
    if user.is_active == active:
        return user
    before = snapshot(user, "is_active")
    user.is_active = active
    user.save(update_fields=["is_active", "updated_at"])
    if not active:
        Invitation.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    AuditEvent.record(
        events.USER_REACTIVATED if active else events.USER_DEACTIVATED,
        actor=actor,
        obj=user,
        area_code=user.area_code or "",
        reason=reason,
        before=before,
        after=snapshot(user, "is_active"),
    )
    return user


@transaction.atomic
def user_require_password_reset(*, actor: User, user_id: int, reason: str = "") -> User:
    """At the next sign-in the user must choose a new password before anything else (and
    cannot get an API token with the old one)."""
    user = _managed(actor, user_id)
    if user.must_change_password:
        return user
    before = snapshot(user, "must_change_password")
    user.must_change_password = True
    user.save(update_fields=["must_change_password", "updated_at"])
    AuditEvent.record(
        events.PASSWORD_RESET_REQUIRED,
        actor=actor,
        obj=user,
        area_code=user.area_code or "",
        reason=reason,
        before=before,
        after=snapshot(user, "must_change_password"),
    )
    return user


@transaction.atomic
def password_set_by_user(*, user: User, password: str, how: str) -> User:
    """The user chose a new password (a required change at sign-in, a reset link): saved,
    the requirement lifted, on the audit trail (the save itself ends their API tokens)."""
    before = snapshot(user, "must_change_password")
    user.set_password(password)
    user.must_change_password = False
    user.save()
    AuditEvent.record(
        events.PASSWORD_SET,
        actor=user,
        obj=user,
        area_code=user.area_code or "",
        data={"how": how},
        before=before,
        after=snapshot(user, "must_change_password"),
    )
    return user


# --- Invitations ------------------------------------------------------------------------------


class LinkNotUsable(DomainError):
    """An invitation or reset link used already, expired or unknown: said plainly (410)."""

    status = 410
    code = "link_not_usable"


def invitation_link(site: str, raw: str) -> str:
    return site.rstrip("/") + reverse("accounts:invitation", kwargs={"token": raw})


def _invite(actor: User | None, user: User, site: str) -> Invitation:
    if not user.email:
        raise InvalidInput(
            _("%(user)s has no e-mail address to send the invitation to.") % {"user": user},
            field="email",
        )
    if not user.is_active:
        raise InvalidInput(_("%(user)s is deactivated; reactivate them first.") % {"user": user})
    now = timezone.now()
    Invitation.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=user,
        key_hash=hash_token(raw),
        created_by=actor,
        expires_at=now + timedelta(days=settings.SINERGI_INVITATION_DAYS),
    )
    AuditEvent.record(
        events.INVITATION_SENT,
        actor=actor,
        obj=user,
        area_code=user.area_code or "",
        data={"expires_at": invitation.expires_at.isoformat()},
    )
    context = {
        "user": user,
        "link": invitation_link(site, raw),
        "days": settings.SINERGI_INVITATION_DAYS,
        "inviter": str(actor) if actor else "Sinergi",
    }
    languages = [code for code, _name in settings.LANGUAGES]
    send_later(
        kind="invitation",
        user_id=user.pk,
        subject=" / ".join(
            _subject_in(code, "Your Sinergi account is ready") for code in languages
        ),
        body=render_in(languages, "accounts/email/invitation.txt", context),
    )
    return invitation


def _subject_in(language: str, text: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return str(_(text))


@transaction.atomic
def invitation_send(*, actor: User, user_id: int, site: str) -> Invitation:
    """(Re)send the one-time link with which the user sets their password; an earlier link
    stops working."""
    return _invite(actor, _managed(actor, user_id), site)


def invitation_check(invitation: Invitation | None) -> Invitation:
    """The invitation if its link may still be used, else the reason in the user's language."""
    if invitation is None or invitation.revoked_at is not None:
        raise LinkNotUsable(
            _(
                "This invitation link is not valid (a newer one may have been sent). Ask the "
                "office that invited you to send a new invitation."
            )
        )
    if invitation.used_at is not None:
        raise LinkNotUsable(
            _(
                "This invitation link has already been used to set a password. Sign in with "
                "that password, or use “Forgot password?” on the sign-in page."
            )
        )
    if invitation.expires_at <= timezone.now() or not invitation.user.is_active:
        raise LinkNotUsable(
            _(
                "This invitation link has expired (links last %(days)s days). Ask the office "
                "that invited you to send a new invitation."
            )
            % {"days": settings.SINERGI_INVITATION_DAYS}
        )
    return invitation


@transaction.atomic
def invitation_accept(*, raw: str, password: str) -> User:
    """Set the invited user's password through the link, once. ``password`` has passed
    Django's validators (the form's)."""
    invitation = invitation_check(
        Invitation.objects.select_for_update()
        .select_related("user")
        .filter(key_hash=hash_token(raw))
        .first()
    )
    user = invitation.user
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    password_set_by_user(user=user, password=password, how="invitation")
    AuditEvent.record(events.INVITATION_USED, actor=user, obj=user, area_code=user.area_code or "")
    return user


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Issue a token for the actor; the raw token is returned once and never stored."""
    name = name.strip()[:80] or _("API token")
    raw = "sng_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        prefix=raw[4:12],
        key_hash=hash_token(raw),
        expires_at=timezone.now() + timedelta(days=settings.SINERGI_API_TOKEN_TTL_DAYS),
    )
    AuditEvent.record(events.TOKEN_CREATED, actor=actor, obj=token, area_code=actor.area_code or "")
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor).first()
    if token is None:
        raise InvalidInput(_("That token does not exist or is not yours."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        AuditEvent.record(
            events.TOKEN_REVOKED,
            actor=actor,
            obj=token,
            area_code=actor.area_code or "",
            before={"revoked_at": None},
            after=snapshot(token, "revoked_at"),
        )
    return token


def api_tokens_revoke_all(*, user: User, actor: User | None, reason: str) -> int:
    """End every live token of ``user`` (its password changed: whoever held a token may have
    held the password too). Returns how many were revoked."""
    now = timezone.now()
    count = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now).update(
        revoked_at=now
    )
    if count:
        AuditEvent.record(
            events.TOKENS_REVOKED,
            actor=actor,
            obj=user,
            area_code=user.area_code or "",
            data={"tokens": count, "reason": reason},
        )
    return count


def api_token_authenticate(raw: str) -> User | None:
    """The active user behind a bearer token, or None; touches last-use at most once a minute."""
    token = (
        ApiToken.objects.select_related("user", "user__area")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def audit_export(*, actor: Any, what: str | EventType, rows: int, area_code: str = "") -> None:
    """Put an export of personal data on the audit trail: ``what`` is a key of
    ``events.EXPORTED`` or an app's own declared ``EventType``."""
    kind = what if isinstance(what, EventType) else events.EXPORTED[what]
    AuditEvent.record(kind, actor=actor, area_code=area_code, data={"rows": rows})


# --- Import of users from a CSV file ---------------------------------------------------------

IMPORT_MAX_ROWS = 2000
# Column names a file may use (the English ones, or those of the user export).
IMPORT_COLUMNS = {
    "username": "username",
    "first_name": "first_name",
    "nama_depan": "first_name",
    "name": "first_name",
    "nama": "first_name",
    "last_name": "last_name",
    "nama_belakang": "last_name",
    "email": "email",
    "e-mail": "email",
    "surel": "email",
    "role": "role",
    "peran": "role",
    "area_code": "area_code",
    "kode_wilayah": "area_code",
    "organisation": "organisation",
    "organisasi": "organisation",
    "phone": "phone",
    "telepon": "phone",
    # The record a KUBE officer's or mentor's account is bound to, by the number in its
    # address (/kube/<number>/, /pendampingan/mentor/<number>/).
    "kube_id": "kube_id",
    "id_kube": "kube_id",
    "kube": "kube_id",
    "mentor_id": "mentor_id",
    "id_mentor": "mentor_id",
    "mentor": "mentor_id",
}
IMPORT_REQUIRED = ("username", "email", "role", "area_code")


@dataclass
class ImportRow:
    line: int
    username: str
    role: str = ""
    area_code: str = ""
    errors: list[str] = field(default_factory=list)
    user_id: int | None = None
    kube_id: int | None = None
    mentor_id: int | None = None


@dataclass
class ImportReport:
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if r.errors]

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if r.user_id is not None)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.bad_rows


def _role_from_text(text: str) -> str | None:
    """A role by its code or its label in either language ("Pendamping", "facilitator")."""
    from django.utils import translation

    wanted = text.strip().casefold()
    for value in Role.values:
        if wanted == value:
            return str(value)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in Role.choices:
                if wanted == str(label).casefold():
                    return str(value)
    return None


def _read_csv(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            _("The file is not UTF-8 text. Save it again as “CSV UTF-8” and send it again."),
            field="file",
        ) from exc
    first = text.split("\n", 1)[0]
    # Spreadsheets in Indonesian save CSV with semicolons.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in reader.fieldnames or []]
        rows = [
            {(k or "").strip().lower(): (v or "").strip() for k, v in r.items() if k}
            for r in reader
        ]
    except csv.Error as exc:
        raise InvalidInput(
            _("The file is not a readable CSV file (line %(line)s). Save it again as CSV.")
            % {"line": reader.line_num},
            field="file",
        ) from exc
    return header, rows


def users_import(*, actor: User, data: bytes, site: str) -> ImportReport:
    """Create the users of a CSV file, all or none, and invite each by e-mail.

    Every row is checked first (columns, username free, e-mail, a role the actor may give, an
    area inside the actor's own at the role's level); a bad row is reported with its line, the
    column and how to fix it. If any row is bad nothing is created: the officer fixes the file
    and sends the whole of it again, without having to find which rows went in the first time
    (half a file created would make the corrected file fail on the usernames it had already
    created, and would send invitations in two waves)."""
    _require_manager(actor)
    report = ImportReport()
    header, rows = _read_csv(data)
    known = {IMPORT_COLUMNS[h] for h in header if h in IMPORT_COLUMNS}
    missing = [c for c in IMPORT_REQUIRED if c not in known]
    if missing:
        report.file_errors.append(
            _(
                "The file lacks the column(s) %(missing)s. The first line must name the columns, "
                "e.g.: username,first_name,last_name,email,role,area_code"
            )
            % {"missing": ", ".join(missing)}
        )
        return report
    if not rows:
        report.file_errors.append(_("The file has no rows below its header."))
        return report
    if len(rows) > IMPORT_MAX_ROWS:
        report.file_errors.append(
            _("The file has %(rows)s rows; send at most %(max)s at a time.")
            % {"rows": len(rows), "max": IMPORT_MAX_ROWS}
        )
        return report
    seen: dict[str, int] = {}
    mentors_seen: dict[int, int] = {}
    candidates: list[tuple[ImportRow, dict[str, Any]]] = []
    for number, raw in enumerate(rows, start=2):
        values = {IMPORT_COLUMNS[k]: v for k, v in raw.items() if k in IMPORT_COLUMNS}
        row = ImportRow(
            line=number,
            username=values.get("username", ""),
            area_code=values.get("area_code", ""),
        )
        report.rows.append(row)
        candidates.append((row, values))
        _check_import_row(actor, row, values, seen, mentors_seen)
    if not report.ok:
        return report
    with transaction.atomic():
        for row, values in candidates:
            user = user_create(
                actor=actor,
                username=row.username,
                password=None,
                role=row.role,
                area_code=row.area_code or None,
                first_name=values.get("first_name", "")[:150],
                last_name=values.get("last_name", "")[:150],
                email=values.get("email", ""),
                organisation=values.get("organisation", "")[:120],
                invite_site=site,
                kube_id=row.kube_id,
                mentor_id=row.mentor_id,
            )
            row.user_id = user.pk
        AuditEvent.record(
            events.USERS_IMPORTED,
            actor=actor,
            area_code=actor.area_code or "",
            data={"users": len(candidates)},
        )
    return report


def _record_number(text: str) -> int | None:
    """A record's number as typed in a cell (None when empty); ValueError when it is none."""
    text = text.strip().lstrip("#")
    if not text:
        return None
    if text.isdigit() and 0 < int(text) <= ID_MAX:
        return int(text)
    raise ValueError(text)


def _check_import_row(
    actor: User,
    row: ImportRow,
    values: dict[str, str],
    seen: dict[str, int],
    mentors_seen: dict[int, int],
) -> None:
    def bad(column: str, message: str) -> None:
        row.errors.append(
            _("column %(column)s: %(message)s") % {"column": column, "message": message}
        )

    if not row.username:
        bad("username", _("empty; give each user a username."))
    elif row.username.casefold() in seen:
        bad(
            "username",
            _("%(name)s is also on line %(line)s; each username may appear once.")
            % {"name": row.username, "line": seen[row.username.casefold()]},
        )
    else:
        seen[row.username.casefold()] = row.line
    role = _role_from_text(values.get("role", ""))
    if role is None:
        bad(
            "role",
            _("“%(value)s” is not a role; write one of: %(roles)s.")
            % {
                "value": values.get("role", ""),
                "roles": ", ".join(sorted(grantable_roles(actor.role))) or "—",
            },
        )
    else:
        row.role = role
        try:
            _check_grant(actor, role)
        except Forbidden as exc:
            bad("role", exc.message)
    if not values.get("email"):
        bad("email", _("empty; the invitation is sent to this address."))
    if not _check_import_binding(actor, row, values, mentors_seen, bad):
        return
    area = None
    try:
        area = _area_for(actor, row.area_code or None)
    except DomainError as exc:
        bad("area_code", exc.message)
    if row.errors:
        return
    user = User(
        username=row.username,
        role=row.role,
        area=area,
        first_name=values.get("first_name", "")[:150],
        last_name=values.get("last_name", "")[:150],
        email=values.get("email", ""),
    )
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            column = {"area": "area_code", "__all__": "-"}.get(name, name)
            for message in messages:
                bad(column, message)


def _check_import_binding(
    actor: User,
    row: ImportRow,
    values: dict[str, str],
    mentors_seen: dict[int, int],
    bad: Callable[[str, str], None],
) -> bool:
    """A KUBE officer's row names its KUBE, a mentor's row its mentor profile (a record in the
    actor's area; one account per mentor, in the file too); the account's area is then the
    record's regency, whatever the row's area_code says. False when the row is refused."""
    numbers: dict[str, int | None] = {}
    for column in ("kube_id", "mentor_id"):
        try:
            numbers[column] = _record_number(values.get(column, ""))
        except ValueError:
            bad(
                column,
                _("“%(value)s” is not a record number; write the number in its address.")
                % {"value": values.get(column, "")[:20]},
            )
            return False
    kube_id, mentor_id = numbers["kube_id"], numbers["mentor_id"]
    if row.role == Role.KUBE_OFFICER and kube_id is None:
        bad(
            "kube_id",
            _(
                "empty; a KUBE officer's account belongs to a KUBE: write its number, as in "
                "its address /kube/<number>/."
            ),
        )
        return False
    if row.role == Role.MENTOR and mentor_id is None:
        bad(
            "mentor_id",
            _(
                "empty; a mentor's account belongs to a mentor profile: write its number, as "
                "in its address /pendampingan/mentor/<number>/."
            ),
        )
        return False
    if not row.role or (kube_id is None and mentor_id is None):
        return True
    try:
        kube, mentor = _record_for(actor, row.role, kube_id, mentor_id)
    except DomainError as exc:
        bad("mentor_id" if exc.field == "mentor" else "kube_id", exc.message)
        return False
    if mentor is not None:
        if mentor.pk in mentors_seen:
            bad(
                "mentor_id",
                _("mentor %(id)s is also on line %(line)s; a mentor has one account.")
                % {"id": mentor.pk, "line": mentors_seen[mentor.pk]},
            )
            return False
        mentors_seen[mentor.pk] = row.line
    record = kube if kube is not None else mentor
    row.area_code = record.area_code[:5]
    row.kube_id, row.mentor_id = kube_id, mentor_id
    return True


# --- Second factor (TOTP, RFC 6238) and recovery codes ---------------------------------------

TOTP_ISSUER = "Sinergi"
RECOVERY_CODES = 10
_TOTP_FIELD = "accounts.totp"
_RECOVERY_FIELD = "accounts.recovery"


def second_factor_required(user: Any) -> bool:
    """Whether the rule asks this user for a second factor: SINERGI_REQUIRE_2FA is on and the
    user may reveal NIK (``roles.REVEAL_PERMISSION``)."""
    return bool(settings.SINERGI_REQUIRE_2FA) and bool(user.has_perm(REVEAL_PERMISSION))


def second_factor_enrolled(user: Any) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def second_factor_asked(user: Any) -> bool:
    """Asked at every sign-in (and for an API token): required by the rule, or set up."""
    return second_factor_required(user) or second_factor_enrolled(user)


def _totp(device: TotpDevice) -> pyotp.TOTP:
    return pyotp.TOTP(crypto.decrypt(device.secret_cipher, field=_TOTP_FIELD))


def totp_begin(*, user: User) -> str:
    """The otpauth:// address of a new (or the pending) unconfirmed authenticator; a
    confirmed one is left alone until it is removed."""
    device = TotpDevice.objects.filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        raise Conflict(_("A second factor is already set up for this account."))
    if device is None:
        device = TotpDevice.objects.create(
            user=user, secret_cipher=crypto.encrypt(pyotp.random_base32(), field=_TOTP_FIELD)
        )
    return _totp(device).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)


def _normal(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _totp_matches(device: TotpDevice, code: str) -> bool:
    """Whether ``code`` is the code of this step or the next/previous one (a clock off by up
    to 30 seconds), never one already accepted; remembers the step."""
    code = _normal(code)
    if len(code) != 6 or not code.isdigit():
        return False
    totp = _totp(device)
    now = timezone.now()
    step = totp.timecode(now)
    for offset in (0, -1, 1):
        if step + offset > device.last_step and constant_time_compare(
            totp.at(now, counter_offset=offset), code
        ):
            device.last_step = step + offset
            device.save(update_fields=["last_step"])
            return True
    return False


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = [
        "".join(secrets.choice(alphabet) for _i in range(5))
        + "-"
        + "".join(secrets.choice(alphabet) for _i in range(5))
        for _n in range(RECOVERY_CODES)
    ]
    RecoveryCode.objects.bulk_create(
        [
            RecoveryCode(user=user, code_hash=crypto.lookup_hash(_normal(c), field=_RECOVERY_FIELD))
            for c in codes
        ]
    )
    return codes


@transaction.atomic
def totp_confirm(*, user: User, code: str) -> list[str]:
    """Confirm the pending authenticator with a code from it; returns the recovery codes,
    shown once (only their hashes are kept)."""
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is None or device.confirmed_at is not None:
        raise Conflict(_("There is no second factor waiting to be confirmed; start again."))
    if not _totp_matches(device, code):
        raise InvalidInput(
            _(
                "That code is not right. Type the 6 digits your authenticator app shows now "
                "(check that the phone's clock is set automatically)."
            ),
            field="code",
        )
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at"])
    codes = _new_recovery_codes(user)
    AuditEvent.record(events.TOTP_ENROLLED, actor=user, obj=user, area_code=user.area_code or "")
    return codes


MAX_WRONG_CODES = 5
BLOCKED_MINUTES = 15


class SecondFactorBlocked(DomainError):
    """Too many wrong codes in a row: every code is refused for a while (429)."""

    status = 429
    code = "otp_blocked"


@transaction.atomic
def second_factor_verify(*, user: User, code: str) -> bool:
    """A code from the confirmed authenticator, or an unused recovery code (then spent).

    After ``MAX_WRONG_CODES`` wrong codes in a row the account's codes are refused for
    ``BLOCKED_MINUTES`` (``SecondFactorBlocked``), on the sign-in page and the API alike: a
    password alone must not let anyone try a million codes."""
    device = (
        TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    )
    if device is None:
        return False
    now = timezone.now()
    if device.blocked_until is not None and device.blocked_until > now:
        raise SecondFactorBlocked(
            _("Too many wrong codes: codes are refused until %(time)s. Try again then.")
            % {"time": timezone.localtime(device.blocked_until).strftime("%H:%M")}
        )
    if _totp_matches(device, code) or _recovery_code_spent(user, code):
        if device.failed_tries:
            device.failed_tries = 0
            device.save(update_fields=["failed_tries"])
        return True
    device.failed_tries += 1
    if device.failed_tries >= MAX_WRONG_CODES:
        device.failed_tries = 0
        device.blocked_until = now + timedelta(minutes=BLOCKED_MINUTES)
    device.save(update_fields=["failed_tries", "blocked_until"])
    return False


def _recovery_code_spent(user: User, code: str) -> bool:
    spent = RecoveryCode.objects.filter(
        user=user,
        used_at__isnull=True,
        code_hash=crypto.lookup_hash(_normal(code), field=_RECOVERY_FIELD),
    ).update(used_at=timezone.now())
    if spent:
        left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
        AuditEvent.record(
            events.RECOVERY_CODE_USED,
            actor=user,
            obj=user,
            area_code=user.area_code or "",
            data={"left": left},
        )
    return bool(spent)


@transaction.atomic
def recovery_codes_renew(*, user: User, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), after a code from the authenticator."""
    if not second_factor_verify(user=user, code=code):
        raise InvalidInput(_("That code is not right."), field="code")
    codes = _new_recovery_codes(user)
    AuditEvent.record(
        events.RECOVERY_CODES_MADE, actor=user, obj=user, area_code=user.area_code or ""
    )
    return codes


@transaction.atomic
def second_factor_remove(*, actor: User, user_id: int) -> User:
    """A manager removes a user's authenticator (a lost phone): at the next sign-in the user
    sets up a new one (if the rule asks them to)."""
    user = _managed(actor, user_id)
    removed, _kinds = TotpDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    if removed:
        AuditEvent.record(events.TOTP_RESET, actor=actor, obj=user, area_code=user.area_code or "")
    return user


# --- Forgotten password ----------------------------------------------------------------------


def reset_link_problem(user: User | None, token: str) -> str:
    """Why a reset link does not work, in the user's language: expired (it was genuine but
    is too old), or used (or never valid: a link stops working once the password changed)."""
    generator = default_token_generator
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    if user is not None and token and token != "set-password":  # noqa: S105  # Django's marker
        try:
            stamp = base36_to_int(token.split("-", 1)[0])
        except ValueError:
            stamp = None
        if stamp is not None:
            for secret in [generator.secret, *generator.secret_fallbacks]:
                genuine = generator._make_token_with_timestamp(user, stamp, secret)
                if constant_time_compare(genuine, token):
                    return _(
                        "This link has expired: links to set a new password last %(hours)s "
                        "hours. Ask for a new link below."
                    ) % {"hours": hours}
    return _(
        "This link has already been used, or it is not complete. Each link works once; "
        "ask for a new link below."
    )
