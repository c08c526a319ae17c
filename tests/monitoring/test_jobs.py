"""Monitoring's background jobs on core.Job: large exports and the figures refresh, their
progress said honestly on the page, their files in the storage."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from sinergi.accounts.models import User
from sinergi.core import jobs
from sinergi.core.models import AuditEvent, Job, JobStatus
from sinergi.kube.models import Kube
from sinergi.monitoring import summaries
from sinergi.monitoring.jobs import EXPORT, SUMMARY
from sinergi.monitoring.models import RegencyFigures
from tests.monitoring.test_monitoring import bandung, file_report, month  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def memory_storage(settings: Any) -> None:
    # Nothing may assume the local disk: the files live in whatever the storage is.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.fixture
def english(client_for: Callable[..., Client]) -> Callable[..., Client]:
    def make(user: User | None) -> Client:
        client = client_for(user)
        client.cookies["sinergi_language"] = "en"
        return client

    return make


def test_a_large_export_is_a_job_whose_file_lives_in_the_storage(
    bandung: Kube,  # noqa: F811
    facilitator_bandung: User,
    officer_bandung: User,
    english: Callable[..., Client],
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.SINERGI_EXPORT_INLINE_MAX = 3
    file_report(facilitator_bandung, bandung, month(1))
    client = english(officer_bandung)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.get("/pantau/wilayah/32.73/ekspor/pendapatan.xlsx")
    assert response.headers["Location"] == "/pantau/ekspor/"
    waiting = client.get("/pantau/ekspor/").content.decode()
    assert "Waiting for a worker" in waiting and "0 / 0" not in waiting
    queued[0]()  # the worker takes it
    job = Job.objects.get(kind=EXPORT.code)
    assert (job.status, job.progress_done, job.progress_total, job.percent) == (
        JobStatus.SUCCEEDED,
        6,
        6,
        100,
    )
    assert job.params == {"export": "pendapatan", "fmt": "xlsx", "language": "en", "personal": True}
    assert default_storage.exists(job.result_file.name)
    listing = client.get("/pantau/ekspor/").content.decode()
    assert f"/pekerjaan/{job.pk}/berkas" in listing and "Finished" in listing
    for url in (f"/pantau/ekspor/{job.pk}/berkas", f"/pekerjaan/{job.pk}/berkas"):
        download = client.get(url)
        book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))  # type: ignore[attr-defined]
        assert book.active is not None and book.active.max_row == 7
        assert download["Content-Disposition"].endswith('filename="pendapatan-32.73.xlsx"')
    # Written once by the worker and once per download, as before.
    assert AuditEvent.objects.filter(event_type="monitoring.member_income.exported").count() == 3
    other = english(facilitator_bandung)
    assert other.get(f"/pantau/ekspor/{job.pk}/berkas").status_code == 404
    assert other.get(f"/pekerjaan/{job.pk}/berkas").status_code == 404
    # The nightly run deletes it after the retention period, file and all.
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=8))
    result = summaries.refresh_all()
    assert result["exports_pruned"] == 1
    assert not default_storage.exists(job.result_file.name)
    assert not Job.objects.filter(kind=EXPORT.code).exists()


def test_refresh_figures_is_one_job_with_its_progress_on_the_dashboard(
    bandung: Kube,  # noqa: F811
    officer_bandung: User,
    facilitator_bandung: User,
    english: Callable[..., Client],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = english(officer_bandung)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post("/pantau/segarkan/", {"next": "/pantau/wilayah/32.73/"})
        client.post("/pantau/segarkan/", {"next": "/pantau/wilayah/32.73/"})
    assert response.headers["Location"] == "/pantau/wilayah/32.73/"
    job = Job.objects.get(kind=SUMMARY.code)  # pressed twice, queued once
    assert (job.status, job.created_by_id, len(queued)) == (JobStatus.QUEUED, officer_bandung.pk, 1)
    page = client.get("/pantau/wilayah/32.73/").content.decode()
    assert "Waiting for a worker" in page and "The figures have not been computed yet" in page
    assert f'hx-get="/pekerjaan/{job.pk}/"' in page
    queued[0]()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and "seconds" in job.result
    assert RegencyFigures.objects.get(regency_code="32.73").groups_active == 1
    page = client.get("/pantau/wilayah/32.73/").content.decode()
    assert "Figures as of" in page and "Waiting for a worker" not in page
    # The progress is polled through the job page (htmx), or opened without JavaScript.
    polled = client.get(f"/pekerjaan/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "Finished" in polled and "<html" not in polled
    # The facilitator reads the figures but may not rebuild them: refused, not hidden.
    assert english(facilitator_bandung).post("/pantau/segarkan/").status_code == 403


def test_a_failed_nightly_refresh_is_recorded_and_the_old_figures_stay(
    bandung: Kube,  # noqa: F811
    settings: Any,
) -> None:
    first = summaries.refresh()
    settings.SINERGI_EXPORT_KEEP_DAYS = "not a number"  # a broken setting breaks the run
    with pytest.raises(TypeError):
        summaries.refresh_all()
    failed = Job.objects.filter(kind=SUMMARY.code).latest("pk")
    assert failed.status == JobStatus.FAILED and failed.error
    assert summaries.latest_run() == first  # dashboards keep saying when the figures were built


def test_a_refresh_whose_worker_died_does_not_block_the_next_one(
    officer_bandung: User,
    english: Callable[..., Client],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    # The nightly command was killed mid-run hours ago: its job stayed "running".
    dead = jobs.create(SUMMARY.code, status=JobStatus.RUNNING)
    Job.objects.filter(pk=dead.pk).update(created_at=timezone.now() - timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        english(officer_bandung).post("/pantau/segarkan/", {"next": "/pantau/wilayah/32.73/"})
    dead.refresh_from_db()
    assert dead.status == JobStatus.FAILED and "worker was lost" in dead.error
    latest = Job.objects.filter(kind=SUMMARY.code).latest("pk")
    assert latest.pk != dead.pk and latest.status == JobStatus.SUCCEEDED
