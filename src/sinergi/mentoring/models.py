"""Partnership and mentoring: partner units and agreements, mentors, matching, sessions.

A mentor's account is bound to its profile (``User.mentor``) as a KUBE officer's is to its group;
the scoping rule then shows a mentor only the groups whose assignment it has accepted. Nothing
here holds NIK, KK number or decile: partner roles read members by name only.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sinergi.core.models import TimeStampedModel
from sinergi.core.scoping import ScopedQuerySet
from sinergi.kube.models import GroupRecordQuerySet


class Organisation(TimeStampedModel):
    name = models.CharField(_("name"), max_length=150, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.acronym or self.name


class UnitLevel(models.TextChoices):
    NATIONAL = "dpp", _("National board (DPP)")
    PROVINCE = "dpd", _("Province board (DPD)")
    REGENCY = "dpc", _("Regency board (DPC)")
    DISTRICT = "ranting", _("District branch (ranting)")


# Which region level each unit level sits on (number of code segments; 0 is the nation).
UNIT_SEGMENTS = {
    UnitLevel.NATIONAL: 0,
    UnitLevel.PROVINCE: 1,
    UnitLevel.REGENCY: 2,
    UnitLevel.DISTRICT: 3,
}


class UnitQuerySet(ScopedQuerySet["Unit"]):
    scope_field = "area_code"


class Unit(TimeStampedModel):
    """A board or branch of a partner organisation, tied to the region it serves."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="units"
    )
    level = models.CharField(_("level"), max_length=8, choices=UnitLevel.choices)
    name = models.CharField(_("name"), max_length=150)
    region = models.ForeignKey(
        "wilayah.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area_code = models.CharField(max_length=13, blank=True, db_index=True, editable=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    history = HistoricalRecords()
    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner unit")
        verbose_name_plural = _("partner units")
        ordering = ["organisation", "area_code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "level", "area_code"], name="one_unit_per_level_and_region"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        segments = UNIT_SEGMENTS[UnitLevel(self.level)] if self.level else 0
        code = self.region.code if self.region_id and self.region else ""
        if (code.count(".") + 1 if code else 0) != segments:
            raise ValidationError(
                {
                    "region": _(
                        "A unit's region must match its level: none for DPP, a province "
                        "for DPD, a regency for DPC, a district for a ranting."
                    )
                }
            )

    def save(self, *args: object, **kwargs: object) -> None:
        self.area_code = self.region.code if self.region_id and self.region else ""
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class AgreementKind(models.TextChoices):
    MOU = "mou", _("Memorandum of understanding (MoU)")
    PKS = "pks", _("Cooperation agreement (PKS)")


class AgreementQuerySet(ScopedQuerySet["Agreement"]):
    scope_field = "area_code"


def agreement_path(instance: Agreement, filename: str) -> str:
    return f"agreements/{instance.organisation_id}/{filename[-80:]}"


class Agreement(TimeStampedModel):
    """An MoU or PKS: who signed for which body, when, for what, and the targets it set."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    kind = models.CharField(_("kind"), max_length=4, choices=AgreementKind.choices)
    number = models.CharField(_("number"), max_length=100)
    title = models.CharField(_("title"), max_length=250)
    # IWAPI had rival boards; the record must say which body signed (DOMAIN.md).
    signing_unit = models.ForeignKey(
        Unit,
        verbose_name=_("body that signed"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    ministry_party = models.CharField(_("ministry party"), max_length=200)
    ministry_signatory = models.CharField(_("ministry signatory"), max_length=150)
    partner_signatory = models.CharField(_("partner signatory"), max_length=150)
    witnesses = models.CharField(_("witnesses"), max_length=300, blank=True)
    signed_on = models.DateField(_("signed on"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    scope = models.TextField(_("scope"))
    area = models.ForeignKey(
        "wilayah.Region",
        verbose_name=_("area covered"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty means the whole nation."),
    )
    area_code = models.CharField(max_length=13, blank=True, db_index=True, editable=False)
    document = models.FileField(_("signed document"), upload_to=agreement_path, blank=True)
    history = HistoricalRecords()
    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-signed_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="agreement_number"),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="agreement_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_until

    def save(self, *args: object, **kwargs: object) -> None:
        self.area_code = self.area.code if self.area_id and self.area else ""
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Indicator(models.TextChoices):
    KUBE_MENTORED = "kube_mentored", _("KUBE mentored")
    SESSIONS_HELD = "sessions_held", _("Mentoring sessions held")
    MENTORS_ACTIVE = "mentors_active", _("Mentors active")
    ACTION_ITEMS_DONE = "action_items_done", _("Action items completed")


class KpiQuerySet(ScopedQuerySet["Kpi"]):
    # An agreement's targets, seen by who may see the agreement, where it is seen.
    scope_field = "agreement__area_code"
    permission_model = "mentoring.agreement"


class Kpi(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="kpis")
    indicator = models.CharField(_("indicator"), max_length=24, choices=Indicator.choices)
    target = models.PositiveIntegerField(_("target"))
    objects = KpiQuerySet.as_manager()

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "indicator"], name="one_kpi_per_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()} ≥ {self.target}"


class MentorQuerySet(ScopedQuerySet["Mentor"]):
    scope_field = "area_code"
    mentor_field = "pk"


class Mentor(TimeStampedModel):
    """A partner's member who mentors KUBE groups of her province."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("partner unit"), on_delete=models.PROTECT, related_name="mentors"
    )
    name = models.CharField(_("name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    business = models.CharField(_("own business"), max_length=200, blank=True)
    sectors = models.ManyToManyField(
        "kube.BusinessType", verbose_name=_("sectors"), related_name="+"
    )
    base_regency = models.ForeignKey(
        "wilayah.Region", verbose_name=_("base regency"), on_delete=models.PROTECT, related_name="+"
    )
    area_code = models.CharField(max_length=13, db_index=True, editable=False)
    capacity = models.PositiveSmallIntegerField(_("capacity (groups)"), default=3)
    available = models.BooleanField(_("available for new groups"), default=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(m2m_fields=[sectors])
    objects = MentorQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")
        ordering = ["area_code", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.area_code = self.base_regency.code
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def takes_groups_on(self, day: date) -> bool:
        return (
            self.active
            and self.available
            and (self.available_until is None or day <= self.available_until)
        )


class MatchRunStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    SENT = "sent", _("Sent to mentors")
    DISCARDED = "discarded", _("Discarded")


class MatchRunQuerySet(ScopedQuerySet["MatchRun"]):
    scope_field = "area_code"


class MatchRun(TimeStampedModel):
    """One run of the matcher over an area: its weights, its result, and who sent it."""

    area_code = models.CharField(_("area"), max_length=13, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MatchRunStatus.choices, default=MatchRunStatus.PROPOSED
    )
    other_regency = models.PositiveSmallIntegerField(_("cost of another regency"), default=40)
    sector_mismatch = models.PositiveSmallIntegerField(_("cost of another sector"), default=25)
    history_bonus = models.PositiveSmallIntegerField(_("bonus for continuity"), default=10)
    groups_count = models.PositiveIntegerField(_("groups waiting"), default=0)
    assigned_count = models.PositiveIntegerField(_("groups assigned"), default=0)
    total_cost = models.IntegerField(_("total cost"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    # The computation as a core.Job (kind mentoring.matching): when it ran, how many groups
    # it considered, how it ended. ``status`` above is the proposal's own life (sent or not).
    job = models.OneToOneField(
        "core.Job",
        verbose_name=_("job"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="match_run",
        editable=False,
    )
    objects = MatchRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.area_code or '—'}"


class AssignmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    OFFERED = "offered", _("Waiting for the mentor")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    ENDED = "ended", _("Ended")
    DISCARDED = "discarded", _("Discarded")


OPEN_STATUSES = (AssignmentStatus.OFFERED, AssignmentStatus.ACCEPTED)


class EndReason(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    REASSIGNED = "reassigned", _("Reassigned")
    MENTOR_LEFT = "mentor_left", _("Mentor left")
    GROUP_CLOSED = "group_closed", _("Group graduated or dissolved")


class AssignmentQuerySet(ScopedQuerySet["Assignment"]):
    scope_field = "kube__area_code"
    scope_by_range = True  # the group's code, collated "C" (kube 0005)
    kube_field = "kube"
    mentor_field = "mentor"


class Assignment(TimeStampedModel):
    """A mentor for a group: proposed by a run, offered, accepted or declined, then ended."""

    kube = models.ForeignKey(
        "kube.Kube", verbose_name=_("KUBE"), on_delete=models.PROTECT,
        related_name="mentor_assignments",
    )  # fmt: skip
    mentor = models.ForeignKey(
        Mentor, verbose_name=_("mentor"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="assignments",
    )  # fmt: skip
    run = models.ForeignKey(
        MatchRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="assignments"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.PROPOSED,
        db_index=True,
    )
    cost = models.IntegerField(_("cost"), null=True, blank=True)
    reasons = models.JSONField(_("why"), default=list, blank=True)
    edited = models.BooleanField(_("changed by hand"), default=False)
    offered_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason for ending"), max_length=16, choices=EndReason.choices, blank=True
    )
    end_note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()
    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentor assignment")
        verbose_name_plural = _("mentor assignments")
        ordering = ["-created_at"]
        permissions = [
            ("respond_assignment", _("Can accept or decline a mentoring assignment")),
            ("run_matching", _("Can run the mentor matcher and send its result")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kube"],
                condition=Q(status__in=["offered", "accepted"]),
                name="one_open_assignment_per_kube",
            )
        ]
        # The assignments list reads its page in this order instead of sorting them all (the
        # key too: a list's order ends with it, and without it the planner sorted all 22,750).
        indexes = [models.Index(fields=["-updated_at", "id"], name="assignment_recent")]

    def __str__(self) -> str:
        return f"{self.kube} – {self.mentor or '—'}"


class SessionQuerySet(GroupRecordQuerySet["Session"]):
    pass


class Session(TimeStampedModel):
    """One mentoring meeting with a group: where, what, who came, and what was agreed."""

    kube = models.ForeignKey(
        "kube.Kube", verbose_name=_("KUBE"), on_delete=models.PROTECT, related_name="sessions"
    )
    mentor = models.ForeignKey(
        Mentor, verbose_name=_("mentor"), on_delete=models.PROTECT, related_name="sessions"
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    topics = models.CharField(_("topics"), max_length=300)
    notes = models.TextField(_("notes"), blank=True)
    present = models.ManyToManyField(
        "kube.Membership", verbose_name=_("members present"), related_name="+", blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(m2m_fields=[present])
    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentoring session")
        verbose_name_plural = _("mentoring sessions")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.kube} {self.held_on:%Y-%m-%d}"


def photo_path(instance: SessionPhoto, filename: str) -> str:
    return f"sessions/{instance.session_id}/{filename[-80:]}"


class SessionPhotoQuerySet(ScopedQuerySet["SessionPhoto"]):
    """A photo is seen by who may see its session, where its session is seen."""

    scope_field = "session__kube__area_code"
    scope_by_range = True  # the group's code, collated "C" (kube 0005)
    kube_field = "session__kube"
    mentor_field = "session__kube__mentor_assignments__mentor"
    mentor_conditions = {"session__kube__mentor_assignments__status": "accepted"}
    permission_model = "mentoring.session"


class SessionPhoto(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to=photo_path)
    created_at = models.DateTimeField(auto_now_add=True)
    objects = SessionPhotoQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name or ""


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class ActionItemQuerySet(GroupRecordQuerySet["ActionItem"]):
    pass


class ActionItem(TimeStampedModel):
    """Something a session agreed to do, by whom and when; a later session reviews it."""

    kube = models.ForeignKey(
        "kube.Kube", verbose_name=_("KUBE"), on_delete=models.PROTECT, related_name="action_items"
    )
    raised_in = models.ForeignKey(
        Session, verbose_name=_("agreed in"), on_delete=models.CASCADE, related_name="new_items"
    )
    description = models.CharField(_("what"), max_length=300)
    owner = models.CharField(_("who"), max_length=150)
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    reviewed_in = models.ForeignKey(
        Session,
        verbose_name=_("reviewed in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_items",
    )
    review_note = models.CharField(_("review note"), max_length=300, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    history = HistoricalRecords()
    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["status", "due_on", "id"]

    def __str__(self) -> str:
        return self.description

    def overdue_on(self, day: date) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on < day


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")


class MonthlyReportQuerySet(ScopedQuerySet["MonthlyReport"]):
    scope_field = "kube__area_code"
    kube_field = "kube"


class MonthlyReport(TimeStampedModel):
    """A facilitator's monthly report on one group, pre-filled from the month's records."""

    kube = models.ForeignKey(
        "kube.Kube", verbose_name=_("KUBE"), on_delete=models.PROTECT, related_name="reports"
    )
    month = models.DateField(_("month"))  # the first day of the month
    activities = models.TextField(_("activities"))
    problems = models.TextField(_("problems"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    facts = models.JSONField(_("the month in figures"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # A submitted report is final; a reviewer may send it back with the reason, and the
    # author corrects and submits it again.
    return_reason = models.TextField(_("what needs correcting"), blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()
    objects = MonthlyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("facilitator report")
        verbose_name_plural = _("facilitator reports")
        ordering = ["-month", "kube"]
        permissions = [
            ("return_monthlyreport", _("Can return a submitted facilitator report for correction"))
        ]
        constraints = [
            models.UniqueConstraint(fields=["kube", "month"], name="one_report_per_kube_month")
        ]

    def __str__(self) -> str:
        return f"{self.kube} {self.month:%Y-%m}"
