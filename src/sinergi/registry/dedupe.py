"""Run the dedupe engine over stored persons and fill the review queue."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction

from sinergi.core import crypto
from sinergi.core.scoping import area_q
from sinergi.engines.dedupe import Record, find_pairs
from sinergi.registry.models import DuplicateCandidate, Person


def dedupe_scan(*, area_code: str | None = None) -> int:
    """Find possible duplicates among active persons in an area (district by district).

    Exact NIK duplicates cannot be stored twice (the NIK hash is unique), so what lands here
    are the fuzzy ones: a mistyped NIK, a spelling variant. Returns the number of new pairs.
    """
    people = (
        Person.objects.active()
        .filter(area_q("area_code", area_code))
        .values_list("pk", "nik_cipher", "name", "sex", "birth_date", "area_code", "household_id")
    )
    by_district: dict[str, list[Record]] = defaultdict(list)
    for pk, cipher, name, sex, birth, area, household in people.iterator(chunk_size=5000):
        by_district[area[:8]].append(
            Record(
                str(pk), crypto.decrypt(cipher, field="nik"), name, sex, birth, area, str(household)
            )
        )
    created = 0
    for records in by_district.values():
        pairs = find_pairs(records, include_candidates=True)
        if not pairs:
            continue
        village = {r.id: r.village for r in records}
        with transaction.atomic():
            rows = [
                DuplicateCandidate(
                    person_a_id=int(p.id_a),
                    person_b_id=int(p.id_b),
                    score=p.score,
                    reason=p.reason,
                    area_code=village[p.id_a],
                )
                for p in pairs
            ]
            before = DuplicateCandidate.objects.count()
            DuplicateCandidate.objects.bulk_create(rows, ignore_conflicts=True)
            created += DuplicateCandidate.objects.count() - before
    return created
