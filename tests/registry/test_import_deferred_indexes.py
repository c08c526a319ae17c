"""A first load into an empty person table leaves the secondary indexes out and builds them once
at the end; every way a run can end (saved, killed and resumed, dealt out in chunks, failed)
leaves the tables with every index the migrations define; a load into a table that holds
persons drops nothing; ``ensure`` is idempotent. PostgreSQL only (SQLite keeps its indexes).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.registry import deferred_indexes, imports
from sinergi.registry.imports import import_check, import_commit, import_create, resume_if_stale
from sinergi.registry.models import Household, ImportBatch, ImportStatus, Person
from sinergi.synthetic.registry import RegistryGenerator

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="indexes are left out on PostgreSQL")
TABLES = (Person._meta.db_table, Household._meta.db_table)
ROWS = len(list(RegistryGenerator(5, areas=["32.73"]).rows(15)))  # persons of 15 families


def _indexes() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [list(TABLES)]
        )
        return {(str(n), str(d)) for n, d in cursor.fetchall()}


@pytest.fixture
def migrated() -> set[tuple[str, str]]:
    """The two tables' indexes as the migrations leave them (the run's freshly migrated
    database: the test's transaction has not touched them yet)."""
    found = _indexes()
    names = {name for name, _d in found}
    # What the comparison is worth: the model's, the search migration's SQL-made and the
    # unique keys are all in it.
    assert {"person_birth_area", "person_nik_prefix", "search_person_name_trgm"} <= names
    assert any("UNIQUE" in d and "nik_hash" in d for _n, d in found)
    return found


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "BATCH", 20)
    monkeypatch.setattr(imports, "TASK_ROWS", 20)


def _batch(actor: User, write_csv: Callable[..., Path]) -> ImportBatch:
    rows = list(RegistryGenerator(5, areas=["32.73"]).rows(15))
    return import_create(actor=actor, source=write_csv(rows), file_name="first.csv")


def _stored_once() -> None:
    assert Person.objects.count() == ROWS
    assert Person.objects.values("import_key").distinct().count() == ROWS


class _Dies:
    """``_commit_chunk`` that kills the run (as a kill -9 would, mid-run) at its third call."""

    def __init__(self) -> None:
        self.calls, self.real = 0, imports._commit_chunk

    def __call__(self, *args: Any, **kwargs: Any) -> int:
        self.calls += 1
        if self.calls == 3:
            raise KeyboardInterrupt("worker killed")
        return int(self.real(*args, **kwargs))


def _killed_mid_load(monkeypatch: pytest.MonkeyPatch, run: Callable[[], Any]) -> None:
    """``run`` dies at its third chunk (a kill -9 mid-run); later chunks run for real."""
    dies = _Dies()
    monkeypatch.setattr(imports, "_commit_chunk", dies)
    with pytest.raises(KeyboardInterrupt):
        run()
    monkeypatch.setattr(imports, "_commit_chunk", dies.real)


def _gone_silent(batch: ImportBatch) -> None:
    """The heartbeat of a killed run, once its lease ran out."""
    old = timezone.now() - timedelta(hours=1)
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=old)
    batch.chunks.update(heartbeat_at=old)


@postgres_only
@pytest.mark.usefixtures("small_chunks")
def test_a_first_load_leaves_the_secondary_indexes_out_and_ends_with_every_one(
    officer_bandung: User, write_csv: Callable[..., Path], migrated: set[tuple[str, str]]
) -> None:
    during: list[set[str]] = []
    batch = _batch(officer_bandung, write_csv)
    batch = import_check(
        batch.pk, commit=True, progress=lambda d, t: during.append({n for n, _d in _indexes()})
    )

    assert batch.status == ImportStatus.COMMITTED and batch.rows_committed == ROWS
    _stored_once()
    assert _indexes() == migrated
    assert deferred_indexes.pending() == []
    # While loading, only the keys were kept: the primary and the unique ones.
    assert len(during) == -(-ROWS // 20)
    kept = {n for n, d in migrated if "UNIQUE" in d}
    assert all(names == kept for names in during), (during[0], kept)


@postgres_only
@pytest.mark.usefixtures("small_chunks")
def test_a_load_into_a_table_that_holds_persons_drops_nothing(
    officer_bandung: User,
    write_csv: Callable[..., Path],
    household_bandung: Household,
    migrated: set[tuple[str, str]],
) -> None:
    during: list[set[tuple[str, str]]] = []
    batch = _batch(officer_bandung, write_csv)
    import_check(batch.pk, commit=True, progress=lambda d, t: during.append(_indexes()))

    assert during and all(found == migrated for found in during)
    assert _indexes() == migrated and deferred_indexes.pending() == []
    assert Person.objects.count() == ROWS + 2


@postgres_only
@pytest.mark.usefixtures("small_chunks")
def test_a_chunked_save_killed_mid_way_and_resumed_ends_with_every_index_and_row_once(
    officer_bandung: User,
    write_csv: Callable[..., Path],
    migrated: set[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    batch = import_check(_batch(officer_bandung, write_csv).pk)
    assert batch.status == ImportStatus.CHECKED
    _killed_mid_load(monkeypatch, lambda: import_commit(batch.pk))
    assert 0 < Person.objects.count() < ROWS
    assert deferred_indexes.pending()  # left out, and recorded
    # The killed chunk's lease is still fresh: ensure leaves the indexes to the run's end.
    assert deferred_indexes.ensure() == []

    batch = import_commit(batch.pk)  # the next worker takes over every chunk not done

    assert batch.status == ImportStatus.COMMITTED and batch.rows_committed == ROWS
    _stored_once()
    assert _indexes() == migrated and deferred_indexes.pending() == []


@postgres_only
@pytest.mark.usefixtures("small_chunks")
def test_a_one_pass_load_killed_and_resumed_by_the_queue_ends_with_every_index(
    officer_bandung: User,
    write_csv: Callable[..., Path],
    migrated: set[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    batch = _batch(officer_bandung, write_csv)
    _killed_mid_load(monkeypatch, lambda: import_check(batch.pk, commit=True))
    assert deferred_indexes.pending() and _indexes() != migrated
    _gone_silent(batch)
    batch.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        assert resume_if_stale(batch)  # the queue checks it again (no saving on this path)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED
    assert _indexes() == migrated and deferred_indexes.pending() == []

    batch = import_commit(batch.pk)  # the officer saves the rest
    assert batch.status == ImportStatus.COMMITTED
    _stored_once()
    assert _indexes() == migrated


@postgres_only
@pytest.mark.usefixtures("small_chunks")
def test_ensure_builds_what_a_dead_run_left_out_once(
    officer_bandung: User,
    write_csv: Callable[..., Path],
    migrated: set[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    batch = _batch(officer_bandung, write_csv)
    _killed_mid_load(monkeypatch, lambda: import_check(batch.pk, commit=True))
    left_out = {name for name, _table in deferred_indexes.pending()}
    assert left_out == {n for n, d in migrated if "UNIQUE" not in d}
    _gone_silent(batch)  # nobody is loading any more

    built = deferred_indexes.ensure()
    assert set(built) == left_out
    assert _indexes() == migrated
    assert deferred_indexes.ensure() == [] and _indexes() == migrated
    out = StringIO()
    call_command("ensure_indexes", stdout=out)
    assert out.getvalue().strip() == "0 indexes built"
    assert _indexes() == migrated
    # And no run defers again on a table that holds persons now.
    assert deferred_indexes.defer(batch) is False and _indexes() == migrated


@postgres_only
def test_a_built_index_the_record_names_is_not_built_twice(
    officer_bandung: User, write_csv: Callable[..., Path], migrated: set[tuple[str, str]]
) -> None:
    # A build that committed the index but died before forgetting the record cannot happen
    # (one transaction); an index made by hand meanwhile is skipped, the rest still built.
    batch = _batch(officer_bandung, write_csv)
    assert deferred_indexes.defer(batch)
    definition = next(d for n, d in migrated if n == "person_birth_area")
    with connection.cursor() as cursor:
        cursor.execute(definition)
    assert "person_birth_area" not in deferred_indexes.restore()
    assert _indexes() == migrated


@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite run")
def test_sqlite_keeps_its_indexes(officer_bandung: User, write_csv: Callable[..., Path]) -> None:
    batch = _batch(officer_bandung, write_csv)
    assert deferred_indexes.defer(batch) is False
    assert deferred_indexes.pending() == [] and deferred_indexes.ensure() == []
    assert import_check(batch.pk, commit=True).rows_committed == ROWS
