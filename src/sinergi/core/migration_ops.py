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
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
                [table, f"%({column} varchar_pattern_ops)%"],
            )
            for (name,) in cursor.fetchall():
                schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
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
