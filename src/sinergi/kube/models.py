"""KUBE (joint business groups): formation rules in force, groups, memberships, transitions."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sinergi.core.models import LocalizedName, TimeStampedModel
from sinergi.core.scoping import ScopedQuerySet
from sinergi.engines.eligibility import RuleSet

M = TypeVar("M", bound=models.Model)


class BusinessType(LocalizedName, models.Model):
    """A configurable code list (PENA's five types by default); mentors' sectors use it too."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("business type")
        verbose_name_plural = _("business types")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label


class FormationPolicy(models.Model):
    """The formation rules valid from a date; the newest one not in the future applies."""

    valid_from = models.DateField(_("valid from"), unique=True)
    min_members = models.PositiveSmallIntegerField(_("minimum members"), default=5)
    max_members = models.PositiveSmallIntegerField(_("maximum members"), default=20)
    max_desil = models.PositiveSmallIntegerField(_("highest decile allowed"), default=4)
    max_desil_age_days = models.PositiveIntegerField(
        _("oldest decile snapshot (days)"), default=365
    )
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=18)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), default=60)
    same_district = models.BooleanField(_("all members in one district"), default=True)
    allow_previously_aided = models.BooleanField(
        _("previously aided persons allowed"), default=False
    )
    note = models.CharField(_("source or decree"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("formation policy")
        verbose_name_plural = _("formation policies")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.valid_from:%Y-%m-%d}"

    def as_rules(self) -> RuleSet:
        return RuleSet(
            min_members=self.min_members,
            max_members=self.max_members,
            max_desil=self.max_desil,
            max_desil_age_days=self.max_desil_age_days,
            min_age=self.min_age,
            max_age=self.max_age,
            same_district=self.same_district,
            allow_previously_aided=self.allow_previously_aided,
        )

    @classmethod
    def on(cls, day: date) -> RuleSet:
        policy = cls.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
        return policy.as_rules() if policy else RuleSet()


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VERIFIED = "verified", _("Verified")
    ACTIVE = "active", _("Active")
    GRADUATED = "graduated", _("Graduated")
    DISSOLVED = "dissolved", _("Dissolved")


class KubeClass(models.TextChoices):
    """The class the monitoring rubric gives an active group (blank until first classified)."""

    TUMBUH = "tumbuh", _("Tumbuh (growing)")
    BERKEMBANG = "berkembang", _("Berkembang (developing)")
    MAJU = "maju", _("Maju (advanced)")


class KubeQuerySet(ScopedQuerySet["Kube"]):
    scope_field = "area_code"
    scope_by_range = True
    kube_field = "pk"
    mentor_field = "mentor_assignments__mentor"
    mentor_conditions = {"mentor_assignments__status": "accepted"}


class GroupRecordQuerySet(ScopedQuerySet[M]):
    """Rows that belong to one group: its area, its own officers and its current mentor see them.

    A mentor sees a group's records only while her assignment is accepted.
    """

    scope_field = "kube__area_code"
    scope_by_range = True  # the group's code, collated "C" (kube 0005)
    kube_field = "kube"
    mentor_field = "kube__mentor_assignments__mentor"
    mentor_conditions = {"kube__mentor_assignments__status": "accepted"}


class Kube(TimeStampedModel):
    """A joint business group of 5-20 poor households in one district."""

    name = models.CharField(_("name"), max_length=150)
    business_type = models.ForeignKey(
        BusinessType, verbose_name=_("business type"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        "wilayah.Region", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    area_code = models.CharField(_("area code"), max_length=13, db_index=True, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    klass = models.CharField(
        _("class"), max_length=12, choices=KubeClass.choices, blank=True, editable=False
    )
    bank_name = models.CharField(_("bank"), max_length=80, blank=True)
    bank_account = models.CharField(_("account number"), max_length=30, blank=True)
    bank_account_holder = models.CharField(_("account holder"), max_length=150, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()
    objects = KubeQuerySet.as_manager()

    class Meta:
        verbose_name = _("KUBE")
        verbose_name_plural = _("KUBE")
        ordering = ["area_code", "name"]
        permissions = [
            ("submit_kube", _("Can submit a KUBE for verification")),
            ("verify_kube", _("Can verify a KUBE")),
            ("activate_kube", _("Can activate a KUBE")),
            ("close_kube", _("Can graduate or dissolve a KUBE")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def business_type_code(self) -> str:
        return self.business_type.code


class OfficerRole(models.TextChoices):
    KETUA = "ketua", _("Chair (ketua)")
    SEKRETARIS = "sekretaris", _("Secretary (sekretaris)")
    BENDAHARA = "bendahara", _("Treasurer (bendahara)")
    ANGGOTA = "anggota", _("Member")


class MembershipQuerySet(GroupRecordQuerySet["Membership"]):
    # Guarded by the group's permissions: who may view (change) the group, its members.
    permission_model = "kube.kube"


class Membership(models.Model):
    """A person's time in a group; ending it keeps the row (start, end, reason)."""

    kube = models.ForeignKey(Kube, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="kube_memberships"
    )
    role = models.CharField(
        _("role"), max_length=12, choices=OfficerRole.choices, default=OfficerRole.ANGGOTA
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)
    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["kube_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kube", "person"],
                condition=models.Q(end_date__isnull=True),
                name="membership_once_per_kube",
            ),
            models.UniqueConstraint(
                fields=["kube"],
                condition=models.Q(end_date__isnull=True, role="ketua"),
                name="membership_one_ketua",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kube_id}:{self.person_id} {self.role}"


class TransitionQuerySet(GroupRecordQuerySet["Transition"]):
    permission_model = "kube.kube"


class Transition(models.Model):
    """Who moved a group from one status to another, when and why."""

    kube = models.ForeignKey(Kube, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=Status.choices)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    objects = TransitionQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kube_id} {self.from_status}->{self.to_status}"


class IksPolicy(models.Model):
    """The share of profit a group pays into its solidarity fund (IKS), valid from a date.

    Stored in basis points (1000 = 10%) so the expected contribution stays integer rupiah.
    """

    valid_from = models.DateField(_("valid from"), unique=True)
    share_basis_points = models.PositiveIntegerField(
        _("share of profit (basis points)"), default=1000
    )

    class Meta:
        verbose_name = _("IKS policy")
        verbose_name_plural = _("IKS policies")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.valid_from:%Y-%m-%d}: {self.share_basis_points / 100:.2f}%"

    @classmethod
    def share_on(cls, day: date) -> int:
        policy = cls.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
        return policy.share_basis_points if policy else 1000


class IksKind(models.TextChoices):
    CONTRIBUTION = "contribution", _("Contribution")
    WITHDRAWAL = "withdrawal", _("Withdrawal")


class IksEntryQuerySet(GroupRecordQuerySet["IksEntry"]):
    # Its own permissions (kube.view_iksentry, kube.add_iksentry), in its group's scope.
    pass


class IksEntry(models.Model):
    """One line of a group's solidarity-fund ledger (integer rupiah)."""

    kube = models.ForeignKey(Kube, on_delete=models.PROTECT, related_name="iks_entries")
    day = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=IksKind.choices)
    amount = models.BigIntegerField(_("amount (Rp)"))
    profit = models.BigIntegerField(_("profit it is based on (Rp)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()
    objects = IksEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("IKS entry")
        verbose_name_plural = _("IKS entries")
        ordering = ["day", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="iks_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.kube_id} {self.day} {self.kind} {self.amount}"
