"""Messages on their way: queue one per channel, send it in a task, retry with backoff.

A message is a ``Message`` row first (the log), then one ``deliver`` task. The task claims the
row (one UPDATE: a second worker, or the sweep, finds nothing to claim), sends it through the
channel's gateway and records the outcome: sent; or retrying, due again after
``SINERGI_NOTIFY_RETRY_SECONDS`` × 2^(attempts−1); or failed after
``SINERGI_NOTIFY_MAX_ATTEMPTS``. A message due in the reader's quiet hours waits until they end.
Queues that can defer a task (the database queue, RQ) get the later attempt as a deferred
task; ``send_due`` (``sinergi manage send_notifications``, every few minutes from cron) sends
whatever is due and was not taken — the immediate queue's retries and any lost task.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from sinergi.core.tasks import recordable_failure
from sinergi.core.text import storable
from sinergi.notifications import gateways, selectors
from sinergi.notifications.models import (
    OPEN_STATUSES,
    Channel,
    Message,
    MessageStatus,
    Preference,
)

logger = logging.getLogger(__name__)

# How long a worker holds a message it is sending before another may try it again.
LEASE = datetime.timedelta(minutes=5)

# A NIK or a KK number (16 digits, with or without separators) never leaves in a message,
# whatever a title happened to hold.
_IDENTIFIER = re.compile(r"(?<!\d)(?:\d[\s.\-]?){15}\d(?!\d)")


def scrub(text: str) -> str:
    return _IDENTIFIER.sub("••••", text)


def _row(
    user_id: int,
    channel: str,
    *,
    kind: str,
    subject: str,
    text: str,
    url: str,
    due: datetime.datetime,
    event_id: int | None = None,
    scrubbed: bool = True,
) -> Message:
    return Message(
        user_id=user_id,
        kind=kind,
        channel=channel,
        subject=storable(scrub(subject), 200),
        body=scrub(text) if scrubbed else text,
        url=url[:500],
        event_id=event_id,
        next_attempt_at=due,
    )


def queue(
    user: Any,
    pref: Preference,
    *,
    kind: str,
    subject: str,
    body: str,
    short: str,
    url: str = "",
    event_id: int | None = None,
) -> list[Message]:
    """One message per channel the user chose (``body`` by e-mail, ``short`` by WhatsApp/SMS),
    due now or at the end of the user's quiet hours; each is sent by a task after commit. A
    second call for the same event and user adds nothing."""
    now = timezone.now()
    due = pref.quiet_until(now) or now
    made = []
    for channel in pref.channels():
        text = body if channel == Channel.EMAIL else short
        message = _row(
            user.pk,
            channel,
            kind=kind,
            subject=subject,
            text=text,
            url=url,
            due=due,
            event_id=event_id,
        )
        try:
            with transaction.atomic():
                message.save(force_insert=True)
        except IntegrityError:
            continue  # this event was already told to this user on this channel
        schedule(message)
        made.append(message)
    return made


# Account mails (an invitation, a password reset): they answer a step the person or her office
# took just now, so they go by e-mail whatever channels she chose and ignore quiet hours; their
# one-time link is kept only until the message is sent or given up (then the text is replaced).
ACCOUNT_KINDS = frozenset({"accounts.invitation", "accounts.password_reset"})
LINK_GONE = "(sent; the one-time link is not kept)"


def queue_mail(user_id: int, *, kind: str, subject: str, body: str) -> Message:
    """One account mail (``ACCOUNT_KINDS``) to the user's e-mail address, tried at once after
    commit and then retried like every message. The body is not scrubbed: it is rendered from the
    app's own templates, holds no personal data, and its link must arrive whole."""
    if kind not in ACCOUNT_KINDS:
        raise ValueError(f"not an account mail: {kind}")
    message = _row(
        user_id,
        Channel.EMAIL,
        kind=kind,
        subject=subject,
        text=body,
        url="",
        due=timezone.now(),
        scrubbed=False,
    )
    message.save(force_insert=True)
    # The first attempt right after commit, in this process: the person is looking at "check
    # your e-mail" now, not after a worker's next poll. A failure leaves the message to the
    # queue's retries (``_attempt`` schedules the next one), never to the page.
    pk = message.pk
    transaction.on_commit(lambda: _first_attempt(pk))
    return message


def _first_attempt(message_id: int) -> None:
    try:
        deliver_now(message_id)
    except Exception:  # the step that caused the mail has succeeded; the sweep retries
        logger.exception("account mail %s: first attempt broke; left to the retries", message_id)


@dataclass(frozen=True)
class Outgoing:
    """One user's message for :func:`queue_many`: the texts, and how the user wants them."""

    user_id: int
    pref: Preference
    subject: str
    body: str
    short: str


# Messages per ``deliver_batch`` task: one claim, one SMTP session, one closing write each.
BATCH = 100


def queue_many(outgoing: Sequence[Outgoing], *, kind: str, url: str = "") -> list[Message]:
    """:func:`queue` for many users at once (the daily digest; no event): the rows in one
    insert, the messages due now handed to ``deliver_batch`` tasks of :data:`BATCH` after
    commit, those due after quiet hours scheduled one by one."""
    now = timezone.now()
    rows = [
        _row(
            out.user_id,
            channel,
            kind=kind,
            subject=out.subject,
            text=out.body if channel == Channel.EMAIL else out.short,
            url=url,
            due=out.pref.quiet_until(now) or now,
        )
        for out in outgoing
        for channel in out.pref.channels()
    ]
    made = Message.objects.bulk_create(rows, batch_size=500)
    now_ids = [m.pk for m in made if m.next_attempt_at <= now]
    for start in range(0, len(now_ids), BATCH):
        transaction.on_commit(_enqueue_batch(now_ids[start : start + BATCH]))
    for message in made:
        if message.next_attempt_at > now:
            schedule(message)
    return made


def _enqueue_batch(ids: list[int]) -> Callable[[], Any]:
    return lambda: deliver_batch.enqueue(ids)


def schedule(message: Message) -> None:
    """Queue the message's task once the current transaction commits (deferred to its time
    where the queue can defer; otherwise ``send_due`` sends it when it is due)."""
    pk, when = message.pk, message.next_attempt_at
    if when <= timezone.now():
        transaction.on_commit(lambda: deliver.enqueue(pk))
    elif deliver.get_backend().supports_defer:
        transaction.on_commit(lambda: deliver.using(run_after=when).enqueue(pk))


def _address(message: Message, pref: Preference) -> str:
    user: Any = message.user
    if message.channel == Channel.EMAIL:
        return str(user.email or "")
    return str(pref.phone or user.phone or "")


def _send(message: Message, address: str, connection: Any = None) -> None:
    if message.channel == Channel.EMAIL:
        gateways.send_email(address, message.subject, message.body, connection=connection)
    else:
        gateways.send_sms(address, message.body)


def _close(message: Message, **fields: Any) -> None:
    Message.objects.filter(pk=message.pk).update(**fields)
    for name, value in fields.items():
        setattr(message, name, value)


def backoff(attempts: int) -> datetime.timedelta:
    """The wait after the ``attempts``-th failure: the base, doubled each time."""
    return datetime.timedelta(seconds=settings.SINERGI_NOTIFY_RETRY_SECONDS * 2 ** (attempts - 1))


def _claim(ids: Sequence[int], now: datetime.datetime) -> None:
    """Count an attempt on each message and hold it for :data:`LEASE` (the caller picked the
    ones that are open, due and not held)."""
    Message.objects.filter(pk__in=list(ids)).update(
        attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=now + LEASE
    )


def _attempt(
    message: Message, pref: Preference, now: datetime.datetime, connection: Any = None
) -> str:
    """Send a claimed message once and record the outcome (a success is left for the caller
    to record: one write for a whole batch); returns the new status."""
    quiet_end = pref.quiet_until(now) if message.kind not in ACCOUNT_KINDS else None
    if quiet_end is not None:
        # A retry that fell into the quiet hours waits for their end; no attempt is spent.
        _close(message, attempts=message.attempts - 1, next_attempt_at=quiet_end)
        schedule(message)
        return "deferred"
    address = _address(message, pref)
    if not message.user.is_active or not address:
        reason = _("no e-mail address") if message.channel == Channel.EMAIL else _("no phone")
        if not message.user.is_active:
            reason = _("the account is deactivated")
        _close(message, status=MessageStatus.FAILED, error=reason, **_forget_link(message))
        return MessageStatus.FAILED
    try:
        _send(message, address, connection)
    except gateways.GatewayError as exc:
        # The address is the reader's own; the log keeps the reason without it.
        error = storable(str(exc).replace(address, "•••"), 500)
        if message.attempts >= settings.SINERGI_NOTIFY_MAX_ATTEMPTS:
            _close(message, status=MessageStatus.FAILED, error=error, **_forget_link(message))
            logger.warning("message %s failed after %s attempts", message.pk, message.attempts)
            return MessageStatus.FAILED
        _close(
            message,
            status=MessageStatus.RETRYING,
            error=error,
            next_attempt_at=now + backoff(message.attempts),
        )
        schedule(message)
        return MessageStatus.RETRYING
    return MessageStatus.SENT


def _forget_link(message: Message) -> dict[str, str]:
    return {"body": LINK_GONE} if message.kind in ACCOUNT_KINDS else {}


def _sent(ids: Sequence[int]) -> None:
    rows = Message.objects.filter(pk__in=list(ids))
    rows.update(status=MessageStatus.SENT, sent_at=timezone.now(), error="")
    rows.filter(kind__in=ACCOUNT_KINDS).update(body=LINK_GONE)


def deliver_now(message_id: int) -> str:
    """Try the message once if it is due and nobody else holds it; returns its new status."""
    now = timezone.now()
    claimed = Message.objects.filter(
        pk=message_id, status__in=OPEN_STATUSES, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=now + LEASE)
    if not claimed:
        return "skipped"
    message = Message.objects.select_related("user").get(pk=message_id)
    outcome = _attempt(message, selectors.preference_of(message.user), now)
    if outcome == MessageStatus.SENT:
        _sent([message.pk])
    return outcome


def deliver_many(message_ids: Sequence[int]) -> dict[str, int]:
    """:func:`deliver_now` for many messages: the due ones nobody holds claimed together
    (rows another worker has locked are skipped, not waited for), sent over one mail
    session, the successes recorded in one write. Returns how many ended in each status."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(message_ids), status__in=OPEN_STATUSES, next_attempt_at__lte=now)
            .values_list("pk", flat=True)
        )
        _claim(ids, now)
    messages = list(Message.objects.filter(pk__in=ids).select_related("user").order_by("pk"))
    prefs = selectors.preferences_of(m.user_id for m in messages)
    counts: dict[str, int] = {"skipped": len(message_ids) - len(ids)}
    sent: list[int] = []
    try:
        with gateways.email_session() as connection:
            for message in messages:
                pref = prefs.get(message.user_id) or Preference(user_id=message.user_id)
                outcome = _attempt(message, pref, now, connection)
                counts[outcome] = counts.get(outcome, 0) + 1
                if outcome == MessageStatus.SENT:
                    sent.append(message.pk)
    finally:
        # What went out is recorded even if a later message broke the batch (the rest stay
        # claimed until the lease ends, then the sweep sends them).
        _sent(sent)
    return counts


@task()
@recordable_failure
def deliver(message_id: int) -> str:
    return deliver_now(message_id)


@task()
@recordable_failure
def deliver_batch(message_ids: list[int]) -> dict[str, int]:
    return deliver_many(message_ids)


def send_due(*, limit: int = 10_000) -> dict[str, int]:
    """Send every message that is due and not held by a worker (cron's sweep)."""
    counts: dict[str, int] = {}
    ids = list(selectors.due_messages(timezone.now()).values_list("pk", flat=True)[:limit])
    for pk in ids:
        outcome = deliver_now(pk)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
