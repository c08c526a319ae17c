"""Background work for the registry: checking and committing imports, duplicate scans."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def check_import(batch_id: str) -> dict[str, Any]:
    from sinergi.registry.imports import import_check

    batch = import_check(batch_id)
    return {"status": batch.status, "valid": batch.rows_valid, "rejected": batch.rows_rejected}


@task()
def commit_import(batch_id: str) -> dict[str, Any]:
    from sinergi.registry.dedupe import dedupe_scan
    from sinergi.registry.imports import import_commit

    batch = import_commit(batch_id)
    found = dedupe_scan(area_code=batch.area_code or None)
    return {"status": batch.status, "committed": batch.rows_committed, "candidates": found}


@task()
def scan_duplicates(area_code: str | None = None) -> int:
    from sinergi.registry.dedupe import dedupe_scan

    return dedupe_scan(area_code=area_code)
