"""Poverty lines: which line applies to a household in a month, and loading the BPS table."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sinergi.core.errors import InvalidInput, require_permission
from sinergi.core.events import snapshot
from sinergi.core.models import AuditEvent
from sinergi.engines.numbers import ascii_int
from sinergi.engines.tabular import TabularError, open_table
from sinergi.monitoring import events
from sinergi.monitoring.models import AreaType, PovertyLine


def area_type_of(area_code: str) -> str:
    """Kelurahan codes start with 1 (urban), desa codes with 2 (rural), per Kemendagri."""
    parts = area_code.split(".")
    if len(parts) == 4 and parts[3][:1] == "1":
        return AreaType.URBAN
    if len(parts) == 4 and parts[3][:1] == "2":
        return AreaType.RURAL
    return AreaType.TOTAL


def semester_of(period: date) -> tuple[int, int]:
    """A month is compared with its own half-year's survey: Jan–Jun March, Jul–Dec September."""
    return (period.year, 1 if period.month <= 6 else 2)


@dataclass(frozen=True)
class AppliedLine:
    amount: int
    label: str  # e.g. "32 2025-S1 urban": province ('ID' = national), survey, area type


class LineTable:
    """All lines in memory (a few hundred rows): the newest survey not after the month applies,
    for the province and area type if known, else the province total, else the national line."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], list[tuple[tuple[int, int], int]]] = {}
        for line in PovertyLine.objects.all():
            key = (line.province_code, line.area_type)
            self.rows.setdefault(key, []).append(((line.year, line.semester), line.amount))
        for series in self.rows.values():
            series.sort()

    def find(self, province: str, area_type: str, period: date) -> AppliedLine | None:
        target = semester_of(period)
        # The province's own line first (provinces differ by more than a year's rise); within
        # it the newest survey, and at that survey the urban or rural line over the total.
        for prov in (province, ""):
            best: tuple[tuple[int, int], int, str] | None = None
            for area in dict.fromkeys((area_type, AreaType.TOTAL)):
                found = [row for row in self.rows.get((prov, area), []) if row[0] <= target]
                if found and (best is None or found[-1][0] > best[0]):
                    best = (found[-1][0], found[-1][1], area)
            if best is not None:
                (year, sem), amount, area = best
                return AppliedLine(amount, f"{prov or 'ID'} {year}-S{sem} {area}")
        return None


COLUMNS = ("province_code", "year", "semester", "area_type", "amount")
_AREA_WORDS = {
    "urban": AreaType.URBAN,
    "perkotaan": AreaType.URBAN,
    "kota": AreaType.URBAN,
    "rural": AreaType.RURAL,
    "perdesaan": AreaType.RURAL,
    "desa": AreaType.RURAL,
    "total": AreaType.TOTAL,
    "kota+desa": AreaType.TOTAL,
}
_SEMESTER_WORDS = {"1": 1, "2": 2, "maret": 1, "march": 1, "september": 2, "sep": 2, "mar": 1}


@dataclass(frozen=True)
class LoadResult:
    added: int
    changed: int
    unchanged: int


def _parse(path: Path) -> list[tuple[str, int, int, str, int]]:
    problems: list[str] = []
    try:
        table = open_table(path)
    except TabularError:
        raise InvalidInput(
            _("The file cannot be read: save it as CSV (UTF-8) or XLSX."), field="file"
        ) from None
    header = [h.strip().lower() for h in table.header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidInput(
            _("Missing column(s) %(missing)s. The header must be: %(header)s.")
            % {"missing": ", ".join(missing), "header": ",".join(COLUMNS)},
            field="file",
        )
    index = {c: header.index(c) for c in COLUMNS}
    out: list[tuple[str, int, int, str, int]] = []
    seen: dict[tuple[str, int, int, str], int] = {}
    for number, cells in table.rows:
        cell = {c: (cells[i].strip() if i < len(cells) else "") for c, i in index.items()}
        if not any(cell.values()):
            continue
        where = _("row %(row)s") % {"row": number}
        province = cell["province_code"]
        if province.upper() in ("", "ID", "00", "INDONESIA"):
            province = ""
        elif not (len(province) == 2 and province.isdigit()):
            problems.append(
                _(
                    "%(where)s, province_code: “%(value)s” is not a 2-digit province code "
                    "(use ID for the national line)."
                )
                % {"where": where, "value": province[:20]}
            )
            continue
        year = ascii_int(cell["year"]) or 0
        if not 2000 <= year <= 2100:
            problems.append(
                _("%(where)s, year: “%(value)s” is not a year.")
                % {"where": where, "value": cell["year"][:20]}
            )
            continue
        semester = _SEMESTER_WORDS.get(cell["semester"].lower())
        if semester is None:
            problems.append(
                _("%(where)s, semester: “%(value)s”; use 1 (March) or 2 (September).")
                % {"where": where, "value": cell["semester"][:20]}
            )
            continue
        area = _AREA_WORDS.get(cell["area_type"].lower())
        if area is None:
            problems.append(
                _("%(where)s, area_type: “%(value)s”; use urban, rural or total.")
                % {"where": where, "value": cell["area_type"][:20]}
            )
            continue
        digits = cell["amount"].replace(".", "").replace(",", "").replace(" ", "")
        amount = ascii_int(digits)
        if amount is None or not 10_000 <= amount <= 10_000_000:
            problems.append(
                _(
                    "%(where)s, amount: “%(value)s” is not a line in rupiah per person per month "
                    "(a whole number such as 609160)."
                )
                % {"where": where, "value": cell["amount"][:20]}
            )
            continue
        key = (province, year, semester, area)
        if key in seen:
            problems.append(
                _("%(where)s: the same line as row %(other)s.")
                % {"where": where, "other": seen[key]}
            )
            continue
        seen[key] = number
        out.append((province, year, semester, area, amount))
    if problems:
        shown = problems[:20]
        if len(problems) > 20:
            shown.append(_("… and %(n)s more.") % {"n": len(problems) - 20})
        raise InvalidInput(" ".join(shown), field="file", problems=problems)
    if not out:
        raise InvalidInput(_("The file has a header but no lines."), field="file")
    return out


def load_lines(upload: Any, *, actor: Any, source: str) -> LoadResult:
    """Check every row first; write all of them or none (nothing half-loaded)."""
    if upload is None or upload.size > 2_000_000:
        raise InvalidInput(_("Choose a CSV or XLSX file of at most 2 MB."), field="file")
    suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"lines{suffix}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        rows = _parse(path)
    added = changed = unchanged = 0
    # Old and new amount of every line the file changed, for the audit trail.
    changes: list[dict[str, Any]] = []
    with transaction.atomic():
        for province, year, semester, area, amount in rows:
            line, created = PovertyLine.objects.get_or_create(
                province_code=province,
                year=year,
                semester=semester,
                area_type=area,
                defaults={"amount": amount, "source": source},
            )
            if created:
                added += 1
            elif line.amount != amount:  # the same figure keeps the source it first came from
                changes.append({"line": str(line), "old": line.amount, "new": amount})
                line.amount, line.source = amount, source
                line.save()
                changed += 1
            else:
                unchanged += 1
        AuditEvent.record(
            events.POVERTY_LINES_LOADED,
            actor=actor,
            data={
                "file": upload.name[:100],
                "added": added,
                "changed": changed,
                "lines": changes[:200],
            },
        )
    return LoadResult(added, changed, unchanged)


@transaction.atomic
def save_line(
    *,
    actor: Any,
    province_code: str,
    year: int,
    semester: int,
    area_type: str,
    amount: int,
    source: str = "",
) -> PovertyLine:
    """Add or change one line (the API's write; the page loads whole tables with ``load_lines``).
    Who may load the table may write a line; the old amount stays in the history and the audit."""
    require_permission(actor, "monitoring.load_povertyline")
    province = "" if province_code.upper() in ("", "ID") else province_code
    if province and not (len(province) == 2 and province.isdigit()):
        raise InvalidInput(
            _("A 2-digit province code, or ID for the national line."), field="province_code"
        )
    line = (
        PovertyLine.objects.select_for_update()
        .filter(province_code=province, year=year, semester=semester, area_type=area_type)
        .first()
    )
    before = snapshot(line, "amount", "source") if line else {}
    if line is None:
        line = PovertyLine(
            province_code=province, year=year, semester=semester, area_type=area_type
        )
    line.amount, line.source = amount, source.strip()[:200]
    line.save()
    AuditEvent.record(
        events.POVERTY_LINE_SAVED,
        actor=actor,
        obj=line,
        before=before,
        after=snapshot(line, "amount", "source"),
    )
    return line


def line_words(label: str) -> str:
    """A stored line label (``32 2025-S1 urban``) in words of the reader's language: the
    province, the survey month and the area type, e.g. "province 32, March 2025, urban"."""
    try:
        province, survey, area = label.split(" ")
        year, semester = survey.split("-S")
    except ValueError:
        return label
    where = _("national") if province == "ID" else _("province %(code)s") % {"code": province}
    month = _("March") if semester == "1" else _("September")
    kind = str(AreaType(area).label) if area in AreaType.values else area
    return f"{where}, {month} {year}, {kind}"
