"""The region load: official counts, idempotent, set-based, retires instead of deleting."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

from sinergi.core.models import AuditEvent
from sinergi.engines import wilayah as w
from sinergi.wilayah.models import Level, Region
from sinergi.wilayah.services import regions_load

pytestmark = pytest.mark.django_db


def test_loaded_counts_match_the_decree() -> None:
    counts = [Region.objects.current().filter(level=lvl).count() for lvl in Level.values]
    assert counts == [38, 514, 7285, 83762]


def test_every_region_points_to_its_parent() -> None:
    village = Region.objects.select_related("parent__parent__parent").get(code="32.73.01.1001")
    assert village.parent is not None and village.parent.code == "32.73.01"
    assert village.parent.parent is not None and village.parent.parent.code == "32.73"
    assert village.parent.parent.parent is not None
    assert village.parent.parent.parent.name == "Jawa Barat"
    assert not Region.objects.filter(level__gt=1, parent__isnull=True).exists()
    assert village.decree == "Kepmendagri 300.2.2-2138/2025"


def test_loading_again_changes_nothing() -> None:
    before = Region.objects.count()
    result = regions_load()
    assert (result.created, result.renamed, result.retired) == (0, 0, 0)
    assert result.unchanged == before == Region.objects.count()
    event = AuditEvent.objects.filter(event_type="wilayah.regions.loaded").first()
    assert event is not None and event.data["unchanged"] == before


def _write(path: Path, rows: list[tuple[str, str]]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "name"])
        writer.writerows(rows)
    return path


def test_a_code_dropped_by_a_new_decree_is_retired_not_deleted(tmp_path: Path) -> None:
    rows = [(r.code, r.name) for r in w.read_records()]
    dropped = "32.73.01.1001"
    renamed = "32.73.01.1002"
    new_rows = [(c, "Nama Baru" if c == renamed else n) for c, n in rows if c != dropped] + [
        ("32.73.01.1099", "Desa Uji Baru")
    ]
    result = regions_load(data_file=_write(tmp_path / "new.csv.gz", new_rows), decree="Uji 1/2026")
    assert (result.created, result.renamed, result.retired) == (1, 1, 1)
    old = Region.objects.get(code=dropped)
    assert old.retired and old.name == "Sukarasa"
    assert Region.objects.get(code=renamed).name == "Nama Baru"
    created = Region.objects.get(code="32.73.01.1099")
    assert created.parent is not None and created.parent.code == "32.73.01"
    assert created.decree == "Uji 1/2026"
    # Back to the shipped file: the retired code comes back into force.
    again = regions_load()
    assert again.renamed == 2 and again.retired == 1
    assert not Region.objects.get(code=dropped).retired


def test_a_broken_file_leaves_the_table_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv.gz"
    path.write_bytes(b"not gzip at all")
    before = Region.objects.count()
    with pytest.raises(OSError):
        regions_load(data_file=path)
    assert Region.objects.count() == before
