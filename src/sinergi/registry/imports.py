"""The bulk import pipeline: upload, check every row, commit the good ones, resumable.

Checking streams the file and stores one ImportIssue per problem (masked values), so a report
of a million rows costs no memory. Committing streams the file again and writes the rows that
passed in batches of BATCH, each batch in its own transaction, with an idempotency key (file hash
and row number) on every person: a killed worker that runs again, or the same file uploaded
twice, stores every good row exactly once.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from sinergi.core.models import AuditEvent
from sinergi.core.scoping import user_area
from sinergi.engines import registry_rows, wilayah
from sinergi.engines.nik import mask
from sinergi.engines.tabular import TabularError, open_table
from sinergi.registry.models import Household, ImportBatch, ImportIssue, ImportStatus, Person
from sinergi.registry.services import protect_kk, protect_nik

BATCH = 5000
Progress = Callable[[int, int], None]


def _noop(done: int, total: int) -> None:
    return None


def import_create(
    *, actor: Any, source: Path, file_name: str, all_or_nothing: bool = False
) -> ImportBatch:
    """Store the uploaded file under the media folder and create its batch (not yet checked)."""
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    batch_id = uuid.uuid4()
    target = folder / f"{batch_id}{Path(file_name).suffix.lower()[:6]}"
    digest = hashlib.sha256()
    with source.open("rb") as src, target.open("wb") as out:
        for block in iter(lambda: src.read(1 << 20), b""):
            digest.update(block)
            out.write(block)
    batch = ImportBatch.objects.create(
        id=batch_id,
        file_name=Path(file_name).name[:200],
        file_path=str(target),
        file_sha256=digest.hexdigest(),
        file_size=target.stat().st_size,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        area_code=user_area(actor) or "",
        all_or_nothing=all_or_nothing,
    )
    AuditEvent.record(
        "registry.import.uploaded",
        actor=actor,
        obj=batch,
        area_code=batch.area_code,
        data={"size": batch.file_size},
    )
    return batch


def _count_rows(path: Path) -> int:
    with path.open("rb") as raw:
        magic = raw.read(4)
        if magic == b"PK\x03\x04":
            return 0  # unknown up front for XLSX; progress then counts rows as they come
        raw.seek(0)
        return max(0, sum(block.count(b"\n") for block in iter(lambda: raw.read(1 << 20), b"")) - 1)


def _rows(batch: ImportBatch) -> Iterator[tuple[int, list[str]]]:
    table = open_table(Path(batch.file_path))
    missing, extra, order = registry_rows.header_problems(table.header)
    if missing or extra or order:
        detail = []
        if missing:
            detail.append("missing: " + ", ".join(missing))
        if extra:
            detail.append("unexpected: " + ", ".join(extra[:5]))
        if order:
            detail.append("order differs")
        raise TabularError("bad_header", "; ".join(detail))
    return table.rows


def _masked(column: str, value: str) -> str:
    return mask(value) if column in ("nik", "no_kk") else value[:60]


def _row_key(batch: ImportBatch, row_number: int) -> str:
    return f"{batch.file_sha256[:20]}:{row_number}"


Prepared = tuple[
    int,
    "registry_rows.PersonRow | None",
    list[registry_rows.CellError],
    dict[str, str] | None,
    dict[str, str] | None,
]


def prepare_chunk(
    chunk: list[tuple[int, list[str]]], area: str | None, today: date
) -> list[Prepared]:
    """The CPU part of a chunk, no database: validate every row, fill in masked problem values,
    and for good rows compute the protected NIK and KK (ciphertext, keyed hash, mask).

    Pure and picklable, so a process pool can run it beside the process that writes.
    """
    index = wilayah.default_index()
    kk_protected: dict[str, dict[str, str]] = {}
    out: list[Prepared] = []
    for number, cells in chunk:
        row, problems = registry_rows.parse_row(cells, index=index, today=today)
        if row is not None and not wilayah.in_area(row.village_code, area):
            row, problems = None, [registry_rows.CellError("kode_desa", "outside_area")]
        problems = [
            registry_rows.CellError(
                p.column,
                p.code,
                _masked(p.column, p.value or _cell(cells, p.column)),
            )
            for p in problems
        ]
        if row is None:
            out.append((number, None, problems, None, None))
        else:
            # A family card repeats on every member's row: encrypt and hash it once a chunk.
            if row.kk not in kk_protected:
                kk_protected[row.kk] = protect_kk(row.kk)
            out.append((number, row, problems, protect_nik(row.nik), kk_protected[row.kk]))
    return out


def _cell(cells: list[str], column: str) -> str:
    if column not in registry_rows.COLUMNS:
        return ""
    at = registry_rows.COLUMNS.index(column)
    return cells[at] if at < len(cells) else ""


Checked = tuple[
    int,
    "registry_rows.PersonRow | None",
    list[registry_rows.CellError],
    str,
    dict[str, str] | None,
    dict[str, str] | None,
]


class _Checker:
    """The rules that need the database and the whole file, on top of prepare_chunk."""

    def __init__(self, batch: ImportBatch) -> None:
        self.batch = batch
        # NIKs seen earlier in this file, as 64-bit hash prefixes: ~40 bytes a row instead of
        # ~110, so a million-row file stays small (a false "repeated" needs a 2^-64 collision).
        self.seen: set[int] = set()

    def parse(self, prepared: list[Prepared]) -> list[Checked]:
        """(row, parsed row or None, problems, outcome, protected NIK, protected KK).

        Outcome is ``ok``, ``rejected``, ``duplicate`` (the NIK is taken by another row or
        person) or ``saved`` (this very row was committed before).
        """
        hashes = [nik["nik_hash"] for _n, _r, _p, nik, _k in prepared if nik is not None]
        existing = dict(_lookup(Person, "nik_hash", "import_key", hashes))
        out: list[Checked] = []
        for number, row, problems, nik, kk in prepared:
            if row is None or nik is None:
                out.append((number, None, problems, "rejected", None, None))
                continue
            digest = nik["nik_hash"]
            if digest in existing:
                if existing[digest] == _row_key(self.batch, number):
                    out.append((number, row, [], "saved", nik, kk))
                else:
                    problem = registry_rows.CellError("nik", "nik_exists", nik["nik_mask"])
                    out.append((number, row, [problem], "duplicate", nik, kk))
            elif int(digest[:16], 16) in self.seen:
                problem = registry_rows.CellError("nik", "nik_repeated", nik["nik_mask"])
                out.append((number, row, [problem], "duplicate", nik, kk))
            else:
                self.seen.add(int(digest[:16], 16))
                out.append((number, row, [], "ok", nik, kk))
        return out


POOL_MIN_ROWS = 20_000  # below this a process pool costs more than it saves


def _prepared_chunks(batch: ImportBatch, total_rows: int) -> Iterator[list[Prepared]]:
    """Prepared chunks in file order; large files are prepared by a pool of worker processes
    while this process does the database work (bounded look-ahead keeps memory flat)."""
    area, today = batch.area_code or None, date.today()
    chunks = _chunks(_rows(batch), BATCH)
    workers = settings.SINERGI_IMPORT_WORKERS
    if workers <= 0 or total_rows < POOL_MIN_ROWS:
        for chunk in chunks:
            yield prepare_chunk(chunk, area, today)
        return
    from sinergi.core import crypto

    crypto.keyring()  # load keys and regions before forking: children inherit them
    wilayah.default_index()
    # ProcessPoolExecutor rather than multiprocessing.Pool: a worker that dies raises
    # BrokenProcessPool here instead of leaving the import waiting forever, and shutting down
    # lets workers finish instead of killing one that may hold the shared queue's lock.
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    pending: deque[Future[list[Prepared]]] = deque()
    try:
        for chunk in chunks:
            pending.append(pool.submit(prepare_chunk, chunk, area, today))
            if len(pending) > workers + 1:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _chunks(
    rows: Iterator[tuple[int, list[str]]], size: int
) -> Iterator[list[tuple[int, list[str]]]]:
    chunk: list[tuple[int, list[str]]] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@contextmanager
def _without_gc() -> Iterator[None]:
    """Millions of short-lived row objects make the cyclic GC rescan a growing heap; rows hold
    no reference cycles, so collection waits until the file is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_check(batch_id: Any, *, progress: Progress = _noop, commit: bool = False) -> ImportBatch:
    """Check every row and store the report; nothing is written to the registry.

    With ``commit`` (the command line, unless all-or-nothing), the good rows of each chunk
    are saved as soon as the chunk is checked: one pass over the file instead of two.
    """
    with _without_gc():
        return _check(batch_id, progress, commit)


def _check(batch_id: Any, progress: Progress, commit: bool) -> ImportBatch:
    batch = ImportBatch.objects.get(pk=batch_id)
    commit = commit and not batch.all_or_nothing
    ImportIssue.objects.filter(batch=batch).delete()
    batch.status, batch.file_error = ImportStatus.CHECKING, ""
    batch.progress_total = _count_rows(Path(batch.file_path))
    batch.progress_done = batch.rows_read = batch.rows_valid = batch.rows_rejected = 0
    batch.rows_duplicate = batch.rows_skipped = 0
    batch.save()
    reasons: Counter[str] = Counter()
    try:
        from sinergi.wilayah.services import regions_loaded

        if not regions_loaded():
            raise TabularError("regions_missing", "sinergi manage load_regions")
        checker = _Checker(batch)
        for prepared in _prepared_chunks(batch, batch.progress_total):
            issues: list[ImportIssue] = []
            parsed = checker.parse(prepared)
            if commit:
                _commit_chunk(
                    batch,
                    [
                        (n, r, nik, kk)
                        for n, r, _p, o, nik, kk in parsed
                        if o == "ok" and r and nik and kk
                    ],
                )
            for number, row, problems, outcome, _nik, _kk in parsed:
                batch.rows_read += 1
                if outcome == "ok":
                    batch.rows_valid += 1
                elif outcome == "saved":
                    batch.rows_skipped += 1
                elif outcome == "duplicate":
                    batch.rows_duplicate += 1
                else:
                    batch.rows_rejected += 1
                    reasons.update({f"{p.column}:{p.code}" for p in problems})
                issues.extend(
                    ImportIssue(
                        batch=batch, row_number=number, column=p.column, code=p.code, value=p.value
                    )
                    for p in problems
                )
                issues.extend(
                    ImportIssue(
                        batch=batch,
                        row_number=number,
                        column=w.column,
                        code=w.code,
                        is_warning=True,
                    )
                    for w in (row.warnings if row is not None else [])
                )
            ImportIssue.objects.bulk_create(issues, batch_size=2000)
            batch.progress_done = batch.rows_read
            batch.progress_total = max(batch.progress_total, batch.rows_read)
            ImportBatch.objects.filter(pk=batch.pk).update(
                progress_done=batch.progress_done, progress_total=batch.progress_total
            )
            progress(batch.progress_done, batch.progress_total)
    except TabularError as exc:
        batch.status, batch.file_error = ImportStatus.FAILED, f"{exc.code}:{exc.detail}"[:300]
        batch.save()
        return batch

    batch.status = ImportStatus.COMMITTED if commit else ImportStatus.CHECKED
    if commit:
        batch.rows_committed = _stored(batch)
    batch.rejected_by_reason = dict(reasons.most_common())
    batch.progress_total = batch.progress_done = batch.rows_read
    batch.save()
    AuditEvent.record(
        "registry.import.checked",
        actor=batch.uploaded_by,
        obj=batch,
        area_code=batch.area_code,
        data={
            "read": batch.rows_read,
            "valid": batch.rows_valid,
            "rejected": batch.rows_rejected,
            "duplicate": batch.rows_duplicate,
        },
    )
    return batch


def _stored(batch: ImportBatch) -> int:
    """Persons stored from this file, by any upload of it (the idempotency key's prefix)."""
    return Person.objects.filter(import_key__startswith=batch.file_sha256[:20] + ":").count()


class ImportRefused(Exception):
    """The batch cannot be committed now; ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def import_commit(batch_id: Any, *, progress: Progress = _noop) -> ImportBatch:
    """Write every row that passed, batch by batch; safe to run again after a crash."""
    with _without_gc():
        return _commit(batch_id, progress)


def _commit(batch_id: Any, progress: Progress) -> ImportBatch:
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status not in (ImportStatus.CHECKED, ImportStatus.COMMITTING, ImportStatus.COMMITTED):
        raise ImportRefused("not_checked")
    if batch.all_or_nothing and (batch.rows_rejected or batch.rows_duplicate):
        raise ImportRefused("has_errors")
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.COMMITTING, progress_done=0)
    checker = _Checker(batch)
    created_total = 0
    done = 0
    for prepared in _prepared_chunks(batch, batch.rows_read):
        good = [
            (n, r, nik, kk)
            for n, r, _p, o, nik, kk in checker.parse(prepared)
            if o == "ok" and r and nik and kk
        ]
        created_total += _commit_chunk(batch, good)
        done += len(prepared)
        ImportBatch.objects.filter(pk=batch.pk).update(progress_done=done)
        progress(done, batch.rows_read)
    batch.refresh_from_db()
    batch.rows_committed = _stored(batch)
    batch.status = ImportStatus.COMMITTED
    batch.progress_done = batch.progress_total = batch.rows_read
    batch.save()
    AuditEvent.record(
        "registry.import.committed",
        actor=batch.uploaded_by,
        obj=batch,
        area_code=batch.area_code,
        data={"created": created_total, "stored": batch.rows_committed},
    )
    return batch


def _lookup(
    model: type[Household] | type[Person], key: str, value: str, keys: list[str]
) -> list[tuple[str, Any]]:
    """(key, value) for the rows whose ``key`` is among ``keys``.

    On PostgreSQL one array parameter (``= ANY(%s)``) replaces thousands of IN placeholders,
    which is what made these chunk-sized look-ups slow.
    """
    if not keys:
        return []
    if connection.vendor != "postgresql":
        return list(model.objects.filter(**{f"{key}__in": keys}).values_list(key, value))
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "{key}", "{value}" FROM "{table}" WHERE "{key}" = ANY(%s)',  # noqa: S608
            [keys],
        )
        return list(cursor.fetchall())


def _insert_new(model: type[Household] | type[Person], rows: list[dict[str, Any]]) -> int:
    """Insert rows, skipping any whose unique keys exist; returns how many were inserted.

    On PostgreSQL the rows are COPYed into a temporary table and moved with one
    ``INSERT … SELECT … ON CONFLICT DO NOTHING``, the set-based path that keeps a million-row
    import near COPY speed; elsewhere the ORM's bulk insert does the same job.
    """
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        keys = [r["import_key"] for r in rows] if model is Person else []
        before = Person.objects.filter(import_key__in=keys).count() if keys else 0
        manager: Any = model.objects  # one code path for both models
        manager.bulk_create([model(**r) for r in rows], batch_size=1000, ignore_conflicts=True)
        if model is Person:
            return Person.objects.filter(import_key__in=keys).count() - before
        return len(rows)
    table = model._meta.db_table
    columns = list(rows[0])
    names = ", ".join(f'"{model._meta.get_field(c).column}"' for c in columns)  # type: ignore[union-attr]  # concrete fields only
    values = [[json.dumps(v) if isinstance(v, list) else v for v in row.values()] for row in rows]
    try:
        # Usually nothing conflicts (the chunk was checked a moment ago): COPY straight in.
        with (
            transaction.atomic(),
            connection.cursor() as wrapper,
            wrapper.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy,
        ):
            for row_values in values:
                copy.write_row(row_values)
        return len(rows)
    except IntegrityError:
        pass  # a resumed or concurrent import: take the conflict-safe path below
    with connection.cursor() as wrapper:
        raw = wrapper.cursor
        raw.execute(f'DROP TABLE IF EXISTS "stage_{table}"')
        raw.execute(
            f'CREATE TEMP TABLE "stage_{table}" ON COMMIT DROP AS '  # noqa: S608  # model names
            f'SELECT {names} FROM "{table}" WITH NO DATA'
        )
        with raw.copy(f'COPY "stage_{table}" ({names}) FROM STDIN') as copy:
            for row_values in values:
                copy.write_row(row_values)
        raw.execute(
            f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "stage_{table}" '  # noqa: S608
            "ON CONFLICT DO NOTHING"
        )
        inserted = raw.rowcount
        raw.execute(f'DROP TABLE "stage_{table}"')
    return int(inserted)


@transaction.atomic
def _commit_chunk(
    batch: ImportBatch,
    good: list[tuple[int, registry_rows.PersonRow, dict[str, str], dict[str, str]]],
) -> int:
    if not good:
        return 0
    kk_hashes = {row.kk: kk for _n, row, _nik, kk in good}
    existing = dict(_lookup(Household, "kk_hash", "id", [p["kk_hash"] for p in kk_hashes.values()]))
    villages = dict(_village_ids(sorted({row.village_code for _n, row, _a, _b in good})))
    now = timezone.now()
    new_households: dict[str, dict[str, Any]] = {}
    for _n, row, _nik, _kk in good:
        protected = kk_hashes[row.kk]
        if protected["kk_hash"] in existing or protected["kk_hash"] in new_households:
            continue
        new_households[protected["kk_hash"]] = {
            **protected,
            "village_id": villages[row.village_code],
            "area_code": row.village_code,
            "address": row.address,
            "desil": row.desil,
            "desil_date": row.desil_date,
            "created_at": now,
            "updated_at": now,
        }
    _insert_new(Household, list(new_households.values()))
    existing.update(_lookup(Household, "kk_hash", "id", list(new_households)))
    persons = [
        {
            "household_id": existing[kk_hashes[row.kk]["kk_hash"]],
            **nik,
            "name": row.name,
            "sex": row.sex,
            "birth_place": row.birth_place,
            "birth_date": row.birth_date,
            "relation": row.relation,
            "is_head": row.is_head,
            "phone": row.phone,
            "area_code": row.village_code,
            "source_id": row.source_id,
            "import_key": _row_key(batch, number),
            "flags": [w.code for w in row.warnings],
            "created_at": now,
            "updated_at": now,
        }
        for number, row, nik, _kk in good
    ]
    return _insert_new(Person, persons)


_VILLAGE_IDS: dict[str, dict[str, int]] = {}  # per database


def _village_ids(codes: list[str]) -> list[tuple[str, int]]:
    """Region ids of village codes; ids never change once loaded, so they are remembered."""
    from sinergi.wilayah.models import Region

    known = _VILLAGE_IDS.setdefault(str(connection.settings_dict["NAME"]), {})
    missing = [c for c in codes if c not in known]
    if missing:
        known.update(Region.objects.filter(code__in=missing).values_list("code", "pk"))
    return [(c, known[c]) for c in codes if c in known]
