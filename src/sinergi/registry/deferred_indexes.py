"""Secondary indexes of the person and household tables, left out during a first load.

A first national load into an empty person table spends most of its database time keeping up
the table's secondary indexes (trigram GIN, names, area, birth date, NIK prefix, household):
one build of each at the end costs less than a million small updates. PostgreSQL only; on
SQLite nothing changes.

What is left out: every index of the two tables that is neither the primary key nor unique nor
behind a constraint, so the import's own ``ON CONFLICT`` keys and its look-ups by keyed hash
keep their indexes throughout. Each definition is taken from the catalogue
(``pg_get_indexdef``) as the migrations left it (the search app's indexes are made by SQL in a
migration, not by the models), and written to ``registry_deferred_index`` in the transaction
that drops the index: there is no moment at which an index is gone and not recorded.

Who puts them back, each by ``restore`` (idempotent; one at a time under an advisory lock):
the run that ends the load (``imports``: the one-pass command line before it reports the
batch saved, the chunk that closes a dealt-out batch, in the transaction that closes it), and
``ensure`` for everything else: a batch that failed or was cancelled, the import watch once a
batch is over, the nightly tidy and ``sinergi manage ensure_indexes`` (after a migrate, or by
hand). ``ensure`` waits while an import is running: that import's own end restores them.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from sinergi.registry.models import (
    DeferredIndex,
    Household,
    ImportBatch,
    ImportChunk,
    ImportStatus,
    Person,
)

# Arbitrary, fixed: the advisory lock that lets one session at a time rebuild.
_LOCK = 0x53494E4552474931
TABLES = (Person, Household)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def secondary(table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of ``table``'s indexes an import can do without."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
            "ORDER BY c.relname",
            [table],
        )
        return [(str(name), str(sql)) for name, sql in cursor.fetchall()]


def pending() -> list[tuple[str, str]]:
    """(name, table) of the indexes recorded as left out and not yet rebuilt."""
    if not _postgres():
        return []
    return list(DeferredIndex.objects.order_by("name").values_list("name", "table_name"))


def _person_rows() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {Person._meta.db_table})")  # noqa: S608
        row = cursor.fetchone()
    return bool(row and row[0])


def defer(batch: ImportBatch) -> bool:
    """Leave out the secondary indexes when the person table is empty; True while they are
    left out (by this call or an earlier one), so the caller knows its end must restore them.
    """
    if not (_postgres() and settings.SINERGI_IMPORT_DEFER_INDEXES):
        return False
    if not _person_rows():
        _defer(batch)
    return bool(pending())


@transaction.atomic
def _defer(batch: ImportBatch) -> None:
    # Decided again under a lock that excludes every writer of the two tables (and any other
    # import deciding at the same moment), so no row arrives between "empty" and the drops.
    # Households first: an import's chunk writes them before persons, so waiting for its
    # transaction here never holds what it waits for.
    with connection.cursor() as cursor:
        for model in (Household, Person):
            cursor.execute(f"LOCK TABLE {model._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
        if _person_rows():
            return
        for model in TABLES:
            table = model._meta.db_table
            for name, definition in secondary(table):
                DeferredIndex.objects.get_or_create(
                    name=name,
                    defaults={
                        "table_name": table,
                        "definition": definition,
                        "batch_id": str(batch.pk),
                    },
                )
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


def restore() -> list[str]:
    """Build every recorded index that is missing and forget the record, in one transaction
    (a run killed half-way leaves the record whole for the next); returns the names built."""
    if not _postgres():
        return []
    return _restore()


@transaction.atomic
def _restore() -> list[str]:
    built: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        recorded = list(DeferredIndex.objects.order_by("name").values_list("name", "definition"))
        if not recorded:
            return built
        cursor.execute(
            "SELECT set_config('maintenance_work_mem', %s, true)",
            [settings.SINERGI_INDEX_BUILD_MEMORY],
        )
        # PostgreSQL builds no index on a table with foreign-key checks still deferred in this
        # transaction (rows written earlier in it): they run now instead of at the commit.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, definition in recorded:
            cursor.execute("SELECT to_regclass(%s) IS NULL", [f'"{name}"'])
            row = cursor.fetchone()
            if row and row[0]:
                cursor.execute(definition)
                built.append(str(name))
        DeferredIndex.objects.all().delete()
    return built


def _import_running() -> bool:
    """Whether any import is saving rows now (a live lease on its batch or one of its chunks)."""
    fresh = timezone.now() - timedelta(seconds=settings.SINERGI_IMPORT_LEASE_SECONDS)
    running = (ImportStatus.CHECKING, ImportStatus.COMMITTING)
    return (
        ImportBatch.objects.filter(status__in=running, heartbeat_at__gte=fresh).exists()
        or ImportChunk.objects.filter(
            batch__status=ImportStatus.COMMITTING, heartbeat_at__gte=fresh
        ).exists()
    )


def ensure(*, force: bool = False) -> list[str]:
    """Rebuild whatever a load left out, unless an import is running (its end does it);
    ``force`` rebuilds even then. Idempotent: returns the names built, none the second time."""
    if not pending() or (not force and _import_running()):
        return []
    return restore()
