"""Match transfers recorded in Sinergi against a bank statement, by reference.

Pure Python. ``matched``: same reference, account, amount and date. ``mismatched``: same
reference but something differs (each difference named). ``unknown``: in the statement, not in
Sinergi. ``missing``: in Sinergi, not (yet) in the statement. Amounts are integer rupiah. A
statement line that does not name the receiving account (many banks' layouts) is compared on
reference, amount and date only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sinergi.engines import statements
from sinergi.engines.statements import Transfer

__all__ = ["Reconciliation", "Transfer", "read_statement", "reconcile"]


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
    """Rows of Sinergi's own ``reference,account,amount,date``; bad lines are reported, never
    guessed. Banks' own layouts and MT940: ``engines.statements``."""
    try:
        read = statements.read(text.encode(), [], chosen=statements.BUILTIN["sinergi"])
    except statements.StatementError:
        return [], [(1, "header")]
    return read.transfers, [(p.line, p.code) for p in read.problems]


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
                ("account", _account(mine.account), row.account or _account(mine.account)),
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
