"""The versioned REST API: /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from sinergi.accounts.api import router as accounts_router
from sinergi.aid.api import router as aid_router
from sinergi.core.api_auth import API_AUTH
from sinergi.core.errors import DomainError
from sinergi.kube.api import router as kube_router
from sinergi.market.api import router as market_router
from sinergi.mentoring.api import router as mentoring_router
from sinergi.monitoring.api import router as monitoring_router
from sinergi.registry.api import router as registry_router
from sinergi.wilayah.api import router as wilayah_router

api = NinjaAPI(
    title="Sinergi API",
    version="1",
    description=(
        "Sinergi REST API. Authenticate with a browser session (send the CSRF token on writes) "
        "or with `Authorization: Bearer <token>`; get a token from your profile page or from "
        "POST /api/v1/auth/token. Every list is filtered by your role and area. Errors are "
        "JSON objects with `detail` (in the language of Accept-Language), `code` and, where "
        "it applies, `field`."
    ),
    auth=API_AUTH,
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    body = {"detail": exc.message, "code": exc.code}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    message = exc.args[0] if exc.args and isinstance(exc.args[0], str) else ""
    return api.create_response(
        request,
        {"detail": message or _("Not found, or outside your area."), "code": "not_found"},
        status=404,
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": _("Sign in or send a valid API token (Authorization: Bearer …)."),
            "code": "not_authenticated",
        },
        status=401,
    )


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = [
        {
            "field": ".".join(str(p) for p in err.get("loc", [])[1:]) or None,
            "message": err.get("msg", ""),
        }
        for err in exc.errors
    ]
    return api.create_response(
        request,
        {"detail": _("Some values are not valid."), "code": "invalid", "errors": fields},
        status=422,
    )


api.add_router("/auth", accounts_router.auth)
api.add_router("/users", accounts_router.users)
api.add_router("/regions", wilayah_router)
api.add_router("/registry", registry_router)
api.add_router("/kube", kube_router)
api.add_router("/aid", aid_router)
api.add_router("/mentoring", mentoring_router)
api.add_router("/market", market_router)
api.add_router("/monitoring", monitoring_router)
