"""The import pipeline: the report, commit, re-upload, crash and resume, bad files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sinergi.accounts.models import User
from sinergi.core.models import AuditEvent
from sinergi.engines.registry_rows import COLUMNS
from sinergi.registry import imports
from sinergi.registry.imports import ImportRefused, import_check, import_commit, import_create
from sinergi.registry.models import Household, ImportBatch, ImportStatus, Person
from sinergi.synthetic.registry import RegistryGenerator

pytestmark = pytest.mark.django_db


def _generated(households: int, areas: list[str] | None = None, seed: int = 3) -> list[list[str]]:
    return list(RegistryGenerator(seed, areas=areas or ["32.73"]).rows(households))


def _run(actor: User | None, path: Path, **kwargs: bool) -> ImportBatch:
    batch = import_create(actor=actor, source=path, file_name=path.name, **kwargs)
    return import_check(batch.pk)


BAD = [
    [
        "B1",
        "3273010101200001",
        "3273011234560001",
        "Asep",
        "L",
        "",
        "1956-34-12",
        "kepala",
        "1",
        "",
        "32.73.01.1001",
        "",
        "",
        "",
    ],
    [
        "B2",
        "3273010101200001",
        "99730141079000",
        "Siti",
        "P",
        "",
        "1990-07-01",
        "istri",
        "0",
        "",
        "32.73.01.1001",
        "",
        "",
        "",
    ],
]


def test_check_reports_every_bad_row_in_indonesian_and_commits_the_good(
    officer_bandung: User,
    write_csv: Callable[..., Path],
    client_for: Callable[..., object],
) -> None:
    good = _generated(20)
    batch = _run(officer_bandung, write_csv(good[:10] + BAD + good[10:]))
    assert batch.status == ImportStatus.CHECKED
    assert (batch.rows_read, batch.rows_valid, batch.rows_rejected) == (len(good) + 2, len(good), 2)
    issues = {(i.row_number, i.column, i.code) for i in batch.issues.filter(is_warning=False)}
    assert (12, "nik", "bad_month") in issues and (12, "tanggal_lahir", "bad_date") in issues
    assert (13, "nik", "bad_length") in issues
    assert all("3273011234560001" not in i.value for i in batch.issues.all())
    assert Person.objects.count() == 0  # checking writes nothing to the registry
    client = client_for(officer_bandung)
    report = b"".join(client.get(f"/registri/impor/{batch.pk}/laporan.csv").streaming_content)  # type: ignore[attr-defined]
    text = report.decode()
    assert "Bukan tanggal yang sah" in text and "baris" in text
    assert "3273011234560001" not in text and "3273••••••••0001" in text
    batch = import_commit(batch.pk)
    assert batch.rows_committed == len(good) == Person.objects.count()
    assert Household.objects.count() == len({row[1] for row in good})


def test_the_same_file_twice_adds_nothing(
    officer_bandung: User, write_csv: Callable[..., Path]
) -> None:
    path = write_csv(_generated(15))
    import_commit(_run(officer_bandung, path).pk)
    count = Person.objects.count()
    again = _run(officer_bandung, path)
    assert again.rows_valid == 0 and again.rows_skipped == count
    import_commit(again.pk)
    assert Person.objects.count() == count


def test_a_killed_commit_resumes_with_every_row_stored_once(
    officer_bandung: User, write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _generated(40)
    batch = _run(officer_bandung, write_csv(rows))
    monkeypatch.setattr(imports, "BATCH", 25)
    real = imports._commit_chunk
    calls = {"n": 0}

    def dies_on_the_third_batch(*args: object, **kwargs: object) -> int:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("worker killed")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(imports, "_commit_chunk", dies_on_the_third_batch)
    with pytest.raises(KeyboardInterrupt):
        import_commit(batch.pk)
    assert Person.objects.count() == 50  # two batches of 25 made it, the third rolled back
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.COMMITTING
    monkeypatch.setattr(imports, "_commit_chunk", real)
    batch = import_commit(batch.pk)
    assert Person.objects.count() == len(rows) == batch.rows_committed
    assert Person.objects.values("nik_hash").distinct().count() == len(rows)


def test_all_or_nothing_refuses_a_file_with_errors(
    officer_bandung: User, write_csv: Callable[..., Path]
) -> None:
    batch = _run(officer_bandung, write_csv(_generated(3) + BAD), all_or_nothing=True)
    with pytest.raises(ImportRefused):
        import_commit(batch.pk)
    assert Person.objects.count() == 0


def test_rows_outside_the_area_and_repeated_niks(
    officer_bandung: User, write_csv: Callable[..., Path]
) -> None:
    bogor = _generated(2, ["32.01"], seed=9)
    bandung = _generated(2)
    repeated = list(bandung[0])
    repeated[0] = "again"
    batch = _run(officer_bandung, write_csv(bandung + bogor + [repeated]))
    codes = {i.code for i in batch.issues.all()}
    assert "outside_area" in codes and "nik_repeated" in codes
    assert batch.rows_rejected == len(bogor) and batch.rows_duplicate == 1


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (b"nama,nik\nSiti,3273014107900001\n", "bad_header"),
        ((",".join(COLUMNS) + ",catatan\n").encode(), "bad_header"),
        (b"\xd0\xcf\x11\xe0old", "old_excel"),
    ],
)
def test_unusable_files_fail_with_a_reason(
    officer_bandung: User, tmp_path: Path, content: bytes, code: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    batch = _run(officer_bandung, path)
    assert batch.status == ImportStatus.FAILED and batch.file_error.startswith(code)
    with pytest.raises(ImportRefused):
        import_commit(batch.pk)


def test_command_line_import(tmp_path: Path, write_csv: Callable[..., Path]) -> None:
    from sinergi.cli import _import

    path = write_csv(_generated(5) + BAD)
    assert _import(path, False, None) == 0
    assert Person.objects.count() == len(_generated(5))
    assert _import(tmp_path / "missing.csv", False, None) == 2


def test_no_identifier_reaches_the_logs(
    officer_bandung: User,
    write_csv: Callable[..., Path],
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging
    import re

    caplog.set_level(logging.DEBUG)
    rows = _generated(5)
    batch = _run(officer_bandung, write_csv(rows + BAD))
    import_commit(batch.pk)
    assert not re.search(r"\d{16}", caplog.text)


def test_upload_check_and_save_through_the_ui(
    officer_bandung: User,
    write_csv: Callable[..., Path],
    client_for: Callable[..., object],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    client = client_for(officer_bandung)
    path = write_csv(_generated(6) + BAD)
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:  # type: ignore[operator]
        response = client.post("/registri/impor/", {"file": handle})  # type: ignore[attr-defined]
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.CHECKED and batch.rows_rejected == 2
    page = client.get(f"/registri/impor/{batch.pk}/").content.decode()  # type: ignore[attr-defined]
    assert "Bukan tanggal yang sah" in page and "Simpan" in page
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        client.post(f"/registri/impor/{batch.pk}/simpan/")  # type: ignore[attr-defined]
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED and batch.rows_committed == batch.rows_valid
    # One event when the officer asked, one when the last chunk closed it; old and new status.
    changes = {
        e.event_type: e.data["changes"]
        for e in AuditEvent.objects.filter(event_type__startswith="registry.import.commit")
    }
    assert changes == {
        "registry.import.commit_started": {"status": ["checked", "committing"]},
        "registry.import.committed": {"status": ["committing", "committed"]},
    }
    empty = client.post("/registri/impor/", {})  # type: ignore[attr-defined]
    assert empty.status_code == 400 and "wajib diisi" in empty.content.decode()


def test_upload_through_the_api(
    officer_bandung: User,
    write_csv: Callable[..., Path],
    client_for: Callable[..., object],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    client = client_for(officer_bandung)
    good = _generated(4)
    path = write_csv(good + BAD)
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:  # type: ignore[operator]
        response = client.post("/api/v1/registry/imports", {"file": handle})  # type: ignore[attr-defined]
    assert response.status_code == 202
    batch_id = response.json()["id"]
    status = client.get(f"/api/v1/registry/imports/{batch_id}").json()  # type: ignore[attr-defined]
    assert status["status"] == "checked" and status["rows_rejected"] == 2
    issues = client.get(
        f"/api/v1/registry/imports/{batch_id}/issues",  # type: ignore[attr-defined]
        HTTP_ACCEPT_LANGUAGE="en",
    ).json()
    assert {
        "row": len(good) + 2,
        "column": "tanggal_lahir",
        "code": "bad_date",
        "message": "Not a real date. Use YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY.",
        "value": "1956-34-12",
        "warning": False,
    } in issues["items"]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        saved = client.post(f"/api/v1/registry/imports/{batch_id}/commit")  # type: ignore[attr-defined]
    assert saved.status_code == 202
    assert Person.objects.count() == status["rows_valid"]
    again = client.post(f"/api/v1/registry/imports/{batch_id}/commit")  # type: ignore[attr-defined]
    assert again.status_code == 400


def test_a_worker_pool_prepares_the_same_result(
    officer_bandung: User,
    write_csv: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    settings: object,
) -> None:
    """Large files are validated and encrypted by worker processes; nothing may differ."""
    rows = _generated(30) + BAD
    monkeypatch.setattr(imports, "POOL_MIN_ROWS", 1)
    monkeypatch.setattr(imports, "BATCH", 20)
    settings.SINERGI_IMPORT_WORKERS = 2  # type: ignore[attr-defined]
    pooled = import_create(actor=officer_bandung, source=write_csv(rows), file_name="a.csv")
    pooled = import_check(pooled.pk, commit=True)
    settings.SINERGI_IMPORT_WORKERS = 0  # type: ignore[attr-defined]
    serial = _run(officer_bandung, write_csv(rows, name="b.csv"))
    assert pooled.status == ImportStatus.COMMITTED
    assert pooled.rows_committed == len(rows) - 2 == Person.objects.count()
    assert (pooled.rows_read, pooled.rows_rejected) == (serial.rows_read, serial.rows_rejected)
    issues = [(i.row_number, i.column, i.code, i.value) for i in pooled.issues.all()]
    assert issues == [(i.row_number, i.column, i.code, i.value) for i in serial.issues.all()]
    assert serial.rows_skipped == len(rows) - 2  # same rows: already stored by the pooled run
