"""Erasure (UU PDP Art. 43): a person anonymised everywhere, in one transaction, unless a
legal hold keeps the data.

What changes: the registry row (name, NIK ciphertext, hashes and mask, birth data, phone,
source ids), its whole row history, the household's KK number and address when no other
member remains, audit events about the person (their label and the values they recorded),
every other text or JSON column of the database that holds the name, the NIK or the KK number
(a sweep over every model), the requests' NIK hashes, and the export files of the area on
storage (deleted once the transaction commits). What stays: the rows themselves, so a group's
member count, its turnover, the aid paid and the monthly incomes keep adding up; they point at
an anonymous person.

Holds: a group of the person under an aid cycle still open, an approved proposal whose fund-use
report (LPJ) is not accepted, or the retention period of aid records (a legal obligation) not
yet over. The refusal names each hold and, where it can be known, the day erasure is possible.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from sinergi.core import crypto
from sinergi.core.errors import Conflict
from sinergi.core.models import AuditEvent, Job
from sinergi.engines import wilayah as regions
from sinergi.pdp.models import Correction, DataSubjectRequest, RetentionCategory, RetentionRule
from sinergi.registry.models import Household, Person

ERASED = "[dihapus]"
ERASED_FLAG = "erased"
ERASED_BIRTH = datetime.date(1900, 1, 1)
MASK = "•" * 16
# Person fields whose values the audit trail may hold in ``data["changes"]``.
PERSONAL_CHANGES = {"name", "birth_date", "birth_place", "phone", "address", "nik", "kk"}
# Export job kinds whose files hold persons of an area.
EXPORT_KINDS = ("monitoring.export", "pdp.access")


@dataclass(frozen=True)
class Hold:
    code: str
    reason: str
    until: datetime.date | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "reason": self.reason,
            "until": self.until.isoformat() if self.until else None,
        }


class ErasureRefused(Conflict):
    """A legal hold keeps the person's data: the message names each hold and its date."""

    code = "legal_hold"

    def __init__(self, holds: list[Hold]) -> None:
        self.holds = holds
        parts = []
        for hold in holds:
            when = (
                _("possible from %(day)s") % {"day": hold.until.isoformat()}
                if hold.until
                else _("possible once this is settled")
            )
            parts.append(f"{hold.reason} ({when})")
        super().__init__(
            _("Erasure refused: the law requires keeping this data. %(holds)s")
            % {"holds": "; ".join(parts)}
        )

    @property
    def earliest(self) -> datetime.date | None:
        dates = [h.until for h in self.holds]
        if not dates or any(d is None for d in dates):
            return None
        return max(d for d in dates if d is not None)


def is_erased(person: Person) -> bool:
    return ERASED_FLAG in (person.flags or [])


def legal_holds(person: Person, today: datetime.date | None = None) -> list[Hold]:
    """What keeps this person's data from being erased today."""
    from sinergi.aid.models import CycleStatus, Disbursement, LpjStatus, Proposal, ProposalStatus
    from sinergi.kube.models import Membership

    today = today or datetime.date.today()
    holds: list[Hold] = []
    memberships = list(Membership.objects.filter(person=person))
    if not memberships:
        return holds

    def was_member(kube_id: int, day: datetime.date) -> bool:
        return any(
            m.kube_id == kube_id
            and m.start_date <= day
            and (m.end_date is None or day <= m.end_date)
            for m in memberships
        )

    proposals = [
        p
        for p in Proposal.objects.filter(kube_id__in={m.kube_id for m in memberships})
        .exclude(status=ProposalStatus.REJECTED)
        .select_related("cycle__programme", "kube")
        if was_member(p.kube_id, p.created_at.date())
        or any(m.kube_id == p.kube_id and m.end_date is None for m in memberships)
    ]
    for p in proposals:
        if p.cycle.status == CycleStatus.OPEN:
            holds.append(
                Hold(
                    "open_cycle",
                    _("Aid to the group %(group)s is under a cycle still open (%(cycle)s)")
                    % {"group": p.kube.name, "cycle": str(p.cycle)},
                    None,
                )
            )
    for p in proposals:
        if p.status != ProposalStatus.APPROVED:
            continue
        lpj_status = getattr(getattr(p, "lpj", None), "status", None)
        if lpj_status != LpjStatus.ACCEPTED:
            holds.append(
                Hold(
                    "lpj_open",
                    _("The fund-use report (LPJ) of the group %(group)s is not accepted yet")
                    % {"group": p.kube.name},
                    None,
                )
            )
    rule = RetentionRule.in_force(RetentionCategory.AID_RECORDS, today)
    approved = [p for p in proposals if p.status == ProposalStatus.APPROVED]
    if rule is not None and approved:
        last_paid = Disbursement.objects.filter(proposal__in=approved).aggregate(
            m=models.Max("day")
        )["m"]
        last = last_paid or max(p.updated_at.date() for p in approved)
        until = last + datetime.timedelta(days=rule.days)
        if until > today:
            holds.append(
                Hold(
                    "retention",
                    _("Aid records must be kept %(days)s days after the last payment (%(ref)s)")
                    % {"days": rule.days, "ref": rule.reference or rule.get_category_display()},
                    until,
                )
            )
    return holds


def _scrub(value: Any, needles: list[str]) -> Any:
    """``value`` with every needle replaced (strings, and strings inside JSON)."""
    if isinstance(value, str):
        for needle in needles:
            if needle and needle in value:
                value = value.replace(needle, ERASED)
        return value
    if isinstance(value, list):
        return [_scrub(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, needles) for k, v in value.items()}
    return value


TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def _sweep(needles: list[str], skip: set[str]) -> int:
    """Replace the needles in every text and JSON column of every model (but ``skip``, handled
    field by field by the caller). A needle is a whole name or a 16-digit number: specific
    enough not to touch anyone else's row."""
    changed = 0
    needles = [n for n in needles if n]
    if not needles:
        return 0
    for model in apps.get_models():
        meta = model._meta
        if meta.label in skip or not meta.managed or meta.proxy:
            continue
        fields = [
            f
            for f in meta.concrete_fields
            if isinstance(f, TEXT_FIELDS) and not f.choices and not f.primary_key
        ]
        if not fields:
            continue
        qs = model._base_manager.all()
        match = Q()
        annotations: dict[str, Any] = {}
        for f in fields:
            column = f.name
            if isinstance(f, models.JSONField):
                column = f"_pdp_{f.name}"
                annotations[column] = Cast(f.name, models.TextField())
            for needle in needles:
                match |= Q(**{f"{column}__contains": needle})
        hits = qs.annotate(**annotations).filter(match) if annotations else qs.filter(match)
        for row in hits.only(meta.pk.name, *[f.name for f in fields]):
            updates = {}
            for f in fields:
                old = getattr(row, f.attname)
                new = _scrub(old, needles)
                if new != old:
                    if isinstance(new, str) and getattr(f, "max_length", None):
                        new = new[: f.max_length]
                    updates[f.attname] = new
            if updates:
                model._base_manager.filter(pk=row.pk).update(**updates)
                changed += 1
    return changed


REGISTRY_ROWS = {
    "registry.Person",
    "registry.HistoricalPerson",
    "registry.Household",
    "registry.HistoricalHousehold",
}


def sweep(needles: list[str], *, chunk: int = 200) -> int:
    """``_sweep`` over every table but the registry rows (done field by field), in chunks."""
    return sum(
        _sweep(needles[at : at + chunk], skip=REGISTRY_ROWS) for at in range(0, len(needles), chunk)
    )


def _anonymous_hash() -> str:
    return "x" + secrets.token_hex(15)


PERSON_SCRUB = {
    "name": ERASED,
    "nik_mask": MASK,
    "nik_prefix_key": "",
    "birth_place": "",
    "birth_date": ERASED_BIRTH,
    "phone": "",
    "source_id": "",
}


def anonymise(
    person: Person, *, actor: Any = None, needles_out: list[str] | None = None
) -> dict[str, int]:
    """Anonymise ``person`` (locked by the caller, inside its transaction); returns counts.

    The sweep of every other table for the name and numbers runs here, unless ``needles_out``
    is given: then they are added to it for the caller to sweep once for a batch of persons in
    the same transaction (the retention run)."""
    household = Household.objects.select_for_update().get(pk=person.household_id)
    nik = _plain(person.nik_cipher, "nik")
    erase_kk = _no_other(household, person)
    kk = _plain(household.kk_cipher, "kk") if erase_kk else ""
    name = person.name
    counts: dict[str, int] = {}

    # The registry row and its history.
    for key, value in PERSON_SCRUB.items():
        setattr(person, key, value)
    person.nik_cipher = crypto.encrypt("", field="nik")
    person.nik_hash = _anonymous_hash()
    person.import_key = None
    person.flags = [ERASED_FLAG]
    person.save()
    counts["person_history"] = Person.history.filter(id=person.pk).update(
        **PERSON_SCRUB, nik_hash=person.nik_hash, import_key=None, flags=[ERASED_FLAG]
    )
    if erase_kk:
        household.kk_cipher = crypto.encrypt("", field="kk")
        household.kk_hash = _anonymous_hash()
        household.kk_mask = MASK
        household.address = ""
        household.graduation_reason = ""
        household.save()
        counts["household_history"] = Household.history.filter(id=household.pk).update(
            kk_hash=household.kk_hash, kk_mask=MASK, address="", graduation_reason=""
        )

    # Audit events about the person (and the household, when its number went too).
    refs = Q(object_type="registry.person", object_id=str(person.pk))
    if erase_kk:
        refs |= Q(object_type="registry.household", object_id=str(household.pk))
    events = 0
    for event in AuditEvent.objects.filter(refs):
        data = dict(event.data or {})
        changes = data.get("changes")
        if isinstance(changes, dict):
            data["changes"] = {
                k: ([ERASED, ERASED] if k in PERSONAL_CHANGES else v) for k, v in changes.items()
            }
        repr_ = str(person) if event.object_type == "registry.person" else str(household)
        AuditEvent.objects.filter(pk=event.pk).update(object_repr=repr_[:200], data=data)
        events += 1
    counts["audit_events"] = events

    # Requests about the person: keep them (proof of the answer) without the NIK's hash.
    counts["requests"] = DataSubjectRequest.objects.filter(
        Q(person=person) | Q(nik_hash=crypto.lookup_hash(nik, field="nik") if nik else "-")
    ).update(nik_hash="")

    # Corrections of the person: what they changed, without the values.
    for correction in Correction.objects.filter(person=person):
        Correction.objects.filter(pk=correction.pk).update(
            before=dict.fromkeys(correction.before, ERASED),
            after=dict.fromkeys(correction.after, ERASED),
        )

    # Everything else that spells the name or a number out. A name shorter than six letters
    # is too common to look for in free text.
    needles = [n for n in (name if len(name) >= 6 else "", nik, kk) if n]
    if needles_out is not None:
        needles_out.extend(needles)
    else:
        counts["swept"] = sweep(needles)

    # Export files of the area: deleted once the erasure commits (a rollback keeps them).
    counts["export_files"] = _drop_exports(person.area_code)
    return counts


def _plain(token: str, field: str) -> str:
    try:
        return crypto.decrypt(token, field=field) if token else ""
    except Exception:
        return ""


def _no_other(household: Household, person: Person) -> bool:
    return not any(
        ERASED_FLAG not in (flags or [])
        for flags in household.members.exclude(pk=person.pk).values_list("flags", flat=True)
    )


def _drop_exports(area_code: str) -> int:
    """Export job files that may list persons of ``area_code`` (made for that area or one
    above it): their rows say the file was removed; the files go when the transaction commits."""
    jobs = [
        j
        for j in Job.objects.filter(kind__in=EXPORT_KINDS).exclude(result_file="")
        if not j.area_code or regions.in_area(area_code, j.area_code)
    ]
    files = [j.result_file.name for j in jobs]
    extra = [str((j.result or {}).get("pdf", "")) for j in jobs]
    for job in jobs:
        result = {k: v for k, v in (job.result or {}).items() if k != "pdf"}
        Job.objects.filter(pk=job.pk).update(result_file="", result={**result, "erased": True})

    def delete() -> None:
        from django.core.files.storage import default_storage

        for name in [*files, *extra]:
            if name and default_storage.exists(name):
                default_storage.delete(name)

    transaction.on_commit(delete)
    return len(jobs)
