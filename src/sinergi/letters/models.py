"""Official letters: their templates per office, the number counters, and the letters issued.

Each step of the programme is decided by a letter the social office signs (the decree forming a
KUBE, the proposal letters, the aid handover record, the mentoring assignment letter, the
graduation certificate). A letter is issued from its office's template (or the national one),
numbered from a counter per (office, kind, year) that is locked while the letter is issued, and
kept with its PDF and DOCX; a voided letter keeps its row, its files and its number, so a number
once given is never given again.

An office is a region code (a regency, or a province; "" for the centre), the office that signs
letters of its kind for records in its area.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sinergi.core.scoping import ScopedQuerySet


class Kind(models.TextChoices):
    KUBE_DECREE = "kube_decree", _("Decree forming a KUBE")
    PROPOSAL_PROVINCE = "proposal_province", _("Aid proposal letter to the province")
    PROPOSAL_CENTRE = "proposal_centre", _("Aid proposal letter to the centre")
    HANDOVER = "handover", _("Aid handover record")
    MENTORING = "mentoring", _("Mentoring assignment letter")
    GRADUATION = "graduation", _("Graduation certificate")


class LetterStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    VOID = "void", _("Void")


class LetterTemplate(models.Model):
    """The wording, letterhead, signatory and numbering of one kind of letter for one office.

    ``office_code`` "" is the national template every office uses until it saves its own.
    Text fields hold ``{placeholder}`` names (``kinds.placeholders(kind)``); an unknown name
    is refused on save by the service and the form.
    """

    kind = models.CharField(_("kind of letter"), max_length=20, choices=Kind.choices)
    office_code = models.CharField(
        _("office"), max_length=13, blank=True, help_text=_("Empty for the national template.")
    )
    letterhead = models.TextField(_("letterhead (one line each)"), max_length=1000)
    logo = models.FileField(_("logo"), upload_to="letters/logos/", blank=True, max_length=200)
    title = models.TextField(_("title (one line each)"), max_length=1000, blank=True)
    recipient = models.TextField(_("addressed to"), max_length=1000, blank=True)
    subject = models.CharField(_("subject (perihal)"), max_length=300, blank=True)
    body = models.TextField(_("text"), max_length=20000)
    copies = models.TextField(_("copies to (tembusan), one line each"), max_length=1000, blank=True)
    place = models.CharField(_("place of signing"), max_length=100)
    signatory_name = models.CharField(_("signatory's name"), max_length=150, blank=True)
    signatory_nip = models.CharField(_("signatory's NIP"), max_length=30, blank=True)
    signatory_position = models.CharField(_("signatory's position"), max_length=200)
    number_pattern = models.CharField(_("numbering scheme"), max_length=120)
    classification_code = models.CharField(
        _("classification code"), max_length=30, blank=True, help_text=_("{code} in the scheme")
    )
    office_abbreviation = models.CharField(
        _("office abbreviation"), max_length=30, blank=True, help_text=_("{office} in the scheme")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        ordering = ["kind", "office_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "office_code"], name="letter_template_per_office"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.office_code or '-'})"


class Counter(models.Model):
    """The last number given for one (office, kind, year); locked while a letter is issued."""

    office_code = models.CharField(max_length=13)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["office_code", "kind", "year"], name="letter_counter_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.office_code} {self.kind} {self.year}: {self.last}"


class LetterQuerySet(ScopedQuerySet["Letter"]):
    # The area of the record it is about (a group's village, or a proposing office's region);
    # a group's officers see their group's letters, a mentor the letters addressed to her.
    scope_field = "area_code"
    kube_field = "kube"
    mentor_field = "mentor"


class Letter(models.Model):
    """One issued letter: its number, what it is about, its files, and whether it was voided."""

    kind = models.CharField(_("kind of letter"), max_length=20, choices=Kind.choices)
    office_code = models.CharField(_("office"), max_length=13)
    year = models.PositiveSmallIntegerField(_("year"))
    seq = models.PositiveIntegerField(_("sequence number"))
    number = models.CharField(_("number"), max_length=160)
    object_id = models.PositiveBigIntegerField(_("record"))
    area_code = models.CharField(_("area code"), max_length=13, db_index=True)
    kube = models.ForeignKey(
        "kube.Kube", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mentor = models.ForeignKey(
        "mentoring.Mentor", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    about = models.CharField(_("about"), max_length=300)
    signatory = models.CharField(_("signatory"), max_length=400)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    pdf = models.FileField(upload_to="letters/", max_length=200, blank=True)
    docx = models.FileField(upload_to="letters/", max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=LetterStatus.choices, default=LetterStatus.ISSUED
    )
    void_reason = models.CharField(_("reason for voiding"), max_length=300, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["-issued_at", "-id"]
        permissions = [
            ("void_letter", _("Can void an issued letter")),
            (
                "view_addressed_letter",
                _("Can view the letters addressed to a partner (mentoring assignments)"),
            ),
        ]
        constraints = [
            # The counter gives each number once; this is the database's own guarantee.
            models.UniqueConstraint(
                fields=["office_code", "kind", "year", "seq"], name="letter_number_once"
            )
        ]
        indexes = [
            models.Index(fields=["kind", "object_id"], name="letter_of_record"),
            models.Index(fields=["-updated_at"], name="letter_updated"),
        ]

    def __str__(self) -> str:
        return self.number
