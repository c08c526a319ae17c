"""NIK and KK numbers: structural validation, without any database.

NIK: ``PP KK CC DDMMYY SSSS`` — the province, regency and district where the number was first
issued (Kemendagri codes), the birth date with 40 added to the day for women, and a serial from
0001. KK (family card) number: the issuing district, the issue date (no +40), a serial. Rules
from DOMAIN.md §2: an unknown province is an error; an unknown regency or district is only a
warning, because numbers keep their codes for life after regions split. Errors and warnings are
stable codes; the app translates them for people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from sinergi.engines.wilayah import RegionIndex, default_index

_SEPARATORS = re.compile(r"[\s.\-]+")

# Error codes
NOT_DIGITS = "not_digits"
BAD_LENGTH = "bad_length"
UNKNOWN_PROVINCE = "unknown_province"
BAD_DAY = "bad_day"
BAD_MONTH = "bad_month"
BAD_DATE = "bad_date"
FUTURE_DATE = "future_date"
ZERO_SERIAL = "zero_serial"
# Warning codes
UNKNOWN_REGENCY = "unknown_regency"
UNKNOWN_DISTRICT = "unknown_district"


@dataclass(frozen=True)
class NumberCheck:
    """The result of checking one NIK or KK number."""

    number: str  # digits only when the input had only digits and separators, else as given
    valid: bool
    region_code: str | None  # "PP.KK.CC"
    date: date | None  # birth date (NIK) or issue date (KK)
    sex: str | None = None  # "L" or "P" (NIK only)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def clean(raw: str) -> str:
    """Remove the separators people type between digits (spaces, dots, dashes)."""
    return _SEPARATORS.sub("", raw.strip())


def _century(yy: int, today: date) -> int:
    """Two-digit years up to this year's are 20YY, later ones 19YY."""
    return 2000 + yy if 2000 + yy <= today.year else 1900 + yy


def _check(raw: str, *, is_nik: bool, index: RegionIndex, today: date) -> NumberCheck:
    # A number typed without separators is its own clean form (the common case in files).
    digits = raw if raw.isdigit() else clean(raw)
    if not digits.isdigit():
        return NumberCheck(raw, False, None, None, None, [NOT_DIGITS], [])
    if len(digits) != 16:
        return NumberCheck(digits, False, None, None, None, [BAD_LENGTH], [])
    region_code, region_errors, warnings = _region_part(digits[0:6], index)
    when, sex, date_errors = _date_part(digits[6:12], is_nik, today)
    errors = [*region_errors, *date_errors]
    if digits[12:16] == "0000":
        errors.append(ZERO_SERIAL)
    return NumberCheck(
        number=digits,
        valid=not errors,
        region_code=region_code,
        date=when,
        sex=sex,
        errors=errors,
        warnings=list(warnings),
    )


# A registry file holds a few thousand districts and birth dates among millions of numbers:
# each part is checked once (bulk imports validate every row).
@lru_cache(maxsize=1 << 16)
def _region_part(six: str, index: RegionIndex) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(region code, errors, warnings) of the number's first six digits."""
    province, regency, district = six[0:2], six[2:4], six[4:6]
    region_code = f"{province}.{regency}.{district}"
    if not index.province_exists(province):
        return region_code, (UNKNOWN_PROVINCE,), ()
    if f"{province}.{regency}" not in index:
        return region_code, (), (UNKNOWN_REGENCY,)
    if region_code not in index:
        return region_code, (), (UNKNOWN_DISTRICT,)
    return region_code, (), ()


@lru_cache(maxsize=1 << 17)
def _date_part(
    six: str, is_nik: bool, today: date
) -> tuple[date | None, str | None, tuple[str, ...]]:
    """(date, sex, errors) of the number's DDMMYY digits (40 added to the day for women)."""
    day, month, yy = int(six[0:2]), int(six[2:4]), int(six[4:6])
    errors: list[str] = []
    sex = None
    if is_nik and 41 <= day <= 71:
        sex, day = "P", day - 40
    elif 1 <= day <= 31:
        sex = "L" if is_nik else None
    else:
        errors.append(BAD_DAY)
    if not 1 <= month <= 12:
        errors.append(BAD_MONTH)
    when = None
    if not errors:
        try:
            when = date(_century(yy, today), month, day)
        except ValueError:
            errors.append(BAD_DATE)
        else:
            if when > today:
                errors.append(FUTURE_DATE)
    return when, sex, tuple(errors)


def check_nik(
    raw: str, *, index: RegionIndex | None = None, today: date | None = None
) -> NumberCheck:
    """Check a NIK; ``today`` fixes the century rule and the future-date check."""
    return _check(raw, is_nik=True, index=index or default_index(), today=today or date.today())


def check_kk(
    raw: str, *, index: RegionIndex | None = None, today: date | None = None
) -> NumberCheck:
    """Check a KK (family card) number: same layout as a NIK, the date is the issue date."""
    return _check(raw, is_nik=False, index=index or default_index(), today=today or date.today())


def mask(number: str) -> str:
    """``3273••••••••0001``: province and regency, then the serial; the date stays hidden."""
    digits = number if number.isdigit() else clean(number)
    if len(digits) != 16:
        return "•" * max(len(digits), 4)
    return digits[:4] + "•" * 8 + digits[12:]


def as_json(check: NumberCheck, *, is_nik: bool) -> dict[str, object]:
    """The command-line shape of a result (one JSON object per input line)."""
    out: dict[str, object] = {"nik" if is_nik else "kk": check.number, "valid": check.valid}
    if is_nik:
        out["sex"] = check.sex
        out["birth_date"] = check.date.isoformat() if check.date else None
    else:
        out["issue_date"] = check.date.isoformat() if check.date else None
    out["region_code"] = check.region_code
    out["errors"] = check.errors
    out["warnings"] = check.warnings
    return out
