"""Writes for KUBE: form a draft, check it, move it through its lifecycle, change members."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.core.errors import Forbidden, InvalidInput
from sinergi.core.models import AuditEvent
from sinergi.core.money import rupiah
from sinergi.core.scoping import access, user_area
from sinergi.engines import wilayah as regions
from sinergi.engines.eligibility import Candidate, Failure, check_group
from sinergi.kube.models import (
    BusinessType,
    FormationPolicy,
    IksEntry,
    IksKind,
    IksPolicy,
    Kube,
    Membership,
    OfficerRole,
    Status,
    Transition,
)
from sinergi.registry.models import Person
from sinergi.wilayah.models import Level, Region

# The lifecycle: each allowed move and the permission it needs. Anything else is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.DRAFT, Status.SUBMITTED): "kube.submit_kube",
    (Status.SUBMITTED, Status.DRAFT): "kube.verify_kube",
    (Status.SUBMITTED, Status.VERIFIED): "kube.verify_kube",
    (Status.VERIFIED, Status.ACTIVE): "kube.activate_kube",
    (Status.ACTIVE, Status.GRADUATED): "kube.close_kube",
    (Status.ACTIVE, Status.DISSOLVED): "kube.close_kube",
    (Status.DRAFT, Status.DISSOLVED): "kube.submit_kube",
}
BINDING = (Status.SUBMITTED, Status.VERIFIED, Status.ACTIVE)  # drafts block nobody
OFFICERS = (OfficerRole.KETUA, OfficerRole.SEKRETARIS, OfficerRole.BENDAHARA)


def _candidates(persons: list[Person]) -> list[Candidate]:
    active: dict[int, list[int]] = {}
    for person_id, kube_id in Membership.objects.filter(
        person__in=persons, end_date__isnull=True, kube__status__in=BINDING
    ).values_list("person_id", "kube_id"):
        active.setdefault(person_id, []).append(kube_id)
    return [
        Candidate(
            person_id=p.pk,
            household_id=p.household_id,
            is_head=p.is_head,
            birth_date=p.birth_date,
            district_code=p.area_code[:8],
            desil=p.household.desil,
            desil_date=p.household.desil_date,
            active_kube_ids=tuple(active.get(p.pk, ())),
        )
        for p in persons
    ]


def kube_failures(
    kube: Kube, *, today: date | None = None, max_desil: int | None = None
) -> list[Failure]:
    """Every formation rule the group breaks today, including its officers; ``max_desil``
    is a programme's own decile threshold, overriding the formation policy's."""
    today = today or timezone.localdate()
    memberships = list(
        kube.memberships.filter(end_date__isnull=True).select_related("person__household")
    )
    persons = [m.person for m in memberships]
    rules = FormationPolicy.on(today)
    if max_desil is not None:
        rules = replace(rules, max_desil=max_desil)
    failures = check_group(_candidates(persons), rules, today=today, kube_id=kube.pk)
    roles = [m.role for m in memberships]
    for role in OFFICERS:
        if roles.count(role) != 1:
            failures.append(
                Failure("officer_count", None, {"role": str(role), "count": roles.count(role)})
            )
    district = kube.area_code[:8]
    for person in persons:
        if person.area_code[:8] != district:
            failures.append(Failure("outside_kube_district", person.pk))
    return failures


@transaction.atomic
def kube_create(
    *,
    actor: Any,
    name: str,
    business_type: str,
    village_code: str,
    member_ids: list[int],
    officers: dict[str, int],
    bank_name: str = "",
    bank_account: str = "",
    bank_account_holder: str = "",
) -> tuple[Kube, list[Failure]]:
    """Save a draft group with its members and officers; failures are returned, not raised,
    so an officer can save work in progress (submitting is where the rules bind)."""
    if not actor.has_perm("kube.add_kube"):
        raise Forbidden(_("Your role does not allow this."))
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(_("Give the group a name."), field="name")
    kind = BusinessType.objects.filter(code=business_type, active=True).first()
    if kind is None:
        raise InvalidInput(_("Choose a business type from the list."), field="business_type")
    try:
        code = regions.normalize_code(village_code)
    except regions.RegionCodeError as exc:
        raise InvalidInput(_("Not a village code."), field="village") from exc
    village = Region.objects.filter(code=code, level=Level.VILLAGE, retired=False).first()
    if village is None or not regions.in_area(village.code, user_area(actor)):
        raise InvalidInput(
            _("This village does not exist or is outside your area."), field="village"
        )
    ids = list(dict.fromkeys(member_ids))
    persons = {
        p.pk: p for p in Person.objects.for_user(actor).filter(pk__in=ids, merged_into__isnull=True)
    }
    missing = [i for i in ids if i not in persons]
    if missing:
        raise InvalidInput(
            _("Some persons are not in the registry of your area: %(ids)s")
            % {"ids": ", ".join(map(str, missing[:10]))},
            field="members",
        )
    for role, person_id in officers.items():
        if role not in OFFICERS or person_id not in persons:
            raise InvalidInput(_("Officers must be members of the group."), field="officers")
    kube = Kube.objects.create(
        name=name,
        business_type=kind,
        village=village,
        area_code=village.code,
        bank_name=bank_name.strip(),
        bank_account=bank_account.strip(),
        bank_account_holder=bank_account_holder.strip(),
        created_by=actor,
    )
    role_of = {person_id: role for role, person_id in officers.items()}
    today = timezone.localdate()
    Membership.objects.bulk_create(
        Membership(
            kube=kube, person_id=pid, role=role_of.get(pid, OfficerRole.ANGGOTA), start_date=today
        )
        for pid in ids
    )
    AuditEvent.record(
        "kube.kube.created",
        actor=actor,
        obj=kube,
        area_code=kube.area_code,
        data={"members": len(ids)},
    )
    return kube, kube_failures(kube)


@transaction.atomic
def kube_transition(*, actor: Any, kube_id: int, to_status: str, reason: str = "") -> Kube:
    """Move a group one step; refused moves change nothing and say why."""
    kube = access(Kube.objects, actor=actor, for_write=True, pk=kube_id)
    permission = TRANSITIONS.get((kube.status, to_status))
    if permission is None:
        raise InvalidInput(
            _("A group that is %(now)s cannot become %(next)s.")
            % {
                "now": Status(kube.status).label,
                "next": Status(to_status).label if to_status in Status.values else to_status,
            },
            field="status",
        )
    if not actor.has_perm(permission):
        raise Forbidden(_("Your role does not allow this step."), field="status")
    if to_status in (Status.SUBMITTED, Status.VERIFIED, Status.ACTIVE):
        failures = kube_failures(kube)
        if failures:
            raise InvalidInput(
                _("The group does not meet %(n)s rule(s) yet; fix them first.")
                % {"n": len(failures)},
                field="members",
            )
    if to_status in (Status.DRAFT, Status.DISSOLVED, Status.GRADUATED) and not reason.strip():
        raise InvalidInput(_("Give a reason for this step."), field="reason")
    Transition.objects.create(
        kube=kube,
        from_status=kube.status,
        to_status=to_status,
        actor=actor,
        reason=reason.strip()[:300],
    )
    before, kube.status = kube.status, to_status
    kube.save(update_fields=["status", "updated_at"])
    if to_status in (Status.DISSOLVED, Status.GRADUATED):
        kube.memberships.filter(end_date__isnull=True).update(
            end_date=timezone.localdate(), end_reason=str(Status(to_status).label)
        )
    AuditEvent.record(
        f"kube.kube.{to_status}",
        actor=actor,
        obj=kube,
        area_code=kube.area_code,
        reason=reason.strip(),
        data={"from": before},
    )
    return kube


@transaction.atomic
def membership_end(*, actor: Any, kube_id: int, person_id: int, reason: str) -> Membership:
    """A member leaves: the row stays with its end date and reason."""
    kube = access(Kube.objects, actor=actor, for_write=True, pk=kube_id)
    if not reason.strip():
        raise InvalidInput(_("Give a reason for this step."), field="reason")
    membership = kube.memberships.filter(person_id=person_id, end_date__isnull=True).first()
    if membership is None:
        raise InvalidInput(_("This person is not a current member."), field="person")
    membership.end_date, membership.end_reason = timezone.localdate(), reason.strip()[:200]
    membership.save()
    AuditEvent.record(
        "kube.member.left",
        actor=actor,
        obj=kube,
        area_code=kube.area_code,
        reason=reason.strip(),
        data={"person": person_id},
    )
    return membership


def iks_ledger(kube: Kube) -> list[dict[str, Any]]:
    """The group's IKS lines in date order, each with the running balance after it."""
    balance = 0
    lines = []
    for entry in kube.iks_entries.select_related("recorded_by").order_by("day", "id"):
        balance += entry.amount if entry.kind == IksKind.CONTRIBUTION else -entry.amount
        lines.append({"entry": entry, "balance": balance})
    return lines


@transaction.atomic
def iks_record(
    *,
    actor: Any,
    kube_id: int,
    kind: str,
    amount: int,
    day: date,
    profit: int | None = None,
    note: str = "",
) -> tuple[IksEntry, int, int | None]:
    """Add a contribution or a withdrawal; returns the entry, the new balance and, for a
    contribution with its profit, the amount the IKS policy in force expects."""
    if not actor.has_perm("kube.add_iksentry"):
        raise Forbidden(_("Your role does not allow this step."))
    kube = access(Kube.objects, actor=actor, lock=True, pk=kube_id)  # serialise ledger writes
    if kube.status != Status.ACTIVE:
        raise InvalidInput(_("Only an active group keeps an IKS ledger."), field="kube")
    if kind not in IksKind.values:
        raise InvalidInput(_("Choose contribution or withdrawal."), field="kind")
    if amount <= 0:
        raise InvalidInput(_("The amount must be a positive number of rupiah."), field="amount")
    if day > timezone.localdate():
        raise InvalidInput(_("The date cannot be in the future."), field="day")
    if profit is not None and profit < 0:
        raise InvalidInput(_("Profit cannot be negative."), field="profit")
    lines = iks_ledger(kube)
    balance = lines[-1]["balance"] if lines else 0
    if kind == IksKind.WITHDRAWAL and amount > balance:
        raise InvalidInput(
            _("The fund holds Rp%(balance)s; it cannot pay out Rp%(amount)s.")
            % {
                "balance": rupiah(balance),
                "amount": rupiah(amount),
            },
            field="amount",
        )
    entry = IksEntry.objects.create(
        kube=kube,
        day=day,
        kind=kind,
        amount=amount,
        profit=profit,
        note=note.strip()[:200],
        recorded_by=actor,
    )
    expected = (profit * IksPolicy.share_on(day)) // 10_000 if profit is not None else None
    new_balance = balance + (amount if kind == IksKind.CONTRIBUTION else -amount)
    AuditEvent.record(
        f"kube.iks.{kind}",
        actor=actor,
        obj=kube,
        area_code=kube.area_code,
        data={"amount": amount, "balance": new_balance},
    )
    return entry, new_balance, expected


@transaction.atomic
def membership_add(
    *, actor: Any, kube_id: int, person_id: int, role: str = "anggota"
) -> Membership:
    """A person joins a group (from today); the rules are re-checked on the group page."""
    kube = access(Kube.objects, actor=actor, for_write=True, pk=kube_id)
    if kube.status in (Status.GRADUATED, Status.DISSOLVED):
        raise InvalidInput(_("A closed group takes no new members."), field="status")
    person = Person.objects.for_user(actor).filter(pk=person_id, merged_into__isnull=True).first()
    if person is None:
        raise InvalidInput(
            _("Some persons are not in the registry of your area: %(ids)s") % {"ids": person_id},
            field="person",
        )
    if role not in OfficerRole.values:
        raise InvalidInput(_("Officers must be members of the group."), field="role")
    if kube.memberships.filter(person=person, end_date__isnull=True).exists():
        raise InvalidInput(_("Already a member of this group."), field="person")
    if (
        role != OfficerRole.ANGGOTA
        and kube.memberships.filter(role=role, end_date__isnull=True).exists()
    ):
        raise InvalidInput(
            _("The group already has a %(role)s.") % {"role": OfficerRole(role).label}, field="role"
        )
    membership = Membership.objects.create(
        kube=kube, person=person, role=role, start_date=timezone.localdate()
    )
    AuditEvent.record(
        "kube.member.joined",
        actor=actor,
        obj=kube,
        area_code=kube.area_code,
        data={"person": person.pk, "role": role},
    )
    return membership
