"""Writes for users, roles and API tokens; each writes its audit event in the same transaction."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts import events
from sinergi.accounts.models import ApiToken, RolePermissionSeed, User, hash_token
from sinergi.accounts.roles import DEFAULT_PERMISSIONS
from sinergi.core.errors import Forbidden, InvalidInput, require_permission
from sinergi.core.events import EventType, snapshot
from sinergi.core.models import AuditEvent
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
    password: str,
    role: str,
    area_code: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_staff: bool = False,
    organisation: str = "",
) -> User:
    """Create a user with a role and area, validated like the admin form would.

    ``actor`` None is the system (setup, demo, tests); a person needs ``accounts.add_user`` and
    may only place the new user inside their own area."""
    if actor is not None:
        require_permission(actor, "accounts.add_user")
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
    )
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
    """Change a user's role and/or area (``area_code`` "" keeps it, None is the whole nation),
    as the admin's user form does; the old and new values go on the audit trail."""
    require_permission(actor, "accounts.change_user")
    user = access(User.objects.select_related("area"), actor=actor, for_write=True, pk=user_id)
    if user.pk == actor.pk:
        raise Forbidden(_("You cannot change your own role or area."))
    before = snapshot(user, *USER_STATE)
    if role is not None:
        user.role = role
    if area_code != "":
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
    """Deactivate (or reactivate) a user: a deactivated user cannot sign in and every API
    token stops working at once; nothing they did is removed."""
    require_permission(actor, "accounts.change_user")
    user = access(User.objects.select_related("area"), actor=actor, for_write=True, pk=user_id)
    if user.pk == actor.pk:
        raise Forbidden(_("You cannot deactivate yourself."))
    if user.is_active == active:
        return user
    before = snapshot(user, "is_active")
    user.is_active = active
    user.save(update_fields=["is_active", "updated_at"])
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
