"""Formula injection: no text typed by a person becomes a live formula in any download.

Each export path is fed a name an attacker could type (a group, a person, a user, a source, an
import value) and the file is read back: an XLSX cell is never a formula, a CSV cell that would
start one begins with an apostrophe, the text stays readable and numbers stay numbers.
"""

from __future__ import annotations

import ast
import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from openpyxl import load_workbook

from sinergi.accounts.models import User
from sinergi.aid import services as aid_services
from sinergi.aid.models import AmountRule, Cycle, Programme
from sinergi.core.exports import csv_stream_response, table_response, write_table
from sinergi.core.models import Job
from sinergi.kube.models import Kube
from sinergi.monitoring import summaries
from sinergi.monitoring.models import Graduation, PovertyLine
from sinergi.registry.models import ImportBatch, ImportIssue, Person
from tests.mentoring.conftest import make_active_group
from tests.monitoring.test_monitoring import file_report, month

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
LINK = HOSTILE[0]


def xlsx_cells(content: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_safe_xlsx(content: bytes, *expected: str) -> None:
    cells = xlsx_cells(content)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells}
    for value in expected:
        assert value in texts  # shown as typed, not mangled


def assert_safe_csv(content: bytes, *expected: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    flat = {cell for row in rows for cell in row}
    for value in expected:
        assert "'" + value in flat
    return rows


def body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def test_the_writer_neutralises_text_and_keeps_numbers() -> None:
    header = ["name", "amount"]
    rows = [[text, -2] for text in HOSTILE] + [["Siti", 12_000_000]]
    xlsx = io.BytesIO()
    assert write_table(xlsx, header, rows, "xlsx") == len(rows)
    cells = xlsx_cells(xlsx.getvalue())
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    names = [c for c in cells if c.column == 1][1:]
    # An XML parser may read a carriage return back as a line feed (the standard library's
    # does, lxml keeps it); the text is otherwise as typed.
    read = [str(c.value).replace("\r", "\n") for c in names]
    assert read == [h.replace("\r", "\n") for h in HOSTILE] + ["Siti"]
    amounts = [c.value for c in cells if c.column == 2][1:]
    assert amounts == [-2] * len(HOSTILE) + [12_000_000]  # real numbers, not text

    text = io.BytesIO()
    write_table(text, header, rows, "csv")
    parsed = list(csv.reader(io.StringIO(text.getvalue().decode())))
    assert [r[0] for r in parsed[1:]] == ["'" + h for h in HOSTILE] + ["Siti"]
    assert [r[1] for r in parsed[1:]] == ["-2"] * len(HOSTILE) + ["12000000"]

    streamed = body(csv_stream_response("x.csv", header, rows))
    assert streamed == text.getvalue()
    # A header can carry typed text too (a translated column name, a custom field).
    assert_safe_xlsx(body(table_response("t", ["=1"], [], "xlsx")), "=1")


def test_aid_cycle_export(
    client_for: Callable[..., Client],
    officer_bandung: User,
    officer_jabar: User,
    admin_user: User,
) -> None:
    kube = make_active_group(officer_bandung, "32.73.01.1001", name=LINK)
    Kube.objects.filter(pk=kube.pk).update(bank_account_holder="@SUM(A1)")
    programme = Programme.objects.create(
        name="P",
        year=2026,
        funding_source="apbn",
        amount_rule=AmountRule.PER_GROUP,
        amount=10_000_000,
        budget_ceiling=50_000_000,
    )
    cycle = Cycle.objects.create(programme=programme, number=1)
    proposal = aid_services.proposal_create(
        actor=officer_bandung, cycle_id=cycle.pk, kube_id=kube.pk
    )
    aid_services.proposal_recommend(actor=officer_jabar, proposal_id=proposal.pk)
    aid_services.cycle_approve(actor=admin_user, cycle_id=cycle.pk)
    client = client_for(officer_jabar)
    url = f"/api/v1/aid/cycles/{cycle.pk}/export"
    for sheet in ("approved", "disbursement"):
        assert_safe_xlsx(body(client.get(url, {"sheet": sheet, "fmt": "xlsx"})), LINK)
        assert_safe_csv(body(client.get(url, {"sheet": sheet, "fmt": "csv"})), LINK)
    rows = assert_safe_csv(body(client.get(url, {"sheet": "disbursement", "fmt": "csv"})))
    assert rows[1][4] == "'@SUM(A1)" and rows[1][5] == "10000000"


def test_monitoring_exports_inline_and_in_the_background(
    client_for: Callable[..., Client],
    officer_bandung: User,
    facilitator_bandung: User,
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    kube = make_active_group(officer_bandung, "32.73.01.1001", name=LINK)
    file_report(facilitator_bandung, kube, month(1))
    Person.objects.filter(kube_memberships__kube=kube).update(name="-2+3")
    client = client_for(officer_bandung)
    for kind in ("kelompok", "pendapatan"):
        assert_safe_xlsx(body(client.get(f"/pantau/wilayah/32.73/ekspor/{kind}.xlsx")), LINK)
        assert_safe_csv(body(client.get(f"/pantau/wilayah/32.73/ekspor/{kind}.csv")), LINK)
    incomes = body(client.get("/pantau/wilayah/32.73/ekspor/pendapatan.xlsx"))
    assert_safe_xlsx(incomes, "-2+3")
    # The same files written by the task worker.
    settings.SINERGI_EXPORT_INLINE_MAX = 0
    for fmt in ("xlsx", "csv"):
        with django_capture_on_commit_callbacks(execute=True):
            client.get(f"/pantau/wilayah/32.73/ekspor/pendapatan.{fmt}")
        job = Job.objects.filter(kind="monitoring.export", params__fmt=fmt).latest("pk")
        assert job.progress_done == 6, job.error
        download = body(client.get(f"/pantau/ekspor/{job.pk}/berkas"))
        if fmt == "xlsx":
            assert_safe_xlsx(download, LINK, "-2+3")
        else:
            assert_safe_csv(download, LINK, "-2+3")


def test_graduation_list_and_poverty_lines(
    client_for: Callable[..., Client],
    officer_bandung: User,
    facilitator_bandung: User,
    admin_user: User,
) -> None:
    kube = make_active_group(officer_bandung, "32.73.01.1001", name=LINK)
    Person.objects.filter(kube_memberships__kube=kube).update(name="@SUM(A1)")
    for back in range(6, 0, -1):
        file_report(facilitator_bandung, kube, month(back), income=3_000_000)
    summaries.refresh()
    assert Graduation.objects.exists()
    client = client_for(officer_bandung)
    assert_safe_xlsx(body(client.get("/pantau/graduasi/?format=xlsx")), LINK, "@SUM(A1)")
    assert_safe_csv(body(client.get("/pantau/graduasi/?format=csv")), LINK, "@SUM(A1)")

    PovertyLine.objects.filter(pk=PovertyLine.objects.first().pk).update(source="+1")  # type: ignore[union-attr]
    admin = client_for(admin_user)
    assert_safe_xlsx(body(admin.get("/pantau/garis-kemiskinan/?format=xlsx")), "+1")
    rows = assert_safe_csv(body(admin.get("/pantau/garis-kemiskinan/?format=csv")), "+1")
    assert all(r[4].isdigit() for r in rows[1:])  # amounts stay plain numbers


def test_user_directory_and_import_report(
    client_for: Callable[..., Client], officer_bandung: User, make_user: Callable[..., User]
) -> None:
    make_user("facilitator", "32.73", first_name="@SUM(A1)")
    admin = make_user("national_admin", None, is_staff=True)
    assert_safe_csv(body(client_for(admin).get("/akun/pengguna/ekspor.csv")), "@SUM(A1)")

    batch = ImportBatch.objects.create(
        file_name="x.csv",
        file_path="x",
        file_sha256="0" * 64,
        uploaded_by=officer_bandung,
        area_code="32.73",
    )
    ImportIssue.objects.create(batch=batch, row_number=2, column="nama", code="x", value=LINK)
    report = body(client_for(officer_bandung).get(f"/registri/impor/{batch.pk}/laporan.csv"))
    assert_safe_csv(report, LINK)


# Modules that write CSV for programs, not people: the engines' outputs read back by the CLI and
# other tools, and synthetic test data. An apostrophe would corrupt their ids.
MACHINE_FILES = {
    "cli.py",
    "engines/filecheck.py",
    # A commit chunk's rows, sealed and read back by the import itself: prefixing a cell
    # there would change the row that is stored, and nobody opens it in a spreadsheet.
    "registry/imports.py",
    "synthetic/demo.py",
    "synthetic/registry.py",
    # The demo's own registry file that an officer has yet to save (an upload, not a download).
    "synthetic/waiting.py",
}


def test_only_the_shared_writer_writes_spreadsheets() -> None:
    """A new download path cannot bypass the neutralising writer."""
    package = Path(django_settings.PACKAGE_DIR)
    offenders = []
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package).as_posix()
        if name == "core/exports.py" or name in MACHINE_FILES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and "openpyxl" in (node.module or ""):
                if {a.name for a in node.names} & {"Workbook", "WriteOnlyCell"}:
                    offenders.append(f"{name}:{node.lineno} imports an openpyxl writer")
            elif (
                isinstance(node, ast.Attribute)
                and node.attr in {"writer", "DictWriter", "Workbook"}
                and isinstance(node.value, ast.Name)
                and node.value.id in {"csv", "openpyxl"}
            ):
                offenders.append(f"{name}:{node.lineno} uses {ast.unparse(node)}")
    assert offenders == []
