"""The bulk import pipeline: upload, check every row, commit the good ones, resumable.

The uploaded file is sealed (encrypted, core.sealed) as it is received and deleted once the
batch is saved, cancelled, unusable or older than SINERGI_IMPORT_KEEP_HOURS; only the report
(masked values) stays.

Checking streams the file and stores one ImportIssue per problem (masked values), so a report
of a million rows costs no memory. Committing streams the file again and writes the rows that
passed in batches of BATCH, each batch in its own transaction, with an idempotency key (file hash
and row number) on every person: a killed worker that runs again, or the same file uploaded
twice, stores every good row exactly once.

A run holds a lease on its batch (a token and a heartbeat written with every chunk). A batch
whose heartbeat is older than SINERGI_IMPORT_LEASE_SECONDS lost its worker: ``resume_stale``
hands it to a new run (from a watch task queued beside every run, the nightly command and the
batch page), and the old run, should it still be alive, stops at its next chunk.

Saving from the queue is dealt out: the commit task cuts the checked file into ImportChunk rows
(TASK_ROWS file rows each, the good rows sealed in a piece of their own) and queues one
``commit_chunk`` task per chunk, for any number of workers on any number of machines. Each
chunk has its own lease and remembers the row it reached; the batch's progress is the sum of
its chunks'; the chunk that finishes last closes the batch under the batch row's lock.
"""

from __future__ import annotations

import csv
import ctypes
import gc
import io
import json
import multiprocessing
import os
import re
import signal
import socket
import sys
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date, timedelta
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.lookups import Exact
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from sinergi.core import jobs
from sinergi.core.errors import InvalidInput
from sinergi.core.models import AuditEvent, Job, JobStatus
from sinergi.core.scoping import user_area
from sinergi.core.sealed import Readable, SealedFileError, delete_sealed, open_sealed, seal
from sinergi.core.text import storable
from sinergi.core.transactions import atomic_retrying
from sinergi.engines import registry_rows, wilayah
from sinergi.engines.nik import mask
from sinergi.engines.tabular import BrokenRow, Table, TabularError, open_table
from sinergi.registry import deferred_indexes, events, mapping
from sinergi.registry.jobs import IMPORT
from sinergi.registry.mapping import Spec
from sinergi.registry.models import (
    ChunkStatus,
    Household,
    ImportBatch,
    ImportChunk,
    ImportIssue,
    ImportStatus,
    Person,
)
from sinergi.registry.services import protect_kks, protect_niks

BATCH = int(os.environ.get("SINERGI_IMPORT_CHUNK_ROWS", "5000"))
Progress = Callable[[int, int], None]
RUNNING = (ImportStatus.CHECKING, ImportStatus.COMMITTING)
MAX_RESUMES = 3  # a file that kills every worker it meets is stopped, not retried forever


def _noop(done: int, total: int) -> None:
    return None


# --- The batch's state and its core.Job ----------------------------------------------------------
# The batch keeps its own states (checked and saved differ for the officer, and the chunk
# leases filter on them); its Job (``core.Job``, kind registry.import) is what every other
# page, the jobs API and the progress partial read. Every write of a batch's state in this
# module is a call of ``_write``, which copies what the Job shows onto it in the same
# transaction: the step is explicit here, never a side effect of ``save()`` or ``update()``.
JOB_FIELDS = frozenset({"status", "progress_done", "progress_total", "file_error"})
JOB_STATUS = {
    ImportStatus.MAPPING: JobStatus.QUEUED,
    ImportStatus.QUEUED: JobStatus.QUEUED,
    ImportStatus.CHECKING: JobStatus.RUNNING,
    ImportStatus.CHECKED: JobStatus.SUCCEEDED,
    ImportStatus.COMMITTING: JobStatus.RUNNING,
    ImportStatus.COMMITTED: JobStatus.SUCCEEDED,
    ImportStatus.FAILED: JobStatus.FAILED,
    ImportStatus.CANCELLED: JobStatus.CANCELLED,
}
OPEN_BATCH = (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.COMMITTING)


def _write(batches: QuerySet[ImportBatch], **fields: Any) -> int:
    """Update ``batches`` and, when a field their Jobs show changed, the Jobs after them."""
    if JOB_FIELDS.isdisjoint(fields):
        return batches.update(**fields)
    # Taken first: the filter may no longer match once the update changed the status.
    ids = list(batches.values_list("pk", flat=True))
    count = batches.update(**fields)
    if count:
        sync_jobs(ids, errors=not {"status", "file_error"}.isdisjoint(fields))
    return count


def sync_jobs(batch_ids: list[Any], *, errors: bool = True) -> None:
    """Copy status, progress and error of these batches onto their Jobs: one UPDATE that
    reads the batch rows as they are now, so concurrent chunks cannot write a stale value."""
    if not batch_ids:
        return
    batch = ImportBatch.objects.filter(job_id=OuterRef("pk"))
    status = Subquery(batch.values("status")[:1])
    running = Exists(batch.filter(status__in=OPEN_BATCH))
    now = timezone.now()
    jobs_of = Job.objects.filter(
        pk__in=ImportBatch.objects.filter(pk__in=batch_ids).values("job_id")
    )
    jobs_of.update(
        status=Case(
            *[When(Exact(status, k.value), then=Value(v.value)) for k, v in JOB_STATUS.items()],
            default=F("status"),
        ),
        progress_done=Subquery(batch.values("progress_done")[:1]),
        progress_total=Subquery(batch.values("progress_total")[:1]),
        started_at=Case(
            When(started_at__isnull=False, then=F("started_at")),
            When(Exists(batch.filter(status=ImportStatus.QUEUED)), then=Value(None)),
            default=Value(now),
            output_field=DateTimeField(),
        ),
        finished_at=Case(
            When(running, then=Value(None)),
            When(finished_at__isnull=False, then=F("finished_at")),
            default=Value(now),
            output_field=DateTimeField(),
        ),
        error=Case(When(running, then=Value("")), default=F("error"), output_field=TextField()),
    )
    if errors:
        failed = ImportBatch.objects.filter(
            pk__in=batch_ids, status=ImportStatus.FAILED, job__isnull=False
        )
        for job_id, file_error in failed.values_list("job_id", "file_error"):
            Job.objects.filter(pk=job_id).update(error=_failure_text(file_error))


def _failure_text(file_error: str) -> str:
    # Stored in the site's language: the import page itself says it in the reader's.
    from sinergi.registry.messages import problem_text

    code, _sep, detail = file_error.partition(":")
    with translation.override(settings.LANGUAGE_CODE):
        return " ".join(p for p in (str(problem_text(code)), detail) if p)[:1000]


def import_create(
    *,
    actor: Any,
    source: Path | Readable,
    file_name: str,
    all_or_nothing: bool = False,
    layout: tuple[str, Spec] | None = None,
    awaiting_mapping: bool = False,
) -> ImportBatch:
    """Seal the uploaded file into the storage and create its batch (not yet checked).

    ``source`` is a path (the command line) or the upload itself, read once as it streams:
    no plaintext copy is written anywhere. ``layout`` (name, spec) reads a file in another
    layout (registry.mapping); ``awaiting_mapping`` keeps the batch until its columns are
    mapped (``import_set_layout``).
    """
    batch_id = uuid.uuid4()
    if isinstance(source, Path):
        with source.open("rb") as handle:
            sealed = seal(handle, f"imports/{batch_id}.sealed", purpose=_purpose(batch_id))
    else:
        sealed = seal(source, f"imports/{batch_id}.sealed", purpose=_purpose(batch_id))
    batch = ImportBatch.objects.create(
        id=batch_id,
        file_name=storable(Path(file_name).name, 200),
        file_path=sealed.name,
        file_sha256=sealed.sha256,
        file_size=sealed.size,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        area_code=user_area(actor) or "",
        all_or_nothing=all_or_nothing,
        profile_name=layout[0] if layout else "",
        mapping=layout[1].as_json() if layout else {},
        status=ImportStatus.MAPPING if awaiting_mapping else ImportStatus.QUEUED,
        job=jobs.create(IMPORT.code, actor=actor, area_code=user_area(actor) or ""),
    )
    AuditEvent.record(
        events.IMPORT_UPLOADED,
        actor=actor,
        obj=batch,
        area_code=batch.area_code,
        data={"size": batch.file_size},
    )
    return batch


def _purpose(batch_id: Any) -> str:
    # Binds the sealed file to its batch: another batch's file cannot be swapped in.
    return f"registry-import:{batch_id}"


def _opener(batch: ImportBatch) -> Callable[[], IO[bytes]]:
    return lambda: open_sealed(batch.file_path, purpose=_purpose(batch.pk))


def file_opener(batch: ImportBatch) -> Callable[[], IO[bytes]]:
    """Opens the batch's uploaded file (decrypted as it is read); TabularError when gone."""
    if not batch.file_path:
        raise TabularError("file_gone")
    return _opener(batch)


def import_set_layout(*, batch: ImportBatch, name: str, spec: Spec) -> ImportBatch:
    """Give a batch waiting for its mapping the layout to read its file in (checked against
    the file by the caller); it is then queued for its check."""
    batch.profile_name, batch.mapping = name[:60], spec.as_json()
    batch.status = ImportStatus.QUEUED
    _write(
        ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.MAPPING),
        profile_name=batch.profile_name,
        mapping=batch.mapping,
        status=batch.status,
    )
    return batch


def layout_of(batch: ImportBatch) -> Spec | None:
    """The layout the batch's file is read in; None for Sinergi's own fixed format."""
    return Spec.from_json(batch.mapping) if batch.mapping else None


def source_columns(batch: ImportBatch) -> dict[str, str]:
    """Own-format column -> the file's column it came from, to name the file's own column in
    the report of a mapped file."""
    spec = layout_of(batch)
    if spec is None:
        return {}
    fed = spec.mapped()
    names = {t: c for t, c in fed.items() if t in registry_rows.COLUMNS}
    if "kode_desa" not in names and all(p in fed for p in mapping.REGION_PARTS):
        names["kode_desa"] = "+".join(fed[p] for p in mapping.REGION_PARTS)
    return names


def _table(batch: ImportBatch) -> Table:
    if not batch.file_path:
        raise TabularError("file_gone")
    spec = layout_of(batch)
    try:
        return open_table(_opener(batch), header_row=spec.header_row if spec else 1)
    except (SealedFileError, FileNotFoundError) as exc:
        raise TabularError("file_gone") from exc


def forget_file(batch: ImportBatch) -> None:
    """Delete the uploaded file of a batch that needs it no more; the report stays."""
    name = batch.file_path
    if not name:
        return
    if Path(name).is_absolute():
        Path(name).unlink(missing_ok=True)  # a plaintext copy from before files were sealed
    else:
        delete_sealed(name)
    numbers = set(batch.chunks.values_list("number", flat=True))
    number = 0
    # The chunks' pieces, and those of a split that died before it saved its chunks.
    while number in numbers or default_storage.exists(_piece(batch, number)[0]):
        delete_sealed(_piece(batch, number)[0])
        number += 1
    _write(ImportBatch.objects.filter(pk=batch.pk), file_path="")
    batch.file_path = ""


def _count_rows(batch: ImportBatch) -> int:
    try:
        with _opener(batch)() as raw:
            if raw.read(4) == b"PK\x03\x04":
                return 0  # unknown up front for XLSX; progress then counts rows as they come
            raw.seek(0)
            lines = sum(block.count(b"\n") for block in iter(lambda: raw.read(1 << 20), b""))
            return max(0, lines - 1)
    except (SealedFileError, FileNotFoundError):
        return 0  # reported as the file being gone when its rows are read


# A layout as a chunk carries it to prepare_chunk: (the spec as JSON text, the file's header).
# Text and a tuple, small to pickle once a chunk and hashable for the per-process cache.
LayoutKey = tuple[str, tuple[str, ...]]


def _rows(batch: ImportBatch) -> Iterator[tuple[int, list[str]]]:
    """The file's rows as own-format cells (a mapped file's transformed here)."""
    rows, layout = _file_rows(batch)
    if layout is None:
        return rows
    return iter(_transform(*layout).rows(rows))


def _file_rows(batch: ImportBatch) -> tuple[Iterator[tuple[int, list[str]]], LayoutKey | None]:
    """The file's rows as the file has them, and the layout to read them in (None for the
    own format)."""
    table = _table(batch)
    spec = layout_of(batch)
    if spec is not None:
        # Checked when the layout was chosen; a file altered since is refused whole here.
        found = mapping.problems(spec, table.header)
        if found:
            named = "; ".join(f"{p.code} {p.field}" for p in found[:5])
            raise TabularError("bad_mapping", storable(named, 250))
        return table.rows, (json.dumps(spec.as_json(), sort_keys=True), tuple(table.header))
    missing, extra, order = registry_rows.header_problems(table.header)
    if missing or extra or order:
        detail = []
        if missing:
            detail.append("missing: " + ", ".join(missing))
        if extra:
            detail.append("unexpected: " + ", ".join(h[:30] for h in extra[:5]))
        if order:
            detail.append("order differs")
        raise TabularError("bad_header", storable("; ".join(detail), 250))
    return table.rows, None


@lru_cache(maxsize=4)
def _transform(spec_text: str, header: tuple[str, ...]) -> mapping.Transform:
    """A layout compiled once per process: the importing one, or each pool worker."""
    return mapping.Transform(Spec.from_json(json.loads(spec_text)), header)


def _masked(column: str, value: str) -> str:
    return storable(mask(value) if column in ("nik", "no_kk") else value, 60)


def _row_key(batch: ImportBatch, row_number: int) -> str:
    return f"{batch.file_sha256[:20]}:{row_number}"


# A good row as the pool hands it to the process that writes: (row number, NIK keyed hash, NIK
# mask, village code, the row as one line of COPY text in STAGE_COLUMNS order, warnings).
# Plain strings rather than the parsed row: sending a PersonRow with its dates back through a
# pipe cost the pool more than validating it, and the writer then formatted it again.
Staged = tuple[int, str, str, str, str, tuple[registry_rows.CellError, ...]]
# Every row of a chunk: (row number, problems, the good row or None).
Prepared = tuple[int, list[registry_rows.CellError], Staged | None]

_KK_COLUMNS = ("kk_cipher", "kk_hash", "kk_mask")
_NIK_COLUMNS = ("nik_cipher", "nik_hash", "nik_mask", "nik_prefix_key")
# (Person column, PersonRow attribute) of the plain values a row carries.
_PERSON_FIELDS = (
    ("name", "name"),
    ("sex", "sex"),
    ("birth_place", "birth_place"),
    ("birth_date", "birth_date"),
    ("relation", "relation"),
    ("is_head", "is_head"),
    ("phone", "phone"),
    ("area_code", "village_code"),
    ("source_id", "source_id"),
)
STAGE_COLUMNS = (
    "n",
    *_KK_COLUMNS,
    "address",
    "desil",
    "desil_date",
    *_NIK_COLUMNS,
    *(f for f, _a in _PERSON_FIELDS),
    "flags",
)
_NULL = "\\N"


def prepare_chunk(
    chunk: list[tuple[int, list[str]]],
    area: str | None,
    today: date,
    layout: LayoutKey | None = None,
) -> list[Prepared]:
    """The CPU part of a chunk, no database: read a mapped file's rows in its ``layout``,
    validate every row, fill in masked problem values, and for good rows compute the protected
    NIK and KK (ciphertext, keyed hash, mask) and the row's line of COPY text.

    Pure and picklable, so a process pool can run it beside the process that writes. The
    layout's transform runs here rather than in the process that reads the file and feeds
    the pool: that process is the import's bottleneck, the pool's workers wait on it.
    """
    if layout is not None:
        transform = _transform(*layout)
        chunk = [(number, transform(cells, number)) for number, cells in chunk]
    index = wilayah.default_index()
    parsed: list[tuple[int, registry_rows.PersonRow | None, list[registry_rows.CellError]]] = []
    for number, cells in chunk:
        row, problems = registry_rows.parse_row(cells, index=index, today=today)
        if row is not None and area and not wilayah.in_area(row.village_code, area):
            row, problems = None, [registry_rows.CellError("kode_desa", "outside_area")]
        if problems:
            problems = [
                registry_rows.CellError(
                    p.column,
                    p.code,
                    _masked(p.column, p.value or _cell(cells, p.column)),
                )
                for p in problems
            ]
        parsed.append((number, row, problems))
    # Encrypted and hashed for the whole chunk at once; a family card repeats on every
    # member's row, so once a chunk.
    good = [row for _n, row, _p in parsed if row is not None]
    niks = iter(protect_niks([row.nik for row in good]))
    cards = list(dict.fromkeys(row.kk for row in good))
    card_text = {
        card: "\t".join(protected[c] for c in _KK_COLUMNS)
        for card, protected in zip(cards, protect_kks(cards), strict=True)
    }
    out: list[Prepared] = []
    for number, row, problems in parsed:
        if row is None:
            out.append((number, problems, None))
            continue
        nik = next(niks)
        # Values NIK/KK protection made (ciphertext, hashes, masks) hold no COPY specials.
        line = "\t".join(
            (
                str(number),
                card_text[row.kk],
                _copy_text(row.address),
                _NULL if row.desil is None else str(row.desil),
                _NULL if row.desil_date is None else row.desil_date.isoformat(),
                *[nik[c] for c in _NIK_COLUMNS],
                _copy_text(row.name),
                row.sex,
                _copy_text(row.birth_place),
                row.birth_date.isoformat(),
                row.relation,
                "t" if row.is_head else "f",
                row.phone,
                row.village_code,
                _copy_text(row.source_id),
                _copy_text(json.dumps([w.code for w in row.warnings])) if row.warnings else "[]",
            )
        )
        staged = (
            number,
            nik["nik_hash"],
            nik["nik_mask"],
            row.village_code,
            line,
            tuple(row.warnings),
        )
        out.append((number, problems, staged))
    return out


def _cell(cells: list[str], column: str) -> str:
    if column not in registry_rows.COLUMNS:
        return ""
    at = registry_rows.COLUMNS.index(column)
    return cells[at] if at < len(cells) else ""


# (row number, problems, outcome, the good row or None)
Checked = tuple[int, list[registry_rows.CellError], str, Staged | None]


class _Checker:
    """The rules that need the database and the whole file, on top of prepare_chunk."""

    def __init__(self, batch: ImportBatch) -> None:
        self.batch = batch
        # NIKs seen earlier in this file, as 64-bit hash prefixes: ~40 bytes a row instead of
        # ~110, so a million-row file stays small (a false "repeated" needs a 2^-64 collision).
        self.seen: set[int] = set()

    def parse(self, prepared: list[Prepared]) -> list[Checked]:
        """(row, problems, outcome, the good row or None).

        Outcome is ``ok``, ``rejected``, ``duplicate`` (the NIK is taken by another row or
        person) or ``saved`` (this very row was committed before).
        """
        hashes = [staged[1] for _n, _p, staged in prepared if staged is not None]
        existing = dict(_lookup(Person, "nik_hash", "import_key", hashes))
        key_prefix, seen = _row_key(self.batch, 0)[:-1], self.seen
        out: list[Checked] = []
        for number, problems, staged in prepared:
            if staged is None:
                out.append((number, problems, "rejected", None))
                continue
            digest = staged[1]
            short = int(digest[:16], 16)
            if existing and digest in existing:
                if existing[digest] == f"{key_prefix}{number}":
                    out.append((number, [], "saved", staged))
                else:
                    problem = registry_rows.CellError("nik", "nik_exists", staged[2])
                    out.append((number, [problem], "duplicate", staged))
            elif short in seen:
                problem = registry_rows.CellError("nik", "nik_repeated", staged[2])
                out.append((number, [problem], "duplicate", staged))
            else:
                seen.add(short)
                out.append((number, [], "ok", staged))
        return out


def _good(checked: list[Checked]) -> list[Staged]:
    """The rows of a checked chunk to store."""
    return [staged for _n, _p, outcome, staged in checked if outcome == "ok" and staged]


POOL_MIN_ROWS = 20_000  # below this a process pool costs more than it saves


def _prepared_chunks(batch: ImportBatch, total_rows: int) -> Iterator[list[Prepared]]:
    """Prepared chunks in file order; large files are prepared by a pool of worker processes
    while this process does the database work (bounded look-ahead keeps memory flat)."""
    area, today = batch.area_code or None, date.today()
    rows, layout = _file_rows(batch)
    chunks = _chunks(rows, BATCH)
    workers = settings.SINERGI_IMPORT_WORKERS
    if workers <= 0 or total_rows < POOL_MIN_ROWS:
        for chunk in chunks:
            yield prepare_chunk(chunk, area, today, layout)
        return
    from sinergi.core import crypto

    crypto.keyring()  # load keys and regions before forking: children inherit them
    wilayah.default_index()
    # ProcessPoolExecutor rather than multiprocessing.Pool: a worker that dies raises
    # BrokenProcessPool here instead of leaving the import waiting forever, and shutting down
    # lets workers finish instead of killing one that may hold the shared queue's lock.
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )
    pending: deque[Future[list[Prepared]]] = deque()
    try:
        for chunk in chunks:
            pending.append(pool.submit(prepare_chunk, chunk, area, today, layout))
            if len(pending) > workers + 1:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def die_with_parent(parent: int) -> None:
    """Pool initializer: a worker process ends when the process that started it ends.

    A killed task worker otherwise leaves its pool processes behind, orphaned. Linux kills
    them for us (PR_SET_PDEATHSIG); the parent may have died before that was set, hence the
    check that follows it.
    """
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


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


class _LeaseLost(Exception):
    """Another run took the batch over, or an officer cancelled it: stop quietly."""


def _claim(batch: ImportBatch, job: str, status: str, *, token: str | None = None) -> str:
    """Take the lease of ``batch`` for a new run of ``job``; returns the run's token.

    With ``token`` (a run the worker was given when the batch was resumed), only when the
    lease is still that one; a cancelled batch is never claimed.
    """
    new = uuid.uuid4().hex
    taken = ImportBatch.objects.filter(pk=batch.pk).exclude(status=ImportStatus.CANCELLED)
    if token:
        taken = taken.filter(run_token=token)
    if not _write(taken, status=status, step=job, run_token=new, heartbeat_at=timezone.now()):
        raise _LeaseLost
    batch.status, batch.step, batch.run_token = status, job, new
    return new


def _beat(batch: ImportBatch, **fields: Any) -> None:
    """Renew the lease with this chunk's progress; call inside the chunk's transaction."""
    if not _write(
        ImportBatch.objects.filter(pk=batch.pk, run_token=batch.run_token),
        heartbeat_at=timezone.now(),
        **fields,
    ):
        raise _LeaseLost
    _hold_for_tests(fields.get("progress_done", 0))


def _hold_for_tests(done: int) -> None:
    hold = os.environ.get("SINERGI_TEST_IMPORT_HOLD_AFTER")
    if hold and settings.TESTING and done >= int(hold):
        # The crash tests kill the worker here, in the middle of a real run.
        transaction.on_commit(_hold_forever)


def _hold_forever() -> None:
    while True:
        time.sleep(1)


# What a finished check writes back to its batch (under its lease, in one update).
CHECK_OUTCOME = (
    "status",
    "rows_read",
    "rows_valid",
    "rows_rejected",
    "rows_duplicate",
    "rows_skipped",
    "rows_committed",
    "rejected_by_reason",
    "progress_total",
    "progress_done",
)


def _release(batch: ImportBatch, **fields: Any) -> bool:
    """End the run: write its outcome unless the lease was lost meanwhile."""
    return bool(
        _write(
            ImportBatch.objects.filter(pk=batch.pk, run_token=batch.run_token),
            run_token="",
            heartbeat_at=None,
            **fields,
        )
    )


def import_check(
    batch_id: Any, *, progress: Progress = _noop, commit: bool = False, token: str = ""
) -> ImportBatch:
    """Check every row and store the report; nothing is written to the registry.

    With ``commit`` (the command line, unless all-or-nothing), the good rows of each chunk
    are saved as soon as the chunk is checked: one pass over the file instead of two.
    """
    with _without_gc():
        try:
            return _check(batch_id, progress, commit, token)
        except _LeaseLost:
            return ImportBatch.objects.get(pk=batch_id)


def _fail(batch: ImportBatch, code: str, detail: str = "") -> ImportBatch:
    """Record a failure; nothing the file holds can make this write fail (core.text)."""
    batch.status, batch.file_error = ImportStatus.FAILED, storable(f"{code}:{detail}", 300)
    _release(batch, status=batch.status, file_error=batch.file_error)
    batch.run_token = ""
    # A load that left the indexes out and stops here must not leave them out for good.
    transaction.on_commit(deferred_indexes.ensure)
    return batch


def _check(batch_id: Any, progress: Progress, commit: bool, token: str) -> ImportBatch:
    batch = ImportBatch.objects.get(pk=batch_id)
    commit = commit and not batch.all_or_nothing
    _claim(batch, "check", ImportStatus.CHECKING, token=token)
    if commit:
        deferred_indexes.defer(batch)
    # The lease is ours: a report half-written by an earlier run of this batch goes.
    ImportIssue.objects.filter(batch=batch).delete()
    batch.file_error = ""
    batch.progress_total = _count_rows(batch)
    batch.progress_done = batch.rows_read = batch.rows_valid = batch.rows_rejected = 0
    batch.rows_duplicate = batch.rows_skipped = 0
    _write(
        ImportBatch.objects.filter(pk=batch.pk),
        **{
            f: getattr(batch, f)
            for f in (
                "file_error",
                "progress_total",
                "progress_done",
                "rows_read",
                "rows_valid",
                "rows_rejected",
                "rows_duplicate",
                "rows_skipped",
            )
        },
    )
    reasons: Counter[str] = Counter()
    # A mapped file's report names the file's own columns (JNS_KEL, not jenis_kelamin).
    named = source_columns(batch)
    try:
        from sinergi.wilayah.services import regions_loaded

        if not regions_loaded():
            raise TabularError("regions_missing", "sinergi manage load_regions")
        checker = _Checker(batch)
        for prepared in _prepared_chunks(batch, batch.progress_total):
            issues: list[ImportIssue] = []
            parsed = checker.parse(prepared)
            outcomes = Counter(outcome for _n, _p, outcome, _s in parsed)
            batch.rows_read += len(parsed)
            batch.rows_valid += outcomes["ok"]
            batch.rows_skipped += outcomes["saved"]
            batch.rows_duplicate += outcomes["duplicate"]
            batch.rows_rejected += outcomes["rejected"]
            for number, problems, outcome, staged in parsed:
                # Most rows have neither problems nor warnings.
                if problems:
                    if outcome == "rejected":
                        reasons.update({f"{p.column}:{p.code}" for p in problems})
                    issues.extend(
                        ImportIssue(
                            batch=batch,
                            row_number=number,
                            column=storable(named.get(p.column, p.column), 40),
                            code=p.code,
                            value=storable(p.value, 60),
                        )
                        for p in problems
                    )
                if staged is not None and staged[5]:
                    issues.extend(
                        ImportIssue(
                            batch=batch,
                            row_number=number,
                            column=storable(named.get(w.column, w.column), 40),
                            code=w.code,
                            is_warning=True,
                        )
                        for w in staged[5]
                    )
            batch.progress_done = batch.rows_read
            batch.progress_total = max(batch.progress_total, batch.rows_read)
            # One transaction a chunk: its report, its rows (command line) and the heartbeat
            # land together, or not at all when another run holds the lease now.
            with transaction.atomic():
                _beat(
                    batch,
                    progress_done=batch.progress_done,
                    progress_total=batch.progress_total,
                )
                if commit:
                    _commit_chunk(batch, _good(parsed))
                ImportIssue.objects.bulk_create(issues, batch_size=2000)
            progress(batch.progress_done, batch.progress_total)
    except TabularError as exc:
        _fail(batch, exc.code, exc.detail)
        if exc.code != "regions_missing":
            forget_file(batch)  # a file that cannot be read is of no further use
        return batch

    batch.status = ImportStatus.COMMITTED if commit else ImportStatus.CHECKED
    if commit:
        # Before the batch says saved: a run killed while building leaves its batch running,
        # and the resumed run builds them (the record stays until the build commits).
        deferred_indexes.restore()
        batch.rows_committed = _stored(batch)
    batch.rejected_by_reason = dict(reasons.most_common())
    batch.progress_total = batch.progress_done = batch.rows_read
    if not _release(batch, resumes=0, **{f: getattr(batch, f) for f in CHECK_OUTCOME}):
        raise _LeaseLost
    batch.run_token = ""
    if not commit:
        # A one-pass run killed after leaving the indexes out and resumed as a plain check
        # (the queue checks, the officer saves later): nothing of it is loading any more.
        deferred_indexes.ensure()
    if commit:
        forget_file(batch)
    AuditEvent.record(
        events.IMPORT_CHECKED,
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


def import_commit(
    batch_id: Any, *, progress: Progress = _noop, token: str = "", deal_out: bool = False
) -> ImportBatch:
    """Write every row that passed, chunk by chunk; safe to run again after a crash.

    With ``deal_out`` (the commit task) the chunks become ``commit_chunk`` tasks for any
    worker to take; otherwise (command line, demo) this process commits them in order.
    """
    with _without_gc():
        try:
            batch = _commit(batch_id, progress, token, deal_out)
        except _LeaseLost:
            return ImportBatch.objects.get(pk=batch_id)
        if deal_out or batch.status != ImportStatus.COMMITTING:
            return batch
        # This process takes over every chunk not done, as a direct run takes over the batch.
        for chunk in batch.chunks.exclude(status=ChunkStatus.DONE).order_by("number"):
            token = uuid.uuid4().hex
            ImportChunk.objects.filter(pk=chunk.pk).update(
                status=ChunkStatus.PENDING, run_token=token
            )
            _commit_piece(batch.pk, chunk.number, token)
            progress(chunk.last_row - 1, batch.rows_read)
        return ImportBatch.objects.get(pk=batch_id)


def _commit(batch_id: Any, progress: Progress, token: str, deal_out: bool) -> ImportBatch:
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status not in (ImportStatus.CHECKED, ImportStatus.COMMITTING, ImportStatus.COMMITTED):
        raise ImportRefused("not_checked")
    if batch.all_or_nothing and (batch.rows_rejected or batch.rows_duplicate):
        raise ImportRefused("has_errors")
    if batch.status == ImportStatus.COMMITTED or batch.step == "chunks":
        return batch  # queued twice: the first run did it, or dealt it out already
    _claim(batch, "commit", ImportStatus.COMMITTING, token=token)
    _write(ImportBatch.objects.filter(pk=batch.pk), progress_done=0)
    deferred_indexes.defer(batch)
    try:
        chunks = _split(batch, progress)
    except TabularError as exc:
        # The file went (retention, or deleted by hand) or was altered since it was checked.
        return _fail(batch, exc.code, exc.detail)
    with transaction.atomic():
        ImportChunk.objects.bulk_create(chunks)
        # From here the chunks hold the leases; the batch waits for the last one.
        if not _release(
            batch, step="chunks", progress_done=0, progress_total=sum(c.rows for c in chunks)
        ):
            raise _LeaseLost
        batch.step = "chunks"
        # From now on the batch's heartbeat is its last progress, by any chunk: when none
        # moves for a lease, the chunks still waiting lost their tasks (resume_stale_chunks).
        _write(ImportBatch.objects.filter(pk=batch.pk), heartbeat_at=timezone.now())
        if not chunks:
            return _close(batch)
        if deal_out:
            pending = [(c.number, c.run_token) for c in chunks]
            transaction.on_commit(lambda: _send_chunks(str(batch.pk), pending))
    return batch


TASK_ROWS = int(os.environ.get("SINERGI_IMPORT_TASK_ROWS", "50000"))


def _piece(batch: ImportBatch, number: int) -> tuple[str, str]:
    """Storage name and purpose of a chunk's sealed piece of the upload."""
    return f"imports/{batch.pk}.{number}.sealed", f"{_purpose(batch.pk)}:{number}"


def _split(batch: ImportBatch, progress: Progress) -> list[ImportChunk]:
    """Cut the checked file into chunks of TASK_ROWS file rows, each chunk's good rows sealed
    in a piece of its own, so any worker reads its chunk without reading the file before it.

    The check's verdicts decide which rows are good: a row with a problem (bad cell, NIK
    taken, NIK repeated in the file) is left out, which keeps "the first of two rows with
    the same NIK wins" however the chunks are dealt out.
    """
    problems = (
        ImportIssue.objects.filter(batch=batch, is_warning=False)
        .order_by("row_number")
        .values_list("row_number", flat=True)
        .distinct()
        .iterator(chunk_size=10_000)
    )
    bad = next(problems, None)
    chunks: list[ImportChunk] = []
    buffer, writer, first, last, good, seen = _new_piece()
    rows = _rows(batch)
    for number, cells in rows:
        if first is None:
            first = number
        last, seen = number, seen + 1
        while bad is not None and bad < number:
            bad = next(problems, None)
        if bad != number and not isinstance(cells, BrokenRow):
            writer.writerow([number, *cells])
            good += 1
        if seen >= TASK_ROWS:
            chunks.append(_seal_piece(batch, len(chunks), buffer, first, last, good))
            _beat(batch)
            progress(sum(c.last_row - c.first_row + 1 for c in chunks), batch.rows_read)
            buffer, writer, first, last, good, seen = _new_piece()
    if first is not None:
        chunks.append(_seal_piece(batch, len(chunks), buffer, first, last, good))
    return chunks


def _new_piece() -> tuple[io.StringIO, Any, int | None, int, int, int]:
    buffer = io.StringIO()
    return buffer, csv.writer(buffer), None, 0, 0, 0


def _seal_piece(
    batch: ImportBatch, number: int, buffer: io.StringIO, first: int | None, last: int, good: int
) -> ImportChunk:
    name, purpose = _piece(batch, number)
    delete_sealed(name)  # written by a split that died before it saved the chunks
    seal(io.BytesIO(buffer.getvalue().encode()), name, purpose=purpose)
    return ImportChunk(
        batch=batch,
        number=number,
        first_row=first or 0,
        last_row=last,
        rows=good,
        run_token=uuid.uuid4().hex,
    )


def _task(name: str) -> Any:
    """A task of ``registry/tasks.py`` by its name, as a worker finds it: the tasks module
    imports this one (it runs the work), so this one names the tasks instead of importing
    them (no circle)."""
    return import_string(f"sinergi.registry.tasks.{name}")


def _send_chunks(batch_id: str, pending: list[tuple[int, str]]) -> None:
    for number, token in pending:
        _task("commit_chunk").enqueue(batch_id, number, token)


def import_commit_chunk(batch_id: Any, number: int, token: str) -> str:
    """Commit one chunk (a task, on any worker); the chunk that finishes last closes the batch.

    Idempotent: each row goes in with its key, and a retried chunk starts after the rows its
    earlier run committed. Returns what happened, for the task's result.
    """
    with _without_gc():
        try:
            return _commit_piece(batch_id, number, token)
        except _LeaseLost:
            return "lost"


def _commit_piece(batch_id: Any, number: int, token: str) -> str:
    chunk = ImportChunk.objects.select_related("batch").filter(batch=batch_id, number=number)
    found = chunk.first()
    if found is None:
        return "gone"
    new = uuid.uuid4().hex
    claimed = ImportChunk.objects.filter(
        pk=found.pk,
        run_token=token,
        status=ChunkStatus.PENDING,
        batch__status=ImportStatus.COMMITTING,
    ).update(
        status=ChunkStatus.RUNNING,
        run_token=new,
        heartbeat_at=timezone.now(),
        attempts=F("attempts") + 1,
        worker=storable(f"{socket.gethostname()}:{os.getpid()}", 80),
    )
    if not claimed:
        return "taken"  # done already, reset by the watch for another run, or cancelled
    found.run_token = new
    batch = found.batch
    name, purpose = _piece(batch, found.number)
    area, today = batch.area_code or None, date.today()
    checker = _Checker(batch)
    done = found.rows_done
    try:
        with open_sealed(name, purpose=purpose) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            rows = ((int(r[0]), r[1:]) for r in csv.reader(text))
            for part in _chunks(islice(rows, done, None), BATCH):
                prepared = prepare_chunk(part, area, today)
                good = _good(checker.parse(prepared))
                done += len(part)
                _save_part(batch, found, good, done, len(part))
    except (SealedFileError, FileNotFoundError):
        # Cancelled meanwhile (its pieces went with it), or the piece was altered.
        ImportChunk.objects.filter(pk=found.pk, run_token=new).update(status=ChunkStatus.FAILED)
        batch.refresh_from_db()
        if batch.status == ImportStatus.COMMITTING:
            _fail(batch, "file_gone")
        return "file_gone"
    return _finish_chunk(batch, found)


@atomic_retrying
def _save_part(
    batch: ImportBatch,
    chunk: ImportChunk,
    good: list[Staged],
    done: int,
    size: int,
) -> None:
    """One part of a chunk in one transaction: its rows, the chunk's heartbeat and position,
    the batch's progress (last, so the batch row is locked only for the moment to commit).

    Retried whole when PostgreSQL aborts it for a deadlock: two chunks holding members of
    the same families insert those households in different orders."""
    _commit_chunk(batch, good)
    if not ImportChunk.objects.filter(
        pk=chunk.pk, run_token=chunk.run_token, batch__status=ImportStatus.COMMITTING
    ).update(heartbeat_at=timezone.now(), rows_done=done):
        raise _LeaseLost
    _write(
        ImportBatch.objects.filter(pk=batch.pk),
        progress_done=F("progress_done") + size,
        heartbeat_at=timezone.now(),
    )
    _hold_for_tests(done)


def _finish_chunk(batch: ImportBatch, chunk: ImportChunk) -> str:
    with transaction.atomic():
        # The batch row's lock orders the chunks that finish at once: the last one to take
        # it sees every other chunk done, and only it closes the batch.
        status = (
            ImportBatch.objects.select_for_update()
            .filter(pk=batch.pk)
            .values_list("status", flat=True)
            .first()
        )
        if not ImportChunk.objects.filter(pk=chunk.pk, run_token=chunk.run_token).update(
            status=ChunkStatus.DONE, run_token="", heartbeat_at=None
        ):
            raise _LeaseLost
        if status != ImportStatus.COMMITTING:
            return "done"
        if ImportChunk.objects.filter(batch=batch).exclude(status=ChunkStatus.DONE).exists():
            # A worker that finishes a chunk also deals out the chunks of dead workers, so
            # recovery does not wait for the watch alone (RQ's scheduler can itself be on
            # the worker that died).
            resume_stale_chunks(batch)
            return "done"
        _close(batch)
    return "closed"


def _close(batch: ImportBatch) -> ImportBatch:
    """Mark the batch saved (inside the transaction that saw its last chunk done)."""
    # In the same transaction: the batch is saved exactly when the indexes a first load
    # left out are back (a worker killed while building leaves the last chunk to redo).
    deferred_indexes.restore()
    stored = _stored(batch)
    if not _write(
        ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.COMMITTING),
        status=ImportStatus.COMMITTED,
        rows_committed=stored,
        progress_done=batch.rows_read,
        progress_total=batch.rows_read,
        run_token="",
        heartbeat_at=None,
        resumes=0,
    ):
        return batch
    batch.refresh_from_db()
    AuditEvent.record(
        events.IMPORT_COMMITTED,
        actor=batch.uploaded_by,
        obj=batch,
        area_code=batch.area_code,
        data={"stored": batch.rows_committed, "chunks": batch.chunks.count()},
        # The update above closed it only from "committing".
        before={"status": ImportStatus.COMMITTING.value},
        after={"status": batch.status},
    )
    transaction.on_commit(lambda: _after_commit(batch))
    return batch


def _after_commit(batch: ImportBatch) -> None:
    forget_file(batch)
    _task("after_import").enqueue(str(batch.pk))


def resume_stale_chunks(batch: ImportBatch, *, force: bool = False) -> int:
    """Deal out again the chunks whose worker died (lease out), and the waiting chunks when
    no chunk of the batch moved for a lease (their tasks were lost: a worker died between
    taking the task and claiming the chunk, or the queue lost it); ``force`` (an officer's
    Resume) also the chunks given up on. A chunk that killed MAX_RESUMES workers stops the
    batch (``worker_lost``) rather than meet another. Returns how many went."""
    lease = timezone.now() - timedelta(seconds=settings.SINERGI_IMPORT_LEASE_SECONDS)
    chunks = batch.chunks.exclude(status=ChunkStatus.DONE)
    live = chunks.filter(status=ChunkStatus.RUNNING, heartbeat_at__gte=lease)
    idle = batch.heartbeat_at is None or batch.heartbeat_at < lease
    if force:
        chunks = chunks.exclude(pk__in=live.values("pk"))  # a live run keeps its chunk
    elif idle and not live.exists():
        chunks = chunks.exclude(status=ChunkStatus.FAILED)
    else:
        chunks = chunks.filter(status=ChunkStatus.RUNNING, heartbeat_at__lt=lease)
    sent: list[tuple[int, str]] = []
    for chunk in chunks:
        if not force and chunk.attempts >= MAX_RESUMES:
            ImportChunk.objects.filter(pk=chunk.pk, run_token=chunk.run_token).update(
                status=ChunkStatus.FAILED
            )
            _fail(batch, "worker_lost")
            return len(sent)
        token = uuid.uuid4().hex
        if ImportChunk.objects.filter(
            pk=chunk.pk, run_token=chunk.run_token, status=chunk.status
        ).update(
            status=ChunkStatus.PENDING,
            run_token=token,
            heartbeat_at=None,
            attempts=0 if force else chunk.attempts,
        ):
            sent.append((chunk.number, token))
    if sent:
        # Dealt out anew: the batch counts as moving again for one more lease.
        _write(ImportBatch.objects.filter(pk=batch.pk), heartbeat_at=timezone.now())
        batch_id = str(batch.pk)
        transaction.on_commit(lambda: _send_chunks(batch_id, sent))
    return len(sent)


def enqueue(batch: ImportBatch, job: str) -> None:
    """Queue ``job`` ("check" or "commit") for the batch once the caller's transaction
    commits, with a watch that resumes it should its worker die."""
    batch_id, token = str(batch.pk), batch.run_token

    def send() -> None:
        work = _task("check_import" if job == "check" else "commit_import")
        work.enqueue(batch_id, token)
        watch_later(batch_id)

    transaction.on_commit(send)


def watch_later(batch_id: str, after: float | None = None) -> None:
    """Queue a look at the batch once its lease could have run out (queues that defer)."""
    watch = _task("watch_import")
    if not watch.get_backend().supports_defer:
        return  # the immediate backend runs the work inline: no worker to lose
    delay = settings.SINERGI_IMPORT_LEASE_SECONDS + 1 if after is None else after
    watch.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(batch_id)


def import_start_commit(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    """Mark a checked batch as being saved and queue the work (web page and API)."""
    from sinergi.registry.messages import problem_text

    if batch.status != ImportStatus.CHECKED:
        raise InvalidInput(problem_text("not_checked"))
    if batch.all_or_nothing and (batch.rows_rejected or batch.rows_duplicate):
        raise InvalidInput(problem_text("has_errors"))
    # No heartbeat yet: a batch waiting in the queue behind other work is not a dead one.
    _write(
        ImportBatch.objects.filter(pk=batch.pk),
        status=ImportStatus.COMMITTING,
        step="commit",
        run_token="",
        heartbeat_at=None,
        progress_done=0,
    )
    batch.refresh_from_db()
    enqueue(batch, "commit")
    return batch


def _stale(batch: ImportBatch) -> bool:
    lease = timedelta(seconds=settings.SINERGI_IMPORT_LEASE_SECONDS)
    return (
        batch.status in RUNNING
        and batch.heartbeat_at is not None
        and batch.heartbeat_at < timezone.now() - lease
    )


def import_resumable(batch: ImportBatch) -> bool:
    """Whether an officer may resume the batch: its run is gone, or was given up."""
    gave_up = batch.status == ImportStatus.FAILED and batch.file_error.startswith("worker_lost")
    return bool(batch.file_path) and (_stale(batch) or gave_up or _stale_chunks(batch))


def _stale_chunks(batch: ImportBatch) -> bool:
    lease = timezone.now() - timedelta(seconds=settings.SINERGI_IMPORT_LEASE_SECONDS)
    return (
        batch.step == "chunks"
        and batch.status == ImportStatus.COMMITTING
        and batch.chunks.filter(status=ChunkStatus.RUNNING, heartbeat_at__lt=lease).exists()
    )


def resume_if_stale(batch: ImportBatch, *, by: Any = None, force: bool = False) -> bool:
    """Hand a batch whose worker died to a new run; True when it was resumed.

    The lease's token is replaced in one conditional update, so of two callers noticing the
    same dead run at once (the watch task and an officer's page) only one resumes it.
    ``force`` (an officer's Resume) also resumes a batch stopped after too many crashes.
    """
    if batch.step == "chunks":
        return _resume_chunks(batch, by=by, force=force)
    if not (_stale(batch) or (force and import_resumable(batch))):
        return False
    job = batch.step or ("commit" if batch.status == ImportStatus.COMMITTING else "check")
    if not force and batch.resumes >= MAX_RESUMES:
        _fail(batch, "worker_lost")
        return False
    token = uuid.uuid4().hex
    status = ImportStatus.COMMITTING if job == "commit" else ImportStatus.CHECKING
    claimed = _write(
        ImportBatch.objects.filter(pk=batch.pk, run_token=batch.run_token, status=batch.status),
        status=status,
        step=job,
        run_token=token,
        heartbeat_at=timezone.now(),
        file_error="",
        resumes=0 if force else batch.resumes + 1,
    )
    if not claimed:
        return False
    batch.refresh_from_db()
    AuditEvent.record(
        events.IMPORT_RESUMED,
        actor=by,
        obj=batch,
        area_code=batch.area_code,
        data={"job": job, "resumes": batch.resumes},
    )
    enqueue(batch, job)
    return True


def _resume_chunks(batch: ImportBatch, *, by: Any, force: bool) -> bool:
    """A batch dealt out in chunks: deal out again the chunks whose worker died; with
    ``force``, also a batch stopped after too many crashes (its chunks start afresh)."""
    if force and import_resumable(batch):
        if not _write(
            ImportBatch.objects.filter(pk=batch.pk, status=batch.status, step="chunks"),
            status=ImportStatus.COMMITTING,
            file_error="",
            resumes=F("resumes") + 1,
        ):
            return False
        batch.refresh_from_db()
        sent = resume_stale_chunks(batch, force=True)
    elif batch.status == ImportStatus.COMMITTING:
        sent = resume_stale_chunks(batch)
    else:
        return False
    if sent:
        AuditEvent.record(
            events.IMPORT_RESUMED,
            actor=by,
            obj=batch,
            area_code=batch.area_code,
            data={"job": "chunks", "chunks": sent},
        )
    return bool(sent)


def resume_stale() -> int:
    """Resume every batch whose worker died; the nightly command and worker watches."""
    lease = timedelta(seconds=settings.SINERGI_IMPORT_LEASE_SECONDS)
    stale = ImportBatch.objects.filter(status__in=RUNNING, heartbeat_at__lt=timezone.now() - lease)
    chunked = ImportBatch.objects.filter(
        status=ImportStatus.COMMITTING,
        step="chunks",
        chunks__status=ChunkStatus.RUNNING,
        chunks__heartbeat_at__lt=timezone.now() - lease,
    ).distinct()
    return sum(resume_if_stale(batch) for batch in [*stale, *chunked])


def import_cancel(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    """Stop a batch for good: its run ends at the next chunk, its file is deleted.

    Rows already saved stay saved (each was checked and is audited); the report stays.
    """
    from sinergi.registry.messages import problem_text

    if batch.status in (ImportStatus.COMMITTED, ImportStatus.CANCELLED):
        raise InvalidInput(problem_text("not_cancellable"))
    _write(
        ImportBatch.objects.filter(pk=batch.pk),
        status=ImportStatus.CANCELLED,
        run_token="",
        heartbeat_at=None,
    )
    batch.refresh_from_db()
    if batch.step in ("commit", "chunks"):
        batch.rows_committed = _stored(batch)
        _write(ImportBatch.objects.filter(pk=batch.pk), rows_committed=batch.rows_committed)
    forget_file(batch)
    transaction.on_commit(deferred_indexes.ensure)
    return batch


def import_resume(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    """An officer's Resume: only a batch whose run is gone (lease out, or given up)."""
    from sinergi.registry.messages import problem_text

    if not resume_if_stale(batch, by=actor, force=True):
        raise InvalidInput(problem_text("not_resumable"))
    return batch


def prune_files(hours: int | None = None) -> int:
    """Delete the files of batches left unfinished longer than the retention; the reports
    stay. Running batches with a live lease are left alone. Returns how many went."""
    keep = settings.SINERGI_IMPORT_KEEP_HOURS if hours is None else hours
    cutoff = timezone.now() - timedelta(hours=keep)
    lease = timezone.now() - timedelta(seconds=settings.SINERGI_IMPORT_LEASE_SECONDS)
    old = (
        ImportBatch.objects.exclude(file_path="")
        .filter(created_at__lt=cutoff)
        .exclude(status__in=RUNNING, heartbeat_at__gte=lease)
    )
    count = 0
    for batch in old:
        forget_file(batch)
        if batch.status not in (ImportStatus.COMMITTED, ImportStatus.FAILED):
            _write(
                ImportBatch.objects.filter(pk=batch.pk),
                status=ImportStatus.CANCELLED,
                run_token="",
                heartbeat_at=None,
            )
        count += 1
    return count


def tidy() -> dict[str, int]:
    """The nightly part of imports: resume what lost its worker, delete expired files."""
    resumed = resume_stale()
    return {
        "imports_resumed": resumed,
        "import_files_deleted": prune_files(),
        "indexes_rebuilt": len(deferred_indexes.ensure()),
    }


def _lookup(
    model: type[Household] | type[Person], key: str, value: str, keys: list[str]
) -> list[tuple[str, Any]]:
    """(key, value) for the rows whose ``key`` is among ``keys``.

    On PostgreSQL the keys go as one array literal in one text parameter: Django's cursor
    binds on the client, and quoting a 5,000-element list item by item cost more than the
    look-up itself.
    """
    if not keys:
        return []
    if connection.vendor != "postgresql":
        return list(model.objects.filter(**{f"{key}__in": keys}).values_list(key, value))
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "{key}", "{value}" FROM "{table}" WHERE "{key}" = ANY(%s::text[])',  # noqa: S608
            [_pg_array(keys)],
        )
        return list(cursor.fetchall())


def _pg_array(values: list[str]) -> str:
    """A PostgreSQL text-array literal of ``values``, every element quoted."""
    return (
        "{"
        + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
        + "}"
    )


def _insert_new(model: type[Household] | type[Person], rows: list[dict[str, Any]]) -> int:
    """Insert rows, skipping any whose unique keys exist; returns how many were inserted
    (the ORM's bulk insert; PostgreSQL takes the staged path of ``_commit_chunk`` instead)."""
    if not rows:
        return 0
    keys = [r["import_key"] for r in rows] if model is Person else []
    before = Person.objects.filter(import_key__in=keys).count() if keys else 0
    manager: Any = model.objects  # one code path for both models
    manager.bulk_create([model(**r) for r in rows], batch_size=1000, ignore_conflicts=True)
    if model is Person:
        return Person.objects.filter(import_key__in=keys).count() - before
    return len(rows)


@transaction.atomic
def _commit_chunk(batch: ImportBatch, good: list[Staged]) -> int:
    """Store a chunk's good rows, households first; returns how many persons were inserted.

    Rows already stored (a resumed run, the same file twice, a concurrent import) are skipped
    by their unique keys, so every row is stored exactly once.
    """
    if not good:
        return 0
    if connection.vendor == "postgresql":
        return _commit_staged(batch, good)
    return _commit_orm(batch, good)


def _commit_orm(batch: ImportBatch, good: list[Staged]) -> int:
    """The ORM's path (SQLite): the staged lines read back into rows, then bulk inserts."""
    rows = [_unstaged(staged[4]) for staged in good]
    hh_fields = [*_KK_COLUMNS, "address", "desil", "desil_date"]
    kk_hashes = list(dict.fromkeys(r["kk_hash"] for r in rows))
    existing = dict(_lookup(Household, "kk_hash", "id", kk_hashes))
    villages = dict(_village_ids(sorted({staged[3] for staged in good})))
    now = timezone.now()
    new_households: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["kk_hash"] in existing or r["kk_hash"] in new_households:
            continue
        new_households[r["kk_hash"]] = {
            **{f: r[f] for f in hh_fields},
            "village_id": villages[r["area_code"]],
            "area_code": r["area_code"],
            "created_at": now,
            "updated_at": now,
        }
    _insert_new(Household, list(new_households.values()))
    existing.update(_lookup(Household, "kk_hash", "id", list(new_households)))
    person_fields = [*_NIK_COLUMNS, *(f for f, _a in _PERSON_FIELDS), "flags"]
    persons = [
        {
            "household_id": existing[r["kk_hash"]],
            **{f: r[f] for f in person_fields},
            "import_key": _row_key(batch, r["n"]),
            "created_at": now,
            "updated_at": now,
        }
        for r in rows
    ]
    return _insert_new(Person, persons)


_UNCOPY = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}


def _unstaged(line: str) -> dict[str, Any]:
    """A staged line back as typed values by STAGE_COLUMNS (what PostgreSQL reads from it)."""
    raw = dict(zip(STAGE_COLUMNS, line.split("\t"), strict=True))
    out: dict[str, Any] = {
        c: None if v == _NULL else re.sub(r"\\[\\tnr]", lambda m: _UNCOPY[m[0]], v)
        for c, v in raw.items()
    }
    out["n"] = int(out["n"])
    out["desil"] = None if out["desil"] is None else int(out["desil"])
    for column in ("birth_date", "desil_date"):
        out[column] = None if out[column] is None else date.fromisoformat(out[column])
    out["is_head"] = out["is_head"] == "t"
    out["flags"] = json.loads(out["flags"])
    return out


_STAGE = "sinergi_import_stage"


def _commit_staged(batch: ImportBatch, good: list[Staged]) -> int:
    """PostgreSQL: the chunk goes in with one COPY of the lines the pool wrote (no per-row
    work here) into a temporary table, then two set-based statements move it: households
    (the first row of each family card) and persons, their household found by the card's
    keyed hash in SQL, each ``ON CONFLICT DO NOTHING``. No look-ups before or after,
    whatever the chunk holds.
    """
    villages = _village_ids(sorted({staged[3] for staged in good}))
    hh, person = Household._meta.db_table, Person._meta.db_table
    q = _quoted
    household_cols = [*_KK_COLUMNS, "area_code", "address", "desil", "desil_date"]
    person_cols = [*_NIK_COLUMNS, *(f for f, _a in _PERSON_FIELDS), "flags"]
    now = timezone.now()
    with connection.cursor() as wrapper:
        raw = wrapper.cursor
        # The chunk's rows commit with its progress and heartbeat, so a commit lost to a
        # server crash loses both (WAL keeps their order) and a resumed run redoes that chunk;
        # the run's last write, which tells the officer it is saved, still waits for the disk.
        raw.execute("SET LOCAL synchronous_commit TO OFF")
        raw.execute(_stage_sql())
        raw.execute(f"TRUNCATE {_STAGE}")
        with raw.copy(f"COPY {_STAGE} ({q(list(STAGE_COLUMNS))}) FROM STDIN") as copy:
            copy.write("\n".join([staged[4] for staged in good]).encode() + b"\n")
        # Households in file order, each from the first row of its card; villages by the
        # ids remembered in this process (a handful a chunk).
        raw.execute(
            f"INSERT INTO {hh} ({q(household_cols)}, village_id, created_at, updated_at) "  # noqa: S608  # model names
            f"SELECT {q(household_cols, 's.')}, v.id, %s, %s FROM ("
            f"  SELECT DISTINCT ON (kk_hash) * FROM {_STAGE} ORDER BY kk_hash, n"
            ") s JOIN unnest(%s::text[], %s::bigint[]) AS v(code, id) ON v.code = s.area_code "
            "ORDER BY s.n ON CONFLICT DO NOTHING",
            [now, now, _pg_array([c for c, _i in villages]), [i for _c, i in villages]],
        )
        # Each row's household by one index probe (LATERAL … LIMIT 1 keeps the planner from
        # hashing the whole household table for every chunk: that grew with the registry).
        raw.execute(
            f"INSERT INTO {person} ({q(person_cols)}, household_id, import_key, created_at, "  # noqa: S608  # model names
            f"updated_at) SELECT {q(person_cols, 's.')}, h.id, %s || s.n, %s, %s "
            f"FROM {_STAGE} s CROSS JOIN LATERAL (SELECT id FROM {hh} x "
            "WHERE x.kk_hash = s.kk_hash LIMIT 1) h ORDER BY s.n ON CONFLICT DO NOTHING",
            [_row_key(batch, 0)[:-1], now, now],  # the prefix of _row_key
        )
        return int(raw.rowcount)


def _copy_text(value: str) -> str:
    """``value`` escaped for COPY's text format (the row checks refuse NUL already)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def _quoted(columns: list[str], prefix: str = "") -> str:
    return ", ".join(f'{prefix}"{c}"' for c in columns)


def _stage_sql() -> str:
    """The temporary table a chunk is copied into, typed as the columns it feeds (created
    once a database session; emptied before each chunk)."""
    types = {"n": "integer"}
    for model in (Person, Household):
        for field in model._meta.concrete_fields:
            types.setdefault(str(field.column), str(field.db_type(connection)))
    body = ", ".join(f'"{c}" {types[c]}' for c in STAGE_COLUMNS)
    return f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} ({body})"


_VILLAGE_IDS: dict[str, dict[str, int]] = {}  # per database


def _village_ids(codes: list[str]) -> list[tuple[str, int]]:
    """Region ids of village codes; ids never change once loaded, so they are remembered."""
    from sinergi.wilayah.models import Region

    known = _VILLAGE_IDS.setdefault(str(connection.settings_dict["NAME"]), {})
    missing = [c for c in codes if c not in known]
    if missing:
        known.update(Region.objects.filter(code__in=missing).values_list("code", "pk"))
    return [(c, known[c]) for c in codes if c in known]
