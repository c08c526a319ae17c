"""The registry's indexes on PostgreSQL: the keyed hashes keep their unique index and nothing
else (a prefix index on a hash is never used, and every imported row paid for it)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from sinergi.registry.models import Household, Person
from tests.factories import PersonFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pattern indexes"),
]


def _indexes(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [table, f"%({column}%"],
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.parametrize(
    ("table", "column"),
    [("registry_person", "nik_hash"), ("registry_household", "kk_hash")],
)
def test_a_keyed_hash_has_its_unique_index_and_no_prefix_index(table: str, column: str) -> None:
    found = _indexes(table, column)
    assert len(found) == 1 and "UNIQUE" in found[0], found
    assert not _indexes(table.replace("registry_", "registry_historical"), f"{column} varchar")


def test_the_hashes_are_still_unique() -> None:
    first, second = PersonFactory.create(), PersonFactory.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=second.pk).update(nik_hash=first.nik_hash)
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.filter(pk=second.household_id).update(kk_hash=first.household.kk_hash)
