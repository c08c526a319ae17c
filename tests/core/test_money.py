"""Rupiah typed by people: thousands separators only where they group thousands."""

import pytest

from sinergi.core.money import parse_rupiah, rupiah


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12.000.000", 12_000_000),
        ("12,000,000", 12_000_000),
        (" 12000000 ", 12_000_000),
        ("10.000", 10_000),
        ("10.5", None),
        ("1.00", None),
        ("1.0000", None),
        ("", None),
        ("-5", None),
        ("Rp5", None),
    ],
)
def test_parse_rupiah(text: str, value: int | None) -> None:
    assert parse_rupiah(text) == value


def test_round_trip() -> None:
    for value in (0, 7, 1_000, 12_345_678):
        assert parse_rupiah(rupiah(value)) == value
