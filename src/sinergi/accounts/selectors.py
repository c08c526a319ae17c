"""Scoped reads of users, and the figures on each role's dashboard."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet

from sinergi.accounts.models import Invitation, RecoveryCode, User, hash_token
from sinergi.core.models import AuditEvent
from sinergi.core.scoping import access, user_area
from sinergi.wilayah.models import Level, Region


def partners_own(actor: Any, qs: QuerySet[User]) -> QuerySet[User]:
    """A partner's coordinator sees only the accounts she manages (her partner's mentors),
    never the offices' people; anyone else ``qs`` as it is."""
    from sinergi.accounts.roles import PARTNER_ROLES, grantable_roles

    if getattr(actor, "role", "") in PARTNER_ROLES:
        return qs.filter(role__in=grantable_roles(actor.role))
    return qs


def _seen(actor: Any, action: str = "view") -> QuerySet[User]:
    """Users in the actor's area that the actor may see (``partners_own``)."""
    return partners_own(actor, User.objects.for_user(actor, action))


def user_list(*, actor: Any, q: str = "", role: str = "", action: str = "view") -> QuerySet[User]:
    """Users in the actor's area that the actor may see (``action`` "export" for exports)."""
    qs = _seen(actor, action).select_related("area")
    if role:
        qs = qs.filter(role=role)
    for word in q.split()[:5]:
        qs = qs.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(area__name__icontains=word)
        )
    return qs.order_by("area__code", "role", "username")


def user_get(*, actor: Any, pk: int, for_write: bool = False) -> User:
    """One user the actor may see (or change), else 404."""
    return access(_seen(actor).select_related("area"), actor=actor, for_write=for_write, pk=pk)


def user_manageable(*, actor: Any, pk: int) -> User:
    """One user the actor may manage (``accounts.manage_user``, in the actor's area), else 404."""
    return access(
        partners_own(actor, User.objects.select_related("area", "kube", "mentor")),
        actor=actor,
        permission="accounts.manage_user",
        pk=pk,
    )


def user_for_signin(pk: int | None) -> User | None:
    """The active user half-way through signing in (password checked, second step due)."""
    if pk is None:
        return None
    return User.objects.select_related("area").filter(pk=pk, is_active=True).first()


def account_events(*, user: User, limit: int = 50) -> list[AuditEvent]:
    """What happened to this account (created, role changed, deactivated, invited …), newest
    first; shown to those who may manage the user."""
    events = list(
        AuditEvent.objects.select_related("actor").filter(
            object_type="accounts.user", object_id=str(user.pk)
        )[:limit]
    )
    AuditEvent.name_related(events)  # areas by name, one query
    return events


def invitation_by_token(raw: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("user", "user__area")
        .filter(key_hash=hash_token(raw))
        .first()
    )


def invitation_latest(user: User) -> Invitation | None:
    return Invitation.objects.filter(user=user).order_by("-created_at").first()


def invitations_lapsed(*, actor: Any) -> QuerySet[User]:
    """Users the actor manages whose last invitation expired unused (they never set a
    password): the actor's work, to send it again. Oldest lapse first."""
    if not actor.is_authenticated or not actor.has_perm("accounts.manage_user"):
        return User.objects.none()
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.db.models import Exists, Max, OuterRef
    from django.utils import timezone

    from sinergi.accounts.roles import grantable_roles

    lapsed = Invitation.objects.filter(
        user=OuterRef("pk"),
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__lte=timezone.now(),
    )
    return (
        User.objects.for_user(actor, permission="accounts.manage_user")
        .filter(
            Exists(lapsed),
            is_active=True,
            # Never set a password (an unusable one is Django's marker).
            password__startswith=UNUSABLE_PASSWORD_PREFIX,
            role__in=grantable_roles(actor.role),
        )
        .exclude(pk=actor.pk)
        .annotate(lapsed_at=Max("invitations__expires_at"))
        .order_by("lapsed_at", "pk")
    )


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


# Regions change only when a new decree is imported, while counting the nation's 91,000 costs
# more than the rest of the home page: the counts are kept this long (per server process).
REGION_COUNTS_SECONDS = 600


def _region_counts(area: str | None) -> dict[str, int]:
    regions = Region.objects.current().in_area(area)
    return regions.aggregate(
        **{lvl.name.lower(): Count("pk", filter=Q(level=lvl.value)) for lvl in Level}
    )


def dashboard_summary(*, actor: Any) -> dict[str, Any]:
    """What the dashboard shows every role today; later modules add their own cards."""
    area = user_area(actor)
    counts = cache.get_or_set(
        f"dashboard-region-counts:{area or ''}",
        lambda: _region_counts(area),
        REGION_COUNTS_SECONDS,
    )
    users = user_list(actor=actor)
    return {
        "area_label": actor.area_label,
        "role_label": actor.get_role_display() or "—",
        "region_counts": counts,
        "can_see_users": actor.has_perm("accounts.view_user"),
        "user_count": users.count() if actor.has_perm("accounts.view_user") else None,
    }
