"""Writes to the registry: one transaction each, scope re-checked, audit event written."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.core import crypto
from sinergi.core.errors import Forbidden, InvalidInput, require_permission
from sinergi.core.events import snapshot
from sinergi.core.models import AuditEvent
from sinergi.core.scoping import access, user_area
from sinergi.engines import nik as nikmod
from sinergi.engines import wilayah as regions
from sinergi.registry import access_log, consent, events
from sinergi.registry.dedupe import nik_prefix_keys
from sinergi.registry.messages import problem_text
from sinergi.registry.models import (
    PURPOSE_CATEGORY,
    AccessPurpose,
    ConsentGiver,
    ConsentPurpose,
    ConsentRecord,
    DuplicateCandidate,
    DuplicateStatus,
    Household,
    Person,
    Relation,
    Sex,
)
from sinergi.wilayah.models import Level, Region

# What the audit trail keeps as old and new values (numbers never: ciphertexts, hashes, masks).
HOUSEHOLD_FIELDS = ("village", "area_code", "address", "desil", "desil_date")
PERSON_FIELDS = ("name", "sex", "birth_place", "birth_date", "relation", "is_head", "phone")


def protect_kk(kk: str) -> dict[str, str]:
    return protect_kks([kk])[0]


def protect_nik(nik: str) -> dict[str, str]:
    return protect_niks([nik])[0]


def protect_kks(kks: list[str]) -> list[dict[str, str]]:
    """The stored form of each KK number: ciphertext, keyed hash, mask (in bulk for imports)."""
    ciphers, hashes = crypto.encrypt_many(kks, field="kk"), crypto.lookup_hashes(kks, field="kk")
    return [
        {"kk_cipher": c, "kk_hash": h, "kk_mask": nikmod.mask(kk)}
        for kk, c, h in zip(kks, ciphers, hashes, strict=True)
    ]


def protect_niks(niks: list[str]) -> list[dict[str, str]]:
    """The stored form of each NIK: ciphertext, keyed hashes, mask (in bulk for imports)."""
    ciphers = crypto.encrypt_many(niks, field="nik")
    hashes = crypto.lookup_hashes(niks, field="nik")
    return [
        {"nik_cipher": c, "nik_hash": h, "nik_mask": nikmod.mask(nik), "nik_prefix_key": p}
        for nik, c, h, p in zip(niks, ciphers, hashes, nik_prefix_keys(niks), strict=True)
    ]


def _number(raw: str, *, kind: str) -> tuple[str, list[str]]:
    check = nikmod.check_nik(raw) if kind == "nik" else nikmod.check_kk(raw)
    if not check.valid:
        raise InvalidInput(" ".join(problem_text(code) for code in check.errors), field=kind)
    return check.number, check.warnings


def _village_in_scope(actor: Any, code: str) -> Region:
    try:
        dotted = regions.normalize_code(code)
    except regions.RegionCodeError as exc:
        raise InvalidInput(problem_text("bad_code"), field="village") from exc
    village = Region.objects.filter(code=dotted, level=Level.VILLAGE, retired=False).first()
    if village is None:
        raise InvalidInput(problem_text("unknown_village"), field="village")
    if not regions.in_area(village.code, user_area(actor)):
        raise InvalidInput(problem_text("outside_area"), field="village")
    return village


def _desil(desil: int | None, desil_date: date | None) -> None:
    if desil is not None and not 1 <= desil <= 10:
        raise InvalidInput(problem_text("bad_desil"), field="desil")
    if desil is not None and desil_date is None:
        raise InvalidInput(problem_text("desil_date_required"), field="desil_date")
    if desil_date is not None and desil_date > date.today():
        raise InvalidInput(problem_text("date_out_of_range"), field="desil_date")


@transaction.atomic
def household_create(
    *,
    actor: Any,
    kk: str,
    village_code: str,
    address: str = "",
    desil: int | None = None,
    desil_date: date | None = None,
) -> Household:
    """Register a family card in a village of the actor's area."""
    if not actor.has_perm("registry.add_household"):
        raise Forbidden(_("Your role does not allow this."))
    number, _warnings = _number(kk, kind="kk")
    village = _village_in_scope(actor, village_code)
    _desil(desil, desil_date)
    protected = protect_kk(number)
    if Household.objects.filter(kk_hash=protected["kk_hash"]).exists():
        raise InvalidInput(problem_text("kk_exists"), field="kk")
    household = Household.objects.create(
        **protected,
        village=village,
        area_code=village.code,
        address=address.strip(),
        desil=desil,
        desil_date=desil_date,
    )
    AuditEvent.record(
        events.HOUSEHOLD_CREATED,
        actor=actor,
        obj=household,
        area_code=household.area_code,
        after=snapshot(household, *HOUSEHOLD_FIELDS),
    )
    return household


@transaction.atomic
def household_update(
    *,
    actor: Any,
    household_id: int,
    village_code: str,
    address: str,
    desil: int | None,
    desil_date: date | None,
) -> Household:
    require_permission(actor, "registry.change_household")
    household = access(Household.objects, actor=actor, for_write=True, pk=household_id)
    village = _village_in_scope(actor, village_code)
    _desil(desil, desil_date)
    before = snapshot(household, *HOUSEHOLD_FIELDS)
    household.village, household.area_code = village, village.code
    household.address, household.desil, household.desil_date = address.strip(), desil, desil_date
    household.save()
    household.members.update(area_code=village.code)
    AuditEvent.record(
        events.HOUSEHOLD_CHANGED,
        actor=actor,
        obj=household,
        area_code=household.area_code,
        before=before,
        after=snapshot(household, *HOUSEHOLD_FIELDS),
    )
    return household


GRADUATION_FIELDS = ("graduated_on", "graduated_from", "graduation_reason")


@transaction.atomic
def household_graduated(
    *, actor: Any, household_id: int, on: date, group: str, note: str = ""
) -> Household:
    """Record on the household that it graduated (the day, the group it left, the officer's
    note). Called by monitoring's graduation decision, which checks who may decide; here the
    household must only be in the actor's area."""
    household = access(Household.objects, actor=actor, lock=True, pk=household_id)
    before = snapshot(household, *GRADUATION_FIELDS)
    household.graduated_on = on
    household.graduated_from = group[:150]
    household.graduation_reason = note.strip()[:300]
    household.save(update_fields=[*GRADUATION_FIELDS, "updated_at"])
    AuditEvent.record(
        events.HOUSEHOLD_GRADUATED,
        actor=actor,
        obj=household,
        area_code=household.area_code,
        reason=household.graduation_reason,
        before=before,
        after=snapshot(household, *GRADUATION_FIELDS),
    )
    return household


def _person_fields(
    *,
    name: str,
    sex: str,
    birth_place: str,
    birth_date: date,
    relation: str,
    phone: str,
) -> dict[str, Any]:
    from sinergi.engines.registry_rows import normalise_phone

    name = " ".join(name.split())
    if not name or len(name) > 150:
        raise InvalidInput(problem_text("bad_name"), field="name")
    if sex not in Sex.values:
        raise InvalidInput(problem_text("bad_sex"), field="sex")
    if relation not in Relation.values:
        raise InvalidInput(problem_text("bad_relation"), field="relation")
    if birth_date > date.today() or birth_date.year < 1900:
        raise InvalidInput(problem_text("date_out_of_range"), field="birth_date")
    clean_phone = ""
    if phone.strip():
        clean_phone = normalise_phone(phone) or ""
        if not clean_phone:
            raise InvalidInput(problem_text("bad_phone"), field="phone")
    return {
        "name": name,
        "sex": sex,
        "birth_place": birth_place.strip()[:100],
        "birth_date": birth_date,
        "relation": relation,
        "phone": clean_phone,
    }


def _flags(nik: str, warnings: list[str], fields: dict[str, Any]) -> list[str]:
    check = nikmod.check_nik(nik)
    flags = list(warnings)
    if check.date and check.date != fields["birth_date"]:
        flags.append("nik_date_mismatch")
    if check.sex and check.sex != fields["sex"]:
        flags.append("nik_sex_mismatch")
    return flags


@transaction.atomic
def person_create(
    *,
    actor: Any,
    household_id: int,
    nik: str,
    name: str,
    sex: str,
    birth_place: str,
    birth_date: date,
    relation: str,
    is_head: bool,
    phone: str = "",
) -> Person:
    """Add a person to a household the actor may change."""
    require_permission(actor, "registry.add_person")
    household = access(Household.objects, actor=actor, for_write=True, pk=household_id)
    number, warnings = _number(nik, kind="nik")
    fields = _person_fields(
        name=name,
        sex=sex,
        birth_place=birth_place,
        birth_date=birth_date,
        relation=relation,
        phone=phone,
    )
    protected = protect_nik(number)
    if Person.objects.filter(nik_hash=protected["nik_hash"]).exists():
        raise InvalidInput(problem_text("nik_exists"), field="nik")
    person = Person.objects.create(
        household=household,
        area_code=household.area_code,
        is_head=is_head,
        **fields,
        **protected,
        flags=_flags(number, warnings, fields),
    )
    AuditEvent.record(
        events.PERSON_CREATED,
        actor=actor,
        obj=person,
        area_code=person.area_code,
        after=snapshot(person, *PERSON_FIELDS),
    )
    return person


@transaction.atomic
def person_update(
    *,
    actor: Any,
    person_id: int,
    name: str,
    sex: str,
    birth_place: str,
    birth_date: date,
    relation: str,
    is_head: bool,
    phone: str = "",
    nik: str = "",
) -> Person:
    """Change a person; a new NIK is validated, re-encrypted and kept unique."""
    require_permission(actor, "registry.change_person")
    person = access(Person.objects, actor=actor, for_write=True, pk=person_id)
    before = snapshot(person, *PERSON_FIELDS)
    fields = _person_fields(
        name=name,
        sex=sex,
        birth_place=birth_place,
        birth_date=birth_date,
        relation=relation,
        phone=phone,
    )
    if nik.strip():
        number, warnings = _number(nik, kind="nik")
        protected = protect_nik(number)
        if Person.objects.filter(nik_hash=protected["nik_hash"]).exclude(pk=person.pk).exists():
            raise InvalidInput(problem_text("nik_exists"), field="nik")
        for key, value in protected.items():
            setattr(person, key, value)
        person.flags = _flags(number, warnings, fields)
    for key, value in fields.items():
        setattr(person, key, value)
    person.is_head = is_head
    person.save()
    AuditEvent.record(
        events.PERSON_CHANGED,
        actor=actor,
        obj=person,
        area_code=person.area_code,
        # Whether the NIK changed, never the number: not even its mask goes into the trail.
        data={"nik_changed": bool(nik.strip())},
        before=before,
        after=snapshot(person, *PERSON_FIELDS),
    )
    return person


@transaction.atomic
def identifier_reveal(*, actor: Any, kind: str, object_id: int, reason: str) -> str:
    """Decrypt one NIK or KK number for a role allowed to see it; every reveal is logged."""
    # A role refusal says nothing about the row: it is decided before the row is looked at.
    if not actor.has_perm("registry.reveal_identifier"):
        raise Forbidden(_("Your role may not see full NIK or KK numbers."))
    # Whether the row is in the actor's area is answered before anything about the request,
    # so a row outside it looks absent whatever was sent.
    obj: Person | Household
    if kind == "nik":
        obj = access(Person.objects, actor=actor, pk=object_id)
    elif kind == "kk":
        obj = access(Household.objects, actor=actor, pk=object_id)
    else:
        raise InvalidInput(_("Unknown identifier."), field="kind")
    reason = reason.strip()
    if len(reason) < 5:
        raise InvalidInput(
            _("Say why you need to see the number (at least 5 characters)."), field="reason"
        )
    if isinstance(obj, Person):
        value = crypto.decrypt(obj.nik_cipher, field="nik")
    else:
        value = crypto.decrypt(obj.kk_cipher, field="kk")
    AuditEvent.record(
        events.REVEALED[kind], actor=actor, obj=obj, area_code=obj.area_code, reason=reason
    )
    if isinstance(obj, Person):
        access_log.record(actor, AccessPurpose.REVEAL_NIK, person=obj, reason=reason)
    else:
        access_log.record(actor, AccessPurpose.REVEAL_KK, household=obj, reason=reason)
    return value


@transaction.atomic
def duplicate_decide(
    *, actor: Any, candidate_id: int, same_person: bool, keep: str = "a"
) -> DuplicateCandidate:
    """Merge (keeping both rows and their history, the second pointing to the first) or reject."""
    require_permission(actor, "registry.change_duplicatecandidate")
    candidate = access(DuplicateCandidate.objects, actor=actor, for_write=True, pk=candidate_id)
    if candidate.status != DuplicateStatus.PENDING:
        raise InvalidInput(_("This pair has already been decided."))
    if keep not in ("a", "b"):
        raise InvalidInput(_("Choose which record to keep."), field="decision")
    before = snapshot(candidate, "status")
    data: dict[str, int] = {}
    if same_person:
        kept, merged = (
            (candidate.person_a, candidate.person_b)
            if keep == "a"
            else (candidate.person_b, candidate.person_a)
        )
        if kept.merged_into_id or merged.merged_into_id:
            raise InvalidInput(_("One of these persons was already merged into another."))
        merged.merged_into = kept
        merged.save(update_fields=["merged_into", "updated_at"])
        candidate.status = DuplicateStatus.MERGED
        data = {"kept": kept.pk, "merged": merged.pk}
    else:
        candidate.status = DuplicateStatus.REJECTED
    candidate.decided_by, candidate.decided_at = actor, timezone.now()
    candidate.save()
    AuditEvent.record(
        events.DUPLICATE_DECIDED[candidate.status],
        actor=actor,
        obj=candidate,
        area_code=candidate.area_code,
        data=data,
        before=before,
        after=snapshot(candidate, "status"),
    )
    return candidate


# --- Consent (UU PDP Art. 20-24): recorded and withdrawn by officers, audited ----------------

CONSENT_FIELDS = ("purpose", "given_by", "withdrawn_at")


@transaction.atomic
def consent_record(
    *,
    actor: Any,
    person_id: int,
    purpose: str,
    notice_version: str,
    given_at: datetime | None = None,
    given_by: str = ConsentGiver.SELF,
    guardian_name: str = "",
    evidence: str = "",
) -> ConsentRecord:
    """Record a consent a person (or, for a child, a parent or guardian) gave for a purpose."""
    require_permission(actor, "registry.add_consentrecord")
    person = access(Person.objects, actor=actor, lock=True, pk=person_id)
    if purpose not in ConsentPurpose.values:
        raise InvalidInput(_("Choose what the consent is for."), field="purpose")
    now = timezone.now()
    given_at = given_at or now
    if given_at > now:
        raise InvalidInput(_("The consent cannot be given in the future."), field="given_at")
    if given_by not in ConsentGiver.values:
        raise InvalidInput(_("Say who gave the consent."), field="given_by")
    guardian_name = " ".join(guardian_name.split())[:150]
    if consent.is_child(person, timezone.localdate(given_at)) and given_by != ConsentGiver.GUARDIAN:
        raise InvalidInput(
            _("%(name)s is a child: the consent must be given by a parent or guardian.")
            % {"name": person.name},
            field="given_by",
        )
    if given_by == ConsentGiver.GUARDIAN and not guardian_name:
        raise InvalidInput(_("Give the parent's or guardian's name."), field="guardian_name")
    if given_by == ConsentGiver.SELF:
        guardian_name = ""
    notice_version = notice_version.strip()
    if not notice_version:
        raise InvalidInput(
            _("Say which version of the privacy notice the person was given."),
            field="notice_version",
        )
    record = ConsentRecord.objects.create(
        person=person,
        category=PURPOSE_CATEGORY[ConsentPurpose(purpose)],
        purpose=purpose,
        notice_version=notice_version[:20],
        given_at=given_at,
        given_by=given_by,
        guardian_name=guardian_name,
        evidence=evidence.strip()[:200],
        recorded_by=actor,
    )
    AuditEvent.record(
        events.CONSENT_RECORDED,
        actor=actor,
        obj=record,
        area_code=person.area_code,
        data={"person": person.pk, "purpose": purpose, "given_by": given_by},
    )
    return record


@transaction.atomic
def consent_withdraw(*, actor: Any, consent_id: int, note: str = "") -> ConsentRecord:
    """Withdraw a consent: from this moment every check refuses what needed it."""
    require_permission(actor, "registry.change_consentrecord")
    record = access(ConsentRecord.objects, actor=actor, for_write=True, pk=consent_id)
    if record.withdrawn_at is not None:
        raise InvalidInput(_("This consent was already withdrawn."))
    before = snapshot(record, *CONSENT_FIELDS)
    record.withdrawn_at = timezone.now()
    record.withdrawn_by = actor
    record.withdrawal_note = note.strip()[:200]
    record.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])
    AuditEvent.record(
        events.CONSENT_WITHDRAWN,
        actor=actor,
        obj=record,
        area_code=record.person.area_code,
        data={"person": record.person_id, "purpose": record.purpose},
        before=before,
        after=snapshot(record, *CONSENT_FIELDS),
    )
    return record
