"""Column-mapped import: read a file in another layout as Sinergi's own import rows.

Pure Python, no Django: a ``Spec`` (which file column feeds which field, how coded values
read, how dates are written, where the header is) is checked against a file's header before
anything else happens (``problems``), the coded columns are counted once for codes the spec
cannot read (``unmapped_codes``), and then ``Transform`` turns every data row into the 14
cells of ``registry_rows.COLUMNS`` so the one pipeline (checks, report, commit, dedupe) runs
unchanged. ``propose`` guesses a spec for a file never seen, by the columns' names (Indonesian
and English synonyms, fuzzy) and by their content (a NIK that validates, a village code that
exists, a date style, L/P or 1/2).

Both are on the import's path (issue 19: a layout adds under 10% to the import of the same
rows in the own format, bench/import_mapped.py): the code count splits a plain CSV file's lines
a block at a time (``csv_code_counts``), and the transform is compiled once per file (and per
pool worker, which runs it) into one generated function.
"""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from operator import itemgetter
from typing import IO, Any

from rapidfuzz import fuzz

from sinergi.engines import nik as nikmod
from sinergi.engines import registry_rows, wilayah
from sinergi.engines.tabular import LINE_LIMIT, BrokenRow
from sinergi.engines.tabular import _sniff_delimiter as sniff_delimiter

# --- The fields a file column can feed ---------------------------------------------------------
# The 14 columns of the own format, plus the four parts of a region code for files that split
# it over province/regency/district/village columns (a DTSEN export's KDPROV, KDKAB, …).
REGION_PARTS = ("kode_provinsi", "kode_kabupaten", "kode_kecamatan", "kode_desa_bagian")
PART_WIDTHS = (2, 2, 2, 4)
TARGETS = (*registry_rows.COLUMNS, *REGION_PARTS)
# A file cannot be read without these; the region is required as one code or as all four parts.
REQUIRED = (
    "no_kk",
    "nik",
    "nama",
    "jenis_kelamin",
    "tanggal_lahir",
    "hubungan_keluarga",
)
DATE_FIELDS = ("tanggal_lahir", "tanggal_desil")
# Coded fields and the values Sinergi reads in them. "pasangan" (spouse) is a value a map may
# give where the source does not say wife or husband (DTSEN's HUB_KEL 2): the person's sex
# decides it.
SPOUSE = "pasangan"
CODES: dict[str, tuple[str, ...]] = {
    "jenis_kelamin": ("L", "P"),
    "hubungan_keluarga": (*registry_rows.RELATIONS, SPOUSE),
    "kepala_keluarga": ("1", "0"),
}
DATE_STYLES = ("auto", "dmy", "ymd", "mdy", "excel")
MAX_HEADER_ROW = 20
MAX_CODES = 200  # distinct values kept per coded column: a column with more is not a code
SAMPLE_ROWS = 2000


@dataclass
class Spec:
    """How to read one layout. ``columns`` maps a file column (as its header says, compared
    without case and surrounding spaces) to a field of TARGETS; columns not named are ignored.
    ``value_maps`` maps, per coded field, a value found in the file to the value Sinergi reads.
    """

    columns: dict[str, str]
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    date_style: str = "auto"
    header_row: int = 1

    def as_json(self) -> dict[str, Any]:
        return {
            "columns": dict(self.columns),
            "value_maps": {k: dict(v) for k, v in self.value_maps.items() if v},
            "date_style": self.date_style,
            "header_row": self.header_row,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Spec:
        return cls(
            columns={str(k): str(v) for k, v in (data.get("columns") or {}).items()},
            value_maps={
                str(f): {str(k): str(v) for k, v in (m or {}).items()}
                for f, m in (data.get("value_maps") or {}).items()
            },
            date_style=str(data.get("date_style") or "auto"),
            header_row=int(data.get("header_row") or 1),
        )

    def mapped(self) -> dict[str, str]:
        """field → file column, for the fields this spec feeds (ignored columns left out)."""
        return {t: c for c, t in self.columns.items() if t}


def key(header: str) -> str:
    """How a header is compared: without case, surrounding spaces or a byte-order mark."""
    return header.strip().lstrip("\ufeff").casefold()


@dataclass(frozen=True)
class Problem:
    """Why a spec cannot read a file, found before any row is checked. ``field`` names the
    field (or file column) concerned; ``code`` is stable; ``items`` lists what was found (the
    columns, or the codes with their counts)."""

    code: str  # missing_field, missing_region, duplicate_field, no_such_column, unknown_field,
    #            unmapped_codes, bad_date_style, bad_header_row, bad_map_value
    field: str
    items: tuple[tuple[str, int], ...] = ()


def problems(spec: Spec, header: Sequence[str]) -> list[Problem]:
    """Everything that keeps ``spec`` from reading a file with ``header``, in a stable order:
    a required field unmapped, two columns on one field, a column the file lacks."""
    out: list[Problem] = []
    if spec.date_style not in DATE_STYLES:
        out.append(Problem("bad_date_style", "date_style"))
    if not 1 <= spec.header_row <= MAX_HEADER_ROW:
        out.append(Problem("bad_header_row", "header_row"))
    present = {key(h) for h in header}
    by_target: dict[str, list[str]] = {}
    for column, target in spec.columns.items():
        if not target:
            continue
        if target not in TARGETS:
            out.append(Problem("unknown_field", column, ((target, 0),)))
            continue
        by_target.setdefault(target, []).append(column)
        if key(column) not in present:
            out.append(Problem("no_such_column", target, ((column, 0),)))
    for target, columns in by_target.items():
        if len(columns) > 1:
            out.append(Problem("duplicate_field", target, tuple((c, 0) for c in columns)))
    out.extend(Problem("missing_field", t) for t in REQUIRED if t not in by_target)
    parts = [p for p in REGION_PARTS if p in by_target]
    if "kode_desa" in by_target and parts:
        out.append(
            Problem("duplicate_field", "kode_desa", tuple((by_target[p][0], 0) for p in parts))
        )
    elif "kode_desa" not in by_target and len(parts) < len(REGION_PARTS):
        missing = tuple((p, 0) for p in REGION_PARTS if p not in by_target)
        out.append(Problem("missing_region", "kode_desa", missing))
    for target, mapping in spec.value_maps.items():
        allowed = CODES.get(target)
        if allowed is None:
            out.append(Problem("unknown_field", target))
            continue
        wrong = [v for v in mapping.values() if canonical(target, v) not in allowed]
        if wrong:
            out.append(Problem("bad_map_value", target, tuple((w, 0) for w in wrong[:10])))
    return out


def canonical(target: str, value: str) -> str:
    value = value.strip()
    if target == "jenis_kelamin":
        return value.upper()
    if target == "hubungan_keluarga":
        return value.lower()
    return value


def _positions(spec: Spec, header: Sequence[str]) -> dict[str, int]:
    """field → index of its column in the file (the first column of that name)."""
    at: dict[str, int] = {}
    for i, h in enumerate(header):
        at.setdefault(key(h), i)
    return {t: at[key(c)] for t, c in spec.mapped().items() if key(c) in at}


def coded_columns(spec: Spec, header: Sequence[str]) -> list[tuple[str, int]]:
    """(coded field, index of its column in the file), in CODES order."""
    at = _positions(spec, header)
    return [(t, at[t]) for t in CODES if t in at]


def unmapped_codes(
    spec: Spec, header: Sequence[str], rows: Iterable[tuple[int, list[str]]]
) -> list[Problem]:
    """Codes found in coded columns that neither Sinergi nor the spec's maps can read, with how
    many rows hold each: one pass over the file, before any row is checked."""
    coded = coded_columns(spec, header)
    if not coded:
        return []
    counts: dict[str, Counter[str]] = {t: Counter() for t, _i in coded}
    for _number, cells in rows:
        width = len(cells)
        for target, i in coded:
            if i < width:
                counts[target][cells[i].strip()] += 1
    return lost_codes(spec, counts)


def lost_codes(spec: Spec, counts: dict[str, Counter[str]]) -> list[Problem]:
    """The problems of ``counts`` (coded field -> each value, stripped, and its rows): the
    values neither Sinergi nor the spec's maps read, the most frequent first."""
    out = []
    for target, counted in counts.items():
        mapping, allowed = spec.value_maps.get(target, {}), CODES[target]
        lost = [
            (value, n)
            for value, n in counted.most_common()
            if value and canonical(target, mapping.get(value, value)) not in allowed
        ]
        if lost:
            out.append(Problem("unmapped_codes", target, tuple(lost[:MAX_CODES])))
    return out


# The code count reads the whole file before anything is stored, so it is on the import's path
# (issue 19: the layout adds under 10%). Most files are UTF-8 or cp1252 text whose rows are one
# line each: those are counted a block of lines at a time, without the tolerant reader's work
# a line (engines.tabular). Whatever that reader would read otherwise (a quote left open, a
# bare carriage return, NULs, UTF-16, a line over its limit, a spreadsheet) makes the fast
# count give up, and the caller counts through the reader itself: the counts are always the
# ones the import's own reading of the file gives.
_BLOCK = 1 << 18
_NOT_TEXT = (b"PK\x03\x04", b"\xd0\xcf", codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # XLSX, XLS


def csv_code_counts(
    opener: Callable[[], IO[bytes]], header_row: int, coded: list[tuple[str, int]]
) -> dict[str, Counter[str]] | None:
    """``unmapped_codes``'s counts for a plain CSV file, or None when the file needs the
    tolerant reader to be read as the import reads it."""
    with opener() as raw:
        head = raw.read(4096)
        raw.seek(0)
        if b"\x00" in head or head.startswith(_NOT_TEXT):
            return None
        line = b""
        for _skipped in range(header_row):
            line = raw.readline(LINE_LIMIT)
            if not line or (len(line) == LINE_LIMIT and not line.endswith(b"\n")):
                return None
        delimiter = sniff_delimiter(line.decode("utf-8", errors="replace"))
        last = max(i for _t, i in coded)
        found: list[Counter[str]] = [Counter() for _c in coded]
        tail = b""
        while True:
            block = raw.read(_BLOCK)
            data = tail + block
            if block:
                cut = data.rfind(b"\n") + 1
                data, tail = data[:cut], data[cut:]
                if len(tail) >= LINE_LIMIT:
                    return None
            if data:
                rows = _plain_rows(data, delimiter, last)
                if rows is None:
                    return None
                _count(rows, coded, found)
            if not block:
                break
    counts: dict[str, Counter[str]] = {}
    for (target, _i), raw_counts in zip(coded, found, strict=True):
        # Stripped after counting: a value's place among equal counts stays its first row's.
        stripped = counts[target] = Counter()
        for value, n in raw_counts.items():
            stripped[value.strip()] += n
    return counts


def _plain_rows(data: bytes, delimiter: str, last: int) -> list[list[str]] | None:
    """The rows of whole lines ``data``, their cells up to index ``last`` exact, or None when
    a line is not one the tolerant reader reads as a plain row."""
    if len(data) >= LINE_LIMIT and max(map(len, data.split(b"\n"))) >= LINE_LIMIT:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:  # as the reader does: the lines that are not UTF-8 as cp1252
        text = "\n".join(_line_text(line) for line in data.split(b"\n"))
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    if "\x00" in text:
        return None
    lines = text.split("\n")
    if not lines[-1]:
        lines.pop()
    if '"' not in text:
        return [line.split(delimiter, last + 1) for line in lines]
    rows = []
    for line in lines:
        if '"' not in line:
            rows.append(line.split(delimiter, last + 1))
            continue
        # A quoted row is read as the reader reads it; a quote still open at the line's end
        # (the row goes on, or is broken) is the reader's to judge.
        try:
            records = list(csv.reader((line, "x"), delimiter=delimiter))
        except csv.Error:
            return None
        if len(records) != 2 or records[1] != ["x"]:
            return None
        rows.append(records[0])
    return rows


def _line_text(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="replace")


def _count(rows: list[list[str]], coded: list[tuple[str, int]], found: list[Counter[str]]) -> None:
    shortest = min(map(len, rows), default=0)
    for (_target, i), counter in zip(coded, found, strict=True):
        if i < shortest:
            counter.update(map(itemgetter(i), rows))
        else:
            counter.update([cells[i] for cells in rows if i < len(cells)])


# --- The transform ------------------------------------------------------------------------------
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 in Excel's (Lotus's) reckoning
_DMY_DOTS = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_MDY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_YMD_SLASH = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")


def excel_serial(text: str) -> str:
    """An Excel day number as ISO (``25569`` → ``1970-01-01``); other text unchanged."""
    if text.isdigit() and 1 <= len(text) <= 5:
        return (_EXCEL_EPOCH + timedelta(days=int(text))).isoformat()
    return text


@lru_cache(maxsize=65536)
def date_text(text: str, style: str) -> str:
    """A date cell in ``style`` as a text the own format reads (ISO, or DD-MM-YYYY as it came).

    Unreadable text passes through unchanged, so the row check reports it with the cell as
    the file has it.
    """
    text = text.strip()
    if not text:
        return text
    if style == "excel" or (style == "auto" and text.isdigit()):
        return excel_serial(text)
    if style == "mdy":
        match = _MDY.match(text)
        return f"{match[3]}-{match[1]:0>2}-{match[2]:0>2}" if match else text
    match = _DMY_DOTS.match(text)
    if match:
        return f"{match[3]}-{match[2]:0>2}-{match[1]:0>2}"
    match = _YMD_SLASH.match(text)
    if match:
        return f"{match[1]}-{match[2]:0>2}-{match[3]:0>2}"
    if " " in text:  # "1985-05-05 00:00:00" from a sheet that kept the time
        return text.split(" ", 1)[0]
    return text


@lru_cache(maxsize=65536)
def region_code(parts: tuple[str, ...]) -> str:
    """Province, regency, district and village parts as one dotted code.

    A part may carry the codes above it (``3273`` as the regency of ``32``) or drop a leading
    zero (``1`` for ``01``): each keeps its own last digits. A part that is not digits gives
    the raw parts joined, for the row check to refuse with the cell as it came.
    """
    out = []
    for raw, width in zip(parts, PART_WIDTHS, strict=True):
        digits = raw.strip().replace(".", "")
        if not digits:
            return ""
        if not digits.isdigit():
            return ".".join(p.strip() for p in parts)
        out.append(digits[-width:] if len(digits) > width else digits.zfill(width))
    return ".".join(out)


class Transform:
    """The compiled spec: ``transform(cells, row_number)`` gives the 14 own-format cells.

    Built once per file; a BrokenRow passes through untouched (it has no cells to map). The
    14 cells are made by one generated function rather than a function per cell: the mapped
    import's cost per row over the own format's is this function (issue 19: under 10%). Only
    column positions (ints) go into its source; the file's maps and styles are its globals.
    """

    def __init__(self, spec: Spec, header: Sequence[str]) -> None:
        at = _positions(spec, header)
        self.width = len(header)
        self.sources = {t: spec.mapped()[t] for t in at}
        names: dict[str, Any] = {"DATE": date_text, "REGION": region_code, "STYLE": spec.date_style}
        cells = [self._cell(column, spec, at, names) for column in registry_rows.COLUMNS]
        source = "def cells(c, n):\n    return [" + ", ".join(cells) + "]\n"
        exec(compile(source, f"<layout {id(self)}>", "exec"), names)  # noqa: S102 - see above
        self.cells: Callable[[list[str], int], list[str]] = names["cells"]
        sex_at = at.get("jenis_kelamin")
        sex_map = spec.value_maps.get("jenis_kelamin", {})
        self.spouse = (
            (lambda cells: sex_map.get(cells[sex_at].strip(), cells[sex_at]).strip().upper())
            if sex_at is not None
            else (lambda cells: "")
        )
        self.relation_index = registry_rows.COLUMNS.index("hubungan_keluarga")
        self.head_index = registry_rows.COLUMNS.index("kepala_keluarga")
        self.head_derived = "kepala_keluarga" not in at

    @staticmethod
    def _cell(column: str, spec: Spec, at: dict[str, int], names: dict[str, Any]) -> str:
        """The expression for one own-format cell of row ``c`` (row number ``n``)."""
        if column == "kode_desa" and column not in at and all(p in at for p in REGION_PARTS):
            return "REGION((" + "".join(f"c[{int(at[p])}], " for p in REGION_PARTS) + "))"
        if column == "id_sumber" and column not in at:
            # A file without its own row id: the row number is one, stable for the file.
            return '"baris-" + str(n)'
        if column not in at:
            return '""'
        i = int(at[column])
        if column in DATE_FIELDS:
            return f"DATE(c[{i}], STYLE)"
        mapping = spec.value_maps.get(column)
        if mapping:
            # Values are compared as the file has them, less surrounding spaces.
            name = f"MAP_{len(names)}"
            names[name] = mapping
            return f"{name}.get(c[{i}].strip(), c[{i}])"
        return f"c[{i}]"

    def __call__(self, cells: list[str], number: int) -> list[str]:
        if isinstance(cells, BrokenRow):
            return cells
        if len(cells) < self.width:
            cells = cells + [""] * (self.width - len(cells))
        out = self.cells(cells, number)
        relation = out[self.relation_index].strip().lower()
        if relation == SPOUSE:
            sex = self.spouse(cells)
            out[self.relation_index] = {"L": "suami", "P": "istri"}.get(sex, relation)
        if self.head_derived:
            out[self.head_index] = "1" if relation == "kepala" else "0"
        return out

    def rows(self, rows: Iterable[tuple[int, list[str]]]) -> Iterable[tuple[int, list[str]]]:
        for number, cells in rows:
            yield number, self(cells, number)


# --- Proposing a spec for a file never seen -------------------------------------------------------
# Names a column is often given, per field (Indonesian first, English, and the short forms of
# DTKS/SIKS-NG and survey tools), compared after ``_name`` folds case, accents and punctuation.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "id_sumber": (
        "id sumber", "id", "id art", "idart", "id anggota", "source id", "record id", "row id",
        "uuid", "id individu", "idartbdt", "id semesta",
    ),
    "no_kk": (
        "no kk", "nomor kk", "nokk", "kk", "nomor kartu keluarga", "no kartu keluarga",
        "family card", "family card number", "kk number", "nomor kk keluarga",
    ),
    "nik": ("nik", "no nik", "nomor nik", "nik art", "nomor induk kependudukan", "id number",
            "national id", "ktp", "no ktp"),
    "nama": ("nama", "nama lengkap", "nama art", "name", "full name", "nama anggota",
             "member name", "nama penduduk"),
    "jenis_kelamin": ("jenis kelamin", "jns kel", "jenkel", "jk", "kelamin", "sex", "gender",
                      "l p", "jnskel"),
    "tempat_lahir": ("tempat lahir", "tmpt lhr", "tmp lahir", "tempat lhr", "place of birth",
                     "birth place", "birthplace"),
    "tanggal_lahir": ("tanggal lahir", "tgl lahir", "tgl lhr", "tanggal lhr", "date of birth",
                      "birth date", "birthdate", "dob", "tgllahir"),
    "hubungan_keluarga": ("hubungan keluarga", "hub kel", "hubungan", "shdk", "hub krt",
                          "hubungan dengan kepala keluarga", "relationship", "relation",
                          "relation to head", "status dalam keluarga", "hubkel"),
    "kepala_keluarga": ("kepala keluarga", "is head", "head of family", "kk head", "krt",
                        "pencari nafkah", "main earner"),
    "alamat": ("alamat", "alamat lengkap", "address", "jalan", "alamat rumah"),
    "kode_desa": ("kode desa", "kode kelurahan", "kode wilayah", "kode desa kelurahan",
                  "village code", "kddesa full", "kode kel", "id desa", "desa kode"),
    "desil": ("desil", "desil kesejahteraan", "decile", "welfare decile", "peringkat desil",
              "status kesejahteraan"),
    "tanggal_desil": ("tanggal desil", "tgl desil", "tgl pemutakhiran", "tanggal pemutakhiran",
                      "periode desil", "decile date", "snapshot date", "tgl update"),
    "telepon": ("telepon", "no hp", "nomor hp", "hp", "telp", "no telp", "phone", "phone number",
                "mobile", "no whatsapp", "wa"),
    "kode_provinsi": ("kode provinsi", "kdprov", "kd prov", "kode prov", "prov code",
                      "province code", "provinsi kode"),
    "kode_kabupaten": ("kode kabupaten", "kdkab", "kd kab", "kode kab", "kode kota",
                       "regency code", "kabupaten kode", "kode kab kota"),
    "kode_kecamatan": ("kode kecamatan", "kdkec", "kd kec", "kode kec", "district code",
                       "kecamatan kode"),
    "kode_desa_bagian": ("kddesa", "kd desa", "kode desa saja", "kode kel saja"),
}  # fmt: skip
NAME_CUTOFF = 86


def _name(text: str) -> str:
    """A header folded for comparison: the last part of a survey path (``hh/member/nik``),
    no accents, case or punctuation."""
    text = text.rsplit("/", 1)[-1]
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.casefold()).split())


_BY_NAME = {_name(s): t for t, names in SYNONYMS.items() for s in (*names, t)}


def name_scores(header: str) -> dict[str, float]:
    """field → how much the column's name says it is that field (0-100)."""
    folded = _name(header)
    if not folded:
        return {}
    if folded in _BY_NAME:
        return {_BY_NAME[folded]: 100.0}
    scores: dict[str, float] = {}
    for synonym, target in _BY_NAME.items():
        # Short names (jk, hp, kk) only count when equal: fuzzy matching them is noise.
        if len(synonym) < 4 or len(folded) < 4:
            continue
        score = fuzz.ratio(folded, synonym)
        if score >= NAME_CUTOFF and score > scores.get(target, 0):
            scores[target] = score
    return scores


SEX_WORDS = {
    "l": "L", "lk": "L", "laki": "L", "laki-laki": "L", "laki laki": "L", "pria": "L",
    "m": "L", "male": "L", "p": "P", "pr": "P", "perempuan": "P", "wanita": "P", "f": "P",
    "female": "P", "1": "L", "2": "P",
}  # fmt: skip
RELATION_WORDS = {
    "kepala": "kepala", "kepala keluarga": "kepala", "kepala_keluarga": "kepala",
    "krt": "kepala", "head": "kepala", "istri": "istri", "isteri": "istri", "wife": "istri",
    "suami": "suami", "husband": "suami", "anak": "anak", "child": "anak", "son": "anak",
    "daughter": "anak", "orang tua": "orang_tua", "orang_tua": "orang_tua",
    "orangtua": "orang_tua", "mertua": "orang_tua", "parent": "orang_tua",
    "lainnya": "lainnya", "lain": "lainnya", "other": "lainnya", "famili lain": "lainnya",
    "cucu": "lainnya", "menantu": "lainnya", "pembantu": "lainnya",
    "istri/suami": SPOUSE, "suami/istri": SPOUSE, "pasangan": SPOUSE, "spouse": SPOUSE,
    # The DTKS/DTSEN numbering of the relation to the head of family.
    "1": "kepala", "2": SPOUSE, "3": "anak", "4": "lainnya", "5": "lainnya",
    "6": "orang_tua", "7": "lainnya", "8": "lainnya",
}  # fmt: skip
FLAG_WORDS = {
    "1": "1", "0": "0", "ya": "1", "y": "1", "yes": "1", "true": "1", "tidak": "0",
    "t": "0", "no": "0", "n": "0", "false": "0", "2": "0",
}  # fmt: skip
WORDS = {
    "jenis_kelamin": SEX_WORDS,
    "hubungan_keluarga": RELATION_WORDS,
    "kepala_keluarga": FLAG_WORDS,
}


def propose_value_map(target: str, values: Iterable[str]) -> dict[str, str]:
    """For the codes found in a column, the values Sinergi would read for them: only the
    codes it does not read as they are, and only those it recognises (the rest the officer
    maps)."""
    words, allowed = WORDS.get(target, {}), CODES.get(target, ())
    out = {}
    for value in values:
        text = value.strip()
        if not text or canonical(target, text) in allowed:
            continue
        guess = words.get(text.casefold())
        if guess is not None:
            out[text] = guess
    return out


@dataclass
class ColumnSample:
    """What the proposal knows of one file column."""

    header: str
    samples: list[str]  # a few values, NIK/KK-like numbers masked
    values: Counter[str]  # distinct values and counts in the sample (empty when too many)
    proposal: str = ""  # the field proposed, "" for ignore
    why: str = ""  # "name", "content", "both" or ""


_DIGITS16 = re.compile(r"^\d{16}$")
_VILLAGE_PLAIN = re.compile(r"^\d{10}$")
_VILLAGE_DOTTED = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}( 00:00:00)?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_PHONE = re.compile(r"^(\+62|62|0)8\d{7,12}$")


def mask_sample(text: str) -> str:
    """A sample cell as the mapping page may show it: a 16-digit number as its first six
    digits (the region) and stars, so no NIK or KK is shown whole."""
    digits = nikmod.clean(text)
    if len(digits) >= 12 and digits.isdigit():
        return digits[:6] + "*" * (len(digits) - 6)
    return text[:40]


def date_style_of(values: Sequence[str]) -> str | None:
    """The style the dates of a column are written in, or None when they are not dates."""
    if not values:
        return None
    if all(_ISO.match(v) for v in values):
        return "ymd"
    if all(v.isdigit() and 10_000 <= int(v) <= 60_000 for v in values):
        return "excel"
    matches = [_DMY.match(v) for v in values]
    if all(matches):
        firsts = [int(m[1]) for m in matches if m]
        seconds = [int(m[2]) for m in matches if m]
        if max(seconds) > 12 >= max(firsts):
            return "mdy"
        return "dmy"
    return None


def content_scores(
    values: Sequence[str], index: wilayah.RegionIndex, today: date
) -> dict[str, float]:
    """field → how much the column's values say it is that field (0-100)."""
    values = [v.strip() for v in values if v.strip()]
    if not values:
        return {}
    n = len(values)
    scores: dict[str, float] = {}
    distinct = set(values)
    if sum(bool(_DIGITS16.match(v)) for v in values) >= 0.8 * n:
        valid = sum(nikmod.check_nik(v, index=index, today=today).valid for v in values)
        kk_valid = sum(nikmod.check_kk(v, index=index, today=today).valid for v in values)
        repeated = len(distinct) < n
        if valid >= 0.8 * n and not repeated:
            scores["nik"] = 90
        if kk_valid >= 0.8 * n:
            scores["no_kk"] = 90 if repeated else 70
        return scores
    codes = [v for v in values if _VILLAGE_PLAIN.match(v) or _VILLAGE_DOTTED.match(v)]
    if len(codes) >= 0.8 * n:
        known = sum(wilayah.normalize_code(v) in index for v in codes)
        if known >= 0.8 * n:
            scores["kode_desa"] = 95
        return scores
    if date_style_of(values) is not None:
        scores["tanggal_lahir"] = 75
        scores["tanggal_desil"] = 60
        return scores
    upper = {v.upper() for v in distinct}
    if upper <= {"L", "P"} or {v.casefold() for v in distinct} <= {
        "laki-laki",
        "perempuan",
        "pria",
        "wanita",
        "l",
        "p",
    }:
        scores["jenis_kelamin"] = 90
    elif distinct <= {"1", "2"}:
        scores["jenis_kelamin"] = 60
        scores["kepala_keluarga"] = 40
    elif distinct <= {"0", "1"}:
        scores["kepala_keluarga"] = 65
    if {v.casefold() for v in distinct} <= set(RELATION_WORDS) - {str(i) for i in range(10)}:
        scores["hubungan_keluarga"] = 90
    if all(_PHONE.match(re.sub(r"[\s\-()]", "", v)) for v in values):
        scores["telepon"] = 85
    return scores


def propose(
    header: Sequence[str],
    rows: Iterable[tuple[int, list[str]]],
    *,
    index: wilayah.RegionIndex,
    today: date | None = None,
    sample_rows: int = SAMPLE_ROWS,
) -> tuple[Spec, list[ColumnSample]]:
    """A spec for a file never seen, from its header and its first ``sample_rows`` rows.

    Each column is scored for each field by its name and by its content; the best pairs are
    taken first and a field is given to one column only. Value maps are proposed for the
    codes the coded columns hold; the date style from the birth dates.
    """
    today = today or date.today()
    width = len(header)
    seen: list[list[str]] = [[] for _ in range(width)]
    for count, (_number, cells) in enumerate(rows):
        if count >= sample_rows:
            break
        if isinstance(cells, BrokenRow):
            continue
        for i in range(min(width, len(cells))):
            text = cells[i].strip()
            if text:
                seen[i].append(text)
    columns: list[ColumnSample] = []
    candidates: list[tuple[float, int, str, str]] = []
    for i, title in enumerate(header):
        values = seen[i]
        counts: Counter[str] = Counter(values)
        by_name = name_scores(title)
        by_content = content_scores(values[:300], index, today)
        for target in set(by_name) | set(by_content):
            named, content = by_name.get(target, 0.0), by_content.get(target, 0.0)
            score = max(named, content) + (10 if named and content else 0)
            why = "both" if named and content else ("name" if named else "content")
            candidates.append((score, -i, target, why))
        columns.append(
            ColumnSample(
                header=title,
                samples=[mask_sample(v) for v in dict.fromkeys(values[:20])][:3],
                values=counts if len(counts) <= 30 else Counter(),
            )
        )
    taken: set[str] = set()
    for score, minus_i, target, why in sorted(candidates, reverse=True):
        column = columns[-minus_i]
        if score < 60 or target in taken or column.proposal:
            continue
        column.proposal, column.why = target, why
        taken.add(target)
    # Split region parts compete with a whole village code: the whole code wins.
    if "kode_desa" in taken:
        for column in columns:
            if column.proposal in REGION_PARTS:
                column.proposal, column.why = "", ""
    spec = Spec(columns={c.header: c.proposal for c in columns if c.proposal and c.header})
    for column in columns:
        if column.proposal in CODES:
            proposed = propose_value_map(column.proposal, column.values)
            if proposed:
                spec.value_maps[column.proposal] = proposed
    births = next((c for c in columns if c.proposal == "tanggal_lahir"), None)
    if births is not None:
        at = header.index(births.header)
        spec.date_style = date_style_of(seen[at][:300]) or "auto"
        if spec.date_style == "ymd":
            spec.date_style = "auto"
    return spec, columns
