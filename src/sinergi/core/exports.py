"""Tables as CSV or XLSX downloads, written row by row (bounded memory), one code path.

Every spreadsheet a person downloads goes through this module (a test fails when another module
starts writing one), because names, reasons and other typed text reach these files: a cell
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel and
LibreOffice (CSV or XLSX alike), so ``=HYPERLINK(...)`` typed as a group name would become a live
link. Text cells are neutralised as OWASP recommends: in CSV a leading apostrophe (the
spreadsheet shows the text, the apostrophe is its "this is text" mark); in XLSX an explicit
string cell marked quote-prefixed, so the text is shown as typed and stays text when edited.
Numbers stay numbers: a rupiah amount of -2 written as an int is a number, not text.

Machine files read back by programs (the engines' CSV outputs, synthetic data) are not
downloads and are written by their own code: an apostrophe would corrupt their ids.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any

from django.http import HttpResponse, StreamingHttpResponse

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# What a spreadsheet reads as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Values a spreadsheet stores as they are; everything else is written as text.
_PLAIN = (bool, int, float, Decimal, datetime.date, datetime.datetime, datetime.time)


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_cell(value: object) -> object:
    """A value safe for a CSV cell: numbers as they are, text never read as a formula."""
    if value is None:
        return ""
    if isinstance(value, _PLAIN):
        return value
    text = str(value)
    return "'" + text if is_formula_like(text) else text


def csv_row(row: Sequence[object]) -> list[object]:
    return [csv_cell(value) for value in row]


def _xlsx_row(sheet: Any, row: Sequence[object]) -> list[object]:
    from openpyxl.cell import WriteOnlyCell

    cells: list[object] = []
    for value in row:
        if value is None or isinstance(value, _PLAIN):
            cells.append(value)
            continue
        text = str(value)
        if not is_formula_like(text):
            cells.append(text)
            continue
        # openpyxl turns any string starting with "=" into a formula; an explicit string cell
        # is stored as inline text, and the quote prefix keeps it text when someone edits it.
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        cell.quotePrefix = True
        cells.append(cell)
    return cells


def write_table(
    target: IO[bytes],
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    fmt: str,
    *,
    sheet_name: str = "data",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write a table as CSV or XLSX into a binary file; returns the number of data rows.

    ``progress`` is called with the rows written so far every 1,000 rows (background jobs show
    it to the person waiting).
    """
    done = 0
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(sheet_name[:31])
        sheet.append(_xlsx_row(sheet, header))
        for row in rows:
            sheet.append(_xlsx_row(sheet, row))
            done += 1
            if progress is not None and done % 1000 == 0:
                progress(done)
        book.save(target)
        return done
    if fmt != "csv":
        raise ValueError(f"unknown table format {fmt!r}")
    text = io.TextIOWrapper(target, encoding="utf-8", newline="")
    try:
        writer = csv.writer(text)
        writer.writerow(csv_row(header))
        for row in rows:
            writer.writerow(csv_row(row))
            done += 1
            if progress is not None and done % 1000 == 0:
                progress(done)
    finally:
        text.flush()
        text.detach()  # the caller owns (and closes) the binary file
    return done


def table_response(
    name: str, header: Sequence[str], rows: Iterable[Sequence[object]], fmt: str
) -> HttpResponse:
    """A download named ``name.fmt``; numbers stay numbers in XLSX (rupiah are integers)."""
    buffer = io.BytesIO()
    write_table(buffer, header, rows, fmt, sheet_name=name)
    response = HttpResponse(buffer.getvalue(), content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_stream_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> StreamingHttpResponse:
    """A CSV download streamed line by line, so a million-row report needs no memory."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(csv_row(header))
        for row in rows:
            yield writer.writerow(csv_row(row))

    response = StreamingHttpResponse(lines(), content_type=FORMATS["csv"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
