"""Writes of the notifications app: preferences, telling people of work, the daily digest."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sinergi.core.errors import InvalidInput
from sinergi.core.events import snapshot
from sinergi.core.models import AuditEvent
from sinergi.notifications import delivery, events, rules, selectors
from sinergi.notifications.models import Digest, Preference

PREFERENCE_FIELDS = (
    "email_on",
    "sms_on",
    "phone",
    "language",
    "quiet_start",
    "quiet_end",
    "digest_on",
)
# How many waiting items a digest names (the rest are counted).
DIGEST_TOP = 5
TASKS_PATH = "/tugas/"
SETTINGS_PATH = "/notifikasi/"


PHONE = re.compile(r"^\+?[0-9]{8,15}$")


def clean_phone(value: str) -> str:
    """A phone in international or national form: digits, an optional leading +."""
    phone = re.sub(r"[\s().-]", "", value or "")
    if phone and not PHONE.match(phone):
        raise InvalidInput(
            _("Give the phone as digits only, e.g. +6281234567890 or 081234567890."),
            field="phone",
        )
    return phone


@transaction.atomic
def preference_save(*, actor: Any, **values: Any) -> Preference:
    """Save the actor's own preferences (nobody sets another person's)."""
    pref = selectors.preference_of(actor)
    before = snapshot(pref, *PREFERENCE_FIELDS) if not pref._state.adding else {}
    for name in PREFERENCE_FIELDS:
        if name in values:
            setattr(pref, name, values[name])
    pref.phone = clean_phone(pref.phone)
    if (pref.quiet_start is None) != (pref.quiet_end is None):
        raise InvalidInput(_("Give both ends of the quiet hours, or neither."), field="quiet_end")
    if pref.sms_on and not (pref.phone or actor.phone):
        raise InvalidInput(_("Give a phone number for WhatsApp/SMS."), field="phone")
    if pref.language not in dict(settings.LANGUAGES):
        raise InvalidInput(_("Choose Bahasa Indonesia or English."), field="language")
    pref.save()
    # The phone is the user's own contact: the trail says it changed, not what it is.
    after = snapshot(pref, *PREFERENCE_FIELDS)
    for side in (before, after):
        if "phone" in side:
            side["phone"] = bool(side["phone"])
    AuditEvent.record(events.PREFERENCE_SAVED, actor=actor, obj=pref, before=before, after=after)
    return pref


def link(path: str) -> str:
    return f"{settings.SINERGI_BASE_URL}{path}"


def _texts(line: str, url: str) -> tuple[str, str, str]:
    """(subject, e-mail body, WhatsApp/SMS text) in the active language."""
    subject = _("Sinergi: %(what)s") % {"what": line}
    body = "\n\n".join(
        [
            line,
            _("Open it in Sinergi: %(url)s") % {"url": link(url)},
            _("Everything waiting for you: %(url)s") % {"url": link(TASKS_PATH)},
            _(
                "You receive this message because work waits for you in Sinergi. Choose your "
                "channels and quiet hours at %(url)s"
            )
            % {"url": link(SETTINGS_PATH)},
        ]
    )
    short = f"Sinergi: {line} {link(url)}"
    return subject, body, short


def fan_out(event_id: int) -> int:
    """Tell everyone who must act on this audit event now; returns how many were told."""
    event = AuditEvent.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    rule = rules.RULES.get(event.event_type)
    if rule is None:
        return 0
    found = rule.find(event)
    if found is None or not found.targets:
        return 0
    prefs = selectors.preferences_of(t.user.pk for t in found.targets)
    told: set[int] = set()
    for target in found.targets:
        if target.user.pk in told or target.user.pk == event.actor_id:
            continue
        told.add(target.user.pk)
        pref = prefs.get(target.user.pk) or Preference(user_id=target.user.pk)
        with translation.override(pref.language):
            line = str(rule.text) % {"title": target.title or found.title}
            subject, body, short = _texts(line, target.url)
        with transaction.atomic():
            delivery.queue(
                target.user,
                pref,
                kind=rule.kind,
                subject=subject,
                body=body,
                short=short,
                url=target.url,
                event_id=event.pk,
            )
    return len(told)


# --- The daily digest --------------------------------------------------------------------------


def _digest_texts(items: list[Any]) -> tuple[str, str, str]:
    count = len(items)
    head = _("Tasks waiting for you in Sinergi: %(count)s.") % {"count": count}
    lines = [f"- {item.title}" for item in items[:DIGEST_TOP]]
    if count > DIGEST_TOP:
        lines.append(_("… and %(n)s more.") % {"n": count - DIGEST_TOP})
    subject = _("Sinergi: %(what)s") % {"what": head}
    body = "\n\n".join(
        [
            head,
            "\n".join(lines),
            _("Open your tasks: %(url)s") % {"url": link(TASKS_PATH)},
            _("You receive one digest a day while work waits. Turn it off at %(url)s")
            % {"url": link(SETTINGS_PATH)},
        ]
    )
    short = f"Sinergi: {head} {link(TASKS_PATH)}"
    return subject, body, short


def send_digest(user: Any, pref: Preference, day: datetime.date) -> int:
    """Queue the day's digest for ``user`` if work waits and none was made today; returns
    how many items it counts (0: nothing sent)."""
    if not pref.channels():
        return 0
    with translation.override(pref.language):
        items = selectors.waiting_for(user)
        if not items:
            return 0
        subject, body, short = _digest_texts(items)
    try:
        with transaction.atomic():
            Digest.objects.create(user_id=user.pk, day=day, items=len(items))
            delivery.queue(
                user, pref, kind="digest", subject=subject, body=body, short=short, url=TASKS_PATH
            )
    except IntegrityError:
        return 0  # another run made today's digest meanwhile
    return len(items)


def send_digests(
    *, day: datetime.date | None = None, user_ids: list[int] | None = None
) -> dict[str, int]:
    """One digest for the day to each user who has waiting work and wants it; a second run
    the same day sends nothing more (one ``Digest`` row per user and day). ``user_ids``
    limits the run to those users (one batch of ``queue_digests``)."""
    day = day or timezone.localdate()
    users = sent = 0
    candidates = selectors.digest_candidates(day)
    if user_ids is not None:
        candidates = candidates.filter(pk__in=user_ids)
    for user in candidates.iterator(chunk_size=500):
        users += 1
        pref = getattr(user, "notification_preference", None) or Preference(user_id=user.pk)
        if send_digest(user, pref, day):
            sent += 1
    return {"users": users, "sent": sent}


def digest_batches(day: datetime.date, size: int = 250) -> list[list[int]]:
    """The day's candidates in batches of ``size`` ids, for as many task workers as run."""
    ids = list(selectors.digest_candidates(day).values_list("pk", flat=True))
    return [ids[i : i + size] for i in range(0, len(ids), size)]
