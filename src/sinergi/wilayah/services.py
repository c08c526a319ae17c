"""Writes to the region table: the bulk load from the shipped data file."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from sinergi.core.models import AuditEvent
from sinergi.engines import wilayah as engine
from sinergi.wilayah import events
from sinergi.wilayah.models import Region, Scheme

META_FILE = engine.DATA_FILE.with_name("kemendagri.json")
BATCH = 2000


@dataclass
class LoadResult:
    created: int = 0
    renamed: int = 0
    retired: int = 0
    unchanged: int = 0
    decree: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def shipped_metadata() -> dict[str, Any]:
    return dict(json.loads(META_FILE.read_text()))


@transaction.atomic
def regions_load(
    *, actor: Any = None, data_file: Path = engine.DATA_FILE, decree: str | None = None
) -> LoadResult:
    """Bring the region table in line with a data file, in one transaction.

    Idempotent: new codes are inserted level by level (parents first, set-based, no per-row
    save), changed names updated, and codes missing from the file marked retired rather than
    deleted. Row history is not written for the bulk load itself; the load is one audit event.
    """
    decree = decree or shipped_metadata()["decree"]
    result = LoadResult(decree=decree)
    before = _current_counts()
    existing = {
        code: (pk, name, retired)
        for pk, code, name, retired in Region.objects.filter(scheme=Scheme.KEMENDAGRI).values_list(
            "pk", "code", "name", "retired"
        )
    }
    ids = {code: pk for code, (pk, _n, _r) in existing.items()}
    by_level: dict[int, list[engine.RegionRecord]] = {lvl: [] for lvl in engine.Level}
    to_rename: list[Region] = []
    seen: set[str] = set()
    for record in engine.read_records(data_file):
        seen.add(record.code)
        old = existing.get(record.code)
        if old is None:
            by_level[record.level].append(record)
        elif old[1] != record.name or old[2]:
            to_rename.append(Region(pk=old[0], name=record.name, retired=False, decree=decree))
        else:
            result.unchanged += 1
    for level in engine.Level:
        rows = [
            (
                Scheme.KEMENDAGRI.value,
                r.code,
                int(level),
                r.name,
                ids[r.parent_code] if r.parent_code else None,
                decree,
                False,
                "",
            )
            for r in by_level[level]
        ]
        _insert(rows)
        result.created += len(rows)
        if rows:
            ids.update(
                Region.objects.filter(scheme=Scheme.KEMENDAGRI, level=level).values_list(
                    "code", "pk"
                )
            )
    Region.objects.bulk_update(to_rename, ["name", "retired", "decree"], batch_size=BATCH)
    result.renamed = len(to_rename)
    gone = [pk for code, (pk, _n, retired) in existing.items() if code not in seen and not retired]
    for start in range(0, len(gone), BATCH):
        Region.objects.filter(pk__in=gone[start : start + BATCH]).update(retired=True)
    result.retired = len(gone)
    result.counts = _current_counts()
    AuditEvent.record(
        events.REGIONS_LOADED,
        actor=actor,
        data=result.as_dict(),
        before=before,
        after=result.counts,
    )
    return result


# The columns _insert fills, in its rows' order.
_COLUMNS = ("scheme", "code", "level", "name", "parent", "decree", "retired", "replaced_by")


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """New regions as plain rows: a first load is 91,599 rows, and building a model instance
    and its compiled values for each was ~85% of the load's CPU with bulk_create on SQLite
    (the whole load 3.8 CPU s; with multi-row INSERTs of the backend's batch size, 1.0).
    PostgreSQL gets one INSERT from UNNEST of one array a column: there, multi-row INSERTs of
    2,000 rows cost more than bulk_create (3.9 against 3.2 CPU s), the arrays 1.2."""
    if not rows:
        return
    meta = Region._meta
    by_name = {f.name: f for f in meta.concrete_fields}
    fields = [by_name[name] for name in _COLUMNS]
    quote = connection.ops.quote_name
    # Table, column and type names come from the model, quoted; the values are parameters.
    head = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)}) "
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
            columns = [list(c) for c in zip(*rows, strict=True)]
            cursor.execute(f"{head}SELECT * FROM UNNEST({arrays})", columns)  # noqa: S608
            return
        one = f"({', '.join(['%s'] * len(fields))})"
        size = min(BATCH, connection.ops.bulk_batch_size(fields, rows))
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            cursor.execute(
                f"{head}VALUES {', '.join([one] * len(batch))}", [v for row in batch for v in row]
            )


def _current_counts() -> dict[str, int]:
    """Current regions per level name: the load's before and after on the audit trail."""
    return {
        lvl.name.lower(): Region.objects.current().filter(level=lvl.value).count()
        for lvl in engine.Level
    }


def regions_loaded() -> bool:
    return Region.objects.filter(level=engine.Level.VILLAGE).exists()
