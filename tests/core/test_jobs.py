"""core.jobs: one Job row per background job, queued on commit, failures logged and said in
words, scoped reads, the progress partial and the jobs API."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import timezone, translation

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core import job_kinds, jobs
from sinergi.core.models import Job, JobStatus

pytestmark = pytest.mark.django_db

OK = job_kinds.job_kind(
    "tests.ok",
    "Test job",
    permission="monitoring.view_regencyfigures",
    run="tests.core.test_jobs.work_ok",
)
BROKEN = job_kinds.job_kind(
    "tests.broken",
    "Broken test job",
    permission="monitoring.view_regencyfigures",
    run="tests.core.test_jobs.work_broken",
)
REFUSED = job_kinds.job_kind(
    "tests.refused",
    "Refused test job",
    permission="monitoring.view_regencyfigures",
    run="tests.core.test_jobs.work_refused",
)
MINE = job_kinds.job_kind(
    "tests.mine",
    "Own test job",
    permission="monitoring.view_regencyfigures",
    run="tests.core.test_jobs.work_ok",
    own_only=True,
)
SECRET = "3273010101900001"


def work_ok(job: Job) -> None:
    jobs.progress(job, 5, 10)
    jobs.progress(job, 10)
    jobs.save_result(job, ContentFile(b"a,b\n1,2\n"), download_name="hasil.csv")


def work_broken(job: Job) -> None:
    raise RuntimeError(f"row of {SECRET} broke")


def work_refused(job: Job) -> None:
    raise jobs.JobError("The file is empty; upload it again.")


@pytest.fixture(autouse=True)
def memory_storage(settings: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def _run(kind: str, actor: User | None, capture: Callable[..., Any], **kw: Any) -> Job:
    with capture(execute=True):
        job = jobs.start(kind, actor=actor, **kw)
    job.refresh_from_db()
    return job


def test_a_job_is_queued_when_the_transaction_commits_and_runs_once(
    officer_bandung: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = jobs.start(OK.code, actor=officer_bandung, area_code="32.73", params={"n": 1})
    assert len(queued) == 1
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED  # nothing ran yet
    queued[0]()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.progress_done, job.progress_total, job.percent) == (10, 10, 100)
    assert job.started_at is not None and job.finished_at is not None
    assert job.result_file.read() == b"a,b\n1,2\n" and job.result_name == "hasil.csv"
    assert jobs.execute(job.pk) == "skipped"  # a second delivery of the task does nothing


def test_a_rolled_back_start_leaves_no_job_and_queues_nothing(
    officer_bandung: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as queued,
        pytest.raises(ValueError),
        transaction.atomic(),
    ):
        jobs.start(OK.code, actor=officer_bandung)
        raise ValueError
    assert not queued and not Job.objects.exists()


def test_a_failure_is_logged_with_its_traceback_and_said_in_words(
    officer_bandung: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR, logger="sinergi.core.jobs")
    job = _run(BROKEN.code, officer_bandung, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    # Written in the site language (Indonesian): the worker has no reader to ask.
    assert "kesalahan internal" in job.error and SECRET not in job.error
    assert "Traceback" not in job.error
    # The traceback went to the log (personal numbers masked there), not to the page.
    logged = caplog.text
    assert f"job {job.pk} (tests.broken) failed" in logged
    assert "Traceback" in logged and "in work_broken" in logged and SECRET not in logged


def test_a_job_error_reaches_the_person_as_written(
    officer_bandung: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    job = _run(REFUSED.code, officer_bandung, django_capture_on_commit_callbacks)
    assert (job.status, job.error) == (JobStatus.FAILED, "The file is empty; upload it again.")


def test_jobs_are_scoped_by_area_role_and_owner(
    officer_bandung: User,
    officer_bogor: User,
    officer_jabar: User,
    make_user: Callable[..., User],
) -> None:
    bandung = jobs.create(OK.code, actor=officer_bandung, area_code="32.73")
    bogor = jobs.create(OK.code, actor=officer_bogor, area_code="32.01")
    mine = jobs.create(MINE.code, actor=officer_bandung, area_code="32.73")
    seen = lambda user: set(jobs.visible(user).values_list("pk", flat=True))  # noqa: E731
    assert seen(officer_bandung) >= {bandung.pk, mine.pk}
    assert bogor.pk not in seen(officer_bandung)
    assert seen(officer_jabar) >= {bandung.pk, bogor.pk}
    assert mine.pk not in seen(officer_jabar)  # an own-only job is its requester's alone
    assert not seen(make_user(Role.BUYER, "32.73"))  # no permission for the kind


def _page(job: Job, user: User, language: str = "en") -> str:
    request = RequestFactory().get("/x/")
    request.user = user
    with translation.override(language):
        return render_to_string("partials/job_progress.html", {"job": job}, request=request)


def test_the_partial_says_honestly_where_the_job_is(officer_bandung: User) -> None:
    job = jobs.create(OK.code, actor=officer_bandung, area_code="32.73")
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=7))
    job.refresh_from_db()
    queued = _page(job, officer_bandung)
    assert "Waiting for a worker" in queued and "7\xa0minutes" in queued
    assert "0 / 0" not in queued and "no problems" not in queued
    assert 'hx-trigger="every 2s"' in queued and "Refresh" in queued  # htmx, or the link
    assert "Menunggu pekerja" in _page(job, officer_bandung, "id")
    jobs.sync(job, status=JobStatus.RUNNING, done=3, total=10)
    assert "3 of 10 done" in _page(job, officer_bandung)
    jobs.fail(job, "The file is empty; upload it again.")
    failed = _page(job, officer_bandung)
    assert "Failed" in failed and "The file is empty; upload it again." in failed
    assert "hx-trigger" not in failed  # a finished job is not polled
    assert "Gagal" in _page(job, officer_bandung, "id")


def test_api_lists_and_shows_jobs_with_a_download_for_the_requester(
    officer_bandung: User,
    officer_bogor: User,
    facilitator_bandung: User,
    client_for: Callable[..., Client],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    job = _run(OK.code, officer_bandung, django_capture_on_commit_callbacks, area_code="32.73")
    other = jobs.create(OK.code, actor=officer_bogor, area_code="32.01")
    client = client_for(officer_bandung)
    listing = client.get("/api/v1/jobs/").json()
    assert [i["id"] for i in listing["items"]] == [job.pk] and listing["count"] == 1
    body = client.get(f"/api/v1/jobs/{job.pk}/").json()
    assert body["status"] == "succeeded" and body["percent"] == 100
    assert body["kind_label"] == "Test job"
    assert body["download_url"] == f"/pekerjaan/{job.pk}/berkas"
    assert client.get(f"/api/v1/jobs/{other.pk}/").status_code == 404  # another regency
    download = client.get(body["download_url"])
    assert b"".join(download.streaming_content) == b"a,b\n1,2\n"  # type: ignore[attr-defined]
    assert 'filename="hasil.csv"' in download["Content-Disposition"]
    # A colleague of the same area sees the job, but the file is the requester's.
    colleague = client_for(facilitator_bandung)
    assert colleague.get(f"/api/v1/jobs/{job.pk}/").json()["download_url"] == ""
    assert colleague.get(f"/pekerjaan/{job.pk}/berkas").status_code == 404
    assert client.get("/api/v1/jobs/?status=failed").json()["count"] == 0
    page = client.get(f"/pekerjaan/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "Finished" in page or "Selesai" in page
