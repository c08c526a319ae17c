"""Read a CSV or XLSX file as a stream of rows of strings, whatever its encoding.

Bounded memory: CSV is decoded line by line. A byte-order mark decides the encoding (UTF-8,
UTF-16 LE or BE, as Excel's "Unicode text" writes); without one, NULs on alternate bytes mean
UTF-16 without a mark, and otherwise each line is UTF-8, falling back to cp1252 for that line,
so one stray byte does not make the whole file unreadable. XLSX is read with openpyxl in
read-only mode (formulas give their cached values) after its zip directory is checked for a
bomb. Row numbers are the numbers a person sees in a spreadsheet: the header is row 1.

Every physical line ends up in a row or in a reported broken row: a quote left open may not
swallow the lines after it (see ``_records``).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

Source = Path | Callable[[], IO[bytes]]

LINE_LIMIT = 1 << 20  # bytes in one physical line; longer is a broken row, not a crash
MAX_SPAN = 20  # physical lines one quoted row may take (an address typed with Alt+Enter)
XLSX_MAX_UNPACKED = 2 << 30  # a million-row sheet unpacks to well under 1 GiB
XLSX_MAX_RATIO = 250  # spreadsheets compress ~10:1; a bomb by thousands
csv.field_size_limit(LINE_LIMIT * MAX_SPAN)


class TabularError(ValueError):
    """The file as a whole cannot be read; ``code`` is stable, ``detail`` says more."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


class BrokenRow(list[str]):
    """A row that could not be split into cells; ``code`` says why. It has no cells."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (row number, cells, or a BrokenRow)


class _LongLine(str):
    """A physical line cut at LINE_LIMIT (the rest of it was skipped)."""


def _byte_lines(raw: IO[bytes]) -> Iterator[bytes]:
    while True:
        line = raw.readline(LINE_LIMIT)
        if not line:
            return
        if len(line) == LINE_LIMIT and not line.endswith(b"\n"):
            while (rest := raw.readline(LINE_LIMIT)) and not rest.endswith(b"\n"):
                pass
            yield b"\x00LONG"
            continue
        yield line


def _text_lines(raw: IO[bytes]) -> Iterator[str]:
    head = raw.read(4096)
    raw.seek(0)
    encoding = None
    if head.startswith(codecs.BOM_UTF16_LE):
        encoding, skip = "utf-16-le", 2
    elif head.startswith(codecs.BOM_UTF16_BE):
        encoding, skip = "utf-16-be", 2
    elif len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and not head[0::2].count(0):
        encoding, skip = "utf-16-le", 0
    elif len(head) >= 4 and head[0::2].count(0) > len(head) // 4 and not head[1::2].count(0):
        encoding, skip = "utf-16-be", 0
    if encoding is not None:
        raw.read(skip)
        text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
        while line := text.readline(LINE_LIMIT):
            if len(line) == LINE_LIMIT and not line.endswith(("\n", "\r")):
                while (rest := text.readline(LINE_LIMIT)) and not rest.endswith(("\n", "\r")):
                    pass
                yield _LongLine()
                continue
            yield line
        return
    first = True
    for data in _byte_lines(raw):
        if data == b"\x00LONG":
            yield _LongLine()
            continue
        if first:
            data = data.removeprefix(codecs.BOM_UTF8)
            first = False
        try:
            yield data.decode("utf-8")
        except UnicodeDecodeError:
            yield data.decode("cp1252", errors="replace")


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


# What makes a line more than cells split by the delimiter, for the csv module.
_NOT_PLAIN = ('"', "\r", "\n", "\x00")


def _records(lines: Iterator[str], delimiter: str, width: int) -> Iterator[list[str]]:
    """CSV records from physical lines; an unbalanced quote is reported, not believed.

    A record that takes more than one line is kept only when it takes at most MAX_SPAN lines
    and none of its later lines would be a whole row on its own (``width`` cells): that is
    what a quote left open looks like, swallowing the rows below it. Then the record's first
    line becomes a BrokenRow("quote_unclosed") and reading starts again on the next line, so
    no line is lost without a word.
    """
    pending: deque[str] = deque()
    current: list[str] = []
    ended = [False]  # the file ended while the reader wanted more: inside a quote

    def feed() -> Iterator[str]:
        while True:
            line = pending.popleft() if pending else next(lines, None)
            if line is None:
                ended[0] = bool(current)
                return
            current.append(line)
            if len(current) > MAX_SPAN:
                return  # the reader stops here; the record is judged below
            yield line

    while True:
        current.clear()
        ended[0] = False
        if not pending:
            first = next(lines, None)
            if first is None:
                return
            # Almost every line of a registry file is one whole record without quotes: split
            # it as the csv module would, without a reader and its line feed per record.
            if type(first) is str:
                body = first[:-1] if first.endswith("\n") else first
                body = body[:-1] if body.endswith("\r") else body
                if not any(c in body for c in _NOT_PLAIN):
                    yield body.split(delimiter) if body else []
                    continue
            pending.append(first)
        if isinstance(pending[0], _LongLine):
            current.append(pending.popleft())
            yield BrokenRow("line_too_long")
            continue
        reader = csv.reader(feed(), delimiter=delimiter)
        try:
            record = next(reader, None)
        except csv.Error:
            record = None
        taken = list(current)
        if record is not None and not ended[0] and _plausible(taken, delimiter, width):
            yield record
            continue
        if not taken:
            return
        # Start again on the line after the one where the quote opened.
        pending.extendleft(reversed(taken[1:]))
        yield BrokenRow("line_too_long" if isinstance(taken[0], _LongLine) else "quote_unclosed")


def _plausible(taken: list[str], delimiter: str, width: int) -> bool:
    if len(taken) > MAX_SPAN or any(isinstance(t, _LongLine) for t in taken):
        return False
    for line in taken[1:]:
        cells = next(csv.reader([line], delimiter=delimiter), [])
        if len(cells) >= width > 1:
            return False
    return True


def _csv_rows(opener: Callable[[], IO[bytes]], header_row: int = 1) -> Table:
    handle = opener()
    lines = _text_lines(handle)
    # Lines above the header (a title, an export date) are skipped, as a person reads them.
    for _skipped in range(header_row - 1):
        next(lines, None)
    first = next(lines, None)
    if first is None:
        handle.close()
        raise TabularError("empty")
    if isinstance(first, _LongLine):
        handle.close()
        raise TabularError("unreadable", "header line too long")
    delimiter = _sniff_delimiter(first)
    header = next(csv.reader([first], delimiter=delimiter), [])
    width = len(header)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, cells in enumerate(_records(lines, delimiter, width), start=header_row + 1):
                # A row of blank cells is no row ("".join: one call instead of one a cell).
                if isinstance(cells, BrokenRow) or "".join(cells).strip():
                    yield number, cells
        finally:
            handle.close()

    return Table([h.strip() for h in header], rows())


def _cell(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and hasattr(value, "isoformat"):
        return value.date().isoformat() if hasattr(value, "hour") else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_zip(handle: IO[bytes]) -> None:
    """Refuse an archive that unpacks to far more than a spreadsheet could (a zip bomb)."""
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise TabularError("unreadable", "not a valid XLSX (zip) file") from exc
    total = sum(m.file_size for m in members)
    if total > XLSX_MAX_UNPACKED or any(
        m.file_size > 10 * LINE_LIMIT and m.file_size > XLSX_MAX_RATIO * max(1, m.compress_size)
        for m in members
    ):
        raise TabularError("zip_bomb")
    handle.seek(0)


def _xlsx_rows(opener: Callable[[], IO[bytes]], header_row: int = 1) -> Table:
    from openpyxl import load_workbook

    handles = [opener(), opener()]
    try:
        _check_zip(handles[0])
        book = load_workbook(handles[0], read_only=True, data_only=True)
        formulas = load_workbook(handles[1], read_only=True, data_only=False)
    except TabularError:
        for h in handles:
            h.close()
        raise
    except Exception as exc:  # openpyxl raises many types for a broken archive
        for h in handles:
            h.close()
        raise TabularError("unreadable", type(exc).__name__) from exc

    def close() -> None:
        book.close()
        formulas.close()
        for h in handles:
            h.close()

    # Cached values where Excel saved them; where it did not (a file written by a program),
    # the formula text itself, so the row fails visibly instead of reading as empty.
    values = (
        tuple(c if c is not None else f for c, f in zip(cached, raw, strict=False))
        for cached, raw in zip(
            book.worksheets[0].iter_rows(values_only=True),
            formulas.worksheets[0].iter_rows(values_only=True),
            strict=False,
        )
    )
    try:
        for _skipped in range(header_row - 1):
            next(values)
        header = [_cell(c).strip() for c in next(values)]
    except StopIteration:
        close()
        raise TabularError("empty") from None
    while header and not header[-1]:
        header.pop()

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, cells in enumerate(values, start=header_row + 1):
                texts = [_cell(c) for c in cells]
                if any(t.strip() for t in texts):
                    yield number, texts
        finally:
            close()

    return Table(header, rows())


def open_table(source: Source, *, header_row: int = 1) -> Table:
    """Open a CSV or XLSX (by content, not name); refuse empty and unknown files.

    ``header_row`` is the row (counted from 1) that holds the column names; rows above it
    are skipped and row numbers stay those of the sheet.

    ``source`` is a path, or a function that opens the file (binary, seekable) each time it
    is called, for files that are not plain files on disk (a sealed upload).
    """
    opener: Callable[[], IO[bytes]]
    if isinstance(source, Path):
        path = source
        opener = lambda: path.open("rb")  # noqa: E731  # the simplest opener there is
    else:
        opener = source
    with opener() as raw:
        magic = raw.read(4)
    if not magic:
        raise TabularError("empty")
    if magic == b"PK\x03\x04":
        return _xlsx_rows(opener, header_row)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise TabularError("old_excel")
    return _csv_rows(opener, header_row)
