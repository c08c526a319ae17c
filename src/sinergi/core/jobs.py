"""Background jobs: start one, report its progress, finish or fail it, read it back.

Every piece of work a person waits for is one ``core.Job`` row (imports, exports, figure
refreshes, matching runs): one status, one progress, one error sentence, one result file in the
default storage. ``start`` creates the row and queues the work once the caller's transaction
commits, so a worker never looks for a row that is not there yet (or that a rollback removed).
The worker runs the kind's function (``JobKind.run``, named by its dotted path); whatever it
raises is logged with its traceback and the job is marked failed with a sentence a person can
act on. Apps that queue their own tasks (imports) report through :func:`sync`.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task

from sinergi.core import job_kinds
from sinergi.core.errors import DomainError
from sinergi.core.models import JOB_OPEN, Job, JobStatus
from sinergi.core.tasks import recordable_failure
from sinergi.core.text import storable

logger = logging.getLogger(__name__)

ERROR_MAX = 1000


class JobError(Exception):
    """A failure whose message is written for the person who started the job."""


# --- Writes ------------------------------------------------------------------------------------


def _actor_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def create(
    kind: str,
    *,
    actor: Any = None,
    area_code: str = "",
    params: dict[str, Any] | None = None,
    total: int = 0,
    status: str = JobStatus.QUEUED,
    done: int = 0,
    result: dict[str, Any] | None = None,
) -> Job:
    """The row alone, for work an app queues itself (``sync`` reports on it) or did already
    in the request (a matching run: ``status`` succeeded)."""
    job_kinds.get(kind)  # an undeclared kind is a programming error, raised here
    now = timezone.now()
    return Job.objects.create(
        kind=kind,
        status=status,
        created_by=_actor_or_none(actor),
        area_code=area_code or "",
        params=params or {},
        progress_total=total,
        progress_done=done,
        result=result or {},
        started_at=now if status != JobStatus.QUEUED else None,
        finished_at=now if status not in JOB_OPEN else None,
    )


def start(
    kind: str,
    *,
    actor: Any = None,
    area_code: str = "",
    params: dict[str, Any] | None = None,
    total: int = 0,
) -> Job:
    """Create the job and queue its work when the current transaction commits."""
    spec = job_kinds.get(kind)
    if not spec.run:
        raise ValueError(f"job kind {kind!r} has no run function; use create() and sync()")
    job = create(kind, actor=actor, area_code=area_code, params=params, total=total)
    transaction.on_commit(lambda: run_job.using(queue_name=spec.queue).enqueue(job.pk))
    return job


def progress(job: Job, done: int, total: int | None = None) -> None:
    """Record how far the job got (one UPDATE, no read): called every few thousand rows."""
    fields: dict[str, Any] = {"progress_done": done}
    if total is not None:
        fields["progress_total"] = total
    Job.objects.filter(pk=job.pk).update(**fields)
    job.progress_done = done
    if total is not None:
        job.progress_total = total


def succeed(job: Job, *, result: dict[str, Any] | None = None) -> None:
    sync(job, status=JobStatus.SUCCEEDED, result=result)


def fail(job: Job, message: str) -> None:
    """Mark the job failed with ``message``, a sentence for the person (no traceback)."""
    sync(job, status=JobStatus.FAILED, error=message)


def cancel(job: Job) -> None:
    sync(job, status=JobStatus.CANCELLED)


def sync(
    job: Job | int,
    *,
    status: str | None = None,
    done: int | None = None,
    total: int | None = None,
    error: str | None = None,
    result: dict[str, Any] | None = None,
) -> None:
    """Set what is given and keep the times right: started when it first runs, finished
    when it ends (and cleared again if an officer resumes it)."""
    pk = job if isinstance(job, int) else job.pk
    now = timezone.now()
    fields: dict[str, Any] = {}
    if status is not None:
        fields["status"] = status
        if status in JOB_OPEN:
            fields["finished_at"] = None
        else:
            fields["finished_at"] = now
    if done is not None:
        fields["progress_done"] = done
    if total is not None:
        fields["progress_total"] = total
    if error is not None:
        fields["error"] = storable(error, ERROR_MAX)
    if result is not None:
        fields["result"] = result
    if not fields:
        return
    Job.objects.filter(pk=pk).update(**fields)
    if status is not None and status != JobStatus.QUEUED:
        Job.objects.filter(pk=pk, started_at__isnull=True).update(started_at=now)
    if isinstance(job, Job):
        for name, value in fields.items():
            setattr(job, name, value)
        if status is not None and status != JobStatus.QUEUED and job.started_at is None:
            job.started_at = now


def save_result(job: Job, content: File[Any], *, download_name: str) -> None:
    """Store the job's file in the default storage (its own name; the person sees
    ``download_name``)."""
    job.result_file.save(f"{job.kind}-{job.pk}", content, save=False)
    job.result_name = storable(download_name, 200)
    Job.objects.filter(pk=job.pk).update(
        result_file=job.result_file.name, result_name=job.result_name
    )


def fail_stale(kind: str, *, after: timedelta) -> int:
    """Mark failed the jobs of ``kind`` still open ``after`` their start: their worker was
    killed (or the queue lost the task), and nothing else would ever end them."""
    cutoff = timezone.now() - after
    stale = Job.objects.filter(kind=kind, status__in=JOB_OPEN, created_at__lt=cutoff)
    return stale.update(
        status=JobStatus.FAILED,
        finished_at=timezone.now(),
        error=_("It stopped without finishing (its worker was lost). Start it again."),
    )


def delete_result(job: Job) -> None:
    if job.result_file:
        job.result_file.delete(save=False)


def prune(kind: str, *, days: int) -> int:
    """Delete finished jobs of ``kind`` (and their files) older than ``days``."""
    cutoff = timezone.now() - timedelta(days=days)
    old = Job.objects.filter(kind=kind, created_at__lt=cutoff).exclude(status__in=JOB_OPEN)
    for job in old.exclude(result_file=""):
        delete_result(job)
    count, _rows = old.delete()
    return count


# --- The worker --------------------------------------------------------------------------------


@task()
@recordable_failure
def run_job(job_id: int) -> str:
    return execute(job_id)


def user_message(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, JobError):
        return str(exc)
    return _(
        "The job stopped on an internal error; the administrators have its details. "
        "Start it again; if it fails again, tell your administrator."
    )


def execute(job_id: int) -> str:
    """Run a queued job once: a job already taken, finished or cancelled is left alone."""
    if not Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    ):
        return "skipped"
    job = Job.objects.select_related("created_by").get(pk=job_id)
    spec = job_kinds.get(job.kind)
    try:
        work = import_string(spec.run)
        work(job)
    except Exception as exc:
        # The traceback (codes and ids, which is all params hold) is for the administrators;
        # the person reads a sentence.
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        fail(job, user_message(exc))
        return JobStatus.FAILED
    if Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).exists():
        succeed(job)
    return JobStatus.SUCCEEDED


# --- Reads -------------------------------------------------------------------------------------


def visible(actor: Any) -> QuerySet[Job]:
    """Jobs ``actor`` may see: kinds her role may see, in her area; for kinds marked
    ``own_only`` (exports of personal data) only the ones she asked for."""
    if actor is None or not actor.is_authenticated:
        return Job.objects.none()
    parts = Q(pk__in=[])
    for spec in job_kinds.all_kinds():
        qs: QuerySet[Job]
        if spec.everywhere:
            qs = Job.objects.filter(kind=spec.code)
            if not actor.is_active or not actor.has_perm(spec.permission):
                continue
        else:
            qs = Job.objects.for_user(actor, permission=spec.permission).filter(kind=spec.code)
        if spec.own_only:
            qs = qs.filter(created_by=actor)
        parts |= Q(pk__in=qs.values("pk"))
    return Job.objects.filter(parts).select_related("created_by")


def listed(actor: Any, *, kind: str = "", status: str = "") -> QuerySet[Job]:
    qs = visible(actor)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def get_visible(actor: Any, pk: int) -> Job:
    job = visible(actor).filter(pk=pk).first()
    if job is None:
        raise Http404(_("This job does not exist, or it is outside your area."))
    return job


def latest(kind: str, *, status: str | None = None) -> Job | None:
    qs = Job.objects.filter(kind=kind)
    if status is not None:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id").first()


def open_file(actor: Any, pk: int) -> tuple[Job, File[Any]]:
    """The job's file for its requester, opened from the storage; the kind's download hook
    (the audit of an export of personal data) runs first."""
    job = get_visible(actor, pk)
    if job.status != JobStatus.SUCCEEDED or not job.result_file or job.created_by_id != actor.pk:
        raise Http404(_("This file does not exist or is not ready."))
    try:
        handle = job.result_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("This file has been removed; ask for it again.")) from exc
    spec = job_kinds.get(job.kind)
    if spec.on_download:
        import_string(spec.on_download)(actor, job)
    if DOWNLOADED not in job.result:
        # Fetched: the requester's inbox no longer offers it (core.inbox, ``ready_files``).
        job.result = {**job.result, DOWNLOADED: timezone.now().isoformat()}
        Job.objects.filter(pk=job.pk).update(result=job.result)
    return job, handle


# The key of ``Job.result`` that records when the requester first fetched the file.
DOWNLOADED = "downloaded_at"


def ready_files(actor: Any) -> QuerySet[Job]:
    """Finished jobs with a file the actor asked for and has not fetched yet, oldest first."""
    return (
        visible(actor)
        .filter(created_by=actor, status=JobStatus.SUCCEEDED)
        .exclude(result_file="")
        .exclude(result__has_key=DOWNLOADED)
        .order_by("finished_at", "pk")
    )


def waited(job: Job) -> timedelta:
    """How long a queued job has waited for a worker (or a running one has run)."""
    since = job.started_at if job.status == JobStatus.RUNNING and job.started_at else job.created_at
    return max(timedelta(0), timezone.now() - since)
