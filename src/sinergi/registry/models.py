"""Households (KK) and persons (NIK), their legal basis and consent, imports and duplicates.

NIK and KK numbers are stored three ways, none of them plain: AES-GCM ciphertext (to reveal to
a role allowed to see it, logged), a keyed HMAC (exact lookups, uniqueness) and a mask
(``3273••••••••0001``) for every screen, file and log line.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sinergi.core.models import TimeStampedModel
from sinergi.core.scoping import ScopedQuerySet, area_q, user_area


class Sex(models.TextChoices):
    MALE = "L", _("Male")
    FEMALE = "P", _("Female")


class Relation(models.TextChoices):
    HEAD = "kepala", _("Head of family")
    WIFE = "istri", _("Wife")
    HUSBAND = "suami", _("Husband")
    CHILD = "anak", _("Child")
    PARENT = "orang_tua", _("Parent")
    OTHER = "lainnya", _("Other")


class DataCategory(models.TextChoices):
    IDENTITY = "identity", _("Identity numbers (NIK, KK)")
    DEMOGRAPHIC = "demographic", _("Name, sex, birth, family relation")
    CONTACT = "contact", _("Address and phone")
    WELFARE = "welfare", _("Welfare decile")
    PHOTO = "photo", _("Photographs of people")


class ConsentPurpose(models.TextChoices):
    """Purposes whose legal basis may be consent (``LegalBasis`` says, per purpose)."""

    MENTORING_PHOTO = "mentoring_photo", _("Photos of the person in mentoring sessions")
    OFFICER_PHONE = (
        "officer_phone",
        _("Sharing the person's phone number, as a group officer, with buyers and mentors"),
    )


# The data category each consent purpose processes (the legal basis is recorded per category,
# and may be narrowed to one purpose).
PURPOSE_CATEGORY = {
    ConsentPurpose.MENTORING_PHOTO: "photo",
    ConsentPurpose.OFFICER_PHONE: "contact",
}


class LegalBasisKind(models.TextChoices):
    CONSENT = "consent", _("Consent")
    CONTRACT = "contract", _("Contract")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
    VITAL_INTEREST = "vital_interest", _("Vital interest")
    PUBLIC_TASK = "public_task", _("Public task")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")


class LegalBasis(models.Model):
    """Why Sinergi may process a category of personal data (UU PDP Art. 20), from a date."""

    category = models.CharField(_("data category"), max_length=20, choices=DataCategory.choices)
    # Empty: the basis of every use of the category; a purpose: the basis of that use only
    # (sharing a phone number with partners may need consent where the office's own use does not).
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=ConsentPurpose.choices, blank=True, default=""
    )
    basis = models.CharField(_("legal basis"), max_length=24, choices=LegalBasisKind.choices)
    reference = models.CharField(_("legal reference"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")
        ordering = ["category", "purpose", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "purpose", "valid_from"], name="legal_basis_once_per_purpose"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.get_basis_display()}"


class HouseholdQuerySet(ScopedQuerySet["Household"]):
    scope_field = "area_code"
    scope_by_range = True


class Household(TimeStampedModel):
    """A family card (KK): its number, village, address and welfare decile with its date."""

    kk_cipher = models.TextField(editable=False)
    kk_hash = models.CharField(max_length=32, unique=True, editable=False)
    kk_mask = models.CharField(_("KK number"), max_length=16, editable=False)
    village = models.ForeignKey(
        "wilayah.Region", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    area_code = models.CharField(_("area code"), max_length=13, db_index=True, editable=False)
    address = models.CharField(_("address"), max_length=255, blank=True)
    desil = models.PositiveSmallIntegerField(_("welfare decile"), null=True, blank=True)
    desil_date = models.DateField(_("decile snapshot date"), null=True, blank=True)
    # Set when the household's graduation is confirmed (services.household_graduated, called by
    # monitoring's decision): kept here so the household says it without asking monitoring.
    graduated_on = models.DateField(_("graduated on"), null=True, blank=True, editable=False)
    graduated_from = models.CharField(
        _("graduated from group"), max_length=150, blank=True, editable=False, db_default=""
    )
    graduation_reason = models.CharField(
        _("graduation note"), max_length=300, blank=True, editable=False, db_default=""
    )
    history = HistoricalRecords(excluded_fields=["kk_cipher"])
    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["area_code", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(desil__isnull=True) | models.Q(desil__gte=1, desil__lte=10),
                name="household_desil_1_10",
            )
        ]

    def __str__(self) -> str:
        return f"KK {self.kk_mask}"


class PersonQuerySet(ScopedQuerySet["Person"]):
    scope_field = "area_code"
    scope_by_range = True

    def active(self) -> PersonQuerySet:
        return self.filter(merged_into__isnull=True)


class Person(TimeStampedModel):
    """A member of a household, identified by NIK."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="members"
    )
    nik_cipher = models.TextField(editable=False)
    nik_hash = models.CharField(max_length=32, unique=True, editable=False)
    nik_mask = models.CharField(_("NIK"), max_length=16, editable=False)
    # A keyed hash of the NIK's first 12 digits (region and birth date), so the duplicate check
    # after an import finds a new person's NIK-prefix block by index without decrypting anyone.
    nik_prefix_key = models.CharField(max_length=16, blank=True, editable=False)
    name = models.CharField(_("name"), max_length=150)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_place = models.CharField(_("birth place"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"))
    relation = models.CharField(_("relation to the head"), max_length=12, choices=Relation.choices)
    is_head = models.BooleanField(_("head of family or main earner"), default=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    area_code = models.CharField(_("area code"), max_length=13, db_index=True, editable=False)
    source_id = models.CharField(_("source id"), max_length=64, blank=True)
    # NULL for persons entered by hand: unique only among imported rows.
    import_key = models.CharField(max_length=40, unique=True, null=True, editable=False)  # noqa: DJ001
    flags = models.JSONField(_("flags"), default=list, blank=True)
    merged_into = models.ForeignKey(
        "self",
        db_index=False,  # almost always empty: the partial index below serves the rare look-up
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
    )
    history = HistoricalRecords(excluded_fields=["nik_cipher"])
    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["area_code", "household_id", "id"]
        indexes = [
            models.Index(
                fields=["merged_into"],
                name="person_merged_into",
                condition=models.Q(merged_into__isnull=False),
            ),
            # The duplicate check's blocks: one birth date within a district (a range of codes),
            # and one NIK prefix.
            models.Index(fields=["birth_date", "area_code"], name="person_birth_area"),
            models.Index(fields=["nik_prefix_key"], name="person_nik_prefix"),
        ]
        permissions = [
            ("reveal_identifier", _("Can reveal NIK and KK numbers")),
            ("export_person", _("Can export persons")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.nik_mask})"


class ConsentGiver(models.TextChoices):
    SELF = "self", _("The person")
    GUARDIAN = "guardian", _("Parent or guardian")


class ConsentRecordQuerySet(ScopedQuerySet["ConsentRecord"]):
    """A consent is seen where its person is."""

    scope_field = "person__area_code"

    def current(self) -> ConsentRecordQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class ConsentRecord(models.Model):
    """Consent given (or withdrawn) by a person for a purpose, where consent is the basis.

    Versioned by row: a new consent is a new row, a withdrawal stamps ``withdrawn_at`` (and the
    row history keeps every change). A child's consent is given by a parent or guardian."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="consents"
    )
    category = models.CharField(_("data category"), max_length=20, choices=DataCategory.choices)
    purpose = models.CharField(_("purpose"), max_length=200, choices=ConsentPurpose.choices)
    notice_version = models.CharField(_("notice version"), max_length=20)
    given_at = models.DateTimeField(_("given at"))
    given_by = models.CharField(
        _("given by"), max_length=10, choices=ConsentGiver.choices, default=ConsentGiver.SELF
    )
    guardian_name = models.CharField(_("guardian's name"), max_length=150, blank=True)
    guardian = models.ForeignKey(
        Person,
        verbose_name=_("guardian in the registry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawal_note = models.CharField(_("withdrawal note"), max_length=200, blank=True)
    evidence = models.CharField(_("evidence"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()
    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-given_at"]
        indexes = [models.Index(fields=["person", "purpose"], name="consent_person_purpose")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.category} {self.purpose}"


class AccessPurpose(models.TextChoices):
    """Why a person's or household's data was read: the page or call that showed it."""

    HOUSEHOLD_PAGE = "household_page", _("Household page")
    PERSON_PAGE = "person_page", _("Person page")
    PERSON_EDIT = "person_edit", _("Person edit form")
    HOUSEHOLD_EDIT = "household_edit", _("Household edit form")
    DUPLICATE_REVIEW = "duplicate_review", _("Duplicate review")
    API_HOUSEHOLD = "api_household", _("API: household detail")
    NUMBER_SEARCH = "number_search", _("Search by full NIK or KK number")
    REVEAL_NIK = "reveal_nik", _("Full NIK shown")
    REVEAL_KK = "reveal_kk", _("Full KK number shown")
    EXPORT = "export", _("Export of personal data")
    ACCESS_FILE = "access_file", _("Data-subject access file")


class AccessLogQuerySet(ScopedQuerySet["AccessLog"]):
    """Access rows are seen, in their area, by who may read the access log."""

    scope_field = "area_code"


class AccessLog(models.Model):
    """One read of personal data: who, when, which household or person, and why.

    Written with one INSERT by the page or call that read (``registry.access_log``); never
    changed. High volume: its own table, indexed for "who read this household/person" and
    "what did this user read", both newest first. Exports name what and how many rows.
    """

    at = models.DateTimeField(_("when"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # (user, at) below
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # (household, at) below
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # (person, at) below
    )
    area_code = models.CharField(_("area code"), max_length=13, blank=True)
    purpose = models.CharField(_("purpose"), max_length=20, choices=AccessPurpose.choices)
    reason = models.CharField(_("reason given"), max_length=200, blank=True)
    what = models.CharField(_("what was exported"), max_length=80, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=1)
    request_id = models.CharField(_("request id"), max_length=32, blank=True)
    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["household", "-at"], name="access_household_at"),
            models.Index(fields=["person", "-at"], name="access_person_at"),
            models.Index(fields=["user", "-at"], name="access_user_at"),
            models.Index(fields=["area_code", "-at"], name="access_area_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.purpose}"


class ImportStatus(models.TextChoices):
    # Uploaded in a layout Sinergi does not know yet: waits for the officer to map its columns.
    MAPPING = "mapping", _("Waiting for column mapping")
    QUEUED = "queued", _("Queued")
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked")
    COMMITTING = "committing", _("Saving")
    COMMITTED = "committed", _("Saved")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class ImportBatchQuerySet(ScopedQuerySet["ImportBatch"]):
    scope_field = "area_code"


class ImportBatch(TimeStampedModel):
    """One uploaded file: checked row by row, then committed in batches, resumable."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file_name = models.CharField(_("file name"), max_length=200)
    # The sealed (encrypted) upload in the default storage; empty once it is deleted.
    file_path = models.CharField(max_length=500, editable=False)
    file_sha256 = models.CharField(max_length=64, db_index=True, editable=False)
    file_size = models.BigIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    area_code = models.CharField(_("area code"), max_length=13, blank=True, db_index=True)
    all_or_nothing = models.BooleanField(_("all or nothing"), default=False)
    # The layout the file is read in: the profile's name when chosen, and a copy of its
    # mapping (registry.mapping.Spec) taken at upload, so a profile changed or deleted later
    # does not change how a running import reads its file. Empty: Sinergi's own format.
    profile_name = models.CharField(_("file layout"), max_length=60, blank=True)
    mapping = models.JSONField(default=dict, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    file_error = models.CharField(_("file error"), max_length=300, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_valid = models.PositiveIntegerField(_("valid rows"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rejected rows"), default=0)
    rows_duplicate = models.PositiveIntegerField(_("duplicate rows"), default=0)
    rows_committed = models.PositiveIntegerField(_("saved rows"), default=0)
    rows_skipped = models.PositiveIntegerField(_("already saved"), default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    rejected_by_reason = models.JSONField(default=dict, blank=True)
    # The lease of the run in progress: which run holds it, what it does, when it last beat.
    step = models.CharField(max_length=8, blank=True, editable=False, db_column="job")
    run_token = models.CharField(max_length=32, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    resumes = models.PositiveSmallIntegerField(default=0, editable=False)
    # Its core.Job: status, progress and error as every other background job shows them.
    job = models.OneToOneField(
        "core.Job",
        verbose_name=_("job"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_batch",
        editable=False,
    )
    # Its status and progress are copied onto ``job`` by the import pipeline's one write
    # (``registry.imports._write``), never by ``save()``.
    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status in (ImportStatus.CHECKED, ImportStatus.COMMITTED) else 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class DateStyle(models.TextChoices):
    AUTO = "auto", _("Recognise (YYYY-MM-DD, DD-MM-YYYY, DD/MM/YYYY, Excel day numbers)")
    DMY = "dmy", _("Day first: DD-MM-YYYY, DD/MM/YYYY, DD.MM.YYYY")
    YMD = "ymd", _("Year first: YYYY-MM-DD, YYYY/MM/DD")
    MDY = "mdy", _("Month first: MM/DD/YYYY")
    EXCEL = "excel", _("Excel day numbers")


class ImportProfileQuerySet(ScopedQuerySet["ImportProfile"]):
    """A layout is seen by who may import in its office's area; the selector adds the
    layouts of the offices above (a province's layout serves its regencies)."""

    scope_field = "area_code"
    # Who may import may keep layouts for it: roles hold one permission per thing they work on.
    permission_model = "registry.importbatch"


class ImportProfile(TimeStampedModel):
    """A file layout an office has mapped once (its columns to Sinergi's fields, its codes to
    Sinergi's values), so the next file in the same layout imports without mapping.

    The built-in layouts (Sinergi's own, DTSEN/SIKS-NG, KoboToolbox) are data shipped with the
    code (``registry/data/import_profiles.json``), not rows: they cannot be changed, only
    copied.
    """

    name = models.CharField(_("name"), max_length=60)
    area_code = models.CharField(_("office area"), max_length=13, blank=True, db_index=True)
    # File column (as its header says) -> field (registry.mapping.TARGETS).
    columns = models.JSONField(_("columns"), default=dict)
    # Field -> {value in the file: value Sinergi reads}, for sex, relation and the head flag.
    value_maps = models.JSONField(_("coded values"), default=dict, blank=True)
    date_style = models.CharField(
        _("date style"), max_length=8, choices=DateStyle.choices, default=DateStyle.AUTO
    )
    header_row = models.PositiveSmallIntegerField(_("header row"), default=1)
    # The whole header of the file it was made from: a later file with it is recognised.
    header = models.JSONField(default=list, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    objects = ImportProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("import layout")
        verbose_name_plural = _("import layouts")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["area_code", "name"], name="import_profile_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class ChunkStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Saving")
    DONE = "done", _("Saved")
    FAILED = "failed", _("Failed")


class ImportChunkQuerySet(ScopedQuerySet["ImportChunk"]):
    """A chunk is seen by who may see its batch, in its batch's area."""

    scope_field = "batch__area_code"

    def for_user(
        self, user: Any, action: str = "view", *, permission: str = ""
    ) -> ScopedQuerySet[ImportChunk]:
        return super().for_user(
            user, action, permission=permission or f"registry.{action}_importbatch"
        )


class ImportChunk(models.Model):
    """One task's share of saving a batch: the good rows from ``first_row`` to ``last_row``,
    kept sealed beside the upload, committed by whichever worker claims it (its own lease)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    first_row = models.PositiveIntegerField()
    last_row = models.PositiveIntegerField()
    rows = models.PositiveIntegerField(default=0)
    # Rows of the piece already committed: a retried chunk starts after them.
    rows_done = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=8, choices=ChunkStatus.choices, default=ChunkStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    run_token = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=80, blank=True)  # host:pid of the last run
    objects = ImportChunkQuerySet.as_manager()

    class Meta:
        ordering = ["batch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="import_chunk_unique")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}#{self.number} ({self.status})"


class DeferredIndex(models.Model):
    """A secondary index of the person or household table that a first load left out, with
    the statement that builds it again (``registry.deferred_indexes``; PostgreSQL only). A row
    exists exactly while its index is missing: written in the transaction that drops the
    index, deleted in the one that builds it."""

    name = models.CharField(max_length=63, primary_key=True)  # PostgreSQL's name limit
    table_name = models.CharField(max_length=63)
    definition = models.TextField()  # pg_get_indexdef, as the migrations left it
    batch_id = models.CharField(max_length=40, blank=True)
    deferred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "registry_deferred_index"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ImportIssueQuerySet(ScopedQuerySet["ImportIssue"]):
    """An issue is seen by who may see its batch, in its batch's area."""

    scope_field = "batch__area_code"

    def for_user(
        self, user: Any, action: str = "view", *, permission: str = ""
    ) -> ScopedQuerySet[ImportIssue]:
        return super().for_user(
            user, action, permission=permission or f"registry.{action}_importbatch"
        )


class ImportIssue(models.Model):
    """A problem in one cell of an uploaded row (or a warning); values are masked."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="issues")
    row_number = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=40)
    code = models.CharField(_("problem"), max_length=40)
    value = models.CharField(_("value"), max_length=60, blank=True)
    is_warning = models.BooleanField(default=False)
    objects = ImportIssueQuerySet.as_manager()

    class Meta:
        ordering = ["row_number", "id"]
        indexes = [models.Index(fields=["batch", "row_number"])]

    def __str__(self) -> str:
        return f"{self.row_number}:{self.column} {self.code}"


class DuplicateStatus(models.TextChoices):
    PENDING = "pending", _("To review")
    MERGED = "merged", _("Merged")
    REJECTED = "rejected", _("Not the same person")


class DuplicateCandidateQuerySet(ScopedQuerySet["DuplicateCandidate"]):
    """A pair is in an area when both its persons are: a merge changes both records, so who
    sees only one of them may not judge the pair. The pair's own ``area_code`` is where it was
    found and goes stale when a household moves; the persons' codes follow their household."""

    scope_field = "person_a__area_code"

    def for_user(
        self, user: Any, action: str = "view", *, permission: str = ""
    ) -> ScopedQuerySet[DuplicateCandidate]:
        qs = super().for_user(user, action, permission=permission)
        return qs.filter(area_q("person_b__area_code", user_area(user)))


class DuplicateCandidate(TimeStampedModel):
    """Two persons that may be one; an officer merges them or says they are two."""

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    reason = models.CharField(_("reason"), max_length=40)
    area_code = models.CharField(max_length=13, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()
    objects = DuplicateCandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="duplicate_pair_once")
        ]
        # The task inbox reads the pending pairs oldest first (core.inbox, registry/inbox.py).
        indexes = [
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(status="pending"),
                name="duplicate_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id}~{self.person_b_id} {self.score:.2f}"
