"""Read a CSV or XLSX file as a stream of rows of strings, whatever its encoding.

Bounded memory: CSV is decoded line by line (UTF-8, with or without BOM, falling back to
cp1252 per line, so one stray byte does not make the whole file unreadable); XLSX is read with
openpyxl in read-only mode (formulas give their cached values). Row numbers are the numbers a
person sees in a spreadsheet: the header is row 1.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class TabularError(ValueError):
    """The file as a whole cannot be read; ``code`` is stable, ``detail`` says more."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (row number, cells)


def _decode_lines(raw: io.BufferedReader) -> Iterator[str]:
    first = True
    for line in raw:
        if first:
            line = line.removeprefix(b"\xef\xbb\xbf")
            first = False
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            yield line.decode("cp1252", errors="replace")


def _sniff_delimiter(path: Path) -> str:
    with path.open("rb") as raw:
        head = raw.readline(65536).decode("utf-8", errors="replace")
    return ";" if head.count(";") > head.count(",") else ","


def _csv_rows(path: Path) -> Table:
    delimiter = _sniff_delimiter(path)
    handle = path.open("rb")
    reader = csv.reader(_decode_lines(handle), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        handle.close()
        raise TabularError("empty") from None
    except csv.Error as exc:
        handle.close()
        raise TabularError("unreadable", str(exc)) from exc

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, cells in enumerate(reader, start=2):
                if any(c.strip() for c in cells):
                    yield number, cells
        except csv.Error as exc:
            raise TabularError("unreadable", str(exc)) from exc
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


def _xlsx_rows(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
        formulas = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a broken archive
        raise TabularError("unreadable", type(exc).__name__) from exc
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
        header = [_cell(c).strip() for c in next(values)]
    except StopIteration:
        book.close()
        formulas.close()
        raise TabularError("empty") from None
    while header and not header[-1]:
        header.pop()

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, cells in enumerate(values, start=2):
                texts = [_cell(c) for c in cells]
                if any(t.strip() for t in texts):
                    yield number, texts
        finally:
            book.close()
            formulas.close()

    return Table(header, rows())


def open_table(path: Path) -> Table:
    """Open a CSV or XLSX (by content, not name); refuse empty and unknown files."""
    if path.stat().st_size == 0:
        raise TabularError("empty")
    with path.open("rb") as raw:
        magic = raw.read(4)
    if magic == b"PK\x03\x04":
        return _xlsx_rows(path)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise TabularError("old_excel")
    return _csv_rows(path)
