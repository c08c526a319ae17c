"""What an officer needs to judge a possible duplicate: both records and the evidence in words.

The NIKs are compared here, on the server, from their ciphertexts. What leaves this module is
the minimum a person needs to judge a typo (UU PDP Art. 16(2): processing limited to its
purpose): the masks with the *differing* positions marked, and (to a role that may reveal
numbers anyway) the digits at those positions only. The digits both NIKs share stay masked;
the full numbers stay behind the audited reveal. Nothing here is logged or stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from sinergi.core import crypto
from sinergi.engines import dedupe as engine
from sinergi.registry.messages import nik_part, reason_text
from sinergi.registry.models import DuplicateCandidate, Person

_SHOWN = set(range(4)) | set(range(12, 16))  # positions the mask shows to everyone


@dataclass(frozen=True)
class Digit:
    char: str
    differs: bool


@dataclass
class PairReview:
    candidate: DuplicateCandidate
    reason: str
    nik_a: list[Digit]
    nik_b: list[Digit]
    evidence: list[tuple[bool, str]] = field(default_factory=list)
    digits_shown: bool = False


def _differing(a: str, b: str) -> list[int]:
    if len(a) != len(b):
        return list(range(max(len(a), len(b))))
    return [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]


def _digits(nik: str, differ: list[int], *, show: bool) -> list[Digit]:
    return [
        Digit(ch if (i in _SHOWN or (show and i in differ)) else "•", i in differ)
        for i, ch in enumerate(nik)
    ]


def _positions(differ: list[int]) -> str:
    words = []
    for i in differ:
        words.append(
            _("digit %(position)d (%(part)s)") % {"position": i + 1, "part": nik_part(i + 1)}
        )
    return ", ".join(words)


def _nik_evidence(a: str, b: str, differ: list[int]) -> tuple[bool, str]:
    if not differ:
        return True, _("The two NIKs are the same.")
    swapped = len(differ) == 2 and differ[1] == differ[0] + 1 and a[differ[0]] == b[differ[1]]
    if swapped and a[differ[1]] == b[differ[0]]:
        return True, _("The NIKs differ only by two neighbouring digits swapped: %(where)s.") % {
            "where": _positions(differ)
        }
    if len(differ) == 1:
        return True, _("The NIKs differ in one digit only: %(where)s.") % {
            "where": _positions(differ)
        }
    return False, _("The NIKs differ in %(n)d digits: %(where)s.") % {
        "n": len(differ),
        "where": _positions(differ),
    }


def _date_evidence(a: Person, b: Person) -> tuple[bool, str]:
    if a.birth_date == b.birth_date:
        return True, _("Same birth date.")
    swapped = engine.block_dates(a.birth_date)
    if len(swapped) == 2 and swapped[1] == b.birth_date:
        return True, _(
            "Birth dates with day and month swapped (a common typing mistake): %(a)s and %(b)s."
        ) % {"a": a.birth_date.isoformat(), "b": b.birth_date.isoformat()}
    return False, _("Different birth dates: %(a)s and %(b)s.") % {
        "a": a.birth_date.isoformat(),
        "b": b.birth_date.isoformat(),
    }


def _place_evidence(a: Person, b: Person) -> tuple[bool, str]:
    if a.household_id == b.household_id:
        return True, _("Same household (family card).")
    if a.area_code == b.area_code:
        return True, _("Same village, different households.")
    if a.area_code[:8] == b.area_code[:8]:
        return True, _("Same district, different villages.")
    return False, _("Different districts.")


def pair_review(candidate: DuplicateCandidate, *, show_digits: bool) -> PairReview:
    """Both records of a pair with the evidence for and against, in the user's language."""
    a, b = candidate.person_a, candidate.person_b
    nik_a = crypto.decrypt(a.nik_cipher, field="nik")
    nik_b = crypto.decrypt(b.nik_cipher, field="nik")
    differ = _differing(nik_a, nik_b)
    similarity = engine.name_similarity(a.name, b.name)
    evidence: list[tuple[bool, str]] = [
        _nik_evidence(nik_a, nik_b, differ),
        (
            similarity >= 0.85,
            _("Names %(similarity)d%% alike (spelling variants and titles ignored).")
            % {"similarity": round(similarity * 100)},
        ),
        _date_evidence(a, b),
        (a.sex == b.sex, _("Same sex.") if a.sex == b.sex else _("Different sex.")),
        _place_evidence(a, b),
    ]
    review = PairReview(
        candidate=candidate,
        reason=reason_text(candidate.reason),
        nik_a=_digits(nik_a, differ, show=show_digits),
        nik_b=_digits(nik_b, differ, show=show_digits),
        evidence=evidence,
        digits_shown=show_digits,
    )
    return review


def may_see_digits(actor: Any) -> bool:
    """The differing digits go only to a reviewer who may also reveal full numbers."""
    return bool(
        actor.has_perm("registry.change_duplicatecandidate")
        and actor.has_perm("registry.reveal_identifier")
    )
