"""Officers issuing letters at the same moment, on a real PostgreSQL database.

Eight threads issue the decree of one office at once (the first letter of the year, so the
counter row itself is created in the race): eight letters with eight distinct, consecutive
numbers. Then a letter is voided and four more issued at once: the void number is never given
again. Run by test_concurrency.py in its own process and database. Prints JSON.
"""

from __future__ import annotations

import json
import sys

from tests.racekit import PASSWORD, drop_database, fresh_database, load_regions, make_group, race


def main(database: str) -> None:
    fresh_database(database)
    import tempfile

    from django.conf import settings
    from django.db import connection

    from sinergi.accounts.services import user_create
    from sinergi.letters.models import Counter, Letter
    from sinergi.letters.services import letter_issue, letter_void
    from tests.letters.helpers import sign

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="letters-race-")
    load_regions()
    officers = [
        user_create(
            actor=None,
            username=f"kab{i}",
            password=PASSWORD,
            role="social_officer",
            area_code="32.73",
        )
        for i in range(8)
    ]
    kube = make_group(officers[0])
    sign("32.73")
    connection.close()

    def issue(officer: object) -> object:
        return lambda: letter_issue(actor=officer, kind="kube_decree", object_id=kube.pk)

    first = race([issue(o) for o in officers])
    seqs = sorted(Letter.objects.values_list("seq", flat=True))
    numbers = list(Letter.objects.values_list("number", flat=True))
    voided = Letter.objects.order_by("seq").first()
    assert voided is not None
    letter_void(actor=officers[0], letter_id=voided.pk, reason="Salah ketik nama kelompok")
    connection.close()
    second = race([issue(o) for o in officers[:4]])
    after = sorted(Letter.objects.values_list("seq", flat=True))
    report = {
        "first": first,
        "seqs": seqs,
        "distinct_numbers": len(set(numbers)),
        "second": second,
        "after": after,
        "counter": Counter.objects.get().last,
        "files": sum(1 for letter in Letter.objects.all() if letter.pdf and letter.docx),
    }
    connection.close()
    drop_database(database)
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1])
