"""A malformed-file corpus through the command line, the web page and the API, each with the
message a person gets; and the sealed, short-lived storage of uploaded files."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django.utils.html import escape

from sinergi.accounts.models import User
from sinergi.engines.registry_rows import COLUMNS
from sinergi.registry.imports import import_check, import_commit, import_create, prune_files
from sinergi.registry.messages import problem_text
from sinergi.registry.models import ImportBatch, ImportIssue, ImportStatus, Person
from sinergi.synthetic.registry import RegistryGenerator

pytestmark = pytest.mark.django_db

ROWS = list(RegistryGenerator(5, areas=["32.73"]).rows(3))
HEADER = ",".join(COLUMNS)


def _csv(rows: list[list[str]], *, delimiter: str = ",", newline: str = "\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


def _with(column: str, value: str, at: int = 0) -> list[list[str]]:
    rows = [list(r) for r in ROWS]
    rows[at][COLUMNS.index(column)] = value
    return rows


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (24 << 20))
    return out.getvalue()


def _unbalanced() -> str:
    # The issue's case: a quote opened on row 3 used to swallow every row below it.
    lines = _csv(ROWS).splitlines()
    broken = lines[2].replace(",", ',"', 1)
    more = _csv(list(RegistryGenerator(6, areas=["32.73"]).rows(2))).splitlines()[1:]
    return "\n".join([lines[0], lines[1], broken, lines[3], *more]) + "\n"


N = len(ROWS)
NAME_CP1252 = _with("nama", "José Márquez")
# (name, file bytes, expectation): ("ok", rows stored) | ("file", code) | ("row", row, col, code)
CORPUS: list[tuple[str, bytes, tuple[Any, ...]]] = [
    ("utf8.csv", _csv(ROWS).encode(), ("ok", N)),
    ("utf8-bom.csv", codecs.BOM_UTF8 + _csv(ROWS).encode(), ("ok", N)),
    (
        "excel-unicode.txt",
        codecs.BOM_UTF16_LE + _csv(ROWS, delimiter="\t", newline="\r\n").encode("utf-16-le"),
        ("ok", N),
    ),
    ("utf16be.csv", codecs.BOM_UTF16_BE + _csv(ROWS).encode("utf-16-be"), ("ok", N)),
    ("cp1252.csv", _csv(NAME_CP1252).encode("cp1252"), ("ok", N)),
    ("nul.csv", _csv(_with("nama", "Si\x00ti", at=1)).encode(), ("row", 3, "nama", "nul_byte")),
    ("quote.csv", _unbalanced().encode(), ("row", 3, "*", "quote_unclosed")),
    ("huge.csv", _csv(_with("alamat", "x" * 200_000)).encode(), ("row", 2, "alamat", "too_long")),
    ("long.csv", _csv(_with("alamat", "x" * (2 << 20))).encode(), ("row", 2, "*", "line_too_long")),
    (
        "formula.csv",
        _csv(_with("nama", '=HYPERLINK("http://x","Asep")')).encode(),
        ("row", 2, "nama", "formula"),
    ),
    ("missing.csv", _csv(ROWS).replace(",telepon", "", 1).encode(), ("file", "bad_header")),
    (
        "extra.csv",
        _csv(ROWS).replace("telepon", "telepon,catatan", 1).encode(),
        ("file", "bad_header"),
    ),
    ("short-row.csv", _csv([ROWS[0][:-2], *ROWS[1:]]).encode(), ("row", 2, "*", "cell_count")),
    ("empty.csv", b"", ("file", "empty")),
    ("header-nul.csv", b"nama\x00,nik\nSiti,1\n", ("file", "bad_header")),
    ("bomb.xlsx", _zip_bomb(), ("file", "zip_bomb")),
    ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 200, ("file", "unreadable")),
    ("random.xlsx", bytes(range(256)) * 8, ("file", "bad_header")),
]


def _stored_lines(expect: tuple[Any, ...]) -> None:
    if expect[0] == "ok":
        assert Person.objects.count() == expect[1]
        if Person.objects.filter(name__startswith="Jos").exists():
            assert Person.objects.filter(name="José Márquez").exists()


def _check_batch(batch: ImportBatch, expect: tuple[Any, ...]) -> None:
    if expect[0] == "file":
        assert batch.status == ImportStatus.FAILED, batch.file_error
        assert batch.file_error.split(":")[0] == expect[1]
        assert "\x00" not in batch.file_error
        assert batch.file_path == ""  # an unusable file is not kept
        return
    assert batch.status in (ImportStatus.CHECKED, ImportStatus.COMMITTED), batch.file_error
    if expect[0] == "ok":
        assert batch.rows_valid + batch.rows_skipped == expect[1] and batch.rows_rejected == 0
        return
    _kind, row, column, code = expect
    issues = {(i.row_number, i.column, i.code) for i in batch.issues.all()}
    assert (row, column, code) in issues, issues


@pytest.mark.parametrize(("name", "content", "expect"), CORPUS, ids=[c[0] for c in CORPUS])
def test_corpus_through_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes, expect: Any
) -> None:
    from sinergi.cli import _import

    path = tmp_path / name
    path.write_bytes(content)
    code = _import(path, False, None)
    batch = ImportBatch.objects.get()
    _check_batch(batch, expect)
    out = capsys.readouterr()
    if expect[0] == "file":
        assert code == 1 and problem_text(expect[1]) in out.err
    else:
        assert code == 0 and '"rows_read"' in out.out
        # Every line of the file is a stored row or a reported one: none vanish.
        broken = ImportIssue.objects.filter(column="*", is_warning=False).count()
        assert batch.rows_read == Person.objects.count() + batch.rows_rejected
        if name == "quote.csv":
            lines = _unbalanced().count("\n")  # the header and every data line
            assert broken == 1 and Person.objects.count() == batch.rows_read - 1 == lines - 2
    _stored_lines(expect)


@pytest.mark.parametrize(("name", "content", "expect"), CORPUS, ids=[c[0] for c in CORPUS])
def test_corpus_through_the_web_page(
    officer_bandung: User,
    client_for: Callable[..., Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
    name: str,
    content: bytes,
    expect: Any,
) -> None:
    client = client_for(officer_bandung)
    upload = io.BytesIO(content)
    upload.name = name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/registri/impor/", {"file": upload})
    if not content:  # the form refuses an empty file itself, with Django's own message
        with translation.override("id"):
            message = str(forms.FileField.default_error_messages["empty"])
        assert response.status_code == 400 and escape(message) in response.content.decode()
        assert not ImportBatch.objects.exists()
        return
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    _check_batch(batch, expect)
    page = client.get(f"/registri/impor/{batch.pk}/").content.decode()
    with translation.override("id"):
        if expect[0] == "file":
            assert escape(problem_text(expect[1])) in page
        elif expect[0] == "row":
            assert escape(problem_text(expect[3])) in page
    assert "\x00" not in page


@pytest.mark.parametrize(("name", "content", "expect"), CORPUS, ids=[c[0] for c in CORPUS])
def test_corpus_through_the_api(
    officer_bandung: User,
    client_for: Callable[..., Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
    name: str,
    content: bytes,
    expect: Any,
) -> None:
    client = client_for(officer_bandung)
    upload = io.BytesIO(content)
    upload.name = name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/registry/imports", {"file": upload})
    assert response.status_code == 202
    batch_id = response.json()["id"]
    status = client.get(f"/api/v1/registry/imports/{batch_id}").json()
    _check_batch(ImportBatch.objects.get(pk=batch_id), expect)
    if expect[0] == "file":
        assert status["status"] == "failed" and status["file_error"].startswith(expect[1])
    elif expect[0] == "row":
        issues = client.get(
            f"/api/v1/registry/imports/{batch_id}/issues", HTTP_ACCEPT_LANGUAGE="en"
        ).json()["items"]
        with translation.override("en"):
            wanted = problem_text(expect[3])
        assert any(
            (i["row"], i["column"], i["code"], i["message"])
            == (expect[1], expect[2], expect[3], wanted)
            for i in issues
        ), issues
    if expect[0] != "file":
        with django_capture_on_commit_callbacks(execute=True):
            saved = client.post(f"/api/v1/registry/imports/{batch_id}/commit")
        assert saved.status_code == 202
        _stored_lines(expect)


NIK = ROWS[0][COLUMNS.index("nik")]


def test_the_stored_upload_is_sealed_and_deleted_once_saved(
    officer_bandung: User,
    client_for: Callable[..., Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = client_for(officer_bandung)
    upload = io.BytesIO(_csv(ROWS).encode())
    upload.name = "rahasia.csv"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/registri/impor/", {"file": upload})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.CHECKED and batch.file_path
    with default_storage.open(batch.file_path, "rb") as stored:
        raw = stored.read()
    name = ROWS[0][COLUMNS.index("nama")].encode()
    assert NIK.encode() not in raw and name not in raw and NIK[:12].encode() not in raw
    assert not raw.startswith(HEADER.encode())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/registri/impor/{batch.pk}/simpan/")
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED and Person.objects.count() == N
    assert batch.file_path == "" and not default_storage.exists(f"imports/{batch.pk}.sealed")
    assert batch.issues.count() == ImportIssue.objects.filter(batch=batch).count()


def test_an_altered_sealed_file_is_refused_not_read(officer_bandung: User, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(_csv(ROWS))
    batch = import_create(actor=officer_bandung, source=path, file_name="a.csv")
    with default_storage.open(batch.file_path, "rb") as stored:
        raw = bytearray(stored.read())
    raw[-20] ^= 1
    default_storage.delete(batch.file_path)
    default_storage.save(batch.file_path, io.BytesIO(bytes(raw)))
    batch = import_check(batch.pk)
    assert batch.status == ImportStatus.FAILED and batch.file_error.startswith("file_gone")
    assert Person.objects.count() == 0


def test_an_abandoned_batch_loses_its_file_after_the_retention(
    officer_bandung: User, tmp_path: Path, settings: Any
) -> None:
    path = tmp_path / "a.csv"
    path.write_text(_csv(_with("nama", "")))
    kept = import_check(import_create(actor=officer_bandung, source=path, file_name="a.csv").pk)
    old = import_check(import_create(actor=officer_bandung, source=path, file_name="b.csv").pk)
    settings.SINERGI_IMPORT_KEEP_HOURS = 24
    ImportBatch.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    assert prune_files() == 1
    old.refresh_from_db()
    kept.refresh_from_db()
    assert old.file_path == "" and old.status == ImportStatus.CANCELLED
    assert old.issues.filter(code="required").exists()  # the report stays
    assert kept.file_path and default_storage.exists(kept.file_path)
    with pytest.raises(Exception, match="not_checked"):
        import_commit(old.pk)


def test_a_large_upload_is_spooled_to_a_file_without_a_name(
    officer_bandung: User,
    client_for: Callable[..., Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
    settings: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past the memory threshold an upload goes to disk while it arrives; nothing of it may be
    reachable by a path there (a named spool outlives a killed process, in plaintext)."""
    from sinergi.core.upload_handlers import UnnamedTemporaryFileUploadHandler

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload spools to disk
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    listings: list[list[str]] = []
    receive = UnnamedTemporaryFileUploadHandler.receive_data_chunk

    def looking(self: Any, raw_data: bytes, start: int) -> None:
        receive(self, raw_data, start)
        listings.append(sorted(p.name for p in tmp_path.iterdir()))

    monkeypatch.setattr(UnnamedTemporaryFileUploadHandler, "receive_data_chunk", looking)
    upload = io.BytesIO(_csv(ROWS).encode())
    upload.name = "rahasia.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(officer_bandung).post("/registri/impor/", {"file": upload})
    assert response.status_code == 302
    assert listings and all(listing == [] for listing in listings)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.CHECKED and batch.rows_valid == N
