"""Writes of the notifications app: preferences, telling people of work, the daily digest."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sinergi.core import inbox
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
    """Queue the day's digest for one user if work waits and none was made today; returns
    how many items it counts (0: nothing sent). :func:`send_digests` does the same for many
    users at once; this is its way out when another run made some of the same digests."""
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


# Users per round of the digest: their inboxes, ``Digest`` rows and messages together.
DIGEST_CHUNK = 1000


def _digest_chunk(users: list[Any], day: datetime.date) -> int:
    """The digests of ``users`` (candidates of ``day``): their inboxes by audience
    (``core.inbox.gather_many``, one language at a time), then the ``Digest`` rows and the
    messages in one transaction of bulk inserts. Returns how many users got one."""
    prefs = {
        u.pk: getattr(u, "notification_preference", None) or Preference(user_id=u.pk) for u in users
    }
    by_language: dict[str, list[Any]] = {}
    for user in users:
        if prefs[user.pk].channels():
            by_language.setdefault(prefs[user.pk].language, []).append(user)
    digests: list[Digest] = []
    outgoing: list[delivery.Outgoing] = []
    for language, group in by_language.items():
        with translation.override(language):
            waiting = selectors.waiting_for_many(group)
            for user in group:
                items = waiting.get(user.pk) or []
                if not items:
                    continue
                subject, body, short = _digest_texts(items)
                digests.append(Digest(user_id=user.pk, day=day, items=len(items)))
                outgoing.append(delivery.Outgoing(user.pk, prefs[user.pk], subject, body, short))
    if not digests:
        return 0
    try:
        with transaction.atomic():
            Digest.objects.bulk_create(digests, batch_size=500)
            delivery.queue_many(outgoing, kind="digest", url=TASKS_PATH)
    except IntegrityError:
        # Another run made some of these digests meanwhile: each user on her own, so the
        # others still get theirs and nobody gets two.
        by_id = {u.pk: u for u in users}
        return sum(1 for d in digests if send_digest(by_id[d.user_id], prefs[d.user_id], day))
    return len(digests)


def send_digests(
    *, day: datetime.date | None = None, user_ids: list[int] | None = None
) -> dict[str, int]:
    """One digest for the day to each user who has waiting work and wants it; a second run
    the same day sends nothing more (one ``Digest`` row per user and day). ``user_ids``
    limits the run to those users (one batch of ``queue_digests``).

    Set-wise: the inboxes are computed per audience (role, area, bound group or mentor) and
    shared, the personal parts for all users at once; rows are inserted in bulk and the
    messages sent by batch tasks (``delivery.queue_many``)."""
    day = day or timezone.localdate()
    candidates = selectors.digest_candidates(day)
    if user_ids is not None:
        candidates = candidates.filter(pk__in=user_ids)
    users = list(candidates)
    sent = 0
    with inbox.shared_audiences():
        for start in range(0, len(users), DIGEST_CHUNK):
            sent += _digest_chunk(users[start : start + DIGEST_CHUNK], day)
    return {"users": len(users), "sent": sent}


def digest_batches(day: datetime.date, size: int = 250) -> list[list[int]]:
    """The day's candidates in batches of ``size`` ids, for as many task workers as run."""
    ids = list(selectors.digest_candidates(day).values_list("pk", flat=True))
    return [ids[i : i + size] for i in range(0, len(ids), size)]
