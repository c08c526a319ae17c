"""Domain errors: raised by services and selectors, translated by the UI and the API alike."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from sinergi.core.request_context import current_request_id


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


class Conflict(DomainError):
    """The record changed or is in a state that does not allow the step right now (409)."""

    status = 409
    code = "conflict"


# --- The API error envelope ----------------------------------------------------------------
# Every API error, whatever produced it (a service, ninja's validation, the URL resolver, a
# wrong method, a crash), is one JSON shape: ``{"detail", "code", "field", "request_id"}``
# (422 adds ``errors[]``). ``config.api`` builds it for what ninja handles and
# ``core.middleware.ApiErrorMiddleware`` for everything else under /api/.

STATUS_CODES: dict[int, str] = {
    400: "invalid",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "throttled",
    500: "server_error",
    503: "unavailable",
}


def status_detail(status: int) -> str:
    """The default sentence for an error status, in the active language."""
    from django.utils.translation import gettext as _

    details = {
        400: _("The request could not be understood."),
        401: _("Sign in or send a valid API token (Authorization: Bearer …)."),
        403: _("Your role or area does not allow this."),
        404: _("Not found, or outside your area."),
        405: _("This method is not allowed here."),
        409: _("The record changed meanwhile; read it again and retry."),
        413: _("The request is too large."),
        422: _("Some values are not valid."),
        429: _("Too many requests; try again later."),
        500: _(
            "Sorry, the system hit an unexpected error. It has been logged; quote the "
            "request id when you report it."
        ),
        503: _("The service is unavailable right now; try again later."),
    }
    return details.get(status, _("The request could not be completed."))


def envelope(
    status: int,
    detail: str | None = None,
    *,
    code: str | None = None,
    field: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The API error body for ``status`` (see above); ``extra`` adds e.g. 422's ``errors``."""
    return {
        "detail": detail or status_detail(status),
        "code": code or STATUS_CODES.get(status, "error"),
        "field": field,
        "request_id": current_request_id() or "",
        **extra,
    }
