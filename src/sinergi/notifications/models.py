"""Models of the notifications app: each user's channels, the message log, the daily digests.

The log holds who, what kind, which channel, the status and the error of every message, and
the text that is sent (written without personal data: see ``texts``); the address (e-mail,
phone) is read from the user when the message goes out, never copied into the log.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("WhatsApp/SMS")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RETRYING = "retrying", _("Retrying")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


OPEN_STATUSES = (MessageStatus.QUEUED, MessageStatus.RETRYING)


class Preference(models.Model):
    """How one user wants to be told: channels, phone, quiet hours, digest, language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preference",
    )
    email_on = models.BooleanField(_("by e-mail"), default=True)
    sms_on = models.BooleanField(_("by WhatsApp/SMS"), default=False)
    phone = models.CharField(
        _("phone for messages"),
        max_length=20,
        blank=True,
        help_text=_(
            "In international form, e.g. +6281234567890. Empty: the phone on your account."
        ),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="id"
    )
    quiet_start = models.TimeField(
        _("quiet hours from"),
        null=True,
        blank=True,
        help_text=_("Messages due in quiet hours are sent when they end."),
    )
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    digest_on = models.BooleanField(_("daily digest"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

    def channels(self) -> list[str]:
        out: list[str] = []
        if self.email_on:
            out.append(Channel.EMAIL)
        if self.sms_on:
            out.append(Channel.SMS)
        return out

    def quiet_until(self, moment: datetime.datetime) -> datetime.datetime | None:
        """The end of the quiet hours ``moment`` falls in (aware, local time zone), or None.

        Quiet hours may cross midnight (22:00–06:00)."""
        from django.utils import timezone

        start, end = self.quiet_start, self.quiet_end
        if start is None or end is None or start == end:
            return None
        local = timezone.localtime(moment)
        now = local.time()
        inside = (start <= now < end) if start < end else (now >= start or now < end)
        if not inside:
            return None
        day = local.date()
        if now >= end:  # before midnight in a quiet period that ends tomorrow
            day += datetime.timedelta(days=1)
        naive = datetime.datetime.combine(day, end)
        return timezone.make_aware(naive, local.tzinfo)


class Message(models.Model):
    """One message to one user on one channel, and what became of it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # A stable code of what it is about ("kube.verify", "digest").
    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MessageStatus.choices,
        default=MessageStatus.QUEUED,
        db_index=True,
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    url = models.CharField(_("link"), max_length=500, blank=True)
    # The audit event that caused it (a second delivery of the same event adds nothing).
    event_id = models.BigIntegerField(_("event"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    # Not sent before this (quiet hours, the next retry); also the claim of a worker sending it.
    next_attempt_at = models.DateTimeField(_("next attempt at"), db_index=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "user", "channel"],
                condition=models.Q(event_id__isnull=False),
                name="notifications_message_once_per_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id} ({self.channel}, {self.status})"


class Digest(models.Model):
    """The day's digest of one user: at most one a day (the unique pair is the guard)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    day = models.DateField(_("day"))
    items = models.PositiveIntegerField(_("items"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("daily digest")
        verbose_name_plural = _("daily digests")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="notifications_digest_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"
