"""Mentoring sessions: attendance, photos, the review of open action items and new ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.core.errors import Forbidden, InvalidInput, require_permission
from sinergi.core.events import snapshot
from sinergi.core.models import AuditEvent
from sinergi.core.scoping import access
from sinergi.core.uploads import PHOTO_TYPES, clean_upload
from sinergi.kube.models import Membership
from sinergi.mentoring import events
from sinergi.mentoring.models import ActionItem, ActionStatus, Session, SessionPhoto
from sinergi.mentoring.selectors import mentoring_groups
from sinergi.registry.consent import require_consent
from sinergi.registry.models import ConsentPurpose

PHOTO_MAX = 5 * 1024 * 1024
PHOTOS_PER_SESSION = 6
ITEM_STATE = ("status", "review_note", "closed_on")


@dataclass
class NewItem:
    description: str
    owner: str
    due_on: date


@dataclass
class Review:
    item_id: int
    status: str
    note: str = ""


@transaction.atomic
def session_log(
    *,
    actor: Any,
    kube_id: int,
    held_on: date,
    place: str,
    topics: str,
    notes: str = "",
    present: Sequence[int] = (),
    photos: Sequence[Any] = (),
    new_items: Sequence[NewItem] = (),
    reviews: Sequence[Review] = (),
) -> Session:
    """Record a meeting: attendance, photos, the review of open items and the new ones.

    A refused action item names its row (``field="items-<n>"``, counted from 1 in the order
    given), so a form can put the message next to the row that caused it.
    """
    require_permission(actor, "mentoring.add_session")
    kube = mentoring_groups(actor, "mentoring.add_session").filter(pk=kube_id).first()
    mentor_id = getattr(actor, "mentor_id", None)
    if kube is None or mentor_id is None:
        raise Forbidden(_("Only the group's mentor can log its sessions."))
    if held_on > timezone.localdate():
        raise InvalidInput(_("The date is in the future."), field="held_on")
    if not place.strip():
        raise InvalidInput(_("Say where the session took place."), field="place")
    if not topics.strip():
        raise InvalidInput(_("Say what the session was about."), field="topics")
    members = set(
        Membership.objects.filter(kube=kube, end_date__isnull=True).values_list("pk", flat=True)
    )
    if set(present) - members:
        raise InvalidInput(_("Attendance lists someone who is not a member."), field="present")
    if len(photos) > PHOTOS_PER_SESSION:
        raise InvalidInput(
            _("At most %(n)d photos per session.") % {"n": PHOTOS_PER_SESSION}, field="photos"
        )
    photos = [_clean_photo(photo) for photo in photos]
    if photos:
        _photo_consent(Membership.objects.filter(pk__in=set(present)))
    for number, new in enumerate(new_items, start=1):
        if not new.description.strip() or not new.owner.strip():
            raise InvalidInput(
                _("Action item %(n)d: say what is to be done and by whom.") % {"n": number},
                field=f"items-{number}",
            )
        if new.due_on < held_on:
            raise InvalidInput(
                _("Action item %(n)d: the due date is before the session.") % {"n": number},
                field=f"items-{number}",
            )
    open_items = {
        i.pk: i
        for i in ActionItem.objects.select_for_update().filter(kube=kube, status=ActionStatus.OPEN)
    }
    for review in reviews:
        if review.item_id not in open_items or review.status not in ActionStatus.values:
            raise InvalidInput(
                _("A reviewed item is not an open item of this group."), field="reviews"
            )
    session = Session.objects.create(
        kube=kube,
        mentor_id=mentor_id,
        held_on=held_on,
        place=place.strip()[:200],
        topics=topics.strip()[:300],
        notes=notes.strip(),
        recorded_by=actor,
    )
    session.present.set(sorted(set(present)))
    for photo in photos:
        SessionPhoto.objects.create(session=session, image=photo)
    reviewed: dict[str, list[str]] = {}
    for review in reviews:
        item = open_items[review.item_id]
        item.reviewed_in, item.review_note = session, review.note.strip()[:300]
        item.status = review.status
        if review.status != ActionStatus.OPEN:
            item.closed_on = held_on
        item.save()
        reviewed[str(item.pk)] = [ActionStatus.OPEN.value, item.status]
    ActionItem.objects.bulk_create(
        ActionItem(
            kube=kube,
            raised_in=session,
            description=i.description.strip()[:300],
            owner=i.owner.strip()[:150],
            due_on=i.due_on,
        )
        for i in new_items
    )
    AuditEvent.record(
        events.SESSION_LOGGED,
        actor=actor,
        obj=session,
        area_code=kube.area_code,
        data={
            "present": len(present),
            "photos": len(photos),
            "items": len(new_items),
            "reviewed": reviewed,
        },
    )
    return session


def _photo_consent(present: Any) -> None:
    """Photos of a session show the members present: each must have consented (UU PDP; a
    child through a parent or guardian), checked when the photo is added."""
    persons = [m.person for m in present.select_related("person")]
    require_consent(persons, ConsentPurpose.MENTORING_PHOTO, field="photos")


def _clean_photo(photo: Any) -> Any:
    return clean_upload(
        photo,
        kinds=PHOTO_TYPES,
        max_bytes=PHOTO_MAX,
        missing=_("Attach a photo of at most 5 MB."),
        wrong_kind=_("Photos must be JPEG or PNG images."),
        field="photos",
    )


@transaction.atomic
def session_photo_add(*, actor: Any, session_id: int, photo: Any) -> Session:
    """Add a photo to a session afterwards (from a phone on a weak line, one at a time)."""
    require_permission(actor, "mentoring.add_session")
    session = access(Session.objects, actor=actor, lock=True, pk=session_id)
    if session.mentor_id != getattr(actor, "mentor_id", None):
        raise Forbidden(_("Only the mentor who logged the session can add photos."))
    count = session.photos.count()
    if count >= PHOTOS_PER_SESSION:
        raise InvalidInput(
            _("At most %(n)d photos per session.") % {"n": PHOTOS_PER_SESSION}, field="photos"
        )
    image = _clean_photo(photo)
    _photo_consent(session.present.all())
    SessionPhoto.objects.create(session=session, image=image)
    AuditEvent.record(
        events.SESSION_PHOTO_ADDED,
        actor=actor,
        obj=session,
        area_code=session.kube.area_code,
        before={"photos": count},
        after={"photos": count + 1},
    )
    return session


@transaction.atomic
def action_item_update(*, actor: Any, item_id: int, status: str, note: str = "") -> ActionItem:
    """Mark an action item done, dropped or open again between sessions."""
    require_permission(actor, "mentoring.change_actionitem")
    item = access(ActionItem.objects, actor=actor, for_write=True, pk=item_id)
    if status not in ActionStatus.values:
        raise InvalidInput(_("Choose open, done or dropped."), field="status")
    before = snapshot(item, *ITEM_STATE)
    item.status = status
    item.review_note = note.strip()[:300] or item.review_note
    item.closed_on = None if status == ActionStatus.OPEN else timezone.localdate()
    item.save()
    AuditEvent.record(
        events.ACTION_ITEM_UPDATED,
        actor=actor,
        obj=item,
        area_code=item.kube.area_code,
        before=before,
        after=snapshot(item, *ITEM_STATE),
    )
    return item
