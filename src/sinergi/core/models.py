"""Cross-cutting models: the audit trail and the base every domain model builds on."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sinergi.core import job_kinds
from sinergi.core.scoping import ScopedQuerySet

if TYPE_CHECKING:
    from sinergi.core.events import EventType


class TimeStampedModel(models.Model):
    """Creation and update times on every domain row."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditEventQuerySet(ScopedQuerySet["AuditEvent"]):
    # An auditor of a province reads her province's trail; national readers also the events
    # with no area (sign-ins, configuration).
    scope_field = "area_code"


class AuditEvent(models.Model):
    """One thing that happened: a change made by a service, or personal data revealed or exported.

    Written by services in the same transaction as the change, so an event exists exactly when
    the change does. ``area_code`` lets auditors of a province read only their province's trail.
    Row history (django-simple-history) answers "what did this field hold before"; this table
    answers "who did what, when, where and why" across every model.
    """

    occurred_at = models.DateTimeField(_("occurred at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    event_type = models.CharField(_("event type"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    area_code = models.CharField(_("area code"), max_length=13, blank=True, db_index=True)
    request_id = models.CharField(_("request id"), max_length=32, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.event_type} {self.object_repr}"

    @property
    def label(self) -> str:
        """The event in words, in the active language (see ``core.events``)."""
        from sinergi.core.events import label_of

        return label_of(self.event_type)

    @property
    def changes(self) -> dict[str, list[Any]]:
        """``{field: [old, new]}`` recorded with a state change (empty for other events)."""
        value = (self.data or {}).get("changes")
        return value if isinstance(value, dict) else {}

    # set by ``name_related`` (an annotation only: no class attribute, so hasattr tells)
    _related_names: dict[tuple[Any, str], str]

    def _changed_fields(self) -> list[tuple[str, Any, Any, Any]]:
        """``[(name, model field or None, old, new)]``: a field the model no longer has (or a
        change on no model) comes with None."""
        from django.apps import apps
        from django.core.exceptions import FieldDoesNotExist

        # The row whose fields changed (a membership of the group the event is about, say).
        source = (self.data or {}).get("changes_of") or self.object_type
        try:
            model: Any = apps.get_model(source) if source else None
        except (LookupError, ValueError):
            model = None
        out = []
        for name, pair in self.changes.items():
            old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            field = None
            if model is not None:
                try:
                    field = model._meta.get_field(name)
                except FieldDoesNotExist:
                    field = None
            out.append((name, field, old, new))
        return out

    @staticmethod
    def _label(name: str, field: Any) -> str:
        from django.utils.text import capfirst

        return capfirst(str(getattr(field, "verbose_name", name))) if field is not None else name

    @property
    def change_labels(self) -> list[str]:
        """The changed fields by their names in the active language (no query)."""
        return [self._label(name, field) for name, field, _old, _new in self._changed_fields()]

    @staticmethod
    def name_related(events: Iterable[AuditEvent]) -> None:
        """Name the rows a page of events refers to by id (a group, a user) for
        ``change_rows``: one query per related model for the page, not one per event."""
        events = list(events)
        wanted: dict[Any, set[Any]] = defaultdict(set)
        for event in events:
            for _name, field, old, new in event._changed_fields():
                if field is not None and field.is_relation and field.related_model is not None:
                    wanted[field.related_model].update(v for v in (old, new) if v is not None)
        names: dict[tuple[Any, str], str] = {}
        for model, pks in wanted.items():
            for row in model._default_manager.filter(pk__in=pks):
                names[(model, str(row.pk))] = str(row)
        for event in events:
            event._related_names = names

    @property
    def change_rows(self) -> list[tuple[str, str, str]]:
        """``[(field label, old, new)]`` in words: the changed fields by their names in the
        active language, choice values by their labels and related rows by their names (a
        field the model no longer has shows as recorded). A page of events is named at once
        by ``name_related``; an event alone names its own rows (one query)."""
        if not hasattr(self, "_related_names"):
            AuditEvent.name_related([self])
        rows = []
        for name, field, old, new in self._changed_fields():
            choices: dict[str, str] = {}
            kind = ""
            if field is not None:
                choices = {str(k): str(v) for k, v in (field.flatchoices or [])}
                kind = field.get_internal_type()
                if field.is_relation and field.related_model is not None:
                    choices = {
                        pk: shown
                        for (model, pk), shown in self._related_names.items()
                        if model is field.related_model
                    }
            label = self._label(name, field)
            rows.append((label, _shown(old, choices, kind), _shown(new, choices, kind)))
        return rows

    @classmethod
    def record(
        cls,
        event_type: EventType | str,
        *,
        actor: Any = None,
        obj: models.Model | None = None,
        area_code: str = "",
        reason: str = "",
        data: dict[str, Any] | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> AuditEvent:
        """Write one event. ``before``/``after`` (e.g. ``events.snapshot(obj, "status")`` taken
        before and after the change) are kept as ``data["changes"]``: ``{field: [old, new]}``.
        Pass the ``EventType`` declared in the app's ``events`` module (tests/core/test_layers.py
        refuses a bare string)."""
        from sinergi.core.events import diff, publish, registered
        from sinergi.core.middleware import current_request_id

        code = event_type if isinstance(event_type, str) else event_type.code
        if registered(code) is None:
            # A misspelt or undeclared event would be a row nobody can find by its label.
            raise ValueError(f"audit event type {code!r} is not declared in an events module")
        payload = dict(data or {})
        if before is not None or after is not None:
            payload["changes"] = diff(before or {}, after or {})
            described = getattr(before, "model_label", "") or getattr(after, "model_label", "")
            if described and (obj is None or described != obj._meta.label_lower):
                payload["changes_of"] = described
        event = cls.objects.create(
            event_type=code,
            actor=actor if getattr(actor, "pk", None) else None,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            object_repr=str(obj)[:200] if obj is not None else "",
            area_code=area_code,
            request_id=current_request_id() or "",
            reason=reason,
            data=payload,
        )
        # Subscribers (core.events.subscribe) hear of it once the transaction commits.
        publish(event)
        return event


def _shown(value: Any, choices: dict[str, str], kind: str = "") -> str:
    """A recorded value as a person reads it: a choice by its label, a date or time in the
    active language's format (the trail stores them as ISO text)."""
    import datetime

    from django.utils import formats, timezone

    if value is None or value == "":
        return "—"
    if kind in {"DateTimeField", "DateField"} and isinstance(value, str):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if kind == "DateField":
            return str(formats.date_format(moment.date(), "SHORT_DATE_FORMAT"))
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return str(formats.date_format(moment, "SHORT_DATETIME_FORMAT"))
    return choices.get(str(value), str(value))


class FormSubmission(models.Model):
    """A one-time form token already used (``core.forms.submit_once``).

    The row is written in the same transaction as the form's own change, under a unique key: a
    second POST with the same token (double click, browser resubmit, a retry over a bad network)
    waits for the first and then finds where it went instead of creating twice.
    """

    token = models.CharField(_("token"), max_length=64, primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    result_url = models.CharField(_("result address"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self) -> str:
        return f"{self.token[:8]}… → {self.result_url}"


# --- Background jobs (core.jobs) -------------------------------------------------------------
# One table for every piece of work a person waits for: imports, exports, figure refreshes and
# matching runs. Kinds are declared by the apps (``<app>/jobs.py``), so ``core`` names none.


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for a worker")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


JOB_OPEN = (JobStatus.QUEUED, JobStatus.RUNNING)


class JobQuerySet(ScopedQuerySet["Job"]):
    scope_field = "area_code"


class Job(models.Model):
    """One background job: what it is, how far it got, how it ended, and its file if any.

    ``error`` is the sentence a person reads (no traceback, no personal data: the traceback
    goes to the log); ``params`` and ``result`` hold codes and counts, never personal data.
    The result file lives in the default storage (``STORAGES["default"]``), so a web machine
    and a worker machine see the same file.
    """

    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    error = models.TextField(_("error"), blank=True)
    result_file = models.FileField(_("result file"), upload_to="jobs/", blank=True, max_length=300)
    result_name = models.CharField(_("file name"), max_length=200, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    area_code = models.CharField(_("area code"), max_length=13, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.status}"

    @property
    def kind_label(self) -> str:
        return job_kinds.label_of(self.kind)

    @property
    def is_open(self) -> bool:
        return self.status in JOB_OPEN

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(99, round(100 * self.progress_done / self.progress_total))


class LocalizedName:
    """A code-list row (business type, product category) named in both languages.

    ``name`` is the Indonesian name every office knows; ``name_en`` is shown to people who
    chose English, and an empty one falls back to ``name``, so an office may add a row in
    Indonesian only.
    """

    name: str
    name_en: str

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class IdempotencyKey(models.Model):
    """A write sent with an idempotency key, and the answer it got (``core.idempotency``).

    The offline app sends its queued forms again until it hears back, and integrators retry
    after a lost answer: the row is claimed (unique per user and key) in its own transaction
    before the view runs, so a second request with the key finds it and gets the first answer
    instead of doing the work twice. ``status`` is empty while the first request runs. The kept
    body is encrypted (it may be a revealed NIK) and the row is deleted after
    ``SINERGI_IDEMPOTENCY_DAYS``.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.CharField(_("key"), max_length=100)
    # SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    started_at = models.DateTimeField(_("started at"))
    status = models.PositiveSmallIntegerField(_("answer status"), null=True, blank=True)
    # The headers a replay repeats (content type, Location, htmx redirects); never cookies.
    headers = models.JSONField(_("answer headers"), default=dict, blank=True)
    # core.crypto ciphertext of the base64 body; empty when the body was not kept (too large,
    # a file, marked no-store): the replay then says so.
    body_cipher = models.TextField(_("answer body (encrypted)"), blank=True)
    body_kept = models.BooleanField(_("answer body kept"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} {self.method} {self.path} → {self.status or '…'}"
