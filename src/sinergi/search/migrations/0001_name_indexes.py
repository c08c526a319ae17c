"""Indexes for the search box on the name columns it searches (PostgreSQL only).

For each column: a B-tree on ``lower(name) COLLATE "C"``, read in order for names that start
with the query (search.ranking step 1), and a GIN trigram index (pg_trgm) for a word anywhere
in the name and for similar spellings (steps 2 and 3). The columns are plain text (names are
not encrypted; NIK and KK are, and are found through their keyed hash instead). The indexes
belong to the search app so that no other app's migrations change; SQLite needs none (its
search is the simpler ``LIKE`` path). On a large registry the GIN index takes a while to build
(about a minute per million persons).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

# (table, index name prefix): each table's ``name`` column.
COLUMNS = [
    ("registry_person", "search_person"),
    ("kube_kube", "search_kube"),
    ("mentoring_mentor", "search_mentor"),
    ("market_product", "search_product"),
    ("wilayah_region", "search_region"),
]


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, prefix in COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {prefix}_name_start ON {table} ((lower(name) COLLATE "C"))'
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {prefix}_name_trgm ON {table} "
            "USING gin (name gin_trgm_ops)"
        )


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, prefix in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {prefix}_name_start")
        schema_editor.execute(f"DROP INDEX IF EXISTS {prefix}_name_trgm")
    # The extension stays: other databases objects may use it, and it costs nothing idle.


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0008_inbox_queue_index"),
        ("kube", "0006_names_in_english"),
        ("mentoring", "0005_report_return"),
        ("market", "0007_names_in_english"),
        ("wilayah", "0002_region_level_code"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
