"""One row of the registry import format: validate and normalise, no database.

Columns, fixed in name and order::

    id_sumber,no_kk,nik,nama,jenis_kelamin,tempat_lahir,tanggal_lahir,hubungan_keluarga,
    kepala_keluarga,alamat,kode_desa,desil,tanggal_desil,telepon

Every problem in a row is reported (column and stable code), never silently fixed; warnings
(a NIK whose date or sex disagrees with the columns, a regency code that no longer exists) are
kept with the row but do not block it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from sinergi.engines import nik as nikmod
from sinergi.engines import wilayah
from sinergi.engines.numbers import ascii_int
from sinergi.engines.wilayah import RegionIndex

COLUMNS = [
    "id_sumber",
    "no_kk",
    "nik",
    "nama",
    "jenis_kelamin",
    "tempat_lahir",
    "tanggal_lahir",
    "hubungan_keluarga",
    "kepala_keluarga",
    "alamat",
    "kode_desa",
    "desil",
    "tanggal_desil",
    "telepon",
]
FREE_TEXT = ("id_sumber", "nama", "tempat_lahir", "alamat")  # in file order
# What a spreadsheet would run as a formula when the value is exported again; a registry
# value never starts so ("-" alone is a common "no address", so it is not among them).
FORMULA_START = ("=", "+", "@")
RELATIONS = ("kepala", "istri", "suami", "anak", "orang_tua", "lainnya")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATE_DMY = re.compile(r"^(\d{1,2})[-/](\d{1,2})[-/](\d{4})$")
_NAME_OK = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True)
class CellError:
    column: str
    code: str
    value: str = ""  # what was found, shortened; NIK/KK values are masked by the caller


@dataclass
class PersonRow:
    source_id: str
    kk: str
    nik: str
    name: str
    sex: str
    birth_place: str
    birth_date: date
    relation: str
    is_head: bool
    address: str
    village_code: str
    desil: int | None
    desil_date: date | None
    phone: str
    warnings: list[CellError] = field(default_factory=list)


def header_problems(header: list[str]) -> tuple[list[str], list[str], bool]:
    """(missing columns, unexpected columns, wrong order) against the fixed format."""
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    extra = [h for h in names if h not in COLUMNS]
    order = not missing and not extra and names != COLUMNS
    return missing, extra, order


@lru_cache(maxsize=65536)
def _kk(raw: str, index: RegionIndex, today: date) -> nikmod.NumberCheck:
    # A family card number repeats on every member's row: check it once.
    return nikmod.check_kk(raw, index=index, today=today)


@lru_cache(maxsize=65536)
def _village(raw: str, index: RegionIndex) -> tuple[str, str | None]:
    """(dotted code, problem code or None) for a village cell; villages repeat a lot."""
    try:
        village = wilayah.normalize_code(raw) if raw else ""
    except wilayah.RegionCodeError:
        return "", "bad_code"
    if not village:
        return "", "required"
    if wilayah.level_of(village) != wilayah.Level.VILLAGE:
        return village, "not_village"
    if village not in index:
        return village, "unknown_village"
    return village, None


@lru_cache(maxsize=65536)
def parse_date(text: str) -> date | None:
    """ISO ``YYYY-MM-DD``, or ``DD-MM-YYYY`` / ``DD/MM/YYYY``; None when it is not a date."""
    text = text.strip()
    match = _DATE_ISO.match(text)
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
        match = _DATE_DMY.match(text)
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None
    return None


@lru_cache(maxsize=64)
def _desil(text: str) -> int | None:
    """The decile 1-10 a cell holds; None when it holds anything else."""
    value = ascii_int(text)
    return value if value is not None and 1 <= value <= 10 else None


def normalise_phone(text: str) -> str | None:
    """Indonesian numbers as ``08…``; +62/62 prefixes folded. None when not a phone number."""
    digits = re.sub(r"[\s\-().]", "", text)
    if digits.startswith("+62"):
        digits = "0" + digits[3:]
    elif digits.startswith("62"):
        digits = "0" + digits[2:]
    if not digits.isdigit() or not digits.startswith("0") or not 9 <= len(digits) <= 14:
        return None
    return digits


def parse_row(
    cells: list[str], *, index: RegionIndex | None = None, today: date | None = None
) -> tuple[PersonRow | None, list[CellError]]:
    """Validate one data row (cells in COLUMNS order); returns the row or its errors."""
    index = index or wilayah.default_index()
    today = today or date.today()
    errors: list[CellError] = []
    warnings: list[CellError] = []
    broken = getattr(cells, "code", None)  # a tabular.BrokenRow: no cells to check
    if broken:
        return None, [CellError("*", broken)]
    if len(cells) != len(COLUMNS):
        return None, [CellError("*", "cell_count", str(len(cells)))]
    # A NUL cannot be stored and is never typed on purpose: the row is refused, cell by cell.
    if "\x00" in "".join(cells):
        return None, [
            CellError(c, "nul_byte")
            for c, cell in zip(COLUMNS, cells, strict=True)
            if "\x00" in cell
        ]
    # Local names rather than a dict by column: this runs for every row of every import.
    (
        source_id,
        raw_kk,
        raw_nik,
        raw_name,
        raw_sex,
        birth_place,
        raw_birth,
        raw_relation,
        head,
        raw_address,
        raw_village,
        raw_desil,
        raw_desil_date,
        raw_phone,
    ) = [c.strip() for c in cells]
    free_text = (source_id, raw_name, birth_place, raw_address)
    for column, value in zip(FREE_TEXT, free_text, strict=True):
        if value.startswith(FORMULA_START):
            errors.append(CellError(column, "formula", value[:20]))

    if not source_id:
        errors.append(CellError("id_sumber", "required"))
    elif len(source_id) > 64:
        errors.append(CellError("id_sumber", "too_long", source_id[:20]))

    kk_check = _kk(raw_kk, index, today) if raw_kk else None
    if kk_check is None:
        errors.append(CellError("no_kk", "required"))
    elif not kk_check.valid:
        errors.extend(CellError("no_kk", code) for code in kk_check.errors)
    nik_check = nikmod.check_nik(raw_nik, index=index, today=today) if raw_nik else None
    if nik_check is None:
        errors.append(CellError("nik", "required"))
    elif not nik_check.valid:
        errors.extend(CellError("nik", code) for code in nik_check.errors)
    elif nik_check.warnings:
        warnings.extend(CellError("nik", code) for code in nik_check.warnings)

    name = " ".join(raw_name.split())
    if not name:
        errors.append(CellError("nama", "required"))
    elif len(name) > 150 or not _NAME_OK.search(name):
        errors.append(CellError("nama", "bad_name", name[:30]))

    sex = raw_sex.upper()
    if sex not in ("L", "P"):
        errors.append(CellError("jenis_kelamin", "bad_sex", raw_sex[:10]))

    if len(birth_place) > 100:
        errors.append(CellError("tempat_lahir", "too_long", birth_place[:20]))

    birth_date = parse_date(raw_birth) if raw_birth else None
    if not raw_birth:
        errors.append(CellError("tanggal_lahir", "required"))
    elif birth_date is None:
        errors.append(CellError("tanggal_lahir", "bad_date", raw_birth[:20]))
    elif birth_date > today or birth_date.year < 1900:
        errors.append(CellError("tanggal_lahir", "date_out_of_range", raw_birth))

    relation = raw_relation.lower()
    if relation not in RELATIONS:
        errors.append(CellError("hubungan_keluarga", "bad_relation", raw_relation[:20]))

    if head not in ("0", "1"):
        errors.append(CellError("kepala_keluarga", "bad_flag", head[:10]))

    address = " ".join(raw_address.split())
    if len(address) > 255:
        errors.append(CellError("alamat", "too_long", address[:20]))

    village, village_problem = _village(raw_village, index)
    if village_problem is not None:
        shown = village if village_problem == "unknown_village" else raw_village[:20]
        errors.append(CellError("kode_desa", village_problem, shown))

    desil: int | None = None
    if raw_desil:
        desil = _desil(raw_desil)
        if desil is None:
            errors.append(CellError("desil", "bad_desil", raw_desil[:10]))
    desil_date = parse_date(raw_desil_date) if raw_desil_date else None
    if raw_desil_date and desil_date is None:
        errors.append(CellError("tanggal_desil", "bad_date", raw_desil_date[:20]))
    elif desil_date is not None and desil_date > today:
        errors.append(CellError("tanggal_desil", "date_out_of_range", raw_desil_date))
    if desil is not None and not raw_desil_date:
        errors.append(CellError("tanggal_desil", "desil_date_required"))

    phone = ""
    if raw_phone:
        normalised = normalise_phone(raw_phone)
        if normalised is None:
            errors.append(CellError("telepon", "bad_phone", raw_phone[:20]))
        else:
            phone = normalised

    if errors:
        return None, errors
    assert nik_check is not None and kk_check is not None and birth_date is not None
    if nik_check.date is not None and nik_check.date != birth_date:
        warnings.append(CellError("tanggal_lahir", "nik_date_mismatch"))
    if nik_check.sex is not None and nik_check.sex != sex:
        warnings.append(CellError("jenis_kelamin", "nik_sex_mismatch"))
    return (
        PersonRow(
            source_id=source_id,
            kk=kk_check.number,
            nik=nik_check.number,
            name=name,
            sex=sex,
            birth_place=birth_place,
            birth_date=birth_date,
            relation=relation,
            is_head=head == "1",
            address=address,
            village_code=village,
            desil=desil,
            desil_date=desil_date,
            phone=phone,
            warnings=warnings,
        ),
        [],
    )
