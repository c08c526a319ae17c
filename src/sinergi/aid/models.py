"""Aid programmes, their cycles (tahap) and the proposals that flow regency → province → centre.

Money is an integer number of rupiah everywhere. A proposal stores its amount and the member
count it was computed from; approving the cycle freezes both, so later registry or group edits
do not change what was approved.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sinergi.core.models import TimeStampedModel
from sinergi.core.money import rupiah
from sinergi.core.scoping import ScopedQuerySet
from sinergi.engines.statements import Layout


class FundingSource(models.TextChoices):
    APBN = "apbn", _("APBN (state budget)")
    DEKONSENTRASI = "dekonsentrasi", _("Deconcentration")
    APBD_PROVINCE = "apbd_province", _("APBD province")
    APBD_REGENCY = "apbd_regency", _("APBD regency")


class AmountRule(models.TextChoices):
    PER_GROUP = "per_group", _("A fixed amount per group")
    PER_MEMBER = "per_member", _("An amount per member, with a cap")


class Programme(TimeStampedModel):
    """A year's aid programme from one funding source, with its amount rule and budget."""

    name = models.CharField(_("name"), max_length=150)
    year = models.PositiveSmallIntegerField(_("year"))
    funding_source = models.CharField(
        _("funding source"), max_length=16, choices=FundingSource.choices
    )
    amount_rule = models.CharField(_("amount rule"), max_length=12, choices=AmountRule.choices)
    amount = models.BigIntegerField(_("amount (Rp)"))
    cap = models.BigIntegerField(_("cap per group (Rp)"), null=True, blank=True)
    budget_ceiling = models.BigIntegerField(_("budget ceiling (Rp)"))
    area_code = models.CharField(
        _("area code"), max_length=13, blank=True, help_text=_("Empty for national programmes.")
    )
    allow_previously_aided = models.BooleanField(
        _("previously aided groups allowed"), default=False
    )
    max_desil = models.PositiveSmallIntegerField(
        _("highest decile for this programme"),
        null=True,
        blank=True,
        help_text=_("Empty: the formation policy's threshold applies."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("aid programme")
        verbose_name_plural = _("aid programmes")
        ordering = ["-year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="programme_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(budget_ceiling__gt=0), name="programme_budget_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year}"

    def amount_for(self, members: int) -> int:
        """Rupiah for a group of ``members``: integer arithmetic only."""
        if self.amount_rule == AmountRule.PER_GROUP:
            return self.amount
        total = self.amount * members
        return min(total, self.cap) if self.cap is not None else total


class CycleStatus(models.TextChoices):
    OPEN = "open", _("Open for proposals")
    APPROVED = "approved", _("Approved (frozen)")


class Cycle(TimeStampedModel):
    """A tranche (tahap) of a programme; approving it freezes its proposals."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cycles")
    number = models.PositiveSmallIntegerField(_("number"))
    status = models.CharField(
        _("status"), max_length=10, choices=CycleStatus.choices, default=CycleStatus.OPEN
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        ordering = ["programme_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="cycle_number_once")
        ]
        permissions = [("approve_cycle", _("Can approve a cycle (centre)"))]

    def __str__(self) -> str:
        return f"{self.programme} — {_('cycle')} {self.number}"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed by the regency")
    RECOMMENDED = "recommended", _("Recommended by the province")
    APPROVED = "approved", _("Approved by the centre")
    REJECTED = "rejected", _("Rejected")


class ProposalQuerySet(ScopedQuerySet["Proposal"]):
    scope_field = "area_code"
    kube_field = "kube_id"


class Proposal(TimeStampedModel):
    """One group proposed for one cycle; maker and checkers are different people."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="proposals")
    kube = models.ForeignKey("kube.Kube", on_delete=models.PROTECT, related_name="proposals")
    area_code = models.CharField(max_length=13, db_index=True, editable=False)
    member_count = models.PositiveSmallIntegerField(_("members when proposed"))
    amount = models.BigIntegerField(_("amount (Rp)"))
    status = models.CharField(
        _("status"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_reason = models.CharField(_("reason"), max_length=300, blank=True)
    history = HistoricalRecords()
    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["cycle_id", "area_code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "kube"], name="proposal_once_per_cycle"),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="proposal_amount_positive"
            ),
        ]
        permissions = [
            ("propose_kube", _("Can propose groups (regency)")),
            ("recommend_proposal", _("Can recommend proposals (province)")),
        ]
        indexes = [
            # The task inbox asks first whether any row waits in this state (a rare one).
            models.Index(fields=["status"], name="proposal_status"),
        ]

    def __str__(self) -> str:
        return f"{self.kube} @ {self.cycle}"


class AidGrantQuerySet(ScopedQuerySet["AidGrant"]):
    # A grant is as visible as the proposal it came from.
    scope_field = "proposal__area_code"
    kube_field = "kube_id"


class AidGrant(models.Model):
    """A group aided: one row per approved proposal, written by the approval under its locks.

    The rule is that a programme which does not allow previously aided groups aids only
    groups never aided before, by any programme. ``number`` counts a group's grants (1 is its
    first) and ``first_only`` marks a grant from such a programme, so the database itself
    refuses a second first grant of a group and a ``first_only`` grant that is not the first:
    even a path that skipped the service's check could not aid a group twice against the rule.
    """

    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="grant")
    kube = models.ForeignKey("kube.Kube", on_delete=models.PROTECT, related_name="aid_grants")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="grants")
    number = models.PositiveSmallIntegerField(_("grant number of the group"))
    first_only = models.BooleanField(_("programme aids only groups never aided"))
    created_at = models.DateTimeField(auto_now_add=True)
    objects = AidGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("aid grant")
        verbose_name_plural = _("aid grants")
        ordering = ["kube_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["kube", "number"], name="aid_grant_number_once"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="aid_grant_number_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(first_only=False) | models.Q(number=1),
                name="aid_grant_first_only_is_first",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kube} #{self.number}"


class DisbursementQuerySet(ScopedQuerySet["Disbursement"]):
    scope_field = "area_code"
    kube_field = "proposal__kube_id"


class Disbursement(TimeStampedModel):
    """A transfer of approved aid to the group's account; never more than was approved."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="disbursements")
    amount = models.BigIntegerField(_("amount (Rp)"))
    day = models.DateField(_("transfer date"))
    reference = models.CharField(_("bank reference"), max_length=60, unique=True)
    account = models.CharField(_("account number"), max_length=30)
    area_code = models.CharField(max_length=13, db_index=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()
    objects = DisbursementQuerySet.as_manager()

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["day", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="disbursement_amount_positive"
            )
        ]
        permissions = [("reconcile_disbursement", _("Can reconcile bank statements"))]

    def __str__(self) -> str:
        return self.reference


class LpjStatus(models.TextChoices):
    DRAFT = "draft", _("Being written")
    SUBMITTED = "submitted", _("Submitted for checking")
    ACCEPTED = "accepted", _("Accepted by the facilitator")
    RETURNED = "returned", _("Returned for correction")


class LpjQuerySet(ScopedQuerySet["Lpj"]):
    scope_field = "area_code"
    kube_field = "proposal__kube_id"


class Lpj(TimeStampedModel):
    """The group's fund-use report (LPJ) for one approved proposal."""

    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="lpj")
    area_code = models.CharField(max_length=13, db_index=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=LpjStatus.choices, default=LpjStatus.DRAFT
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    check_note = models.CharField(_("facilitator's note"), max_length=300, blank=True)
    history = HistoricalRecords()
    objects = LpjQuerySet.as_manager()

    class Meta:
        verbose_name = _("fund-use report (LPJ)")
        verbose_name_plural = _("fund-use reports (LPJ)")
        permissions = [("check_lpj", _("Can check fund-use reports"))]
        indexes = [
            # The task inbox asks first whether any row waits in this state (a rare one).
            models.Index(fields=["status"], name="lpj_status"),
        ]

    def __str__(self) -> str:
        return f"LPJ {self.proposal}"

    @property
    def purchases_in_words(self) -> str:
        """Every purchase as a person reads it: what a stale form names as changed."""
        return "; ".join(f"{i.description} Rp{rupiah(i.amount)}" for i in self.items.all()) or "—"


def receipt_path(instance: LpjItem, filename: str) -> str:
    return f"lpj/{instance.lpj_id}/{filename[-80:]}"


class LpjItemQuerySet(ScopedQuerySet["LpjItem"]):
    # A purchase (and its receipt) is as visible as its report, to who may see the report.
    scope_field = "lpj__area_code"
    kube_field = "lpj__proposal__kube_id"
    permission_model = "aid.lpj"


class LpjItem(models.Model):
    """One purchase: what, how much (integer rupiah), when, and the receipt's photo."""

    lpj = models.ForeignKey(Lpj, on_delete=models.CASCADE, related_name="items")
    description = models.CharField(_("item bought"), max_length=200)
    amount = models.BigIntegerField(_("amount (Rp)"))
    day = models.DateField(_("date"))
    receipt = models.FileField(_("receipt"), upload_to=receipt_path)
    history = HistoricalRecords()
    objects = LpjItemQuerySet.as_manager()

    class Meta:
        ordering = ["day", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="lpj_item_positive")
        ]

    def __str__(self) -> str:
        return f"{self.description} {self.amount}"


class StatementKind(models.TextChoices):
    CSV = "csv", _("CSV (columns)")
    MT940 = "mt940", _("MT940")


class AmountStyle(models.TextChoices):
    INDONESIAN = "id", _("Indonesian: 1.234.567,00")
    ENGLISH = "en", _("English: 1,234,567.00")
    PLAIN = "plain", _("Plain: 1234567")


class DateStyle(models.TextChoices):
    DMY = "dmy", _("Day first: 31/12/2026")
    YMD = "ymd", _("Year first: 2026-12-31")
    MDY = "mdy", _("Month first: 12/31/2026")


class StatementDirection(models.TextChoices):
    DEBIT = "debit", _("Payments out only (the office's account)")
    CREDIT = "credit", _("Money in only (the group's account)")
    ANY = "any", _("Every line")


class StatementEncoding(models.TextChoices):
    AUTO = "", _("Detect (UTF-8, else Windows-1252)")
    UTF8 = "utf-8", "UTF-8"
    CP1252 = "cp1252", "Windows-1252"
    UTF16 = "utf-16", "UTF-16"


class StatementProfile(models.Model):
    """How one bank's statement export is laid out, so reconciliation reads it as it comes.

    Reference data kept in the admin (every change audited); the layouts Sinergi ships are
    ``builtin`` rows (engines/statements.py ``BUILTIN``, loaded by a migration), modelled on
    public descriptions and to be checked against a real file. ``layout()`` is what the pure
    reader (``engines.statements``) takes."""

    name = models.SlugField(_("name"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=100)
    kind = models.CharField(
        _("file kind"), max_length=8, choices=StatementKind.choices, default=StatementKind.CSV
    )
    delimiter = models.CharField(_("column separator"), max_length=1, default=",", blank=True)
    encoding = models.CharField(
        _("encoding"), max_length=10, choices=StatementEncoding.choices, blank=True, default=""
    )
    skip_rows = models.PositiveSmallIntegerField(
        _("lines before the header"),
        default=0,
        validators=[MaxValueValidator(50)],
        help_text=_("The bank's preamble (account, period); the header may also come later."),
    )
    reference_column = models.CharField(_("reference column"), max_length=60, blank=True)
    account_column = models.CharField(_("account column"), max_length=60, blank=True)
    amount_column = models.CharField(
        _("amount column"),
        max_length=60,
        blank=True,
        help_text=_("One signed amount; or leave empty and name the debit and credit columns."),
    )
    debit_column = models.CharField(_("debit column"), max_length=60, blank=True)
    credit_column = models.CharField(_("credit column"), max_length=60, blank=True)
    date_column = models.CharField(_("date column"), max_length=60, blank=True)
    description_column = models.CharField(_("description column"), max_length=60, blank=True)
    reference_pattern = models.CharField(
        _("reference in the description"),
        max_length=200,
        blank=True,
        help_text=_(
            "A regular expression: the reference is its first match in the description (its "
            "first group, if it has one). Lines without a match are skipped."
        ),
    )
    account_pattern = models.CharField(_("account in the description"), max_length=200, blank=True)
    date_style = models.CharField(
        _("date style"), max_length=5, choices=DateStyle.choices, default=DateStyle.DMY
    )
    amount_style = models.CharField(
        _("amount style"), max_length=5, choices=AmountStyle.choices, default=AmountStyle.INDONESIAN
    )
    direction = models.CharField(
        _("lines read"),
        max_length=6,
        choices=StatementDirection.choices,
        default=StatementDirection.DEBIT,
    )
    active = models.BooleanField(_("active"), default=True)
    builtin = models.BooleanField(_("shipped with Sinergi"), default=False, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bank statement profile")
        verbose_name_plural = _("bank statement profiles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label or self.name

    def layout(self) -> Layout:
        return Layout(
            name=self.name,
            kind=self.kind,
            delimiter=self.delimiter or ",",
            encoding=self.encoding,
            skip_rows=self.skip_rows,
            reference=self.reference_column,
            account=self.account_column,
            amount=self.amount_column,
            debit=self.debit_column,
            credit=self.credit_column,
            date=self.date_column,
            description=self.description_column,
            reference_pattern=self.reference_pattern,
            account_pattern=self.account_pattern,
            date_style=self.date_style,
            amount_style=self.amount_style,
            direction=self.direction,
        )

    def clean(self) -> None:
        problems = self.layout().problems()
        if problems:
            raise ValidationError(
                {_FIELD_OF.get(f, f): _problem_text(code) for f, code in problems}
            )


# Layout field -> model field, for the admin's errors.
_FIELD_OF = {
    "reference": "reference_column",
    "account": "account_column",
    "amount": "amount_column",
    "debit": "debit_column",
    "credit": "credit_column",
    "date": "date_column",
    "description": "description_column",
}


def _problem_text(code: str) -> str:
    texts = {
        "required": _("Name the column that holds the date."),
        "amount_or_debit_credit": _(
            "Name either one amount column, or the debit and credit columns — not both."
        ),
        "debit_and_credit": _("Name both the debit and the credit column."),
        "reference_source": _(
            "Name the reference column, or the description column with a reference pattern."
        ),
        "pattern_needs_description": _("A pattern reads the description: name its column."),
        "column_twice": _("One column is named for two things."),
        "bad_pattern": _("This is not a valid regular expression (or it is too long)."),
        "delimiter": _("The separator is one character, such as , or ;"),
        "encoding": _("Unknown encoding."),
    }
    return str(texts.get(code, _("Not valid.")))
