"""What other apps do when a group closes (graduates or dissolves), called explicitly.

KUBE must not know which apps keep something tied to a group (mentoring's assignments today),
and a ``post_save`` signal would hide that work from the reader of the transition service.
So an app registers a function here from its ``AppConfig.ready()``, and the transition service
calls :func:`group_closed` once, inside its own transaction: if a handler fails, the group does
not close either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sinergi.kube.models import Kube


class GroupClosedHandler(Protocol):
    def __call__(self, kube: Kube, *, reason: str, actor: Any) -> None: ...


_HANDLERS: list[GroupClosedHandler] = []


def on_group_closed(func: GroupClosedHandler) -> GroupClosedHandler:
    """Register ``func(kube, *, reason, actor)``; registering the same function twice is a no-op
    (``ready()`` can run more than once in tests)."""
    if func not in _HANDLERS:
        _HANDLERS.append(func)
    return func


def group_closed(kube: Kube, *, reason: str, actor: Any) -> None:
    """Run every registered handler for a group that has just graduated or dissolved.

    Call it inside the transaction that closed the group, after the group's new status is saved.
    """
    for handler in list(_HANDLERS):
        handler(kube, reason=reason, actor=actor)


def handlers() -> list[Callable[..., None]]:
    return list(_HANDLERS)
