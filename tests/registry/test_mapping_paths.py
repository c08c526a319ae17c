"""Issue 19's short cuts for a column-mapped file: the whole-file code count reads a plain CSV
file's lines as they are, and the transform runs in the pool's workers. Neither may change
what the import reads, refuses or reports."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sinergi.accounts.models import User
from sinergi.engines.tabular import open_table
from sinergi.registry import imports, mapping, profiles
from sinergi.registry.imports import import_check, import_create
from sinergi.registry.models import ImportStatus, Person
from sinergi.synthetic.registry import RegistryGenerator
from tests.registry.test_mapping import DTSEN_HEADER, dtsen_row

DTSEN = profiles.builtins()[1].spec
SEX_AT, RELATION_AT = DTSEN_HEADER.index("JNS_KEL"), DTSEN_HEADER.index("HUB_KEL")
# Cells that make a line more than cells split by commas, or codes Sinergi cannot read.
CODES = ["1", "2", " 2", "1 ", "3", "9", "L", "x", "", "  ", "é", "ä,b", 'a"b', '"q"']


def _oracle(path: Path, spec: mapping.Spec) -> list[mapping.Problem]:
    """The code count through the import's own (tolerant) reader."""
    table = open_table(path, header_row=spec.header_row)
    return mapping.problems(spec, table.header) or mapping.unmapped_codes(
        spec, table.header, table.rows
    )


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, int]:
    """A DTSEN-like file as offices send them: quoted cells, CRLF, cp1252 lines, blank and
    short rows, and now and then a quote left open or a bare carriage return."""
    delimiter = draw(st.sampled_from([",", ";"]))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    titles = draw(st.integers(0, 2))
    lines = [f"JUDUL {i}{ending}".encode() for i in range(titles)]
    lines.append((delimiter.join(DTSEN_HEADER) + ending).encode())
    for _row in range(draw(st.integers(0, 30))):
        cells = ["c"] * len(DTSEN_HEADER)
        cells[SEX_AT], cells[RELATION_AT] = (
            draw(st.sampled_from(CODES)),
            draw(st.sampled_from(CODES)),
        )
        cells = cells[: draw(st.sampled_from([len(cells), len(cells), 6, 2]))]
        kind = draw(st.sampled_from(["csv", "csv", "csv", "raw", "blank", "cr"]))
        if kind == "csv":
            out = io.StringIO()
            csv.writer(out, delimiter=delimiter, lineterminator=ending).writerow(cells)
            text = out.getvalue()
        elif kind == "raw":  # written by hand: a quote may stay open
            text = delimiter.join(cells) + ending
        elif kind == "blank":
            text = ending
        else:
            text = delimiter.join(cells) + "\r" + ending
        lines.append(text.encode(draw(st.sampled_from(["utf-8", "utf-8", "cp1252"]))))
    data = b"".join(lines)
    if draw(st.booleans()):
        data = data.rstrip(b"\r\n")  # no line end after the last row
    return data, titles + 1


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=csv_files(), block=st.sampled_from([16, 64, 1 << 18]))
def test_the_code_count_names_what_the_import_reader_reads(
    tmp_path: Path, case: tuple[bytes, int], block: int
) -> None:
    data, header_row = case
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    spec = mapping.Spec(DTSEN.columns, DTSEN.value_maps, DTSEN.date_style, header_row)
    with mock.patch.object(mapping, "_BLOCK", block):  # rows cut across blocks too
        _header, found = profiles.file_problems(path, spec)
    assert found == _oracle(path, spec)


def test_a_plain_file_is_counted_without_the_reader_and_an_open_quote_with_it(
    tmp_path: Path,
) -> None:
    rows = [dtsen_row(r) for r in RegistryGenerator(5, areas=["32.73"]).rows(10)]
    rows[0][RELATION_AT], rows[1][RELATION_AT], rows[2][SEX_AT] = " 9", "9", '"3'
    path = tmp_path / "f.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([DTSEN_HEADER, *rows])
    coded = mapping.coded_columns(DTSEN, DTSEN_HEADER)
    counts = mapping.csv_code_counts(lambda: path.open("rb"), 1, coded)
    assert counts is not None and counts["hubungan_keluarga"]["9"] == 2
    assert counts["jenis_kelamin"]['"3'] == 1  # quoted by the writer: read as the cell holds it
    assert profiles.file_problems(path, DTSEN)[1] == _oracle(path, DTSEN)
    path.write_bytes(path.read_bytes().replace(b'"""3"', b'"3', 1))  # now a quote left open
    assert mapping.csv_code_counts(lambda: path.open("rb"), 1, coded) is None
    assert profiles.file_problems(path, DTSEN)[1] == _oracle(path, DTSEN)


@pytest.mark.django_db
def test_the_pools_workers_transform_a_mapped_file_as_the_importing_process_does(
    officer_bandung: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: object
) -> None:
    rows = [dtsen_row(r) for r in RegistryGenerator(7, areas=["32.73"]).rows(15)]
    rows[3][DTSEN_HEADER.index("TGL_LHR")] = "31-02-1980"  # no such day: reported as TGL_LHR
    rows[9][DTSEN_HEADER.index("NIK")] = "12"
    paths = []
    for name in ("a.csv", "b.csv"):
        paths.append(tmp_path / name)
        with paths[-1].open("w", newline="", encoding="utf-8") as out:
            csv.writer(out).writerows([DTSEN_HEADER, *rows])
    layout = ("dtsen", DTSEN)
    monkeypatch.setattr(imports, "POOL_MIN_ROWS", 1)
    monkeypatch.setattr(imports, "BATCH", 7)
    settings.SINERGI_IMPORT_WORKERS = 2  # type: ignore[attr-defined]
    pooled = import_create(actor=officer_bandung, source=paths[0], file_name="a", layout=layout)
    pooled = import_check(pooled.pk, commit=True)
    settings.SINERGI_IMPORT_WORKERS = 0  # type: ignore[attr-defined]
    serial = import_create(actor=officer_bandung, source=paths[1], file_name="b", layout=layout)
    serial = import_check(serial.pk)
    assert pooled.status == ImportStatus.COMMITTED
    assert pooled.rows_committed == len(rows) - 2 == Person.objects.count()
    assert (pooled.rows_read, pooled.rows_rejected) == (serial.rows_read, serial.rows_rejected)
    report = [(i.row_number, i.column, i.code, i.value) for i in pooled.issues.order_by("pk")]
    assert report == [
        (i.row_number, i.column, i.code, i.value) for i in serial.issues.order_by("pk")
    ]
    assert {(n, c) for n, c, _code, _v in report} >= {(5, "TGL_LHR"), (11, "NIK")}
    assert serial.rows_skipped == len(rows) - 2  # the same rows, stored by the pooled run
    assert Counter(Person.objects.values_list("sex", flat=True)) == Counter(
        {"1": "L", "2": "P"}[r[SEX_AT]] for i, r in enumerate(rows) if i not in (3, 9)
    )
