"""Monitoring: group reports, poverty lines, the class rubric, graduation and summaries.

Exports and figure refreshes are ``core.Job`` rows (kinds in ``monitoring/jobs.py``).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sinergi.core.models import TimeStampedModel
from sinergi.core.scoping import ScopedQuerySet
from sinergi.engines import rubric as engine
from sinergi.kube.models import GroupRecordQuerySet, KubeClass

# --- Poverty lines --------------------------------------------------------------------------


class AreaType(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")
    TOTAL = "total", _("Urban + rural")


class PovertyLine(models.Model):
    """One BPS poverty line (garis kemiskinan): Rp per person per month.

    Keyed by province ('' = the whole nation), year, semester (1 = the March survey, 2 = the
    September one) and area type. Loading a newer table changes rows in place; the history keeps
    every earlier value with who loaded it, so old comparisons can be explained.
    """

    province_code = models.CharField(_("province"), max_length=2, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    semester = models.PositiveSmallIntegerField(
        _("semester"), choices=[(1, _("March")), (2, _("September"))]
    )
    area_type = models.CharField(_("area type"), max_length=5, choices=AreaType.choices)
    amount = models.PositiveIntegerField(_("line (Rp per person per month)"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("poverty line")
        verbose_name_plural = _("poverty lines")
        ordering = ["-year", "-semester", "province_code", "area_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["province_code", "year", "semester", "area_type"],
                name="poverty_line_once_per_key",
            )
        ]
        permissions = [("load_povertyline", _("Can load the poverty line table"))]

    def __str__(self) -> str:
        return f"{self.province_code or 'ID'} {self.year}-{self.semester} {self.area_type}"


# --- Group reports --------------------------------------------------------------------------


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")


class GroupReportQuerySet(GroupRecordQuerySet["GroupReport"]):
    pass


class GroupReport(TimeStampedModel):
    """A group's report for one month, filed by its treasurer or its facilitator (integer Rp)."""

    kube = models.ForeignKey("kube.Kube", on_delete=models.PROTECT, related_name="group_reports")
    period = models.DateField(_("month"))
    turnover = models.BigIntegerField(_("turnover (Rp)"), default=0)
    costs = models.BigIntegerField(_("costs (Rp)"), default=0)
    profit = models.BigIntegerField(_("profit (Rp)"), default=0, editable=False)
    assets = models.BigIntegerField(_("assets (Rp)"), default=0)
    savings = models.BigIntegerField(_("savings (Rp)"), default=0)
    iks_paid = models.BigIntegerField(_("IKS paid (Rp)"), default=0)
    active_members = models.PositiveSmallIntegerField(_("active members"), default=0)
    problems = models.TextField(_("problems"), blank=True)
    # What the market module had recorded for the month when the report was opened.
    market_sales = models.BigIntegerField(_("sales recorded in the market (Rp)"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Set by "return for correction" (core.corrections): the only way a submitted report opens.
    return_reason = models.TextField(_("what needs correcting"), blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()
    objects = GroupReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("group report")
        verbose_name_plural = _("group reports")
        permissions = [
            ("return_groupreport", _("Can return a submitted group report for correction"))
        ]
        ordering = ["kube_id", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["kube", "period"], name="group_report_once_a_month")
        ]
        indexes = [
            models.Index(fields=["period"]),
            # The task inbox asks first whether any row waits in this state (a rare one).
            models.Index(fields=["status"], name="groupreport_status"),
        ]

    def __str__(self) -> str:
        return f"{self.kube_id} {self.period:%Y-%m}"


class MemberIncomeQuerySet(ScopedQuerySet["MemberIncome"]):
    scope_field = "report__kube__area_code"
    kube_field = "report__kube"


class MemberIncome(models.Model):
    """A member household's income for the month of a report, against the poverty line.

    Income is personal data: stored encrypted (AES-GCM); only the comparison (the line used and
    whether the household was above it) is kept in clear, for counts and the graduation rule.
    """

    report = models.ForeignKey(GroupReport, on_delete=models.CASCADE, related_name="incomes")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="incomes"
    )
    household_size = models.PositiveSmallIntegerField(_("household size"))
    income_cipher = models.TextField(editable=False)
    per_capita_cipher = models.TextField(editable=False)
    line_amount = models.PositiveIntegerField(_("poverty line used (Rp)"))
    line_label = models.CharField(_("poverty line used"), max_length=60)
    above_line = models.BooleanField(_("above the line"))
    objects = MemberIncomeQuerySet.as_manager()

    class Meta:
        verbose_name = _("member income")
        verbose_name_plural = _("member incomes")
        constraints = [
            models.UniqueConstraint(fields=["report", "person"], name="income_once_per_report")
        ]
        permissions = [("export_memberincome", _("Can export member incomes (personal data)"))]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.person_id}"


# --- Class rubric ---------------------------------------------------------------------------


class Metric(models.TextChoices):
    """What the rubric can look at; each is computed from the group's records (selectors)."""

    REPORTING = "reporting", _("Months reported in the window (%)")
    TURNOVER = "turnover", _("Average monthly turnover (Rp)")
    MARGIN = "margin", _("Profit margin (%)")
    SAVINGS = "savings", _("Savings per active member (Rp)")
    IKS = "iks", _("Reports with IKS paid (%)")
    SESSIONS = "sessions", _("Mentoring sessions in the window")
    SALES = "sales", _("Market sales in the window (Rp)")
    ABOVE_LINE = "above_line", _("Member households above the poverty line (%)")
    MONTHS_ACTIVE = "months_active", _("Months since the group became active")


class Rubric(models.Model):
    """The class criteria valid from a date; the newest one not in the future applies."""

    valid_from = models.DateField(_("valid from"), unique=True)
    name = models.CharField(_("name"), max_length=150)
    provisional = models.BooleanField(
        _("provisional"),
        default=True,
        help_text=_("Shown on every class until the official criteria are loaded."),
    )
    note = models.CharField(_("source or decree"), max_length=200, blank=True)
    window_months = models.PositiveSmallIntegerField(_("months looked at"), default=6)
    berkembang_from = models.PositiveSmallIntegerField(_("berkembang from score"), default=45)
    maju_from = models.PositiveSmallIntegerField(_("maju from score"), default=70)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("class rubric")
        verbose_name_plural = _("class rubrics")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%Y-%m-%d})"

    def clean(self) -> None:
        if not 0 < self.berkembang_from < self.maju_from <= 100:
            raise ValidationError(
                _("Scores must rise: 0 < berkembang < maju ≤ 100 (now %(b)s and %(m)s).")
                % {"b": self.berkembang_from, "m": self.maju_from}
            )
        if not 1 <= self.window_months <= 36:
            raise ValidationError(_("Look at 1 to 36 months."))

    def as_engine(self) -> engine.Rubric:
        return engine.Rubric(
            tuple(i.as_engine() for i in self.indicators.all()),
            (
                (KubeClass.TUMBUH.value, 0),
                (KubeClass.BERKEMBANG.value, self.berkembang_from),
                (KubeClass.MAJU.value, self.maju_from),
            ),
        )

    @classmethod
    def on(cls, day: date) -> Rubric | None:
        return cls.objects.filter(valid_from__lte=day).order_by("-valid_from").first()


def parse_bands(raw: object) -> tuple[engine.Band, ...]:
    """``[[threshold, points], ...]`` from JSON; a ValidationError names what is wrong."""
    if not isinstance(raw, list) or not raw:
        raise ValidationError(_("Give the bands as a list of [threshold, points] pairs."))
    bands = []
    for pair in raw:
        if (
            not isinstance(pair, list | tuple)
            or len(pair) != 2
            or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in pair)
            or int(pair[1]) != pair[1]
        ):
            raise ValidationError(
                _("Each band is [threshold, points] with whole points, e.g. [50, 100]; got %(v)s.")
                % {"v": str(pair)[:40]}
            )
        bands.append(engine.Band(float(pair[0]), int(pair[1])))
    return tuple(bands)


class RubricIndicator(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="indicators")
    metric = models.CharField(_("indicator"), max_length=20, choices=Metric.choices)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    bands = models.JSONField(
        _("bands"),
        help_text=_("[[threshold, points], ...]: a value at or above a threshold earns its points"),
    )

    class Meta:
        verbose_name = _("rubric indicator")
        verbose_name_plural = _("rubric indicators")
        ordering = ["rubric_id", "-weight", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "metric"], name="indicator_once_per_rubric")
        ]

    def __str__(self) -> str:
        return f"{self.metric} ×{self.weight}"

    def clean(self) -> None:
        ind = engine.Indicator(self.metric, self.weight, parse_bands(self.bands))
        try:
            engine.Rubric((ind,), (("x", 0),)).check()
        except engine.RubricError as exc:
            raise ValidationError(_("These bands cannot be used: %(why)s.") % {"why": exc}) from exc

    def as_engine(self) -> engine.Indicator:
        return engine.Indicator(self.metric, self.weight, parse_bands(self.bands))


class ClassResultQuerySet(GroupRecordQuerySet["ClassResult"]):
    pass


class ClassResult(models.Model):
    """A group's class for a month, with the explanation the engine gave."""

    kube = models.ForeignKey("kube.Kube", on_delete=models.CASCADE, related_name="classes")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("month"))
    klass = models.CharField(_("class"), max_length=12, choices=KubeClass.choices)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    explanation = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)
    objects = ClassResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("class result")
        verbose_name_plural = _("class results")
        ordering = ["kube_id", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["kube", "period"], name="class_once_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.kube_id} {self.period:%Y-%m} {self.klass}"


# --- Graduation -----------------------------------------------------------------------------


class GraduationRule(models.Model):
    valid_from = models.DateField(_("valid from"), unique=True)
    consecutive_months = models.PositiveSmallIntegerField(
        _("consecutive months above the line"), default=6
    )
    margin_basis_points = models.PositiveIntegerField(
        _("margin above the line (basis points)"),
        default=0,
        help_text=_("100 = 1%: income must exceed the line by this much."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("graduation rule")
        verbose_name_plural = _("graduation rules")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.valid_from:%Y-%m-%d}: {self.consecutive_months}"

    @classmethod
    def on(cls, day: date) -> tuple[int, int]:
        rule = cls.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
        return (rule.consecutive_months, rule.margin_basis_points) if rule else (6, 0)


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Graduated")
    REJECTED = "rejected", _("Not confirmed")


class GraduationQuerySet(ScopedQuerySet["Graduation"]):
    scope_field = "area_code"
    kube_field = "kube"


class Graduation(TimeStampedModel):
    """A household proposed for graduation by the rule, and the officer's decision."""

    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="graduations"
    )
    kube = models.ForeignKey("kube.Kube", on_delete=models.PROTECT, related_name="graduations")
    # The member whose reports showed it: the name an officer recognises.
    person = models.ForeignKey(
        "registry.Person", null=True, on_delete=models.PROTECT, related_name="+"
    )
    area_code = models.CharField(max_length=13, db_index=True, editable=False)
    months = models.JSONField(_("months above the line"), default=list)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PROPOSED,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    history = HistoricalRecords()
    objects = GraduationQuerySet.as_manager()

    class Meta:
        verbose_name = _("graduation")
        verbose_name_plural = _("graduations")
        ordering = ["status", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(status__in=["proposed", "confirmed"]),
                name="graduation_open_once",
            )
        ]
        # The task inbox reads the proposals oldest first (core.inbox, monitoring/inbox.py).
        indexes = [
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(status="proposed"),
                name="graduation_proposed",
            )
        ]
        permissions = [("decide_graduation", _("Can confirm or reject a graduation"))]

    def __str__(self) -> str:
        return f"{self.household_id} {self.status}"


# --- Summaries (refreshed by a task) ---------------------------------------------------------


class RegencyFiguresQuerySet(ScopedQuerySet["RegencyFigures"]):
    # Figures of whole regencies: a province sees its regencies, a regency its own.
    scope_field = "regency_code"


class RegencyFigures(models.Model):
    """Standing figures of one regency; national and province dashboards add these rows up."""

    regency_code = models.CharField(max_length=5, unique=True)
    groups_draft = models.PositiveIntegerField(default=0)
    groups_submitted = models.PositiveIntegerField(default=0)
    groups_verified = models.PositiveIntegerField(default=0)
    groups_active = models.PositiveIntegerField(default=0)
    groups_graduated = models.PositiveIntegerField(default=0)
    groups_dissolved = models.PositiveIntegerField(default=0)
    class_tumbuh = models.PositiveIntegerField(default=0)
    class_berkembang = models.PositiveIntegerField(default=0)
    class_maju = models.PositiveIntegerField(default=0)
    members = models.PositiveIntegerField(default=0)
    groups_mentored = models.PositiveIntegerField(default=0)
    overdue_actions = models.PositiveIntegerField(default=0)
    aid_approved = models.BigIntegerField(default=0)
    aid_disbursed = models.BigIntegerField(default=0)
    households_graduated = models.PositiveIntegerField(default=0)
    graduations_open = models.PositiveIntegerField(default=0)
    objects = RegencyFiguresQuerySet.as_manager()

    class Meta:
        verbose_name = _("regency figures")
        verbose_name_plural = _("regency figures")
        # The rebuild itself is a core.Job (kind monitoring.summary, see monitoring/jobs.py).
        permissions = [("refresh_summary", _("Can refresh the dashboard figures"))]

    def __str__(self) -> str:
        return self.regency_code


class RegencyMonthQuerySet(ScopedQuerySet["RegencyMonth"]):
    scope_field = "regency_code"
    permission_model = "monitoring.regencyfigures"  # one dashboard, one permission


class RegencyMonth(models.Model):
    """What happened in one regency in one month."""

    regency_code = models.CharField(max_length=5)
    month = models.DateField()
    sessions = models.PositiveIntegerField(default=0)
    sales = models.BigIntegerField(default=0)
    turnover = models.BigIntegerField(default=0)
    reports = models.PositiveIntegerField(default=0)
    graduations = models.PositiveIntegerField(default=0)
    objects = RegencyMonthQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["regency_code", "month"], name="regency_month_once")
        ]
        indexes = [models.Index(fields=["month"])]

    def __str__(self) -> str:
        return f"{self.regency_code} {self.month:%Y-%m}"
