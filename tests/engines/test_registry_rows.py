"""Row validation and file reading: every bad input named by column and code."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sinergi.engines.registry_rows import (
    COLUMNS,
    header_problems,
    normalise_phone,
    parse_date,
    parse_row,
)
from sinergi.engines.tabular import TabularError, open_table

TODAY = date(2026, 11, 28)
GOOD = [
    "S1",
    "3273010101200001",
    "3273014107900001",
    "Siti Aminah",
    "P",
    "Bandung",
    "1990-07-01",
    "istri",
    "0",
    "Jl. Sukasari 1",
    "32.73.01.1001",
    "2",
    "2026-03-31",
    "0812-3456-7890",
]


def _with(**changes: str) -> list[str]:
    row = list(GOOD)
    for column, value in changes.items():
        row[COLUMNS.index(column)] = value
    return row


def test_a_good_row_is_normalised() -> None:
    row, errors = parse_row(GOOD, today=TODAY)
    assert errors == [] and row is not None
    assert (row.nik, row.kk, row.sex, row.birth_date) == (
        "3273014107900001",
        "3273010101200001",
        "P",
        date(1990, 7, 1),
    )
    assert row.village_code == "32.73.01.1001" and row.phone == "081234567890"
    assert row.desil == 2 and row.is_head is False and row.warnings == []


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("id_sumber", "", "required"),
        ("no_kk", "", "required"),
        ("nik", "3273", "bad_length"),
        ("nik", "9973014107900001", "unknown_province"),
        ("nama", "12345", "bad_name"),
        ("jenis_kelamin", "X", "bad_sex"),
        ("tanggal_lahir", "31-02-1990", "bad_date"),
        ("tanggal_lahir", "2099-01-01", "date_out_of_range"),
        ("hubungan_keluarga", "ibu", "bad_relation"),
        ("kepala_keluarga", "ya", "bad_flag"),
        ("kode_desa", "32.73.01", "not_village"),
        ("kode_desa", "3273019999", "unknown_village"),
        ("kode_desa", "desa", "bad_code"),
        ("desil", "11", "bad_desil"),
        ("tanggal_desil", "", "desil_date_required"),
        ("telepon", "12345", "bad_phone"),
    ],
)
def test_each_bad_cell_is_reported_with_its_column(column: str, value: str, code: str) -> None:
    row, errors = parse_row(_with(**{column: value}), today=TODAY)
    assert row is None
    assert (column, code) in {(e.column, e.code) for e in errors}


def test_all_problems_of_a_row_are_reported_not_just_the_first() -> None:
    _row, errors = parse_row(_with(nik="1", jenis_kelamin="X", desil="0"), today=TODAY)
    assert {e.column for e in errors} == {"nik", "jenis_kelamin", "desil"}


def test_mismatches_are_warnings_not_errors() -> None:
    row, errors = parse_row(_with(tanggal_lahir="02/07/1990", jenis_kelamin="L"), today=TODAY)
    assert errors == [] and row is not None
    assert {w.code for w in row.warnings} == {"nik_date_mismatch", "nik_sex_mismatch"}


def test_dates_and_phones() -> None:
    assert parse_date("01-07-1990") == parse_date("01/07/1990") == date(1990, 7, 1)
    assert parse_date("1990-7-1") == date(1990, 7, 1) and parse_date("7/1990") is None
    assert normalise_phone("+62 812 3456 7890") == "081234567890"
    assert normalise_phone("0812") is None


def test_header_problems() -> None:
    assert header_problems(COLUMNS) == ([], [], False)
    assert header_problems([*COLUMNS[:-1], "catatan"]) == (["telepon"], ["catatan"], False)
    assert header_problems(list(reversed(COLUMNS)))[2] is True


def _csv(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    return path


def test_csv_with_bom_semicolons_and_cp1252(tmp_path: Path) -> None:
    header = ";".join(COLUMNS).encode()
    row = ";".join(_with(nama="Siti Ma’rifah", alamat="Jl. Café")).encode("cp1252")
    table = open_table(_csv(tmp_path, b"\xef\xbb\xbf" + header + b"\r\n" + row + b"\r\n"))
    assert table.header == COLUMNS
    [(number, cells)] = list(table.rows)
    assert number == 2 and cells[3] == "Siti Ma’rifah" and cells[9] == "Jl. Café"


def test_empty_and_old_excel_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(TabularError) as empty:
        open_table(_csv(tmp_path, b""))
    assert empty.value.code == "empty"
    with pytest.raises(TabularError) as old:
        open_table(_csv(tmp_path, b"\xd0\xcf\x11\xe0rest of an old xls"))
    assert old.value.code == "old_excel"


def test_xlsx_with_formulas_and_merged_cells(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(COLUMNS)
    sheet.append(_with(desil="=1+1"))
    sheet.append(_with(id_sumber="S2", nik="3273014107900002"))
    sheet.merge_cells("J3:K3")  # a merged address/village cell loses the village code
    path = tmp_path / "f.xlsx"
    book.save(path)
    table = open_table(path)
    rows = list(table.rows)
    assert table.header == COLUMNS and [n for n, _ in rows] == [2, 3]
    # A formula Excel never calculated shows as its text and fails, rather than reading empty.
    first, errors = parse_row(rows[0][1], today=TODAY)
    assert first is None and [(e.column, e.code, e.value) for e in errors] == [
        ("desil", "bad_desil", "=1+1")
    ]
    second, errors = parse_row(rows[1][1], today=TODAY)
    assert second is None and ("kode_desa", "required") in {(e.column, e.code) for e in errors}
