"""Match transfers recorded in Sinergi against a bank statement, by reference.

Pure Python. ``matched``: same reference, account, amount and date. ``mismatched``: same
reference but something differs (each difference named). ``unknown``: in the statement, not in
Sinergi. ``missing``: in Sinergi, not (yet) in the statement. Amounts are integer rupiah.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sinergi.engines.registry_rows import parse_date


@dataclass(frozen=True)
class Transfer:
    reference: str
    account: str
    amount: int
    day: date


@dataclass
class Reconciliation:
    matched: list[str] = field(default_factory=list)
    mismatched: list[tuple[str, list[str]]] = field(default_factory=list)
    unknown: list[Transfer] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, what)


def _account(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def read_statement(text: str) -> tuple[list[Transfer], list[tuple[int, str]]]:
    """Rows of ``reference,account,amount,date``; bad lines are reported, never guessed."""
    rows: list[Transfer] = []
    problems: list[tuple[int, str]] = []
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if header[:4] != ["reference", "account", "amount", "date"]:
        return [], [(1, "header")]
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < 4:
            problems.append((line, "columns"))
            continue
        reference, account, amount, day = (c.strip() for c in cells[:4])
        parsed_day = parse_date(day)
        digits = amount.replace(".", "").replace(",", "")
        if not reference:
            problems.append((line, "reference"))
        elif not digits.isdigit():
            problems.append((line, "amount"))
        elif parsed_day is None:
            problems.append((line, "date"))
        else:
            rows.append(Transfer(reference, _account(account), int(digits), parsed_day))
    return rows, problems


def reconcile(recorded: list[Transfer], statement: list[Transfer]) -> Reconciliation:
    result = Reconciliation()
    ours = {t.reference: t for t in recorded}
    seen: set[str] = set()
    for row in statement:
        mine = ours.get(row.reference)
        if mine is None or row.reference in seen:
            result.unknown.append(row)
            continue
        seen.add(row.reference)
        differences = [
            name
            for name, a, b in [
                ("account", _account(mine.account), row.account),
                ("amount", mine.amount, row.amount),
                ("date", mine.day, row.day),
            ]
            if a != b
        ]
        if differences:
            result.mismatched.append((row.reference, differences))
        else:
            result.matched.append(row.reference)
    result.missing = [ref for ref in ours if ref not in seen]
    return result
