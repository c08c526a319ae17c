"""Migration steps shared by several apps (imported by migrations: keep their behaviour fixed)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def codes_sort_bytewise(
    table: str, column: str = "area_code", length: int = 13
) -> migrations.RunPython:
    """On PostgreSQL, collate a region-code column "C" (byte order), as SQLite already does.

    Scoping to an area is then one range on the column's ordinary index, the same index that
    orders the lists (see ``core.scoping.area_q``), and that index also serves ``LIKE 'x.%'``,
    which makes Django's extra ``varchar_pattern_ops`` index redundant: it is dropped, one index
    fewer for every imported row. Other databases need nothing.
    """

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        _drop_pattern_indexes(schema_editor, table, column)
        schema_editor.execute(
            f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar({length}) COLLATE "C"'
        )

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            f'ALTER TABLE "{table}" ALTER COLUMN "{column}" '
            f'TYPE varchar({length}) COLLATE "default"'
        )
        schema_editor.execute(
            f'CREATE INDEX "{table}_{column}_like" ON "{table}" ("{column}" varchar_pattern_ops)'
        )

    return migrations.RunPython(forwards, backwards, elidable=False)


def _drop_pattern_indexes(schema_editor: Any, table: str, column: str) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [table, f"%({column} varchar_pattern_ops)%"],
        )
        for (name,) in cursor.fetchall():
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def no_prefix_index(*columns: tuple[str, str]) -> migrations.RunPython:
    """On PostgreSQL, drop the ``varchar_pattern_ops`` index Django adds beside the index of a
    unique or indexed ``CharField`` (``(table, column)`` pairs), for columns nothing searches by
    prefix — keyed hashes: one index fewer to keep up for every row written. The field keeps
    its options, so the unique index stays as it is (nothing rebuilt), and a later change of the
    field drops the pattern index with ``IF EXISTS``. Other databases have no such index."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, column in columns:
            _drop_pattern_indexes(schema_editor, table, column)

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, column in columns:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{table}_{column}_like" '
                f'ON "{table}" ("{column}" varchar_pattern_ops)'
            )

    return migrations.RunPython(forwards, backwards, elidable=False)
