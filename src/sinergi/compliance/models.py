"""The breach register (UU PDP Art. 46) and the letter templates of its notifications.

An incident belongs to an area (a province or a regency code; empty for the whole nation) and is
read through the one scoping rule: officers whose area contains the incident's area see it, so a
regency incident is its regency's, its province's and the centre's, and a province-wide or
national incident is not a regency office's. The 3×24-hour clock runs from ``discovered_at``
until both the authority and the data subjects have been notified (``authority_notified_at`` and
``subjects_notified_at``, set from the first notification of each kind, so the banner reads one
row per open incident).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sinergi.core.models import TimeStampedModel
from sinergi.core.scoping import ScopedQuerySet

# Art. 46: written notice within 3 × 24 hours of discovering the failure of protection.
NOTIFY_WITHIN = datetime.timedelta(hours=72)
# More people than live in Indonesia cannot be affected; the form and API stop there.
MAX_AFFECTED = 300_000_000


class IncidentQuerySet(ScopedQuerySet["Incident"]):
    scope_field = "area_code"


# Incidents whose clock still runs: the authority or the subjects not yet told.
UNNOTIFIED = models.Q(authority_notified_at__isnull=True) | models.Q(
    subjects_notified_at__isnull=True
)


class Incident(TimeStampedModel):
    """A failure of personal-data protection: what, whom, when it happened and was found."""

    title = models.CharField(_("title"), max_length=200)
    area_code = models.CharField(_("area code"), max_length=13, blank=True, db_index=True)
    # Codes of registry.DataCategory (and the few categories named in compliance.register).
    categories = models.JSONField(_("data categories"), default=list)
    affected_count = models.PositiveIntegerField(_("people affected (estimate)"))
    occurred_at = models.DateTimeField(_("happened at"))
    discovered_at = models.DateTimeField(_("discovered at"))
    description = models.TextField(_("what happened and how"), max_length=4000)
    measures = models.TextField(_("measures taken"), max_length=4000, blank=True)
    authority_notified_at = models.DateTimeField(
        _("authority notified at"), null=True, blank=True, editable=False
    )
    subjects_notified_at = models.DateTimeField(
        _("data subjects notified at"), null=True, blank=True, editable=False
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()
    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("personal-data incident")
        verbose_name_plural = _("personal-data incidents")
        ordering = ["-discovered_at", "-id"]
        permissions = [
            ("view_register", _("Can view the records of processing and the DPIA")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(affected_count__lte=MAX_AFFECTED), name="incident_affected_max"
            ),
            models.CheckConstraint(
                condition=models.Q(discovered_at__gte=models.F("occurred_at")),
                name="incident_found_after_it_happened",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"INS-{self.pk or 0:05d}"

    @property
    def deadline(self) -> datetime.datetime:
        return self.discovered_at + NOTIFY_WITHIN

    @property
    def notified(self) -> bool:
        return self.authority_notified_at is not None and self.subjects_notified_at is not None


class Recipient(models.TextChoices):
    AUTHORITY = "authority", _("PDP authority")
    SUBJECTS = "subjects", _("Data subjects")
    PUBLIC = "public", _("The public")


class NotificationQuerySet(ScopedQuerySet["Notification"]):
    # A notice is its incident's: seen (recorded) by who may view (change) the incident there.
    scope_field = "incident__area_code"
    permission_model = "compliance.incident"


class Notification(models.Model):
    """One notice sent about an incident: to whom, when, by what means."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("incident")
    )
    recipient = models.CharField(_("notified"), max_length=12, choices=Recipient.choices)
    sent_at = models.DateTimeField(_("sent at"))
    means = models.CharField(_("means (letter, e-mail, SMS, announcement…)"), max_length=200)
    reference = models.CharField(_("letter number or note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident notification")
        verbose_name_plural = _("incident notifications")
        ordering = ["sent_at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.recipient} {self.sent_at:%Y-%m-%d}"


# --- Letters ----------------------------------------------------------------------------------

# Letters go to the two whom Art. 46 names; a public announcement is recorded, not generated.
LETTER_RECIPIENTS = [
    (Recipient.AUTHORITY.value, Recipient.AUTHORITY.label),
    (Recipient.SUBJECTS.value, Recipient.SUBJECTS.label),
]

PLACEHOLDER = re.compile(r"\{([^{}\s]*)\}")


def placeholders() -> dict[str, Any]:
    """Every placeholder a letter may use, with what it stands for (in the active language)."""
    return {
        "reference": _("incident reference (INS-00001)"),
        "title": _("incident title"),
        "area": _("region of the incident"),
        "occurred_at": _("when it happened"),
        "discovered_at": _("when it was discovered"),
        "deadline": _("end of the 3×24-hour period"),
        "categories": _("data categories exposed"),
        "affected_count": _("number of people affected"),
        "description": _("what happened and how"),
        "measures": _("measures taken"),
        "controller": _("the controller (setting SINERGI_PDP_CONTROLLER)"),
        "authority": _("the PDP authority (setting SINERGI_PDP_AUTHORITY)"),
        "contact": _("whom to contact (setting SINERGI_PDP_CONTACT)"),
        "today": _("date of the letter"),
    }


def unknown_placeholders(text: str) -> list[str]:
    known = placeholders()
    return sorted({name for name in PLACEHOLDER.findall(text) if name not in known})


class LetterTemplate(models.Model):
    """The text of a notification letter; ``{placeholder}`` is filled from the incident."""

    recipient = models.CharField(
        _("addressed to"),
        max_length=12,
        choices=LETTER_RECIPIENTS,
    )
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), max_length=10000)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notification letter template")
        verbose_name_plural = _("notification letter templates")
        ordering = ["recipient", "language"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "language"], name="letter_template_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_recipient_display()} ({self.language})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Refused on every path (admin, service, shell), not only where a form cleans it.
        self.clean()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        for name in ("subject", "body"):
            unknown = unknown_placeholders(getattr(self, name) or "")
            if unknown:
                errors[name] = gettext(
                    "Unknown placeholder: %(names)s. Known placeholders: %(known)s."
                ) % {
                    "names": ", ".join("{" + n + "}" for n in unknown),
                    "known": ", ".join("{" + n + "}" for n in placeholders()),
                }
        if errors:
            raise ValidationError(errors)
