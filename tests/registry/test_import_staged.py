"""Committing a chunk whose rows are partly stored already: the rest goes in exactly once.

On PostgreSQL this is the staged path (one COPY into a temporary table, then set-based
inserts that skip what exists); elsewhere the ORM's bulk insert. Both must agree.
"""

from __future__ import annotations

from datetime import date

import pytest

from sinergi.core import crypto
from sinergi.registry.dedupe import nik_prefix_key
from sinergi.registry.imports import Staged, _commit_chunk, prepare_chunk
from sinergi.registry.models import Household, ImportBatch, Person
from sinergi.synthetic.registry import RegistryGenerator

pytestmark = pytest.mark.django_db


def _good(rows: list[list[str]]) -> list[Staged]:
    prepared = prepare_chunk([(n, r) for n, r in enumerate(rows, start=2)], None, date.today())
    good = [staged for _n, _p, staged in prepared if staged is not None]
    assert len(good) == len(rows)
    return good


def test_a_chunk_partly_stored_stores_the_rest_once_with_its_households() -> None:
    rows = list(RegistryGenerator(11, areas=["32.73"]).rows(30))
    # Characters COPY's text format must escape, in free-text cells that keep them.
    rows[0][5] = "Kota\\Lama\tBaru"
    rows[1][0] = "S\\0\\N"
    batch = ImportBatch.objects.create(file_name="f.csv", file_sha256="a" * 64)
    good = _good(rows)
    # An earlier run stored the first rows (its families too), then died.
    assert _commit_chunk(batch, good[:10]) == 10
    # Another file stored a person with one of this chunk's NIKs meanwhile.
    other = ImportBatch.objects.create(file_name="g.csv", file_sha256="b" * 64)
    assert _commit_chunk(other, [good[20]]) == 1

    assert _commit_chunk(batch, good) == len(good) - 11

    assert Person.objects.count() == len(good)
    assert Person.objects.filter(import_key__startswith="a" * 20 + ":").count() == len(good) - 1
    cards = {row[1] for row in rows}
    assert Household.objects.count() == len(cards)
    for person in Person.objects.select_related("household"):
        number = int(person.import_key.partition(":")[2])
        cells = rows[number - 2]
        assert crypto.decrypt(person.nik_cipher, field="nik") == cells[2]
        # The bulk hashes of an import are the ones a single look-up computes.
        assert person.nik_hash == crypto.lookup_hash(cells[2], field="nik")
        assert person.nik_prefix_key == nik_prefix_key(cells[2])
        assert person.household.kk_hash == crypto.lookup_hash(cells[1], field="kk")
        assert crypto.decrypt(person.household.kk_cipher, field="kk") == cells[1]
        assert person.source_id == cells[0] and person.birth_place == cells[5]
        assert person.name == " ".join(cells[3].split())
        assert person.birth_date.isoformat() == cells[6]
    first = Person.objects.get(nik_hash=good[0][1]).household
    assert first.village.code == rows[0][10] and first.address == " ".join(rows[0][9].split())
