"""Run the dedupe engine over stored persons and fill the review queue.

Two ways, one engine and one district partition (pairs are only sought inside a district):

* after an import, ``dedupe_new_rows`` compares the batch's new persons with the stored persons
  of their blocks only (same birth date or the day/month-swapped date in the district, same NIK
  prefix in the district), fetched by index; its cost grows with the file, not the registry;
* the full scan, nightly or on demand, is one task per district (``scan_district``), so a
  task holds one district in memory and the districts run on as many workers as there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Substr

from sinergi.core import crypto
from sinergi.core.scoping import area_q
from sinergi.engines.dedupe import Pair, Record, block_dates, find_pairs, find_pairs_against
from sinergi.registry.models import DuplicateCandidate, ImportBatch, Person

DISTRICT = 8  # "32.73.01": the partition of every duplicate search
NEW_PER_ROUND = 2000  # new persons held in memory at a time
KEYS_PER_QUERY = 300  # block keys OR-ed in one query where keys cannot go as arrays
_FIELDS = ("pk", "nik_cipher", "name", "sex", "birth_date", "area_code", "household_id")


def nik_prefix_key(nik: str) -> str:
    """Keyed hash of the first 12 NIK digits (the NIK-prefix block), 64 bits.

    Keyed, so the column cannot be matched against a list of prefixes without the HMAC key;
    persons sharing a key share a district and birth date, which the row shows anyway.
    Collisions only add a pair to score, never a false duplicate.
    """
    return crypto.lookup_hash(nik[:12], field="nik_prefix")[:16]


def nik_prefix_keys(niks: list[str]) -> list[str]:
    """``nik_prefix_key`` of every NIK (bulk imports)."""
    return [h[:16] for h in crypto.lookup_hashes([nik[:12] for nik in niks], field="nik_prefix")]


@dataclass
class DedupeRun:
    """What one check did: ``stored`` is how many stored persons it had to compare with."""

    new: int = 0
    stored: int = 0
    created: int = 0


def _record(row: Sequence[Any]) -> Record:
    pk, cipher, name, sex, birth, area, household = row
    return Record(
        str(pk), crypto.decrypt(cipher, field="nik"), name, sex, birth, area, str(household)
    )


def _in_district(district: str) -> Q:
    return area_q("area_code", district, by_range=True)


def _store(pairs: list[Pair], area_of: dict[str, str]) -> int:
    """Queue the pairs for review; a pair already queued (or decided) stays as it is."""
    if not pairs:
        return 0
    firsts = {int(p.id_a) for p in pairs}
    known = set(
        DuplicateCandidate.objects.filter(person_a_id__in=firsts).values_list(
            "person_a_id", "person_b_id"
        )
    )
    rows = [
        DuplicateCandidate(
            person_a_id=int(p.id_a),
            person_b_id=int(p.id_b),
            score=p.score,
            reason=p.reason,
            area_code=area_of[p.id_a],
        )
        for p in pairs
        if (int(p.id_a), int(p.id_b)) not in known
    ]
    with transaction.atomic():
        DuplicateCandidate.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_DATE_BLOCKS = """
    SELECT p.id, p.nik_cipher, p.name, p.sex, p.birth_date, p.area_code, p.household_id
    FROM unnest(%s::varchar[], %s::date[], %s::varchar[]) AS k(lo, born, sex)
    JOIN registry_person p ON p.birth_date = k.born AND p.sex = k.sex
        AND p.area_code >= k.lo COLLATE "C" AND p.area_code < (k.lo || '/') COLLATE "C"
    WHERE p.merged_into_id IS NULL
"""
_PREFIX_BLOCKS = """
    SELECT p.id, p.nik_cipher, p.name, p.sex, p.birth_date, p.area_code, p.household_id
    FROM unnest(%s::varchar[], %s::varchar[]) AS k(lo, prefix)
    JOIN registry_person p ON p.nik_prefix_key = k.prefix
        AND p.area_code >= k.lo COLLATE "C" AND p.area_code < (k.lo || '/') COLLATE "C"
    WHERE p.merged_into_id IS NULL
"""


def _block_rows(
    dates: list[tuple[str, date, str]], prefixes: list[tuple[str, str]]
) -> Iterator[Sequence[Any]]:
    """Rows of the stored active persons in the given blocks.

    Each block is an equality on an indexed column within the district's code range
    (``person_birth_area``, ``person_nik_prefix``): an index probe whatever the registry's
    size. On PostgreSQL the keys go as arrays joined to the table (one statement however many
    keys; an OR of thousands of conditions costs more to build and plan than to run).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if dates:
                cursor.execute(_DATE_BLOCKS, [list(column) for column in zip(*dates, strict=True)])
                yield from cursor.fetchall()
            if prefixes:
                cursor.execute(
                    _PREFIX_BLOCKS, [list(column) for column in zip(*prefixes, strict=True)]
                )
                yield from cursor.fetchall()
        return
    keys = [
        _in_district(district) & Q(birth_date=born, sex=sex) for district, born, sex in dates
    ] + [_in_district(district) & Q(nik_prefix_key=key) for district, key in prefixes]
    for group in _chunks(keys, KEYS_PER_QUERY):
        where = reduce(or_, group)
        yield from Person.objects.active().filter(where).order_by().values_list(*_FIELDS)


def _block_members(new: list[tuple[Record, str]]) -> list[Record]:
    """The stored active persons sharing a block with one of ``new`` (record, prefix key)."""
    dates: set[tuple[str, date, str]] = set()
    prefixes: set[tuple[str, str]] = set()
    for record, prefix in new:
        district = record.village[:DISTRICT]
        for born in block_dates(record.birth_date):
            dates.add((district, born, record.sex))
        if prefix:
            prefixes.add((district, prefix))
    found: dict[str, Record] = {}
    for row in _block_rows(sorted(dates), sorted(prefixes)):
        if str(row[0]) not in found:
            found[str(row[0])] = _record(row)
    return list(found.values())


def _by_district(records: Iterable[Record]) -> dict[str, list[Record]]:
    out: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        out[record.village[:DISTRICT]].append(record)
    return out


def dedupe_persons(persons: QuerySet[Person]) -> DedupeRun:
    """Compare ``persons`` (the new ones) with the stored persons of their blocks and queue
    the possible duplicates; the pairs are those the full scan would find that involve one of
    ``persons``."""
    run = DedupeRun()
    ids = list(persons.filter(merged_into__isnull=True).order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(ids, NEW_PER_ROUND):
        records = [
            _record(row) for row in Person.objects.filter(pk__in=chunk).values_list(*_FIELDS)
        ]
        new = [(r, nik_prefix_key(r.nik) if len(r.nik) == 16 else "") for r in records]
        stored = _block_members(new)
        run.new += len(new)
        this_round = {r.id for r in records}
        run.stored += sum(1 for r in stored if r.id not in this_round)
        news, olds = _by_district(r for r, _ in new), _by_district(stored)
        pairs: list[Pair] = []
        for district, records in news.items():
            pairs += find_pairs_against(records, olds.get(district, []), include_candidates=True)
        area_of = {r.id: r.village for r in [*stored, *(r for r, _ in new)]}
        run.created += _store(pairs, area_of)
    return run


def dedupe_new_rows(batch: ImportBatch) -> DedupeRun:
    """The duplicate check after a committed import: the batch's persons against the stored
    persons of their blocks. Safe to run again (pairs already queued are left alone)."""
    return dedupe_persons(
        Person.objects.filter(import_key__startswith=batch.file_sha256[:20] + ":")
    )


def districts(area_code: str | None = None) -> list[str]:
    """The districts (``32.73.01``) holding active persons in an area; None is the nation."""
    return sorted(
        Person.objects.active()
        .filter(area_q("area_code", area_code, by_range=True))
        .order_by()
        .annotate(district=Substr("area_code", 1, DISTRICT))
        .values_list("district", flat=True)
        .distinct()
    )


def dedupe_district(district: str) -> int:
    """The full scan of one district (one partition): every active person of the district in
    memory, nothing else. Returns the number of new pairs queued."""
    people = Person.objects.active().filter(_in_district(district)).order_by().values_list(*_FIELDS)
    records = [_record(row) for row in people.iterator(chunk_size=5000)]
    pairs = find_pairs(records, include_candidates=True)
    return _store(pairs, {r.id: r.village for r in records})


def dedupe_scan(*, area_code: str | None = None) -> int:
    """The full scan of an area in this process, district after district (small areas, tests,
    the demo); large areas go through ``tasks.scan_duplicates``, one task per district."""
    return sum(dedupe_district(d) for d in districts(area_code))
