"""NIK/KK rules against an independent oracle, property-based, and the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi.engines import nik as nikmod
from sinergi.engines.wilayah import Level, default_index, read_records

TODAY = date(2026, 11, 28)
INDEX = default_index()
DISTRICTS = sorted(r.code for r in read_records() if r.level == Level.DISTRICT)


def oracle(digits: str) -> tuple[bool, str | None, date | None]:
    """The rules of DOMAIN.md §2 written out plainly: (valid, sex, birth date)."""
    if len(digits) != 16 or not digits.isdigit():
        return False, None, None
    ok = INDEX.province_exists(digits[:2])
    day, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    sex = "P" if day > 40 else "L"
    day = day - 40 if day > 40 else day
    year = 2000 + yy if 2000 + yy <= TODAY.year else 1900 + yy
    born = None
    if 1 <= day <= 31 and 1 <= month <= 12:
        try:
            born = date(year, month, day)
        except ValueError:
            ok = False
    else:
        ok = False
    if born is not None and born > TODAY:
        ok = False
    if digits[12:] == "0000":
        ok = False
    if int(digits[6:8]) in range(32, 41) or int(digits[6:8]) > 71 or int(digits[6:8]) == 0:
        return False, None, None
    return ok, sex, born


@st.composite
def nik_like(draw: st.DrawFn) -> str:
    """Mostly plausible NIKs (real districts, near-valid dates) and some noise."""
    district = draw(st.sampled_from(DISTRICTS)).replace(".", "")
    day = draw(st.integers(0, 75))
    month = draw(st.integers(0, 13))
    yy = draw(st.integers(0, 99))
    serial = draw(st.integers(0, 9999))
    prefix = draw(st.sampled_from([district, district[:2] + "9999", "99" + district[2:]]))
    return f"{prefix}{day:02d}{month:02d}{yy:02d}{serial:04d}"


@settings(max_examples=400)
@given(nik_like())
def test_nik_check_agrees_with_the_oracle(number: str) -> None:
    result = nikmod.check_nik(number, today=TODAY)
    valid, sex, born = oracle(number)
    assert result.valid == valid, (number, result)
    if valid:
        assert result.sex == sex and result.date == born
        assert result.region_code == f"{number[:2]}.{number[2:4]}.{number[4:6]}"


@given(st.text("0123456789", min_size=1, max_size=20).filter(lambda s: len(s) != 16))
def test_wrong_lengths_are_errors(digits: str) -> None:
    assert nikmod.check_nik(digits).errors == ["bad_length"]


@given(nik_like(), st.sampled_from([" ", ".", "-", " - "]))
def test_separators_do_not_change_the_verdict(number: str, sep: str) -> None:
    spaced = sep.join([number[:6], number[6:12], number[12:]])
    assert nikmod.check_nik(spaced, today=TODAY) == nikmod.check_nik(number, today=TODAY)


def test_female_day_and_unknown_district_warning() -> None:
    female = nikmod.check_nik("3273014107900001", today=TODAY)
    assert (female.valid, female.sex, female.date) == (True, "P", date(1990, 7, 1))
    moved = nikmod.check_nik("3273994107900001", today=TODAY)
    assert moved.valid and moved.warnings == ["unknown_district"]
    regency = nikmod.check_nik("3299014107900001", today=TODAY)
    assert regency.valid and regency.warnings == ["unknown_regency"]
    assert nikmod.check_nik("9901014107900001", today=TODAY).errors == ["unknown_province"]
    assert nikmod.check_nik("3273013002900001", today=TODAY).errors == ["bad_date"]
    assert nikmod.check_nik("3273014113900001", today=TODAY).errors == ["bad_month"]
    assert "zero_serial" in nikmod.check_nik("3273010101900000", today=TODAY).errors


def test_kk_has_no_plus_forty() -> None:
    assert nikmod.check_kk("3273010101200001", today=TODAY).valid
    assert nikmod.check_kk("3273014101200001", today=TODAY).errors == ["bad_day"]


def test_mask_hides_the_date_and_keeps_the_ends() -> None:
    assert nikmod.mask("3273014107900001") == "3273••••••••0001"
    assert "4107" not in nikmod.mask("3273014107900001")


def test_command_prints_one_json_object_per_input_in_order(tmp_path: Path) -> None:
    listing = tmp_path / "nik.txt"
    listing.write_text("3273.0141.0790.0001\n\n32-73-01-41-07-90-0002\nabc\n")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "sinergi.cli",
            "nik",
            "check",
            "3273014107900001",
            "123",
            "--file",
            str(listing),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    rows = [json.loads(line) for line in out]
    assert [r["valid"] for r in rows] == [True, False, True, True, False]
    assert rows[0] == {
        "nik": "3273014107900001",
        "valid": True,
        "sex": "P",
        "birth_date": "1990-07-01",
        "region_code": "32.73.01",
        "errors": [],
        "warnings": [],
    }
    assert rows[1]["errors"] == ["bad_length"] and rows[4]["errors"] == ["not_digits"]
    kk = subprocess.run(
        [sys.executable, "-m", "sinergi.cli", "kk", "check", "3273010101200001"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(kk)["valid"] is True and json.loads(kk)["region_code"] == "32.73.01"
