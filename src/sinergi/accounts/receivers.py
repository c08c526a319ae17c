"""A changed password revokes the user's API tokens, whichever path changed it.

A password is changed by the profile page, the Django admin (change or "disable password"),
``manage changepassword``, a shell or a future reset page; most of these are Django's code, not
Sinergi's services, so the rule lives on the model's save signals, the one place they all pass.
Other browser sessions end by themselves: Django stores a hash of the password hash in each
session and drops a session whose hash no longer matches (the page that changed the password
renews only its own session).
"""

from __future__ import annotations

from typing import Any

from simple_history.models import HistoricalRecords

from sinergi.accounts.models import User


def _acting_user() -> User | None:
    """The signed-in person behind the current request, when there is one (the audit actor)."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if isinstance(user, User) else None


def note_password_change(sender: Any, instance: User, raw: bool = False, **kwargs: Any) -> None:
    instance._password_replaced = False  # type: ignore[attr-defined]
    if raw or instance._state.adding or instance.pk is None or instance._rehashing:
        return
    fields = kwargs.get("update_fields")
    if fields is not None and "password" not in fields:
        return
    stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._password_replaced = stored is not None and stored != instance.password  # type: ignore[attr-defined]


def revoke_tokens_after_password_change(
    sender: Any, instance: User, created: bool = False, **kwargs: Any
) -> None:
    if getattr(instance, "_password_replaced", False):
        instance._password_replaced = False  # type: ignore[attr-defined]
        from sinergi.accounts.services import api_tokens_revoke_all

        api_tokens_revoke_all(user=instance, actor=_acting_user(), reason="password_changed")
