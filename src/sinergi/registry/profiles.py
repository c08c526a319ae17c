"""Import layouts (profiles): the built-in ones shipped as data, and those offices save.

A layout is a ``mapping.Spec`` with a name. The built-ins (``sinergi``, ``dtsen``, ``kobo``)
live in ``data/import_profiles.json`` and cannot be changed, only copied under a new name;
saved ones are ``ImportProfile`` rows of an office's area, seen by that area and the areas
below it, and by the offices under it (a province's layout serves its regencies).

Before a file is sealed into a batch, its layout is checked against it whole
(``require_readable``): a required field unmapped, two columns on one field, a column the file
lacks and every code without a mapping are named at once, in the reader's language, and
nothing is stored.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sinergi.core.errors import InvalidInput, require_permission
from sinergi.core.models import AuditEvent
from sinergi.core.scoping import access, user_area
from sinergi.engines import wilayah
from sinergi.engines.tabular import Source, TabularError, open_table
from sinergi.registry import events, mapping
from sinergi.registry.mapping import Problem, Spec
from sinergi.registry.models import ImportProfile

DATA_FILE = Path(__file__).resolve().parent / "data" / "import_profiles.json"
AUTO = "auto"  # not a layout: "recognise the file, or let me map it"
NAME_MAX = 60

BUILTIN_LABELS = {
    "sinergi": gettext_lazy("Sinergi's own format (14 columns)"),
    "dtsen": gettext_lazy("DTSEN / SIKS-NG export (codes and split region codes)"),
    "kobo": gettext_lazy("KoboToolbox / ODK household survey (CSV export)"),
}

# Every field a file column can feed, as the mapping page and the messages name it.
TARGET_LABELS = {
    "id_sumber": gettext_lazy("Source row id"),
    "no_kk": gettext_lazy("KK number"),
    "nik": gettext_lazy("NIK"),
    "nama": gettext_lazy("Name"),
    "jenis_kelamin": gettext_lazy("Sex"),
    "tempat_lahir": gettext_lazy("Birth place"),
    "tanggal_lahir": gettext_lazy("Birth date"),
    "hubungan_keluarga": gettext_lazy("Relation to the head"),
    "kepala_keluarga": gettext_lazy("Head of family or main earner (1/0)"),
    "alamat": gettext_lazy("Address"),
    "kode_desa": gettext_lazy("Village code (whole, 10 digits)"),
    "desil": gettext_lazy("Welfare decile"),
    "tanggal_desil": gettext_lazy("Decile snapshot date"),
    "telepon": gettext_lazy("Phone"),
    "kode_provinsi": gettext_lazy("Province code (part)"),
    "kode_kabupaten": gettext_lazy("Regency code (part)"),
    "kode_kecamatan": gettext_lazy("District code (part)"),
    "kode_desa_bagian": gettext_lazy("Village code (last 4 digits)"),
}
# The values a coded field takes in Sinergi, as the value-map selects offer them.
CODE_LABELS = {
    "jenis_kelamin": {"L": gettext_lazy("Male"), "P": gettext_lazy("Female")},
    "hubungan_keluarga": {
        "kepala": gettext_lazy("Head of family"),
        "istri": gettext_lazy("Wife"),
        "suami": gettext_lazy("Husband"),
        "anak": gettext_lazy("Child"),
        "orang_tua": gettext_lazy("Parent"),
        "lainnya": gettext_lazy("Other"),
        "pasangan": gettext_lazy("Spouse (wife or husband by the person's sex)"),
    },
    "kepala_keluarga": {
        "1": gettext_lazy("Yes (head or main earner)"),
        "0": gettext_lazy("No"),
    },
}


def target_label(target: str) -> str:
    return str(TARGET_LABELS.get(target, target))


@dataclass(frozen=True)
class Layout:
    """A layout as the pages, the API and the command line use it."""

    name: str
    spec: Spec
    builtin: bool
    label: str = ""
    pk: int | None = None
    area_code: str = ""
    header: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _builtin_specs() -> dict[str, dict[str, Any]]:
    with DATA_FILE.open(encoding="utf-8") as handle:
        data = json.load(handle)
    return {name: spec for name, spec in data.items() if not name.startswith("_")}


def builtins() -> list[Layout]:
    return [
        Layout(
            name=name,
            spec=Spec.from_json(spec),
            builtin=True,
            label=str(BUILTIN_LABELS.get(name, name)),
            header=list(spec["columns"]),
        )
        for name, spec in _builtin_specs().items()
    ]


def saved_profiles(*, actor: Any) -> QuerySet[ImportProfile]:
    """Layouts saved in the actor's area or below it, and by the offices above it."""
    mine = ImportProfile.objects.for_user(actor)
    if not actor.has_perm(mine.permission_for("view")):
        return mine
    area = user_area(actor)
    above = ["", *wilayah.ancestors_of(area)] if area else []
    return ImportProfile.objects.filter(
        Q(pk__in=mine.values("pk")) | Q(area_code__in=above)
    ).order_by("name", "pk")


def _layout(profile: ImportProfile) -> Layout:
    return Layout(
        name=profile.name,
        spec=Spec(
            columns=dict(profile.columns),
            value_maps={k: dict(v) for k, v in (profile.value_maps or {}).items()},
            date_style=profile.date_style,
            header_row=profile.header_row,
        ),
        builtin=False,
        label=profile.name,
        pk=profile.pk,
        area_code=profile.area_code,
        header=list(profile.header or []),
    )


def layouts(*, actor: Any) -> list[Layout]:
    """The built-ins, then the saved layouts the actor may use."""
    return builtins() + [_layout(p) for p in saved_profiles(actor=actor)]


def layout_get(*, actor: Any, name: str) -> Layout:
    """The layout named ``name`` (a built-in, or a saved one the actor may use). Without an
    actor (the command line run by the operator, for the whole country) any office's."""
    if actor is not None:
        require_permission(actor, "registry.view_importbatch")
    text = name.strip()
    for layout in builtins():
        if layout.name == text.casefold():
            return layout
    # The actor's own office's layout first, should one above carry the same name.
    area = user_area(actor) or "" if actor is not None else ""
    usable = saved_profiles(actor=actor) if actor is not None else ImportProfile.objects.all()
    found = sorted(
        usable.filter(name=text),
        key=lambda p: (p.area_code != area, -len(p.area_code)),
    )
    if not found:
        names = ", ".join(
            sorted({layout.name for layout in builtins()} | {p.name for p in usable[:50]})
        )
        raise InvalidInput(
            _("There is no import layout named “%(name)s”. Layouts you can use: %(names)s.")
            % {"name": text[:NAME_MAX], "names": names},
            field="profile",
        )
    return _layout(found[0])


def layout_for_header(*, actor: Any, header: list[str]) -> Layout | None:
    """The layout a file with ``header`` is in, when one is known: a saved layout made from a
    file with the same columns first, then any layout whose columns the file all has (the one
    that reads the most columns), built-ins included."""
    keys = {mapping.key(h) for h in header if h.strip()}
    candidates = (
        layouts(actor=actor)
        if actor is not None
        else builtins() + [_layout(p) for p in ImportProfile.objects.all()[:500]]
    )
    same = [
        layout
        for layout in candidates
        if layout.header and {mapping.key(h) for h in layout.header if h.strip()} == keys
    ]
    fitting = [
        layout
        for layout in candidates
        if layout.spec.header_row == 1 and not mapping.problems(layout.spec, header)
    ]
    for layout in [*same, *sorted(fitting, key=lambda lay: -len(lay.spec.mapped()))]:
        if layout.spec.header_row == 1 and not mapping.problems(layout.spec, header):
            return layout
    return None


# --- Refusing a layout that cannot read a file ---------------------------------------------------
class LayoutRefused(InvalidInput):
    """The layout cannot read the file; ``problems`` holds every reason (field, message)."""

    status = 422
    code = "bad_layout"

    def __init__(self, problems: list[tuple[str, str]], found: Sequence[Problem] = ()) -> None:
        super().__init__(" ".join(m for _f, m in problems), field=problems[0][0])
        self.problems = problems
        self.found = list(found)  # the mapping's own problems, when they caused the refusal


def _codes(items: tuple[tuple[str, int], ...]) -> str:
    shown = [
        ngettext("“%(code)s” (%(n)s row)", "“%(code)s” (%(n)s rows)", n)
        % {"code": code[:20], "n": f"{n:,}"}
        for code, n in items[:12]
    ]
    if len(items) > 12:
        shown.append(_("and %(n)s more") % {"n": len(items) - 12})
    return ", ".join(shown)


def problem_message(problem: Problem) -> str:
    """A layout problem in the reader's language: what, where, and how to fix it."""
    what = target_label(problem.field)
    found = ", ".join(f"“{name[:40]}”" for name, _n in problem.items)
    if problem.code == "missing_field":
        return _("No column is mapped to %(field)s: choose the column that holds it.") % {
            "field": what
        }
    if problem.code == "missing_region":
        return _(
            "No column is mapped to the village: map one column holding the whole village code "
            "(10 digits, with or without dots), or four columns: province, regency, district "
            "and village parts (missing: %(parts)s)."
        ) % {"parts": ", ".join(target_label(p) for p, _n in problem.items)}
    if problem.code == "duplicate_field":
        return _(
            "Columns %(columns)s are all mapped to %(field)s: a field takes one column; set "
            "the others to “Ignore”."
        ) % {"columns": found, "field": what}
    if problem.code == "no_such_column":
        return _(
            "The file has no column %(column)s (read as %(field)s): check the header row, or "
            "choose another layout or map the file's columns."
        ) % {"column": found, "field": what}
    if problem.code == "unmapped_codes":
        allowed = ", ".join(
            f"{code} ({label})" for code, label in CODE_LABELS.get(problem.field, {}).items()
        )
        return _(
            "%(field)s: these values have no mapping: %(codes)s. Map each to one of: %(allowed)s."
        ) % {"field": what, "codes": _codes(problem.items), "allowed": allowed}
    if problem.code == "bad_map_value":
        return _("%(field)s: %(values)s is not a value Sinergi reads for this field.") % {
            "field": what,
            "values": found,
        }
    if problem.code == "bad_date_style":
        return _("Choose one of the date styles offered.")
    if problem.code == "bad_header_row":
        return _("The header row must be a row from 1 to %(max)s.") % {
            "max": mapping.MAX_HEADER_ROW
        }
    return _("%(field)s is not a field Sinergi reads.") % {"field": problem.field[:40]}


def refuse(problems: list[Problem]) -> None:
    if problems:
        raise LayoutRefused([(p.field, problem_message(p)) for p in problems], problems)


def file_problems(source: Source, spec: Spec) -> tuple[list[str], list[Problem]]:
    """(the file's header, what keeps ``spec`` from reading it): the header first, then every
    code without a mapping (one pass over the coded columns: a plain CSV file's lines split
    as they are, any other file through the import's own reader)."""
    table = open_table(source, header_row=spec.header_row)
    rows = table.rows
    try:
        found = mapping.problems(spec, table.header)
        coded = mapping.coded_columns(spec, table.header)
        if found or not coded:
            return table.header, found
        opener = (lambda: source.open("rb")) if isinstance(source, Path) else source
        counts = mapping.csv_code_counts(opener, spec.header_row, coded)
        if counts is None:
            return table.header, mapping.unmapped_codes(spec, table.header, rows)
        return table.header, mapping.lost_codes(spec, counts)
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()


def require_readable(source: Source, spec: Spec) -> list[str]:
    """The file's header, or LayoutRefused naming every problem; a file that cannot be read
    at all is refused with the import report's words for it."""
    from sinergi.registry.messages import problem_text

    try:
        header, found = file_problems(source, spec)
    except TabularError as exc:
        raise LayoutRefused([("file", f"{problem_text(exc.code)} {exc.detail}".strip())]) from exc
    refuse(found)
    return header


def upload_opener(upload: Any) -> Callable[[], IO[bytes]]:
    """A function opening an upload afresh each time (the reader opens an XLSX twice at
    once), without consuming it: it is sealed after it was checked."""
    path = getattr(upload, "temporary_file_path", None)
    if path is not None:
        name = Path(path())
        return lambda: name.open("rb")  # the reader closes it

    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return lambda: io.BytesIO(data)


# --- Saving and deleting layouts -----------------------------------------------------------------
def _clean_name(name: str) -> str:
    text = " ".join(name.split())
    if not text:
        raise InvalidInput(_("Give the layout a name."), field="name")
    if len(text) > NAME_MAX:
        raise InvalidInput(
            _("A layout name has at most %(max)s characters.") % {"max": NAME_MAX}, field="name"
        )
    if text.casefold() in _builtin_specs() or text.casefold() == AUTO:
        raise InvalidInput(
            _("“%(name)s” is the name of a built-in layout: choose another name.") % {"name": text},
            field="name",
        )
    return text


@transaction.atomic
def profile_save(*, actor: Any, name: str, spec: Spec, header: list[str]) -> ImportProfile:
    """Save a layout for the actor's office; refused when it cannot read a file with
    ``header`` or its name is taken in the office."""
    require_permission(actor, "registry.add_importbatch")
    text = _clean_name(name)
    refuse(mapping.problems(spec, header))
    area = user_area(actor) or ""
    if ImportProfile.objects.filter(area_code=area, name__iexact=text).exists():
        raise InvalidInput(
            _("Your office already has a layout named “%(name)s”: choose another name.")
            % {"name": text},
            field="name",
        )
    try:
        with transaction.atomic():
            profile = ImportProfile.objects.create(
                name=text,
                area_code=area,
                columns={c: t for c, t in spec.columns.items() if t},
                value_maps={k: v for k, v in spec.value_maps.items() if v},
                date_style=spec.date_style,
                header_row=spec.header_row,
                header=[h[:100] for h in header[:300]],
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError as exc:  # the same name saved a moment ago by a colleague
        raise InvalidInput(
            _("Your office already has a layout named “%(name)s”: choose another name.")
            % {"name": text},
            field="name",
        ) from exc
    AuditEvent.record(
        events.IMPORT_PROFILE_SAVED,
        actor=actor,
        obj=profile,
        area_code=area,
        data={"columns": len(profile.columns)},
    )
    return profile


def deletable_pks(*, actor: Any, among: list[int]) -> list[int]:
    """Which of the saved layouts ``among`` the actor may delete: her area's and below."""
    mine = ImportProfile.objects.for_user(actor, permission="registry.add_importbatch")
    return list(mine.filter(pk__in=among).values_list("pk", flat=True))


def layout_by_pk(*, actor: Any, pk: Any) -> Layout:
    """A saved layout the actor may delete (in her area or below), else 404."""
    return _layout(
        access(ImportProfile.objects, actor=actor, permission="registry.add_importbatch", pk=pk)
    )


@transaction.atomic
def profile_delete(*, actor: Any, layout: Layout) -> None:
    """Delete a saved layout of the actor's area (or below); imports made with it keep their
    copy of it. A built-in cannot be deleted, nor a layout of an office above."""
    require_permission(actor, "registry.add_importbatch")
    if layout.builtin:
        raise InvalidInput(_("A built-in layout cannot be deleted."), field="name")
    profile = access(
        ImportProfile.objects,
        actor=actor,
        lock=True,
        permission="registry.add_importbatch",
        pk=layout.pk,
    )
    AuditEvent.record(
        events.IMPORT_PROFILE_DELETED, actor=actor, obj=profile, area_code=profile.area_code
    )
    profile.delete()
