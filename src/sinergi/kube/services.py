"""Writes for KUBE: form a draft, check it, move it through its lifecycle, change members."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.core.errors import Forbidden, InvalidInput, require_permission
from sinergi.core.events import snapshot
from sinergi.core.four_eyes import require_different
from sinergi.core.models import AuditEvent
from sinergi.core.money import rupiah
from sinergi.core.scoping import access, user_area
from sinergi.engines import wilayah as regions
from sinergi.engines.eligibility import Failure
from sinergi.kube import events, hooks
from sinergi.kube.lifecycle import (
    BINDING,
    CLOSED,
    NEEDS_REASON,
    OFFICERS,
    TRANSITIONS,
    four_eyes_rule,
    kube_failures,
    person_failures,
)
from sinergi.kube.messages import failure_text
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

__all__ = [
    "BINDING",
    "TRANSITIONS",
    "iks_record",
    "kube_create",
    "kube_failures",
    "kube_transition",
    "kube_update",
    "membership_add",
    "membership_end",
    "membership_role",
]


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
        events.KUBE_CREATED,
        actor=actor,
        obj=kube,
        area_code=kube.area_code,
        data={"members": len(ids)},
        after=snapshot(kube, "name", "status", "business_type", "village"),
    )
    return kube, kube_failures(kube)


@transaction.atomic
def kube_transition(*, actor: Any, kube_id: int, to_status: str, reason: str = "") -> Kube:
    """Move a group one step; refused moves change nothing and say why.

    Four eyes: who submitted a group does not verify it, who verified it does not activate it
    (Forbidden, 403). Graduating or dissolving ends every membership and tells the apps that
    keep something tied to the group (kube.hooks) in the same transaction.
    """
    require_permission(actor, "kube.change_kube")  # a role refusal is 403, not 404
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
    rule = four_eyes_rule(kube, to_status)
    if rule is not None:
        earlier, message = rule
        require_different(actor, earlier, message=message)
    if to_status in (Status.SUBMITTED, Status.VERIFIED, Status.ACTIVE):
        failures = kube_failures(kube)
        if failures:
            raise InvalidInput(
                _("The group does not meet %(n)s rule(s) yet; fix them first.")
                % {"n": len(failures)},
                field="members",
            )
    reason = reason.strip()
    if to_status in NEEDS_REASON and not reason:
        raise InvalidInput(_("Give a reason for this step."), field="reason")
    Transition.objects.create(
        kube=kube,
        from_status=kube.status,
        to_status=to_status,
        actor=actor,
        reason=reason[:300],
    )
    before = snapshot(kube, "status")
    kube.status = to_status
    kube.save(update_fields=["status", "updated_at"])
    if to_status in CLOSED:
        kube.memberships.filter(end_date__isnull=True).update(
            end_date=timezone.localdate(), end_reason=str(Status(to_status).label)
        )
    AuditEvent.record(
        events.MOVED[to_status],
        actor=actor,
        obj=kube,
        area_code=kube.area_code,
        reason=reason,
        before=before,
        after=snapshot(kube, "status"),
    )
    if to_status in CLOSED:
        hooks.group_closed(kube, reason=reason, actor=actor)
    return kube


@transaction.atomic
def kube_update(
    *,
    actor: Any,
    kube_id: int,
    name: str | None = None,
    business_type: str | None = None,
    bank_name: str | None = None,
    bank_account: str | None = None,
    bank_account_holder: str | None = None,
) -> Kube:
    """Change a group's name, business type or bank details (None leaves a field as it is);
    a closed group's record stays as it closed."""
    require_permission(actor, "kube.change_kube")  # a role refusal is 403, not 404
    kube = access(Kube.objects, actor=actor, for_write=True, pk=kube_id)
    if kube.status in CLOSED:
        raise InvalidInput(_("A closed group cannot be changed."), field="status")
    fields = ("name", "business_type", "bank_name", "bank_account", "bank_account_holder")
    before = snapshot(kube, *fields)
    if name is not None:
        name = " ".join(name.split())
        if not name:
            raise InvalidInput(_("Give the group a name."), field="name")
        kube.name = name[:150]
    if business_type is not None:
        kind = BusinessType.objects.filter(code=business_type, active=True).first()
        if kind is None:
            raise InvalidInput(_("Choose a business type from the list."), field="business_type")
        kube.business_type = kind
    for field, value, size in (
        ("bank_name", bank_name, 80),
        ("bank_account", bank_account, 30),
        ("bank_account_holder", bank_account_holder, 150),
    ):
        if value is not None:
            setattr(kube, field, value.strip()[:size])
    after = snapshot(kube, *fields)
    if after != before:
        kube.save()
        AuditEvent.record(
            events.KUBE_UPDATED,
            actor=actor,
            obj=kube,
            area_code=kube.area_code,
            before=before,
            after=after,
        )
    return kube


@transaction.atomic
def membership_end(*, actor: Any, kube_id: int, person_id: int, reason: str) -> Membership:
    """A member leaves: the row stays with its end date and reason."""
    require_permission(actor, "kube.change_kube")  # a role refusal is 403, not 404
    kube = access(Kube.objects, actor=actor, for_write=True, pk=kube_id)
    if not reason.strip():
        raise InvalidInput(_("Give a reason for this step."), field="reason")
    membership = kube.memberships.filter(person_id=person_id, end_date__isnull=True).first()
    if membership is None:
        raise InvalidInput(_("This person is not a current member."), field="person")
    before = snapshot(membership, "end_date", "end_reason")
    membership.end_date, membership.end_reason = timezone.localdate(), reason.strip()[:200]
    membership.save()
    AuditEvent.record(
        events.MEMBER_LEFT,
        actor=actor,
        obj=kube,
        area_code=kube.area_code,
        reason=reason.strip(),
        data={"person": person_id},
        before=before,
        after=snapshot(membership, "end_date", "end_reason"),
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
        events.IKS[kind],
        actor=actor,
        obj=kube,
        area_code=kube.area_code,
        data={"amount": amount},
        before={"balance": balance},
        after={"balance": new_balance},
    )
    return entry, new_balance, expected


@transaction.atomic
def membership_add(
    *, actor: Any, kube_id: int, person_id: int, role: str = "anggota"
) -> Membership:
    """A person joins a group from today.

    A draft takes anyone from the registry of the actor's area (its problems are listed and
    bind at submission). A submitted, verified or active group takes only a person who meets
    every rule the group must meet: refused with the rule's reason, not flagged afterwards.
    """
    require_permission(actor, "kube.change_kube")  # a role refusal is 403, not 404
    kube = access(Kube.objects, actor=actor, for_write=True, pk=kube_id)
    if kube.status in CLOSED:
        raise InvalidInput(_("A closed group takes no new members."), field="status")
    person = (
        Person.objects.for_user(actor)
        .filter(pk=person_id, merged_into__isnull=True)
        .select_related("household")
        .first()
    )
    if person is None:
        raise InvalidInput(
            _("Some persons are not in the registry of your area: %(ids)s") % {"ids": person_id},
            field="person",
        )
    if role not in OfficerRole.values:
        raise InvalidInput(_("Choose a role from the list."), field="role")
    current = list(
        kube.memberships.filter(end_date__isnull=True).select_related("person__household")
    )
    if any(m.person_id == person.pk for m in current):
        raise InvalidInput(_("Already a member of this group."), field="person")
    if role != OfficerRole.ANGGOTA and any(m.role == role for m in current):
        raise InvalidInput(
            _("The group already has a %(role)s.") % {"role": OfficerRole(role).label}, field="role"
        )
    if kube.status in BINDING:
        _refuse_joining(kube, person, current)
    membership = Membership.objects.create(
        kube=kube, person=person, role=role, start_date=timezone.localdate()
    )
    AuditEvent.record(
        events.MEMBER_JOINED,
        actor=actor,
        obj=kube,
        area_code=kube.area_code,
        data={"person": person.pk},
        after=snapshot(membership, "role", "start_date"),
    )
    return membership


def _refuse_joining(kube: Kube, person: Person, current: list[Membership]) -> None:
    """Raise with every reason the person cannot join a group that is already bound."""
    district = kube.area_code[:8]
    problems = person_failures([person], district=district, kube_id=kube.pk)[person.pk]
    rules = FormationPolicy.on(timezone.localdate())
    if len(current) + 1 > rules.max_members:
        problems.append(
            Failure(
                "member_count",
                None,
                {"count": len(current) + 1, "min": rules.min_members, "max": rules.max_members},
            )
        )
    if any(m.person.household_id == person.household_id for m in current):
        problems.append(Failure("household_twice", person.pk))
    if problems:
        raise InvalidInput(
            _("%(name)s cannot join this group: %(reasons)s")
            % {"name": person.name, "reasons": " ".join(failure_text(f) for f in problems)},
            field="person",
        )


@transaction.atomic
def membership_role(*, actor: Any, kube_id: int, person_id: int, role: str) -> Membership:
    """Change a current member's role in place. Giving someone an officer's post that another
    member holds makes that member an ordinary member in the same step, so the group never has
    two chairs (and is never left without one in between)."""
    require_permission(actor, "kube.change_kube")  # a role refusal is 403, not 404
    kube = access(Kube.objects, actor=actor, for_write=True, pk=kube_id)
    if kube.status in CLOSED:
        raise InvalidInput(_("A closed group cannot be changed."), field="status")
    if role not in OfficerRole.values:
        raise InvalidInput(_("Choose a role from the list."), field="role")
    membership = kube.memberships.filter(person_id=person_id, end_date__isnull=True).first()
    if membership is None:
        raise InvalidInput(_("This person is not a current member."), field="person")
    if membership.role == role:
        return membership
    if role != OfficerRole.ANGGOTA:
        for holder in kube.memberships.filter(role=role, end_date__isnull=True):
            _set_role(actor, kube, holder, OfficerRole.ANGGOTA)
    _set_role(actor, kube, membership, role)
    return membership


def _set_role(actor: Any, kube: Kube, membership: Membership, role: str) -> None:
    """One member's role changed and recorded on the group, old and new."""
    before = snapshot(membership, "role")
    membership.role = role
    membership.save(update_fields=["role"])
    AuditEvent.record(
        events.OFFICER_CHANGED,
        actor=actor,
        obj=kube,
        area_code=kube.area_code,
        data={"person": membership.person_id},
        before=before,
        after=snapshot(membership, "role"),
    )
