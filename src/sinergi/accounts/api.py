"""Accounts through the API: get a token, who am I, the scoped user directory."""

from datetime import datetime
from types import SimpleNamespace
from typing import Any, ClassVar

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from sinergi.accounts import selectors, services
from sinergi.accounts.lockout import lockout_response
from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core.api_lists import ListFilter
from sinergi.core.api_perms import require_perm
from sinergi.core.api_schemas import Id, Pages
from sinergi.core.errors import DomainError, Forbidden, InvalidInput, envelope

auth = Router(tags=["auth"])
users = Router(tags=["users"])
router = SimpleNamespace(auth=auth, users=users)


class NotAuthenticated(DomainError):
    status = 401
    code = "bad_credentials"


class SecondFactorMissing(DomainError):
    status = 401
    code = "otp_required"


class TokenIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=256)
    name: str = Field("API", max_length=80, description="A label to recognise the token later")
    otp: str = Field(
        "",
        max_length=20,
        description="The authenticator code (or a recovery code): needed when the account "
        "signs in with a second factor (code otp_required without it)",
    )


class TokenOut(Schema):
    token: str
    expires_at: datetime


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    role_name: str
    area_code: str | None
    area_name: str | None
    is_active: bool
    updated_at: datetime
    # The group (KUBE officer) or mentor profile (mentor) the account is bound to.
    kube_id: int | None = None
    mentor_id: int | None = None

    @staticmethod
    def resolve_full_name(obj: User) -> str:
        return obj.get_full_name()

    @staticmethod
    def resolve_role_name(obj: User) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_area_code(obj: User) -> str | None:
        return obj.area.code if obj.area else None

    @staticmethod
    def resolve_area_name(obj: User) -> str | None:
        return obj.area.name if obj.area else None


class MeOut(UserOut):
    permissions: list[str]

    @staticmethod
    def resolve_permissions(obj: User) -> list[str]:
        return sorted(obj.get_all_permissions())


class UserFilter(ListFilter):
    ordering_fields: ClassVar = {
        "area": ("area__code", "role", "username"),
        "username": "username",
        "role": "role",
        "joined": "date_joined",
        "updated": "updated_at",
    }
    default_ordering: ClassVar = "area"
    selector_fields: ClassVar = frozenset({"q"})

    q: str = Field("", max_length=100, description="Words in the username, name or area name")
    role: Role | None = None
    is_active: bool | None = None


@auth.post("/token", auth=None, response={201: TokenOut}, summary="Exchange a login for a token")
def token_obtain(request: HttpRequest, payload: TokenIn) -> Any:
    """Repeated failures lock the username out, exactly as the login page does."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        return lockout_response(request)
    if user is None or not user.is_active:
        raise NotAuthenticated(_("The username or password is not correct."))
    if services.second_factor_asked(user):
        if not services.second_factor_enrolled(user):
            raise SecondFactorMissing(
                _(
                    "This account must set up its second factor first: sign in once on the "
                    "web page, then ask for a token with the authenticator code."
                )
            )
        if not payload.otp:
            raise SecondFactorMissing(
                _("This account signs in with a second factor: send the authenticator code in otp.")
            )
        if not services.second_factor_verify(user=user, code=payload.otp):
            raise NotAuthenticated(_("The authenticator code is not right, or already used."))
    if user.must_change_password:
        raise Forbidden(
            _("Your office requires a new password: sign in on the web page and choose one first.")
        )
    token, raw = services.api_token_create(actor=user, name=payload.name)
    return Status(201, {"token": raw, "expires_at": token.expires_at})


@users.get("/me", response=MeOut, summary="The signed-in user, role, area and permissions")
def me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@users.get("/", response=list[UserOut], summary="Users in your area")
@paginate(Pages, page_size=50)
def user_list(request: HttpRequest, filters: Query[UserFilter]) -> Any:
    require_perm(request, "accounts.view_user")
    return filters.apply(selectors.user_list(actor=request.user, q=filters.q))


class UserImportRowOut(Schema):
    line: int
    username: str
    errors: list[str]
    user_id: int | None


class UserImportOut(Schema):
    # A refused file (400) carries the API's error envelope too (core.errors.envelope); a file
    # that cannot be read at all is the envelope alone (the report's fields then empty).
    detail: str = ""
    code: str = ""
    field: str | None = None
    request_id: str = ""
    ok: bool = False
    created: int = 0
    file_errors: list[str] = Field(default_factory=list)
    rows: list[UserImportRowOut] = Field(default_factory=list)


@users.post(
    "/import",
    response={200: UserImportOut, 400: UserImportOut},
    summary="Create users from a CSV file, all or none",
)
def user_import(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """Columns username, first_name, last_name, email, role, area_code. Every row is checked
    first; if one is wrong nothing is created (400 with a report per row); else all are
    created and invited by e-mail."""
    require_perm(request, "accounts.manage_user")
    if (file.size or 0) > 2 * 1024 * 1024:
        raise InvalidInput(_("The file is larger than 2 MB; split it."), field="file")
    report = services.users_import(
        actor=request.user,  # type: ignore[arg-type]
        data=file.read(),
        site=request.build_absolute_uri("/"),
    )
    body = {
        "ok": report.ok,
        "created": report.created,
        "file_errors": report.file_errors,
        "rows": report.rows,
    }
    if report.ok:
        return Status(200, body)
    refused = _("Nothing was created: the file or some rows are wrong; see rows and file_errors.")
    return Status(400, {**envelope(400, refused, code="import_refused", field="file"), **body})


# --- what an administrator does in the Django admin for users --------------------------------


class UserCreateIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str | None = Field(
        None,
        min_length=12,
        max_length=256,
        description="Leave out to invite the user by e-mail (a one-time link sets it)",
    )
    role: Role
    area_code: str | None = Field(
        None, max_length=13, description="Province or regency code; null is the whole nation"
    )
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    email: str = Field("", max_length=254)
    organisation: str = Field("", max_length=120)
    kube_id: Id | None = Field(None, description="For a KUBE officer: the group of the account")
    mentor_id: Id | None = Field(
        None, description="For a mentor: the mentor profile of the account"
    )


class UserChangeIn(Schema):
    role: Role | None = Field(None, description="Leave out to keep the role")
    area_code: str | None = Field(
        "",
        max_length=13,
        description='Leave out (or "") to keep the area; null is the whole nation',
    )


class UserActiveIn(Schema):
    reason: str = Field("", max_length=300)


@users.get("/{user_id}", response=UserOut, summary="One user in your area")
def user_detail(request: HttpRequest, user_id: Id) -> User:
    require_perm(request, "accounts.view_user")
    return selectors.user_get(actor=request.user, pk=user_id)


@users.post("/", response={201: UserOut}, summary="Create a user with a role and area")
def user_create(request: HttpRequest, payload: UserCreateIn) -> Any:
    """Needs ``accounts.manage_user``; only a role you may grant (``GRANTABLE`` in
    accounts/roles.py: never above your own), in an area inside your own. Without a
    password the user gets an invitation by e-mail (the e-mail is then required)."""
    user = services.user_create(
        actor=request.user,  # type: ignore[arg-type]
        username=payload.username,
        password=payload.password,
        role=payload.role.value,
        area_code=payload.area_code,
        first_name=payload.first_name,
        last_name=payload.last_name,
        email=payload.email,
        organisation=payload.organisation,
        invite_site="" if payload.password else request.build_absolute_uri("/"),
        kube_id=payload.kube_id,
        mentor_id=payload.mentor_id,
    )
    return Status(201, user)


@users.patch("/{user_id}", response=UserOut, summary="Change a user's role or area")
def user_change(request: HttpRequest, user_id: Id, payload: UserChangeIn) -> User:
    return services.user_change(
        actor=request.user,  # type: ignore[arg-type]
        user_id=user_id,
        role=payload.role.value if payload.role else None,
        area_code=payload.area_code,
    )


@users.post("/{user_id}/deactivate", response=UserOut, summary="Deactivate a user")
def user_deactivate(request: HttpRequest, user_id: Id, payload: UserActiveIn) -> User:
    """The user can no longer sign in and their API tokens stop working; nothing is deleted."""
    return services.user_set_active(
        actor=request.user,  # type: ignore[arg-type]
        user_id=user_id,
        active=False,
        reason=payload.reason,
    )


@users.post("/{user_id}/reactivate", response=UserOut, summary="Reactivate a user")
def user_reactivate(request: HttpRequest, user_id: Id, payload: UserActiveIn) -> User:
    return services.user_set_active(
        actor=request.user,  # type: ignore[arg-type]
        user_id=user_id,
        active=True,
        reason=payload.reason,
    )


@users.post("/{user_id}/invite", response=UserOut, summary="Send an invitation (again)")
def user_invite(request: HttpRequest, user_id: Id) -> User:
    """A one-time link to set the password, to the user's e-mail; earlier links stop working."""
    services.invitation_send(
        actor=request.user,  # type: ignore[arg-type]
        user_id=user_id,
        site=request.build_absolute_uri("/"),
    )
    return selectors.user_get(actor=request.user, pk=user_id)


@users.post(
    "/{user_id}/require-password-change",
    response=UserOut,
    summary="Require a new password at the next sign-in",
)
def user_require_password_change(request: HttpRequest, user_id: Id, payload: UserActiveIn) -> User:
    return services.user_require_password_reset(
        actor=request.user,  # type: ignore[arg-type]
        user_id=user_id,
        reason=payload.reason,
    )


@users.post(
    "/{user_id}/remove-second-factor",
    response=UserOut,
    summary="Remove a user's authenticator (a lost phone)",
)
def user_remove_second_factor(request: HttpRequest, user_id: Id) -> User:
    return services.second_factor_remove(
        actor=request.user,  # type: ignore[arg-type]
        user_id=user_id,
    )
