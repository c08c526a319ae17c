"""Notifications through the API: one's own preferences; the message log (national admin)."""

from datetime import datetime, time
from typing import Any, ClassVar, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from sinergi.core.api_lists import SortedFilter
from sinergi.core.api_perms import require_perm
from sinergi.core.api_schemas import Pages
from sinergi.notifications import selectors, services
from sinergi.notifications.models import Channel, MessageStatus

router = Router(tags=["notifications"])


class PreferenceIo(Schema):
    email_on: bool = Field(True, description="Told by e-mail (to the account's address)")
    sms_on: bool = Field(False, description="Told by WhatsApp/SMS")
    phone: str = Field(
        "", max_length=20, description="Phone for messages; empty: the account's phone"
    )
    language: Literal["id", "en"] = Field("id", description="Language of the messages")
    quiet_start: time | None = Field(None, description="Quiet hours from (local time)")
    quiet_end: time | None = Field(None, description="Quiet hours until (local time)")
    digest_on: bool = Field(True, description="A daily digest of what waits")


class MessageOut(Schema):
    id: int
    user_id: int
    username: str
    kind: str
    channel: str
    status: str
    attempts: int
    error: str
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None

    @staticmethod
    def resolve_username(obj: Any) -> str:
        return str(obj.user.username)


class MessageFilter(SortedFilter):
    ordering_fields: ClassVar = {"created": "created_at", "status": "status"}
    default_ordering: ClassVar = "-created"

    status: MessageStatus | None = None
    channel: Channel | None = None
    kind: str | None = Field(None, max_length=60)


def _out(pref: Any) -> dict[str, Any]:
    return {name: getattr(pref, name) for name in services.PREFERENCE_FIELDS}


@router.get("/preferences", response=PreferenceIo, summary="Your notification preferences")
def preference_get(request: HttpRequest) -> Any:
    return _out(selectors.preference_of(request.user))


@router.put("/preferences", response=PreferenceIo, summary="Change your notification preferences")
def preference_put(request: HttpRequest, payload: PreferenceIo) -> Any:
    return _out(services.preference_save(actor=request.user, **payload.dict()))


@router.get("/messages", response=list[MessageOut], summary="Messages sent, waiting or failed")
@paginate(Pages, page_size=50)
def message_list(request: HttpRequest, filters: Query[MessageFilter]) -> Any:
    require_perm(request, "notifications.view_message")
    return filters.apply(selectors.message_list(actor=request.user))
