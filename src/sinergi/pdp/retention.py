"""The nightly retention task: what has passed its category's period is deleted or anonymised,
and the run is a ``core.Job`` (kind ``pdp.retention``) whose result says what it did.

Categories (``RetentionCategory``), each with the rule in force today (``RetentionRule``):
export and access files (deleted with their job rows), import files' problem reports (deleted;
the sealed upload itself goes after ``SINERGI_IMPORT_KEEP_HOURS``), the read log of personal
data (when the registry has one), persons of households that graduated longer ago than the
period (anonymised, each in its own transaction, unless a legal hold applies), and closed
data-subject requests (deleted). Aid records are a *hold*: they block erasure, never deleted.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from sinergi.core import jobs
from sinergi.core.models import JOB_OPEN, AuditEvent, Job, JobStatus
from sinergi.core.tasks import recordable_failure
from sinergi.pdp import events
from sinergi.pdp.erasure import ERASED_FLAG, anonymise, is_erased, legal_holds, sweep
from sinergi.pdp.jobs import RETENTION
from sinergi.pdp.models import (
    DataSubjectRequest,
    RequestStatus,
    RetentionAction,
    RetentionCategory,
    RetentionRule,
)

logger = logging.getLogger(__name__)

EXPORT_KINDS = ("monitoring.export", "pdp.access")
# At most this many persons are anonymised a night: a large backlog drains over several nights
# instead of holding the database for hours.
PERSONS_PER_RUN = 1000
BATCH = 100


def _cutoff(rule: RetentionRule, now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(days=rule.days)


def _exports(rule: RetentionRule, now: datetime.datetime) -> int:
    old = Job.objects.filter(kind__in=EXPORT_KINDS, created_at__lt=_cutoff(rule, now)).exclude(
        status__in=JOB_OPEN
    )
    count = 0
    for job in old:
        jobs.delete_result(job)
        pdf = str((job.result or {}).get("pdf", ""))
        if pdf:
            from django.core.files.storage import default_storage

            if default_storage.exists(pdf):
                default_storage.delete(pdf)
        count += 1
    old.delete()
    return count


def _imports(rule: RetentionRule, now: datetime.datetime) -> int:
    from sinergi.registry.models import ImportIssue

    done, _rows = ImportIssue.objects.filter(
        batch__created_at__lt=_cutoff(rule, now),
        batch__status__in=["committed", "cancelled", "failed"],
    ).delete()
    return done


def _access_log(rule: RetentionRule, now: datetime.datetime) -> int:
    from sinergi.pdp.access import _read_log_model

    log = _read_log_model()
    if log is None:
        return 0
    fields = {f.name for f in log._meta.get_fields()}
    stamp = next((f for f in ("at", "occurred_at", "created_at", "read_at") if f in fields), None)
    if stamp is None:
        return 0
    done, _rows = log.objects.filter(**{f"{stamp}__lt": _cutoff(rule, now)}).delete()
    return int(done)


def _former_households(rule: RetentionRule, now: datetime.datetime) -> dict[str, int]:
    """Anonymise the persons of households that graduated longer ago than the period, in
    batches: each batch (its persons and one sweep of the other tables for their names and
    numbers) is one transaction, so an interrupted run leaves no one half-anonymised."""
    from sinergi.registry.models import Person

    day = (now - datetime.timedelta(days=rule.days)).date()
    ids = list(
        Person.objects.filter(household__graduated_on__lt=day)
        .order_by("pk")
        .values_list("pk", "flags")[: PERSONS_PER_RUN * 2]
    )
    todo = [pk for pk, flags in ids if ERASED_FLAG not in (flags or [])][:PERSONS_PER_RUN]
    done = held = 0
    for at in range(0, len(todo), BATCH):
        with transaction.atomic():
            needles: list[str] = []
            for person in Person.objects.select_for_update().filter(pk__in=todo[at : at + BATCH]):
                if is_erased(person):
                    continue
                if legal_holds(person, now.date()):
                    held += 1
                    continue
                anonymise(person, needles_out=needles)
                done += 1
            sweep(needles)
    return {"anonymised": done, "held": held}


def _requests(rule: RetentionRule, now: datetime.datetime) -> int:
    done, _rows = DataSubjectRequest.objects.filter(
        status__in=[RequestStatus.DONE, RequestStatus.REFUSED],
        closed_at__lt=_cutoff(rule, now),
    ).delete()
    return done


def apply(now: datetime.datetime | None = None) -> dict[str, Any]:
    """Apply every category's rule in force; returns what was done per category."""
    now = now or timezone.now()
    report: dict[str, Any] = {}
    for category in RetentionCategory.values:
        rule = RetentionRule.in_force(category, now.date())
        if rule is None or rule.action == RetentionAction.HOLD:
            report[category] = {"skipped": True}
            continue
        if category == RetentionCategory.EXPORT_FILES:
            report[category] = {"deleted": _exports(rule, now)}
        elif category == RetentionCategory.IMPORT_FILES:
            report[category] = {"deleted": _imports(rule, now)}
        elif category == RetentionCategory.ACCESS_LOG:
            report[category] = {"deleted": _access_log(rule, now)}
        elif category == RetentionCategory.FORMER_HOUSEHOLDS:
            report[category] = _former_households(rule, now)
        elif category == RetentionCategory.CLOSED_REQUESTS:
            report[category] = {"deleted": _requests(rule, now)}
        report[category]["days"] = rule.days
    return report


def start(*, actor: Any = None) -> Job:
    """Queue a run (the nightly task, or an officer's button)."""
    with transaction.atomic():
        return jobs.start(RETENTION.code, actor=actor)


def run_retention_job(job: Job) -> None:
    report = apply()
    with transaction.atomic():
        AuditEvent.record(events.RETENTION_RUN, actor=job.created_by, data={"report": report})
        jobs.succeed(job, result=report)


def run_now(*, actor: Any = None) -> Job:
    """Run at once in this process (the command line and the nightly cron)."""
    job = jobs.create(RETENTION.code, actor=actor, status=JobStatus.RUNNING)
    try:
        run_retention_job(job)
    except Exception:
        logger.exception("retention run %s failed", job.pk)
        jobs.fail(job, _("The retention task stopped on an internal error."))
        raise
    return job


@task()
@recordable_failure
def nightly_retention() -> int:
    """The nightly task (django_tasks): one run, recorded as a Job."""
    return int(run_now().pk)
