"""Bank reconciliation against an oracle: every transfer lands in exactly one list."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sinergi.engines.reconcile import Transfer, read_statement, reconcile

transfers = st.builds(
    Transfer,
    reference=st.sampled_from([f"TRX{i}" for i in range(12)]),
    account=st.sampled_from(["0123-01", "0123-02"]),
    amount=st.integers(1, 30_000_000),
    day=st.dates(date(2026, 1, 1), date(2026, 1, 5)),
)


@given(st.lists(transfers, unique_by=lambda t: t.reference), st.lists(transfers))
def test_every_reference_is_accounted_for_once(
    recorded: list[Transfer], statement: list[Transfer]
) -> None:
    result = reconcile(recorded, statement)
    ours = {t.reference: t for t in recorded}
    first_seen: dict[str, Transfer] = {}
    for row in statement:
        first_seen.setdefault(row.reference, row)

    def same(mine: Transfer, row: Transfer) -> bool:
        digits = "".join(c for c in mine.account if c.isdigit())
        return (digits, mine.amount, mine.day) == (row.account, row.amount, row.day)

    expected_match = sorted(r for r, row in first_seen.items() if r in ours and same(ours[r], row))
    assert sorted(result.matched) == expected_match
    assert sorted(result.missing) == sorted(r for r in ours if r not in first_seen)
    assert len(result.matched) + len(result.mismatched) == len([r for r in first_seen if r in ours])
    assert len(result.unknown) == len(statement) - len(result.matched) - len(result.mismatched)


def test_statement_lines_are_read_strictly() -> None:
    rows, problems = read_statement(
        "reference,account,amount,date\nTRX1,0123-01,12.000.000,2026-01-02\n"
        "TRX2,0123-01,dua juta,2026-01-02\nTRX3,0123-01,500000,kemarin\n,0123,1,2026-01-01\n"
    )
    assert rows == [Transfer("TRX1", "012301", 12_000_000, date(2026, 1, 2))]
    assert problems == [(3, "amount"), (4, "date"), (5, "reference")]
    assert read_statement("ref,acc\n")[1] == [(1, "header")]


def test_differences_are_named() -> None:
    day = date(2026, 1, 2)
    result = reconcile(
        [
            Transfer("A", "0123-01", 100, day),
            Transfer("B", "0123-01", 100, day),
            Transfer("C", "0123-01", 100, day),
        ],
        [
            Transfer("A", "012301", 100, day),
            Transfer("B", "012399", 90, day + timedelta(1)),
            Transfer("Z", "012301", 5, day),
        ],
    )
    assert result.matched == ["A"]
    assert result.mismatched == [("B", ["account", "amount", "date"])]
    assert [t.reference for t in result.unknown] == ["Z"] and result.missing == ["C"]
