"""The duplicate check after an import looks at the new rows' blocks only, and the full scan
runs one district per task; both queue the pairs the engine finds over the whole district."""

from __future__ import annotations

import hashlib
import importlib
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from sinergi.core import crypto
from sinergi.engines.dedupe import block_dates
from sinergi.registry import tasks
from sinergi.registry.dedupe import (
    dedupe_district,
    dedupe_new_rows,
    dedupe_scan,
    districts,
    nik_prefix_key,
)
from sinergi.registry.models import DuplicateCandidate, Household, ImportBatch, Person
from sinergi.registry.services import protect_kk, protect_nik
from sinergi.synthetic.registry import RegistryGenerator
from sinergi.wilayah.models import Region

pytestmark = pytest.mark.django_db


def _store(rows: list[list[str]], name: str) -> ImportBatch:
    """Store generated rows as an import would (households, persons with the batch's import
    keys); a NIK stored already is skipped, as the importer skips it."""
    sha = hashlib.sha256(name.encode()).hexdigest()
    batch = ImportBatch.objects.create(file_name=name, file_sha256=sha, status="committed")
    villages = dict(Region.objects.filter(code__in={r[10] for r in rows}).values_list("code", "pk"))
    taken = {
        crypto.decrypt(c, field="nik") for c in Person.objects.values_list("nik_cipher", flat=True)
    }
    for number, row in enumerate(rows, start=2):
        source, kk, nik, person_name, sex, place, born, relation, head, address, code = row[:11]
        if nik in taken:
            continue
        taken.add(nik)
        household = Household.objects.filter(kk_hash=protect_kk(kk)["kk_hash"]).first()
        if household is None:
            household = Household.objects.create(
                **protect_kk(kk), village_id=villages[code], area_code=code, address=address
            )
        Person.objects.create(
            household=household,
            **protect_nik(nik),
            name=person_name,
            sex=sex,
            birth_place=place,
            birth_date=date.fromisoformat(born),
            relation=relation,
            is_head=head == "1",
            area_code=code,
            source_id=source,
            import_key=f"{sha[:20]}:{number}",
        )
    return batch


def _row(
    source: str, kk: str, nik: str, name: str, sex: str, born: str, code: str = "32.73.01.1001"
) -> list[str]:
    return [source, kk, nik, name, sex, "Bandung", born, "kepala", "1", "-", code]


def _pairs() -> set[tuple[int, int]]:
    return set(DuplicateCandidate.objects.values_list("person_a_id", "person_b_id"))


def _generated(households: int = 120) -> list[list[str]]:
    generator = RegistryGenerator(17, duplicate_share=0.25, areas=["32.73"])
    return list(generator.rows(households))


def test_imports_checked_one_after_another_find_what_the_full_scan_finds() -> None:
    rows = _generated()
    # Runs of rows: most pairs fall inside one file, some across the two.
    first = _store([r for i, r in enumerate(rows) if i // 7 % 2 == 0], "a.csv")
    dedupe_new_rows(first)
    from_first = _pairs()
    second = _store([r for i, r in enumerate(rows) if i // 7 % 2 == 1], "b.csv")
    run = dedupe_new_rows(second)
    incremental = _pairs()
    new_ids = set(
        Person.objects.filter(import_key__startswith=second.file_sha256[:20]).values_list(
            "pk", flat=True
        )
    )
    assert run.new == len(new_ids) > 0
    assert run.created == len(incremental - from_first)
    assert all(a in new_ids or b in new_ids for a, b in incremental - from_first)

    DuplicateCandidate.objects.all().delete()
    assert dedupe_scan() == len(incremental)
    full = _pairs()
    assert incremental == full
    assert full - from_first, "the second file must bring pairs of its own"
    assert any(a not in new_ids and b not in new_ids for a, b in full), "and leave old ones"

    # The second check fetched exactly the stored persons sharing a block with a new one.
    people = {
        p.pk: (p.area_code[:8], p.birth_date, p.sex, crypto.decrypt(p.nik_cipher, field="nik")[:12])
        for p in Person.objects.all()
    }
    expected = {
        old
        for old, (district, born, sex, prefix) in people.items()
        if old not in new_ids
        and any(
            district == people[new][0]
            and (
                (born in block_dates(people[new][1]) and sex == people[new][2])
                or prefix == people[new][3]
            )
            for new in new_ids
        )
    }
    assert run.stored == len(expected) < len(people) - len(new_ids)


def test_a_second_check_of_the_same_batch_queues_nothing_more() -> None:
    batch = _store(_generated(60), "a.csv")
    first = dedupe_new_rows(batch)
    assert first.created > 0
    assert dedupe_new_rows(batch).created == 0
    assert len(_pairs()) == first.created


def test_stored_rows_elsewhere_are_not_read(officer_bandung: Any) -> None:
    """A new person meets the stored person of its NIK-prefix block (birth date mistyped), and
    nothing of the many stored persons of other dates or other districts is fetched."""
    noise = [
        _row(
            f"N{d}", "3273010101200001", f"327301{40 + d}0{d}850001", "Dewi", "P", f"1985-0{d}-0{d}"
        )
        for d in range(1, 10)
    ]
    other_district = [
        _row(
            "O1",
            "3273020101200001",
            "3273024107900007",
            "Dewi Lestari",
            "P",
            "1990-07-01",
            "32.73.02.1001",
        )
    ]
    stored = [
        _row(
            "S1",
            "3273010101200009",
            "3273014107900003",
            "Dewi Lestari",
            "P",
            "1990-07-01",
            "32.73.01.1001",
        )
    ]
    _store(noise + other_district + stored, "old.csv")
    new = [
        _row(
            "X1",
            "3273010101200011",
            "3273014107900030",
            "Dewi Lestari",
            "P",
            "1990-08-01",
            "32.73.01.1001",
        )
    ]
    run = dedupe_new_rows(_store(new, "new.csv"))
    assert (run.new, run.stored, run.created) == (1, 1, 1)
    pair = DuplicateCandidate.objects.get()
    assert pair.reason == "candidate" and pair.area_code.startswith("32.73.01")


def test_the_backfill_keys_stored_rows_so_later_imports_find_them() -> None:
    stored = [
        _row(
            "S1",
            "3273010101200009",
            "3273014107900003",
            "Dewi Lestari",
            "P",
            "1990-07-01",
            "32.73.01.1001",
        )
    ]
    _store(stored, "old.csv")
    Person.objects.update(nik_prefix_key="")  # rows stored before the column existed
    migration = importlib.import_module("sinergi.registry.migrations.0004_person_dedupe_blocks")
    migration.fill_prefix_keys(apps, None)
    assert Person.objects.get().nik_prefix_key == nik_prefix_key("3273014107900003")
    assert nik_prefix_key("3273014107900003") == nik_prefix_key("3273014107900099")
    assert nik_prefix_key("3273014107900003") != nik_prefix_key("3273014107910003")
    new = [
        _row(
            "X1",
            "3273010101200011",
            "3273014107900030",
            "Dewi Lestari",
            "P",
            "1990-08-01",
            "32.73.01.1001",
        )
    ]
    assert dedupe_new_rows(_store(new, "new.csv")).created == 1


def test_the_full_scan_is_one_task_per_district() -> None:
    _store(_generated(), "a.csv")
    parts = districts("32.73")
    assert len(parts) > 3 and all(len(d) == 8 and d.startswith("32.73.") for d in parts)
    assert districts("32.01") == []
    one = dedupe_district(parts[0])
    assert all(
        Person.objects.get(pk=a).area_code[:8] == parts[0] == Person.objects.get(pk=b).area_code[:8]
        for a, b in _pairs()
    )
    result = tasks.scan_duplicates.enqueue("32.73")  # the immediate backend runs the fan-out
    assert result.return_value == len(parts)
    queued = _pairs()
    DuplicateCandidate.objects.all().delete()
    assert dedupe_scan(area_code="32.73") == len(queued) > one


def test_the_command_queues_the_districts_of_an_area() -> None:
    _store(_generated(), "a.csv")
    out = StringIO()
    call_command("dedupe_scan", "--area", "3273", stdout=out)
    assert out.getvalue().strip() == f"{len(districts('32.73'))} district scans queued"
    assert _pairs()
    out = StringIO()
    call_command("dedupe_scan", "--here", stdout=out)
    assert out.getvalue().strip().endswith(" 0 new possible duplicates")
    with pytest.raises(CommandError):
        call_command("dedupe_scan", "--area", "32.x")
