"""Accounts through the API: get a token, who am I, the scoped user directory."""

from datetime import datetime
from types import SimpleNamespace
from typing import Any, ClassVar

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from sinergi.accounts import selectors, services
from sinergi.accounts.lockout import lockout_response
from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core.api_lists import ListFilter
from sinergi.core.api_perms import require_perm
from sinergi.core.api_schemas import Id, Pages
from sinergi.core.errors import DomainError

auth = Router(tags=["auth"])
users = Router(tags=["users"])
router = SimpleNamespace(auth=auth, users=users)


class NotAuthenticated(DomainError):
    status = 401
    code = "bad_credentials"


class TokenIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=256)
    name: str = Field("API", max_length=80, description="A label to recognise the token later")


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


# --- what an administrator does in the Django admin for users --------------------------------


class UserCreateIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=12, max_length=256)
    role: Role
    area_code: str | None = Field(
        None, max_length=13, description="Province or regency code; null is the whole nation"
    )
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    email: str = Field("", max_length=254)
    organisation: str = Field("", max_length=120)


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
    """Needs ``accounts.add_user``; the area must lie inside your own."""
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
