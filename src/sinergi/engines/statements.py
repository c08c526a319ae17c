"""Bank statements in each bank's own layout: read into transfers, strictly, no database.

A ``Layout`` says where a statement's columns are and how its dates and amounts are written
(the aid app keeps them as ``StatementProfile`` rows an admin can edit); MT940 files are read
with the ``mt940`` package. ``read`` picks the layout by content when none is chosen: MT940 by
its tags, a CSV layout by finding its header among the first lines after the preamble. Every
line that cannot be read is reported with its line number, the value found and the style that
was expected — never guessed. Lines that are not transfers of the programme (a balance line, a
fee, money coming in when the layout reads payments out, no reference in the description) are
counted as skipped.

Amounts are integer rupiah: ``1.234.567,00`` (Indonesian), ``1,234,567.00`` (English) or plain
``1234567``; a sign, ``Rp``/``IDR``, parentheses or a ``DB``/``CR`` mark say which way money
went. A fraction of a rupiah is refused.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation


@dataclass(frozen=True)
class Transfer:
    """One transfer: as Sinergi recorded it, or as a statement line states it (``account``
    empty when the statement does not name the receiving account)."""

    reference: str
    account: str
    amount: int
    day: date


# --- Amounts -----------------------------------------------------------------------------------

AMOUNT_STYLES = {
    "id": "1.234.567,00",
    "en": "1,234,567.00",
    "plain": "1234567",
}
_AMOUNT_SHAPES = {
    "id": re.compile(r"^(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d{1,4})?$"),
    "en": re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,4})?$"),
    "plain": re.compile(r"^\d+(?:\.\d{1,4})?$"),
}
# A mark after the number saying which way the money went (BCA, BNI: "1.500.000,00 DB").
_DIRECTION_MARK = re.compile(r"^(?P<number>.*?)\s*(?P<mark>DB|DR|CR|D|K|C)\.?$", re.IGNORECASE)
_DEBIT_MARKS = {"DB", "DR", "D"}
AMOUNT_MAX = Decimal(10) ** 15  # rupiah; no bank line is near it, and it bounds the integer


def parse_amount(text: str, style: str) -> Decimal | None:
    """The signed amount ``text`` states in ``style``; None when it is not one."""
    value = text.strip().replace("\u00a0", " ")
    if not value:
        return None
    negative = False
    marked = _DIRECTION_MARK.match(value)
    if marked and marked["number"] and marked["number"][-1:].isdigit():
        value, negative = marked["number"], marked["mark"].upper() in _DEBIT_MARKS
    if value.startswith("(") and value.endswith(")"):
        value, negative = value[1:-1].strip(), True
    if value[:1] in "+-":
        negative, value = negative or value[0] == "-", value[1:].strip()
    elif value[-1:] == "-":  # some banks write debits as "1.500.000,00-"
        negative, value = True, value[:-1].strip()
    for prefix in ("Rp.", "Rp", "IDR"):
        if value[: len(prefix)].upper() == prefix.upper():
            value = value[len(prefix) :].strip()
            break
    if value[:1] == "-":
        negative, value = True, value[1:].strip()
    shape = _AMOUNT_SHAPES.get(style)
    if shape is None or not shape.match(value):
        return None
    if style == "id":
        value = value.replace(".", "").replace(",", ".")
    elif style == "en":
        value = value.replace(",", "")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    if amount >= AMOUNT_MAX:
        return None
    return -amount if negative else amount


def format_amount(amount: Decimal, style: str) -> str:
    """``amount`` written as a statement in ``style`` writes it (two decimals but plain)."""
    sign = "-" if amount < 0 else ""
    whole, _dot, cents = f"{abs(amount):.2f}".partition(".")
    if style == "plain":
        return f"{sign}{whole}.{cents}" if cents != "00" else f"{sign}{whole}"
    groups = f"{int(whole):,}"
    if style == "id":
        return f"{sign}{groups.replace(',', '.')},{cents}"
    return f"{sign}{groups}.{cents}"


# --- Dates -------------------------------------------------------------------------------------

DATE_STYLES = {"dmy": "31/12/2026", "ymd": "2026-12-31", "mdy": "12/31/2026"}
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "januari", "january"),
            ("feb", "peb", "februari", "february"),
            ("mar", "maret", "march"),
            ("apr", "april"),
            ("mei", "may"),
            ("jun", "juni", "june"),
            ("jul", "juli", "july"),
            ("agu", "agt", "ags", "aug", "agustus", "august"),
            ("sep", "sept", "september"),
            ("okt", "oct", "oktober", "october"),
            ("nov", "nop", "november", "nopember"),
            ("des", "dec", "desember", "december"),
        ],
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$")
_NAMED = re.compile(r"^(\d{1,2})[-/. ]([A-Za-z]{3,9})[-/. ,]+(\d{2}|\d{4})$")
_TIME = re.compile(r"\s+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?$")


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def parse_day(text: str, style: str) -> date | None:
    """The day ``text`` names in ``style``; an ISO date is read in every style (it cannot be
    mistaken), a time after the date is ignored. None when it is not a real day."""
    value = _TIME.sub("", text.strip().strip("'"))
    try:
        if match := _ISO.match(value):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _NAMED.match(value):
            month = _MONTHS.get(match[2].lower())
            return date(_year(match[3]), month, int(match[1])) if month else None
        if style in ("dmy", "mdy") and (match := _NUMERIC.match(value)):
            first, second = int(match[1]), int(match[2])
            day, month = (first, second) if style == "dmy" else (second, first)
            return date(_year(match[3]), month, day)
    except ValueError:
        return None
    return None


# --- Layouts -----------------------------------------------------------------------------------

DIRECTIONS = ("any", "debit", "credit")
HEADER_SEARCH = 30  # lines after the declared preamble where the header may still be
PATTERN_MAX = 200


@dataclass(frozen=True)
class Layout:
    """Where a bank's statement keeps each thing. Column names are the header's words,
    compared without case or extra spaces; ``amount`` or ``debit``/``credit``."""

    name: str
    kind: str = "csv"  # or "mt940"
    delimiter: str = ","
    encoding: str = ""  # empty: a byte-order mark, else UTF-8, else Windows-1252
    skip_rows: int = 0
    reference: str = ""
    account: str = ""
    amount: str = ""
    debit: str = ""
    credit: str = ""
    date: str = ""
    description: str = ""
    # "Reference = first match of this in the description" (a group if it has one).
    reference_pattern: str = ""
    account_pattern: str = ""
    date_style: str = "dmy"
    amount_style: str = "id"
    direction: str = "any"

    def columns(self) -> list[str]:
        names = [
            self.reference,
            self.account,
            self.amount,
            self.debit,
            self.credit,
            self.date,
            self.description,
        ]
        return [_norm(n) for n in names if n]

    def problems(self) -> list[tuple[str, str]]:
        """What makes the layout unusable, as (field, code): checked when it is saved."""
        found: list[tuple[str, str]] = []
        if self.kind == "mt940":
            return [(f, "bad_pattern") for f in _bad_patterns(self)]
        if self.kind != "csv":
            found.append(("kind", "kind"))
        if len(self.delimiter) != 1 or self.delimiter in '\r\n"':
            found.append(("delimiter", "delimiter"))
        if not self.date:
            found.append(("date", "required"))
        if bool(self.amount) == bool(self.debit or self.credit):
            found.append(("amount", "amount_or_debit_credit"))
        elif not self.amount and not (self.debit and self.credit):
            found.append(("credit" if self.debit else "debit", "debit_and_credit"))
        if not self.reference and not (self.description and self.reference_pattern):
            found.append(("reference", "reference_source"))
        if (self.reference_pattern or self.account_pattern) and not self.description:
            found.append(("description", "pattern_needs_description"))
        names = self.columns()
        if len(names) != len(set(names)):
            found.append(("amount", "column_twice"))
        if self.amount_style not in AMOUNT_STYLES:
            found.append(("amount_style", "style"))
        if self.date_style not in DATE_STYLES:
            found.append(("date_style", "style"))
        if self.direction not in DIRECTIONS:
            found.append(("direction", "style"))
        if self.encoding:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                found.append(("encoding", "encoding"))
        found.extend((f, "bad_pattern") for f in _bad_patterns(self))
        return found


def _bad_patterns(layout: Layout) -> list[str]:
    bad = []
    for name in ("reference_pattern", "account_pattern"):
        pattern = getattr(layout, name)
        if not pattern:
            continue
        if len(pattern) > PATTERN_MAX:
            bad.append(name)
            continue
        try:
            re.compile(pattern)
        except re.error:
            bad.append(name)
    return bad


def _norm(text: str) -> str:
    return " ".join(text.strip().strip('"').strip("'").split()).casefold()


# --- Reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One line that could not be read: where, what (a stable code), the value found and
    what was expected (an example in the layout's style)."""

    line: int
    code: str
    value: str = ""
    expected: str = ""


@dataclass
class Statement:
    layout: str
    transfers: list[Transfer] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0
    # MT940 numbers its entries, not lines: the problems' numbers count entries.
    by_entry: bool = False


class StatementError(ValueError):
    """The file as a whole cannot be read: ``code`` is stable, ``tried`` the layouts tried."""

    def __init__(self, code: str, *, tried: Sequence[str] = (), detail: str = "") -> None:
        super().__init__(f"{code}: {detail or ', '.join(tried)}")
        self.code = code
        self.tried = list(tried)
        self.detail = detail


def decode(data: bytes, encoding: str = "") -> str:
    """Text of a statement: a byte-order mark first, else ``encoding``, else UTF-8, else
    Windows-1252 (what spreadsheets on Indonesian office PCs save)."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(name, errors="replace")
    if encoding:
        return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def is_mt940(text: str) -> bool:
    head = text.lstrip()[:4000]
    return (":20:" in head or head.startswith("{1:")) and ":61:" in text and ":25:" in head


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number of the record's first line, cells); a broken quote ends the file."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=False)
    line = 1
    try:
        for cells in reader:
            yield line, cells
            line = reader.line_num + 1
    except csv.Error as exc:
        raise StatementError("unreadable", detail=f"line {line}: {exc}") from exc


def _header(
    text: str, layout: Layout
) -> tuple[dict[str, int], Iterator[tuple[int, list[str]]]] | None:
    """The header's column positions and the records after it, or None if not found."""
    wanted = layout.columns()
    records = _records(text, layout.delimiter)
    for line, cells in records:
        if line <= layout.skip_rows:
            continue
        if line > layout.skip_rows + HEADER_SEARCH:
            return None
        names = [_norm(c) for c in cells]
        if all(w in names for w in wanted):
            return {name: names.index(name) for name in wanted}, records
    return None


def matches(text: str, layout: Layout) -> bool:
    if layout.kind == "mt940":
        return is_mt940(text)
    try:
        return _header(text, layout) is not None
    except StatementError:
        return False


def detect(text: str, layouts: Sequence[Layout]) -> Layout:
    """The layout a statement is in: MT940 by its tags, else the CSV layout whose header is
    found (the one naming most columns first, so a general layout never hides a bank's)."""
    mt940 = is_mt940(text)
    ordered = sorted(layouts, key=lambda lay: (-len(lay.columns()), lay.name))
    for layout in ordered:
        if (layout.kind == "mt940") == mt940 and matches(text, layout):
            return layout
    raise StatementError("no_layout", tried=[lay.name for lay in ordered])


def read(data: bytes, layouts: Sequence[Layout], *, chosen: Layout | None = None) -> Statement:
    """Read a statement in ``chosen``'s layout, or the one ``detect`` finds among ``layouts``."""
    if chosen is not None:
        text = decode(data, chosen.encoding)
        if chosen.kind == "mt940":
            if not is_mt940(text):
                raise StatementError("not_mt940", tried=[chosen.name])
            return _read_mt940(text, chosen)
        return _read_csv(text, chosen)
    text = decode(data)
    layout = detect(text, layouts)
    if layout.encoding:
        text = decode(data, layout.encoding)
    return _read_mt940(text, layout) if layout.kind == "mt940" else _read_csv(text, layout)


def _search(pattern: str, text: str) -> str:
    if not pattern or not text:
        return ""
    found = re.search(pattern, text)
    if found is None:
        return ""
    return (found.group(1) if found.re.groups else found.group(0)).strip()


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _keep(amount: Decimal, direction: str) -> bool:
    return direction == "any" or (amount < 0) == (direction == "debit")


def _amount(
    cells: list[str], layout: Layout, cell: Callable[[list[str], str], str]
) -> tuple[Decimal | None, str]:
    """The signed amount of a line (payments out negative) and the text it was read from."""
    style = layout.amount_style
    if layout.amount:
        raw = cell(cells, layout.amount)
        return parse_amount(raw, style), raw
    debit, credit = cell(cells, layout.debit), cell(cells, layout.credit)
    if not debit and not credit:
        return None, ""
    out = parse_amount(debit, style) if debit else Decimal(0)
    if out is None:
        return None, debit
    into = parse_amount(credit, style) if credit else Decimal(0)
    if into is None:
        return None, credit
    return into - abs(out), debit if out else credit


def _read_csv(text: str, layout: Layout) -> Statement:
    found = _header(text, layout)
    if found is None:
        raise StatementError("header", tried=[layout.name], detail=", ".join(layout.columns()))
    where, records = found
    result = Statement(layout.name)
    example = AMOUNT_STYLES[layout.amount_style]

    def cell(cells: list[str], name: str) -> str:
        index = where.get(_norm(name)) if name else None
        return cells[index].strip() if index is not None and index < len(cells) else ""

    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue
        raw_day = cell(cells, layout.date)
        amounts = [layout.amount, layout.debit, layout.credit]
        if not any(ch.isdigit() for ch in raw_day) and not any(
            cell(cells, name) for name in amounts if name
        ):
            # A balance or total line ("Saldo Akhir" with its figure in an unread column).
            result.skipped += 1
            continue
        day = parse_day(raw_day, layout.date_style)
        if day is None:
            result.problems.append(
                Problem(line, "date", raw_day[:40], DATE_STYLES[layout.date_style])
            )
            continue
        amount, raw = _amount(cells, layout, cell)
        if amount is None:
            result.problems.append(Problem(line, "amount", raw[:40], example))
            continue
        if not _keep(amount, layout.direction):
            result.skipped += 1
            continue
        if amount != amount.to_integral_value():
            result.problems.append(Problem(line, "cents", raw[:40], example))
            continue
        description = cell(cells, layout.description)
        if layout.reference_pattern:
            reference = _search(
                layout.reference_pattern, description or cell(cells, layout.reference)
            )
            if not reference:
                result.skipped += 1  # no programme reference: another kind of payment
                continue
        else:
            reference = cell(cells, layout.reference)
            if not reference:
                result.problems.append(Problem(line, "reference"))
                continue
        account = _digits(cell(cells, layout.account)) if layout.account else ""
        if not account and layout.account_pattern:
            account = _digits(_search(layout.account_pattern, description))
        result.transfers.append(Transfer(reference[:60], account, int(abs(amount)), day))
    return result


def _read_mt940(text: str, layout: Layout) -> Statement:
    import mt940

    statement = mt940.models.Transactions()
    try:
        statement.parse(text)
    except Exception as exc:  # the package raises bare exceptions of many kinds
        raise StatementError("mt940", tried=[layout.name], detail=str(exc)[:200]) from exc
    result = Statement(layout.name, by_entry=True)
    for number, entry in enumerate(statement, start=1):
        data = entry.data
        amount_of = data.get("amount")
        amount = getattr(amount_of, "amount", None)
        day = data.get("date")
        if not isinstance(amount, Decimal):
            result.problems.append(Problem(number, "amount", str(amount_of)[:40], "1234,56"))
            continue
        if not isinstance(day, date):
            result.problems.append(Problem(number, "date", str(day)[:40], "YYMMDD"))
            continue
        if not _keep(amount, layout.direction):
            result.skipped += 1
            continue
        if amount != amount.to_integral_value():
            result.problems.append(Problem(number, "cents", str(amount), "1234,00"))
            continue
        details = " ".join(str(data.get("transaction_details") or "").split())
        if layout.reference_pattern:
            reference = _search(layout.reference_pattern, details)
            if not reference:
                result.skipped += 1
                continue
        else:
            reference = str(data.get("customer_reference") or "").strip()
            if not reference or reference.upper() == "NONREF":
                reference = str(data.get("bank_reference") or "").strip()
            if not reference:
                result.problems.append(Problem(number, "reference"))
                continue
        account = _digits(_search(layout.account_pattern, details))
        result.transfers.append(
            Transfer(reference[:60], account, int(abs(amount)), date(day.year, day.month, day.day))
        )
    return result


# --- The layouts Sinergi ships -----------------------------------------------------------------
#
# Modelled on public descriptions of each bank's internet-banking CSV export, not on files
# from the banks: check each against a real statement before relying on it, and correct the
# profile in the admin where it differs (docs/guide/bank-statements.md).

BUILTIN: dict[str, Layout] = {
    layout.name: layout
    for layout in (
        # Sinergi's own: what the reconciliation page asked for before profiles.
        Layout(
            "sinergi",
            reference="reference",
            account="account",
            amount="amount",
            date="date",
            date_style="dmy",
            amount_style="id",
        ),
        # BRI (internet banking, "Mutasi Rekening"): a few lines naming the account and the
        # period, then ";"-separated columns with separate debit and credit columns.
        Layout(
            "bri",
            delimiter=";",
            skip_rows=4,
            date="Tanggal Transaksi",
            description="Uraian Transaksi",
            debit="Debet",
            credit="Kredit",
            reference_pattern=r"\b(?:REF|NOREF|BERITA)[:\s]*([A-Z0-9][A-Z0-9/-]{3,40})",
            account_pattern=r"\b(?:KE|REK)[:\s]*(\d[\d\s.-]{6,24}\d)",
            date_style="dmy",
            amount_style="id",
            direction="debit",
        ),
        # Bank Mandiri (Mandiri Internet Business): English headers, English amounts, a
        # reference number column; its "Account No" is the office's own account, not the
        # receiver's, so the receiver is read from the description.
        Layout(
            "mandiri",
            delimiter=",",
            date="Date",
            description="Description",
            reference="Reference No.",
            debit="Debit",
            credit="Credit",
            account_pattern=r"\b(?:KE|TO)\s*(\d[\d\s.-]{6,24}\d)",
            date_style="dmy",
            amount_style="en",
            direction="debit",
        ),
        # BNI (BNI Direct): journal number as the reference, one signed amount column with a
        # D/C mark, Indonesian amounts.
        Layout(
            "bni",
            delimiter=",",
            skip_rows=1,
            date="Post Date",
            description="Description",
            reference="Journal No.",
            amount="Amount",
            account_pattern=r"\b(?:TO|KE)\s*(\d[\d\s.-]{6,24}\d)",
            date_style="dmy",
            amount_style="id",
            direction="debit",
        ),
        # BCA (KlikBCA Bisnis): a preamble (account, name, period, currency), the amount with a
        # DB/CR mark, English amounts; the transfer's reference written in the description.
        Layout(
            "bca",
            delimiter=",",
            skip_rows=5,
            date="Tanggal Transaksi",
            description="Keterangan",
            amount="Jumlah",
            reference_pattern=r"\b(?:REF|BERITA)[:\s]*([A-Z0-9][A-Z0-9/-]{3,40})",
            account_pattern=r"\bKE\s*(\d[\d\s.-]{6,24}\d)",
            date_style="dmy",
            amount_style="en",
            direction="debit",
        ),
        # SWIFT MT940, as most banks' cash-management systems export it: the reference is the
        # customer reference of :61: (else the bank's), the account read from :86: when named.
        Layout(
            "mt940",
            kind="mt940",
            account_pattern=r"\b(?:KE|TO|REK)[:\s]*(\d[\d\s.-]{6,24}\d)",
            direction="debit",
        ),
    )
}
