"""Consent that is enforced: where the legal basis of a purpose is consent, the action needs a
recorded, current consent of each person it concerns (a child's from a parent or guardian).

The basis is read from ``LegalBasis`` (per data category, narrowed to a purpose where a row
names one; with no row at all a consent purpose needs consent). Every check reads the consent
rows at the moment of the action, so a withdrawal takes effect at once. Recording and
withdrawing are services (``registry.services.consent_record`` / ``consent_withdraw``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.core.errors import InvalidInput
from sinergi.registry.models import (
    PURPOSE_CATEGORY,
    ConsentGiver,
    ConsentPurpose,
    ConsentRecord,
    LegalBasis,
    LegalBasisKind,
    Person,
)

ADULT_AGE = 18  # UU 35/2014 (child protection): a child is under 18


def basis_of(purpose: str, on: date | None = None) -> str:
    """The legal basis of ``purpose`` on a day: the newest row for the purpose itself, else the
    newest for its whole category; consent when nothing is recorded."""
    on = on or timezone.localdate()
    category = PURPOSE_CATEGORY[ConsentPurpose(purpose)]
    rows = list(
        LegalBasis.objects.filter(category=category, valid_from__lte=on)
        .filter(Q(purpose=purpose) | Q(purpose=""))
        .order_by("-valid_from")
        .values_list("purpose", "basis")
    )
    for wanted in (purpose, ""):
        for row_purpose, basis in rows:
            if row_purpose == wanted:
                return str(basis)
    return LegalBasisKind.CONSENT.value


def needs_consent(purpose: str, on: date | None = None) -> bool:
    return basis_of(purpose, on) == LegalBasisKind.CONSENT


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def is_child(person: Person, on: date | None = None) -> bool:
    return age_on(person.birth_date, on or timezone.localdate()) < ADULT_AGE


def consented_ids(person_ids: Iterable[int], purpose: str) -> set[int]:
    """Those of ``person_ids`` with a current consent for ``purpose``: given, not withdrawn,
    and for a child given by a parent or guardian. One query."""
    ids = list(person_ids)
    if not ids:
        return set()
    now = timezone.now()
    today = timezone.localdate()
    rows = ConsentRecord.objects.filter(
        person_id__in=ids, purpose=purpose, withdrawn_at__isnull=True, given_at__lte=now
    ).values_list("person_id", "given_by", "person__birth_date")
    return {
        pid
        for pid, given_by, birth in rows
        if given_by == ConsentGiver.GUARDIAN or age_on(birth, today) >= ADULT_AGE
    }


def without_consent(persons: Iterable[Person], purpose: str) -> list[Person]:
    """The persons an action for ``purpose`` may not concern (empty when the basis is not
    consent)."""
    persons = list(persons)
    if not persons or not needs_consent(purpose):
        return []
    ok = consented_ids([p.pk for p in persons], purpose)
    return [p for p in persons if p.pk not in ok]


def require_consent(persons: Iterable[Person], purpose: str, *, field: str = "") -> None:
    """Refuse (InvalidInput naming the persons, by name only) unless everyone consented."""
    missing = without_consent(persons, purpose)
    if missing:
        raise InvalidInput(
            _(
                "No current consent to “%(purpose)s” from: %(names)s. Record the consent on "
                "the person's page first (for a child, a parent's or guardian's)."
            )
            % {
                "purpose": ConsentPurpose(purpose).label,
                "names": ", ".join(sorted(p.name for p in missing)),
            },
            field=field or None,
        )


def shared_phone(person: Person | None) -> str:
    """A group officer's phone number as buyers and mentors may see it: empty without the
    officer's current consent to share it (where consent is the basis)."""
    if person is None or not person.phone:
        return ""
    if without_consent([person], ConsentPurpose.OFFICER_PHONE):
        return ""
    return person.phone
