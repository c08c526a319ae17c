"""Bank statement layouts, without a database: amounts in each style, every shipped layout
reading a statement written in it (found by content), MT940, and bad files said precisely."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi.engines import statements
from sinergi.engines.reconcile import Transfer, reconcile
from sinergi.engines.statements import (
    BUILTIN,
    Layout,
    StatementError,
    format_amount,
    parse_amount,
    parse_day,
)

LAYOUTS = list(BUILTIN.values())


@given(
    st.sampled_from(sorted(statements.AMOUNT_STYLES)),
    st.decimals(
        min_value=Decimal("-999999999999.99"),
        max_value=Decimal("999999999999.99"),
        places=2,
        allow_nan=False,
        allow_infinity=False,
    ),
)
def test_an_amount_written_in_a_style_reads_back_the_same(style: str, amount: Decimal) -> None:
    assert parse_amount(format_amount(amount, style), style) == amount


@pytest.mark.parametrize(
    ("text", "style", "amount"),
    [
        ("1.234.567,00", "id", Decimal("1234567")),
        ("Rp 1.234.567", "id", Decimal("1234567")),
        ("1.500.000,00 DB", "id", Decimal("-1500000")),
        ("1,500,000.00 CR", "en", Decimal("1500000")),
        ("(2,500.00)", "en", Decimal("-2500")),
        ("1.500.000,00-", "id", Decimal("-1500000")),
        ("IDR 750000", "plain", Decimal("750000")),
        ("-750000.00", "plain", Decimal("-750000")),
    ],
)
def test_amounts_as_banks_write_them(text: str, style: str, amount: Decimal) -> None:
    assert parse_amount(text, style) == amount


@pytest.mark.parametrize(
    ("text", "style"),
    [
        ("1,234,567.00", "id"),  # English written, Indonesian expected
        ("1.234.567,00", "en"),
        ("1.234.567", "plain"),
        ("12.34.567", "id"),
        ("dua juta", "id"),
        ("", "id"),
        ("1.500.000 XY", "id"),
    ],
)
def test_an_amount_in_another_style_is_not_guessed(text: str, style: str) -> None:
    assert parse_amount(text, style) is None


def test_days_in_each_style() -> None:
    assert parse_day("02/11/2026", "dmy") == date(2026, 11, 2)
    assert parse_day("11/02/2026", "mdy") == date(2026, 11, 2)
    assert parse_day("2026-11-02", "mdy") == date(2026, 11, 2)  # ISO cannot be mistaken
    assert parse_day("02-Nov-26", "dmy") == date(2026, 11, 2)
    assert parse_day("2 Agustus 2026", "dmy") == date(2026, 8, 2)
    assert parse_day("02/11/2026 14:05:33", "dmy") == date(2026, 11, 2)
    assert parse_day("31/02/2026", "dmy") is None
    assert parse_day("02/11/2026", "ymd") is None  # a year-first layout refuses day-first


# --- A statement written in each shipped layout ------------------------------------------------

REFERENCES = st.from_regex(r"[A-Z]{3}[0-9]{4,10}", fullmatch=True)
TRANSFERS = st.lists(
    st.builds(
        Transfer,
        reference=REFERENCES,
        account=st.from_regex(r"[1-9][0-9]{9,14}", fullmatch=True),
        amount=st.integers(1, 5_000_000_000),
        day=st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    ),
    min_size=1,
    max_size=8,
    unique_by=lambda t: t.reference,
)


def _day(day: date, style: str) -> str:
    if style == "ymd":
        return day.isoformat()
    if style == "mdy":
        return f"{day:%m/%d/%Y}"
    return f"{day:%d/%m/%Y}"


def _money(amount: int, layout: Layout, *, out: bool) -> dict[str, str]:
    """The amount cells of a line: signed or marked in one column, or debit/credit."""
    written = format_amount(Decimal(amount), layout.amount_style)
    if layout.amount:
        if layout.direction == "any":
            return {layout.amount: written}
        return {layout.amount: f"{written} {'DB' if out else 'CR'}"}
    zero = format_amount(Decimal(0), layout.amount_style)
    return {layout.debit: written if out else zero, layout.credit: zero if out else written}


def _description(transfer: Transfer) -> str:
    return f"TRF BANTUAN KUBE KE {transfer.account} REF {transfer.reference} DINSOS"


def write_statement(layout: Layout, transfers: list[Transfer]) -> bytes:
    """A statement as the layout describes it: preamble, header, the transfers, a credit and a
    fee line (both to be skipped where the layout reads payments out), a closing balance."""
    header = list(_header_names(layout))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=layout.delimiter, lineterminator="\r\n")
    for number in range(layout.skip_rows):
        writer.writerow([f"Informasi rekening {number}: Dinas Sosial"])
    writer.writerow(header)

    def line(day: date, money: dict[str, str], description: str, reference: str, account: str):
        cells = dict.fromkeys(header, "")
        cells[layout.date] = _day(day, layout.date_style)
        cells.update(money)
        if layout.description:
            cells[layout.description] = description
        if layout.reference:
            cells[layout.reference] = reference
        if layout.account:
            cells[layout.account] = account
        writer.writerow([cells[name] for name in header])

    for transfer in transfers:
        line(
            transfer.day,
            _money(transfer.amount, layout, out=True),
            _description(transfer),
            transfer.reference,
            transfer.account,
        )
    if layout.direction == "debit":
        line(date(2026, 1, 5), _money(90_000, layout, out=False), "SETORAN TUNAI", "SETOR1", "")
        if layout.reference_pattern:
            line(date(2026, 1, 6), _money(6_500, layout, out=True), "BIAYA ADMINISTRASI", "", "")
    writer.writerow(["Saldo Akhir"] + [""] * (len(header) - 1))
    return buffer.getvalue().encode("utf-8")


def _header_names(layout: Layout) -> list[str]:
    names = [
        layout.date,
        layout.description,
        layout.reference,
        layout.account,
        layout.amount,
        layout.debit,
        layout.credit,
    ]
    return [n for n in names if n] + ["Saldo"]


def _expected(layout: Layout, transfers: list[Transfer]) -> list[Transfer]:
    named = bool(layout.account or layout.account_pattern)
    return [replace(t, account=t.account if named else "") for t in transfers]


CSV_LAYOUTS = [lay for lay in LAYOUTS if lay.kind == "csv"]


@pytest.mark.parametrize("layout", CSV_LAYOUTS, ids=lambda lay: lay.name)
@settings(max_examples=15, deadline=None)
@given(transfers=TRANSFERS)
def test_each_shipped_layout_reads_a_statement_written_in_it(
    layout: Layout, transfers: list[Transfer]
) -> None:
    data = write_statement(layout, transfers)
    read = statements.read(data, LAYOUTS)  # found by content, among all of them
    assert read.layout == layout.name
    assert read.problems == []
    assert read.transfers == _expected(layout, transfers)
    skipped = 1 + (layout.direction == "debit") + bool(layout.reference_pattern)
    assert read.skipped == (skipped if layout.direction == "debit" else 1)
    # Reconciled against what Sinergi recorded, every transfer matches.
    assert sorted(reconcile(transfers, read.transfers).matched) == sorted(
        t.reference for t in transfers
    )


MT940 = """:20:STMT2611
:25:0123456789012
:28C:00011/001
:60F:C261101IDR500000000,00
:61:2611021102D12000000,00NTRFTRX1//BNI0001
:86:PEMINDAHBUKUAN KE 012301000001501 BANTUAN KUBE MAWAR
:61:2611031103C2500000,00NTRFNONREF//BNI0002
:86:SETORAN DARI KAS DAERAH
:61:2611041104D2000000,00NTRFNONREF//BNI0003
:86:PEMINDAHBUKUAN KE 3273 0100 0001 502 BANTUAN KUBE MELATI
:62F:C261130IDR488500000,00
-
"""


def test_an_mt940_statement_is_found_by_its_tags_and_read() -> None:
    read = statements.read(MT940.encode(), LAYOUTS)
    assert read.layout == "mt940" and read.by_entry and read.problems == []
    assert read.transfers == [
        Transfer("TRX1", "012301000001501", 12_000_000, date(2026, 11, 2)),
        # No customer reference (NONREF): the bank's own names the transfer.
        Transfer("BNI0003", "327301000001502", 2_000_000, date(2026, 11, 4)),
    ]
    assert read.skipped == 1  # the credit


def test_bad_lines_name_the_line_the_value_and_the_style() -> None:
    layout = BUILTIN["mandiri"]
    data = write_statement(layout, [Transfer("TRX1", "0123456789", 1_500_000, date(2026, 11, 2))])
    text = data.decode()
    bad = (
        text.replace("1,500,000.00", "1.500.000,00")  # Indonesian in an English layout
        .replace("02/11/2026", "31/11/2026", 0)  # (left alone: counts are below)
        .replace("Saldo Akhir", '15/11/2026,X,TRX2,"2,500.50",0.00', 1)
    )
    read = statements.read(bad.encode(), LAYOUTS, chosen=layout)
    assert [(p.line, p.code, p.value, p.expected) for p in read.problems] == [
        (2, "amount", "1.500.000,00", "1,234,567.00"),
        (4, "cents", "2,500.50", "1,234,567.00"),
    ]
    dated = text.replace("02/11/2026", "2026/31/11")
    problem = statements.read(dated.encode(), LAYOUTS, chosen=layout).problems[0]
    assert (problem.line, problem.code, problem.value, problem.expected) == (
        2,
        "date",
        "2026/31/11",
        "31/12/2026",
    )


def test_a_file_matching_no_layout_names_those_tried() -> None:
    with pytest.raises(StatementError) as none:
        statements.read(b"tanggal;keterangan;nominal\n01/11/2026;x;100\n", LAYOUTS)
    assert none.value.code == "no_layout"
    assert set(none.value.tried) == {lay.name for lay in CSV_LAYOUTS} | {"mt940"}
    bri = write_statement(BUILTIN["bri"], [Transfer("TRX1", "0123456789", 5, date(2026, 1, 1))])
    with pytest.raises(StatementError) as header:
        statements.read(bri, LAYOUTS, chosen=BUILTIN["bca"])
    assert header.value.code == "header" and "keterangan" in header.value.detail
    with pytest.raises(StatementError) as not_mt940:
        statements.read(bri, LAYOUTS, chosen=BUILTIN["mt940"])
    assert not_mt940.value.code == "not_mt940"
    with pytest.raises(StatementError) as broken:
        statements.read(b":20:X\n:25:1\n:61:garbage\n", LAYOUTS, chosen=BUILTIN["mt940"])
    assert broken.value.code in {"mt940", "not_mt940"}


def test_a_layout_the_reader_cannot_use_is_named_field_by_field() -> None:
    both = Layout("x", date="d", reference="r", amount="a", debit="db", credit="cr")
    assert ("amount", "amount_or_debit_credit") in both.problems()
    no_source = Layout("x", date="d", amount="a", reference_pattern="REF (\\d+)")
    assert {("reference", "reference_source"), ("description", "pattern_needs_description")} <= set(
        no_source.problems()
    )
    broken = Layout("x", date="d", amount="a", description="k", reference_pattern="REF (")
    assert broken.problems() == [("reference_pattern", "bad_pattern")]
    assert Layout("x", date="d", debit="db", reference="r").problems() == [
        ("credit", "debit_and_credit")
    ]
    assert all(not layout.problems() for layout in LAYOUTS)


def test_a_windows_file_with_a_byte_order_mark_or_cp1252_is_read() -> None:
    layout = BUILTIN["sinergi"]
    body = "reference,account,amount,date\nTRX1,0123,1.500.000,02/11/2026\n"
    for data in (body.encode("utf-8-sig"), body.encode("utf-16"), body.encode("cp1252")):
        read = statements.read(data, LAYOUTS)
        assert read.layout == layout.name
        assert read.transfers == [Transfer("TRX1", "0123", 1_500_000, date(2026, 11, 2))]
