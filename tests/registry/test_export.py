"""The registry export: scoped, masked unless revealed for a stated purpose, logged, a job whose
file goes back through the real import pipeline without storing anything twice."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core.errors import Forbidden, InvalidInput
from sinergi.core.inbox import items_for
from sinergi.core.models import AuditEvent, Job, JobStatus
from sinergi.engines.registry_rows import COLUMNS
from sinergi.registry import export
from sinergi.registry.imports import import_check, import_commit, import_create
from sinergi.registry.jobs import EXPORT
from sinergi.registry.models import AccessLog, AccessPurpose, Household, ImportStatus, Person
from sinergi.synthetic.registry import RegistryGenerator

pytestmark = pytest.mark.django_db

PURPOSE = "Pemutakhiran data DTSEN semester II"


@pytest.fixture
def bandung_registry(officer_bandung: User, household_bandung: Household, tmp_path: Path) -> int:
    """Twelve generated households of Kota Bandung imported beside the hand-made one: the
    number of persons an export of Bandung holds."""
    rows = list(RegistryGenerator(5, areas=["32.73"]).rows(12))
    path = tmp_path / "seed.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    batch = import_check(import_create(actor=officer_bandung, source=path, file_name="s.csv").pk)
    import_commit(batch.pk)
    return Person.objects.filter(area_code__startswith="32.73.").count()


def _run(actor: User, capture: Callable[..., Any], **kwargs: Any) -> Job:
    with capture(execute=False) as queued:
        job = export.export_start(actor=actor, **kwargs)
    assert len(queued) == 1 and job.status == JobStatus.QUEUED
    with capture(execute=True):  # the worker takes it; its audit event's subscribers run
        queued[0]()
    job.refresh_from_db()
    return job


def _table(job: Job) -> list[list[str]]:
    with default_storage.open(str(job.result_file.name), "rb") as handle:
        raw = handle.read()
    if job.params["fmt"] == "xlsx":
        sheet = load_workbook(io.BytesIO(raw), read_only=True).active
        assert sheet is not None
        return [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    return list(csv.reader(io.StringIO(raw.decode("utf-8"))))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_revealed_export_imported_again_stores_nothing_twice(
    fmt: str,
    officer_bandung: User,
    bandung_registry: int,
    household_bogor: Household,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    persons, households = Person.objects.count(), Household.objects.count()
    job = _run(
        officer_bandung, django_capture_on_commit_callbacks, fmt=fmt, reveal=True, purpose=PURPOSE
    )
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (job.progress_done, job.progress_total) == (bandung_registry, bandung_registry)
    assert job.result_name == f"registri-32.73.{fmt}"
    table = _table(job)
    assert table[0] == COLUMNS and len(table) == bandung_registry + 1
    assert ["3273011203700001", "3273010101200001"] in [row[2:0:-1] for row in table]
    assert not any(row[10].startswith("32.01") for row in table[1:])  # Bogor is not Bandung's

    # Back through the real pipeline, as an officer would upload it.
    path = tmp_path / f"kembali.{fmt}"
    with default_storage.open(str(job.result_file.name), "rb") as handle:
        path.write_bytes(handle.read())
    batch = import_check(import_create(actor=officer_bandung, source=path, file_name=path.name).pk)
    assert batch.status == ImportStatus.CHECKED, batch.file_error
    assert batch.rows_read == bandung_registry and batch.rows_valid == 0
    assert batch.rows_rejected + batch.rows_duplicate == bandung_registry
    codes = set(batch.issues.filter(is_warning=False).values_list("code", flat=True))
    assert codes == {"nik_exists"}, codes  # every row is known by its NIK, no other complaint
    import_commit(batch.pk)
    assert (Person.objects.count(), Household.objects.count()) == (persons, households)


def test_a_masked_export_hides_numbers_and_is_logged_once_with_its_count(
    officer_bandung: User,
    bandung_registry: int,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    job = _run(officer_bandung, django_capture_on_commit_callbacks, fmt="csv", purpose="")
    table = _table(job)
    text = "\n".join(",".join(row) for row in table)
    assert "3273011203700001" not in text and "3273010101200001" not in text
    assert "3273••••••••0001" in text
    assert job.result_name == "registri-32.73-tersamar.csv"
    event = AuditEvent.objects.get(event_type=export.events.REGISTRY_EXPORTED.code)
    assert event.data["rows"] == bandung_registry and event.data["revealed"] is False
    logged = AccessLog.objects.get(purpose=AccessPurpose.EXPORT)
    assert (logged.user, logged.rows, logged.area_code) == (
        officer_bandung,
        bandung_registry,
        "32.73",
    )
    assert logged.what == "registry.households.exported"
    # A masked file cannot be imported again: its numbers are not numbers.
    assert all("•" in row[2] for row in table[1:])


def test_who_may_export_and_reveal(
    officer_bandung: User,
    facilitator_bandung: User,
    partners: list[User],
    make_user: Callable[..., User],
    household_bandung: Household,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    for user in [facilitator_bandung, *partners]:
        with pytest.raises(Forbidden):
            export.export_start(actor=user, fmt="csv")
    with pytest.raises(InvalidInput) as short:
        export.export_start(actor=officer_bandung, fmt="csv", reveal=True, purpose="perlu")
    assert short.value.field == "purpose" and "10" in short.value.message
    with pytest.raises(InvalidInput) as outside:
        export.export_start(actor=officer_bandung, fmt="csv", area="32.01")
    assert outside.value.field == "area"
    with pytest.raises(InvalidInput) as fmt:
        export.export_start(actor=officer_bandung, fmt="pdf")
    assert fmt.value.field == "format"
    # An office whose role the admin allowed to export but not to see numbers: masked only.
    group = Group.objects.get(name=Role.SOCIAL_OFFICER)
    group.permissions.remove(Permission.objects.get(codename="reveal_identifier"))
    masked_only = make_user(Role.SOCIAL_OFFICER, "32.73")
    with pytest.raises(Forbidden):
        export.export_start(actor=masked_only, fmt="csv", reveal=True, purpose=PURPOSE)
    assert not Job.objects.filter(kind=EXPORT.code).exists()
    assert not AccessLog.objects.filter(purpose=AccessPurpose.EXPORT).exists()
    job = _run(masked_only, django_capture_on_commit_callbacks, fmt="xlsx")
    assert job.status == JobStatus.SUCCEEDED and job.progress_done == 2


def test_a_reveal_taken_away_while_the_job_waited_fails_it_without_a_file(
    officer_bandung: User,
    household_bandung: Household,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = export.export_start(actor=officer_bandung, fmt="csv", reveal=True, purpose=PURPOSE)
    group = Group.objects.get(name=Role.SOCIAL_OFFICER)
    group.permissions.remove(Permission.objects.get(codename="reveal_identifier"))
    queued[0]()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "NIK" in job.error
    assert not job.result_file
    assert not AccessLog.objects.filter(purpose=AccessPurpose.EXPORT).exists()


def test_the_page_starts_the_job_and_the_file_waits_in_the_inbox(
    officer_bandung: User,
    facilitator_bandung: User,
    household_bandung: Household,
    client_for: Callable[..., Client],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = client_for(officer_bandung)
    client.cookies["sinergi_language"] = "en"
    listing = client.get("/registri/").content.decode()
    assert 'href="/registri/ekspor/"' in listing
    page = client.get("/registri/ekspor/?area=32.73.01")
    assert page.status_code == 200 and 'name="reveal"' in page.content.decode()
    assert 'value="32.73.01"' in page.content.decode()
    refused = client.post("/registri/ekspor/", {"format": "csv", "reveal": "on", "purpose": "x"})
    assert refused.status_code == 400
    assert "at least 10 characters" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        started = client.post(
            "/registri/ekspor/", {"format": "csv", "area": "32.73.01", "purpose": "Rapat desa"}
        )
    job = Job.objects.get(kind=EXPORT.code)
    assert started.status_code == 302 and started["Location"] == f"/pekerjaan/{job.pk}/"
    assert "Waiting for a worker" in client.get(started["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        queued[0]()
    inbox = [item.url for item in items_for(User.objects.get(pk=officer_bandung.pk))]
    assert f"/pekerjaan/{job.pk}/" in inbox
    download = client.get(f"/pekerjaan/{job.pk}/berkas")
    assert download.status_code == 200
    body = b"".join(download.streaming_content).decode()  # type: ignore[attr-defined]
    assert body.startswith(",".join(COLUMNS)) and "Asep Sunandar" in body
    assert (
        AuditEvent.objects.filter(event_type="registry.households.export_downloaded").count() == 1
    )
    assert AccessLog.objects.filter(purpose=AccessPurpose.EXPORT).count() == 1  # the export
    assert f"/pekerjaan/{job.pk}/" not in [
        item.url for item in items_for(User.objects.get(pk=officer_bandung.pk))
    ]
    # Nobody else sees the job or its file; a facilitator may not open the page.
    other = client_for(facilitator_bandung)
    assert other.get("/registri/ekspor/").status_code == 403
    assert other.get(f"/pekerjaan/{job.pk}/berkas").status_code == 404


def test_the_api_starts_an_export_followed_through_the_jobs_api(
    officer_bandung: User,
    partners: list[User],
    household_bandung: Household,
    client_for: Callable[..., Client],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = client_for(officer_bandung)
    url = "/api/v1/registry/exports"
    refused = client.post(
        url, {"format": "csv", "reveal": True, "purpose": "x"}, content_type="application/json"
    )
    assert refused.status_code == 400 and refused.json()["field"] == "purpose"
    with django_capture_on_commit_callbacks(execute=False) as queued:
        started = client.post(
            url,
            {"format": "xlsx", "reveal": True, "purpose": PURPOSE},
            content_type="application/json",
        )
    assert started.status_code == 202, started.content
    job_id = started.json()["id"]
    assert started.json()["kind"] == "registry.export" and started.json()["download_url"] == ""
    queued[0]()
    status = client.get(f"/api/v1/jobs/{job_id}/").json()
    assert status["status"] == "succeeded" and status["progress_done"] == 2
    assert status["download_url"] == f"/pekerjaan/{job_id}/berkas"
    for partner in partners:
        answer = client_for(partner).post(url, {"format": "csv"}, content_type="application/json")
        assert answer.status_code == 403
    assert Job.objects.filter(kind=EXPORT.code).count() == 1


def test_old_export_files_are_deleted_when_the_next_export_starts(
    officer_bandung: User,
    household_bandung: Household,
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    old = _run(officer_bandung, django_capture_on_commit_callbacks, fmt="csv")
    name = str(old.result_file.name)
    assert default_storage.exists(name)
    Job.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    settings.SINERGI_EXPORT_KEEP_DAYS = 7
    new = _run(officer_bandung, django_capture_on_commit_callbacks, fmt="csv")
    assert not default_storage.exists(name) and not Job.objects.filter(pk=old.pk).exists()
    assert default_storage.exists(str(new.result_file.name))
