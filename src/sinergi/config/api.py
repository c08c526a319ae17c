"""The versioned REST API: /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from sinergi.accounts.api import router as accounts_router
from sinergi.accounts.api_auth import TokenAuth
from sinergi.aid.api import router as aid_router
from sinergi.compliance.api import router as compliance_router
from sinergi.core.api_auth import ActiveSessionAuth
from sinergi.core.audit_api import router as audit_router
from sinergi.core.errors import DomainError, envelope
from sinergi.core.inbox_api import router as inbox_router
from sinergi.core.jobs_api import router as jobs_router
from sinergi.kube.api import router as kube_router
from sinergi.letters.api import router as letters_router
from sinergi.market.api import router as market_router
from sinergi.mentoring.api import router as mentoring_router
from sinergi.monitoring.api import router as monitoring_router
from sinergi.notifications.api import router as notifications_router
from sinergi.offline.api import router as offline_router
from sinergi.pdp.api import router as pdp_router
from sinergi.registry.api import router as registry_router
from sinergi.registry.export_api import router as registry_export_router
from sinergi.search.api import router as search_router
from sinergi.wilayah.api import router as wilayah_router

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "description": "Every error response: what went wrong in the caller's language, a stable "
    "code to branch on, the field at fault if any, and the request id to quote.",
    "properties": {
        "detail": {"type": "string", "title": "Detail"},
        "code": {"type": "string", "title": "Code"},
        "field": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Field"},
        "request_id": {"type": "string", "title": "Request Id"},
    },
    "required": ["detail", "code", "field", "request_id"],
}
VALIDATION_ERROR_SCHEMA: dict[str, Any] = {
    "title": "ValidationError",
    "type": "object",
    "description": "A 422: the Error envelope plus one entry per value refused.",
    "properties": {
        **ERROR_SCHEMA["properties"],
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                    "message": {"type": "string"},
                },
                "required": ["field", "message"],
            },
        },
    },
    "required": [*ERROR_SCHEMA["required"], "errors"],
}
_ERROR_DESCRIPTIONS = {
    "400": "Invalid input (the service refused it; `field` names the value at fault)",
    "401": "Not signed in, or the token is missing, wrong or expired",
    "403": "Your role does not allow this step",
    "404": "Not found, or outside your area",
    "422": "A value does not have the expected type or bounds",
    "500": "Unexpected error; quote `request_id`",
}


class SinergiAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document describes the error envelope on every operation."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Error"] = ERROR_SCHEMA
        components["ValidationError"] = VALIDATION_ERROR_SCHEMA
        for operations in schema["paths"].values():
            for operation in operations.values():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                secured = bool(operation.get("security"))
                for status, description in _ERROR_DESCRIPTIONS.items():
                    if status in {"401", "403"} and not secured:
                        continue  # a public operation asks nobody who they are
                    name = "ValidationError" if status == "422" else "Error"
                    operation["responses"].setdefault(
                        status,
                        {
                            "description": description,
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": f"#/components/schemas/{name}"}
                                }
                            },
                        },
                    )
        return schema


api = SinergiAPI(
    title="Sinergi API",
    version="1",
    description=(
        "Sinergi REST API. Authenticate with a browser session (send the CSRF token on writes) "
        "or with `Authorization: Bearer <token>`; get a token from your profile page or from "
        "POST /api/v1/auth/token. Every list is filtered by your role and area. Every error is "
        "the `Error` object: `detail` (in the language of Accept-Language), `code`, `field` "
        "(the value at fault, or null) and `request_id`; a 422 adds `errors[]`. "
        "Conventions, changelog and deprecation policy: docs/api.md."
    ),
    auth=[TokenAuth(), ActiveSessionAuth()],
    urls_namespace="api",
)


def _respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    extra: dict[str, Any] = {}
    if exc.status == 422:
        # A 422 lists each value refused (the ValidationError schema); a domain error naming
        # several (``problems``: field, message) lists them all, one naming one lists that.
        problems = getattr(exc, "problems", None) or [(exc.field, exc.message)]
        extra["errors"] = [{"field": f, "message": str(m)} for f, m in problems]
    return _respond(
        request,
        exc.status,
        envelope(exc.status, exc.message, code=exc.code, field=exc.field, **extra),
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    message = exc.args[0] if exc.args and isinstance(exc.args[0], str) else ""
    return _respond(request, 404, envelope(404, message or None))


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = exc.args[0] if exc.args and isinstance(exc.args[0], str) else ""
    return _respond(request, 403, envelope(403, message or None))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja raises these itself (a failed CSRF check is a 403): its English text is not ours.
    code = "csrf_failed" if "CSRF" in str(exc) else None
    detail = _("Send the CSRF token with a browser-session write.") if code else None
    return _respond(request, exc.status_code, envelope(exc.status_code, detail, code=code))


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _respond(request, 401, envelope(401))


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = [
        {
            "field": ".".join(str(p) for p in err.get("loc", [])[1:]) or None,
            "message": err.get("msg", ""),
        }
        for err in exc.errors
    ]
    first = fields[0]["field"] if len(fields) == 1 else None
    return _respond(request, 422, envelope(422, field=first, errors=fields))


api.add_router("/auth", accounts_router.auth)
api.add_router("/users", accounts_router.users)
api.add_router("/regions", wilayah_router)
api.add_router("/registry", registry_router)
api.add_router("/registry/exports", registry_export_router)
api.add_router("/kube", kube_router)
api.add_router("/aid", aid_router)
api.add_router("/mentoring", mentoring_router)
api.add_router("/market", market_router)
api.add_router("/monitoring", monitoring_router)
api.add_router("/audit", audit_router)
api.add_router("/jobs", jobs_router)
api.add_router("/inbox", inbox_router)
api.add_router("/notifications", notifications_router)
api.add_router("/pdp", pdp_router)
api.add_router("/compliance", compliance_router)
api.add_router("/letters", letters_router)
api.add_router("/search", search_router)
api.add_router("/sync", offline_router)
