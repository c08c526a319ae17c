"""Personal data protection (UU PDP, Law 27/2022): data-subject requests, their corrections,
and the retention period of each category of data.

A request names its person by NIK; the number itself is never stored here, only its keyed hash
(to find the person again) and nothing else: the person row is the registry's. A NIK that is not
in the registry is still a request (``person`` empty): the answer is that Sinergi holds nothing.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sinergi.core.models import TimeStampedModel
from sinergi.core.scoping import ScopedQuerySet


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access and a copy")
    CORRECTION = "correction", _("Correction")
    ERASURE = "erasure", _("Erasure")
    OBJECTION = "objection", _("Objection")
    WITHDRAWAL = "withdrawal", _("Withdrawal of consent")


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person at the office")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Telephone")
    FACILITATOR = "facilitator", _("Through the facilitator")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")


# Days to answer, per kind. UU PDP gives 3×24 hours for access (Art. 32), correction (Art. 30),
# stopping processing after a withdrawal (Art. 40) and erasure (Art. 43); DOMAIN.md marks the
# deadlines as from memory, so they are settings (SINERGI_PDP_DUE_DAYS) a DPO can change.
DEFAULT_DUE_DAYS = {
    RequestKind.ACCESS: 3,
    RequestKind.CORRECTION: 3,
    RequestKind.ERASURE: 3,
    RequestKind.OBJECTION: 3,
    RequestKind.WITHDRAWAL: 3,
}


def due_days(kind: str) -> int:
    configured = getattr(settings, "SINERGI_PDP_DUE_DAYS", {}) or {}
    return int(configured.get(kind, DEFAULT_DUE_DAYS.get(RequestKind(kind), 3)))


class RequestQuerySet(ScopedQuerySet["DataSubjectRequest"]):
    scope_field = "area_code"


class DataSubjectRequest(TimeStampedModel):
    """One request of a person about their data: what, how it came, by when, what was done."""

    kind = models.CharField(_("request"), max_length=12, choices=RequestKind.choices)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=RequestStatus.choices,
        default=RequestStatus.OPEN,
        db_index=True,
    )
    # Empty when the NIK is not in the registry (or the person was erased since).
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The keyed hash of the NIK given (never the number); cleared when the person is erased.
    nik_hash = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    # The area of the person's household; the recording officer's when the NIK is unknown.
    area_code = models.CharField(_("area code"), max_length=13, blank=True, db_index=True)
    details = models.TextField(_("what the person asks"), blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible officer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.TextField(_("what was done"), blank=True)
    # Codes and counts of what was done (the erasure's counts, the access file's job id).
    result = models.JSONField(_("result"), default=dict, blank=True)
    objects = RequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["status", "due_on", "id"]
        permissions = [
            ("erase_person", _("Can erase a person's data on request")),
            ("approve_correction", _("Can approve a correction of a person's data")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def overdue(self) -> bool:
        return self.status == RequestStatus.OPEN and self.due_on < datetime.date.today()


class CorrectionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for approval")
    APPROVED = "approved", _("Approved and applied")
    REJECTED = "rejected", _("Rejected")


class Correction(TimeStampedModel):
    """A change of a person's record asked for in a request: proposed by one officer, applied
    only when another approves it (four eyes). The person's row history keeps before and after;
    here ``before`` and ``after`` name only the fields the correction changes."""

    request = models.ForeignKey(
        DataSubjectRequest, on_delete=models.CASCADE, related_name="corrections"
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    before = models.JSONField(_("before"), default=dict)
    after = models.JSONField(_("after"), default=dict)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.PROPOSED,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The task inbox asks first whether any row waits in this state (a rare one).
            models.Index(fields=["status"], name="correction_status"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.status}"


class RetentionCategory(models.TextChoices):
    EXPORT_FILES = "export_files", _("Export and access files")
    IMPORT_FILES = "import_files", _("Import files and their problem reports")
    ACCESS_LOG = "access_log", _("Log of reads of personal data")
    FORMER_HOUSEHOLDS = "former_households", _("Persons of households that left the programme")
    CLOSED_REQUESTS = "closed_requests", _("Closed data-subject requests")
    AID_RECORDS = "aid_records", _("Aid and fund-use records (legal obligation)")


class RetentionAction(models.TextChoices):
    DELETE = "delete", _("Delete")
    ANONYMISE = "anonymise", _("Anonymise")
    HOLD = "hold", _("Keep (blocks erasure until the period ends)")


class RetentionRule(models.Model):
    """How long a category of data is kept, from a date; the newest rule not in the future
    applies (as formation policies and rubrics do)."""

    category = models.CharField(
        _("data category"), max_length=20, choices=RetentionCategory.choices
    )
    days = models.PositiveIntegerField(_("kept for (days)"))
    action = models.CharField(_("then"), max_length=10, choices=RetentionAction.choices)
    valid_from = models.DateField(_("valid from"))
    reference = models.CharField(_("legal reference"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("retention period")
        verbose_name_plural = _("retention periods")
        ordering = ["category", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["category", "valid_from"], name="retention_once")
        ]
        permissions = [("run_retention", _("Can run the retention task"))]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.days}"

    @classmethod
    def in_force(cls, category: str, day: datetime.date | None = None) -> RetentionRule | None:
        day = day or datetime.date.today()
        return (
            cls.objects.filter(category=category, valid_from__lte=day)
            .order_by("-valid_from")
            .first()
        )
