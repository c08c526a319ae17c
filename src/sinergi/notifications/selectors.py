"""Reads of the notifications app: preferences, the message log, and who must act on an event.

"Who must act" is computed from the records, never from a list kept by hand: the users whose
role holds the permission the next step needs, whose area covers the work (the nearest level
that has anyone, so a regency's KUBE goes to the regency's office, not to every officer above
it), who may see the object (the model's own scoping), minus whoever caused the event (the
four-eyes rule: the maker never checks their own work); plus the parties named on the record
(a group's own officers, the mentors offered a group).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet
from django.http import Http404

from sinergi.accounts.models import User
from sinergi.core import inbox
from sinergi.core.scoping import user_area
from sinergi.notifications.models import Digest, Message, Preference


def preference_of(user: Any) -> Preference:
    """The user's preferences, or the defaults (not saved) when they never set any."""
    pref = Preference.objects.filter(user_id=user.pk).first()
    return pref if pref is not None else Preference(user_id=user.pk)


def preferences_of(user_ids: Iterable[int]) -> dict[int, Preference]:
    return {p.user_id: p for p in Preference.objects.filter(user_id__in=list(user_ids))}


# --- Who must act ------------------------------------------------------------------------------


def _depth(code: str | None) -> int:
    """0 for the nation, 1 for a province, 2 for a regency…"""
    return 0 if not code else code.count(".") + 1


def _prefixes(code: str) -> list[str]:
    parts = code.split(".") if code else []
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def users_who_may(
    permission: str,
    area_code: str,
    *,
    exclude: Iterable[int | None] = (),
    max_depth: int | None = None,
    nearest: bool = True,
) -> list[User]:
    """Active users whose role holds ``permission`` and whose area covers ``area_code``.

    Accounts bound to one group or one mentor profile are left to the rules that name them.
    ``max_depth`` keeps only levels up to it (1: nation and provinces); ``nearest`` keeps only
    the deepest level that has anyone."""
    app_label, codename = permission.split(".", 1)
    roles = Group.objects.filter(
        permissions__content_type__app_label=app_label, permissions__codename=codename
    ).values("name")
    covers = Q(area__isnull=True)
    prefixes = _prefixes(area_code)
    if prefixes:
        covers |= Q(area__code__in=prefixes)
    qs = (
        User.objects.filter(is_active=True, role__in=roles, kube__isnull=True, mentor__isnull=True)
        .filter(covers)
        .exclude(pk__in=[pk for pk in exclude if pk is not None])
        .select_related("area")
        .order_by("pk")
    )
    found = [u for u in qs if max_depth is None or _depth(user_area(u)) <= max_depth]
    if nearest and found:
        deepest = max(_depth(user_area(u)) for u in found)
        found = [u for u in found if _depth(user_area(u)) == deepest]
    return found


def group_officers(kube_ids: Iterable[int], permission: str) -> list[User]:
    """A group's own accounts (KUBE officers) that hold ``permission``."""
    qs = User.objects.filter(is_active=True, kube_id__in=list(kube_ids)).order_by("pk")
    return [u for u in qs if u.has_perm(permission)]


def mentor_accounts(mentor_ids: Iterable[int]) -> list[User]:
    return list(User.objects.filter(is_active=True, mentor_id__in=list(mentor_ids)).order_by("pk"))


def may_see(user: Any, model_label: str, pk: Any) -> bool:
    """Whether the model's own scoping shows row ``pk`` to ``user`` (True for an unscoped
    model): a message never links to a page its reader cannot open."""
    try:
        model: Any = apps.get_model(model_label)
    except (LookupError, ValueError):
        return False
    qs = model._default_manager.all()
    if not hasattr(qs, "for_user"):
        return True
    return bool(qs.for_user(user).filter(pk=pk).exists())


def row(model_label: str, pk: Any, *related: str) -> Any:
    """The row an event is about (None once it is gone)."""
    model: Any = apps.get_model(model_label)
    qs = model._default_manager.all()
    if related:
        qs = qs.select_related(*related)
    return qs.filter(pk=pk).first()


def rows(model_label: str, **lookup: Any) -> QuerySet[Any]:
    model: Any = apps.get_model(model_label)
    return model._default_manager.filter(**lookup)


# --- What waits (the inbox) --------------------------------------------------------------------


def waiting_for(user: Any) -> list[inbox.InboxItem]:
    """What waits for ``user`` across every module, most urgent first (core.inbox)."""
    gather = getattr(inbox, "gather", None)
    if gather is not None:
        return list(gather(user))
    items: list[inbox.InboxItem] = []  # before core.inbox.gather existed
    for _code, fn in sorted(inbox.providers().items()):
        items.extend(fn(user))
    return items


def waiting_for_many(users: list[Any]) -> dict[int, list[inbox.InboxItem]]:
    """:func:`waiting_for` for many users at once, by audience (``core.inbox.gather_many``)."""
    return inbox.gather_many(users)


def digest_candidates(day: datetime.date) -> QuerySet[User]:
    """Active users who keep the daily digest on (or never said) and have none for ``day``."""
    return (
        User.objects.filter(is_active=True)
        .exclude(notification_preference__digest_on=False)
        .exclude(pk__in=Digest.objects.filter(day=day).values("user_id"))
        .select_related("area", "notification_preference")
        .order_by("pk")
    )


# --- The message log ---------------------------------------------------------------------------


def message_list(
    *, actor: Any, status: str = "", channel: str = "", kind: str = ""
) -> QuerySet[Message]:
    """Every message, for who may read the log (the national admin); none for anyone else."""
    if (
        actor is None
        or not actor.is_authenticated
        or not actor.has_perm("notifications.view_message")
    ):
        return Message.objects.none()
    qs = Message.objects.select_related("user")
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


def message_get(*, actor: Any, pk: int) -> Message:
    found = message_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def due_messages(now: datetime.datetime) -> QuerySet[Message]:
    from sinergi.notifications.models import OPEN_STATUSES

    return Message.objects.filter(status__in=OPEN_STATUSES, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "pk"
    )
