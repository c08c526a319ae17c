"""Domain errors: raised by services and selectors, translated by the UI and the API alike."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied


class DomainError(Exception):
    """An error a person can act on. ``message`` is already in the user's language."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params


class NotFound(DomainError):
    status = 404
    code = "not_found"


class InvalidInput(DomainError):
    status = 400
    code = "invalid"


class Forbidden(DomainError, PermissionDenied):
    """The actor's role does not allow the step: 403 in the API; the 403 page when a view
    lets it through (it is also Django's ``PermissionDenied``)."""

    status = 403
    code = "forbidden"


def require_permission(actor: Any, *permissions: str) -> None:
    """Refuse a service step unless the actor holds one of ``permissions``."""
    from django.utils.translation import gettext as _

    if not any(actor.has_perm(p) for p in permissions):
        raise Forbidden(_("Your role does not allow this step."))
