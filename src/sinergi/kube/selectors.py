"""Scoped reads of KUBE groups, their members and moves, and the registry heads who could join.

Views and the API read only through these functions (tests/core/test_layers.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.utils import timezone

from sinergi.core.pagination import SubqueryCount
from sinergi.core.scoping import access, area_q
from sinergi.engines.eligibility import age_on
from sinergi.kube import lifecycle
from sinergi.kube.messages import failure_text
from sinergi.kube.models import (
    BusinessType,
    IksEntry,
    IksKind,
    Kube,
    Membership,
    Status,
    Transition,
)
from sinergi.registry.models import Person
from sinergi.registry.selectors import sees_welfare

# What a list row shows (page and API): not the bank account nor the history fields.
KUBE_LIST_FIELDS = (
    "name",
    "area_code",
    "status",
    "updated_at",
    "business_type__code",
    "business_type__name",
    "business_type__name_en",  # its label in English: deferred, it was read once per row
    "village__name",
)
# At most this many candidates are listed at once; a name search narrows a bigger district.
CANDIDATES_SHOWN = 200


def kube_list(
    *, actor: Any, status: str = "", business_type: str = "", q: str = "", area: str = ""
) -> QuerySet[Kube]:
    # Members per row as a correlated subquery, not a GROUP BY over every group's memberships:
    # the database counts for the rows of the page only.
    members = Membership.objects.filter(kube=OuterRef("pk"), end_date__isnull=True).order_by()
    qs = (
        Kube.objects.for_user(actor)
        .select_related("business_type", "village")
        .only(*KUBE_LIST_FIELDS)
        .annotate(member_count=SubqueryCount(members.values("pk")))
    )
    if status:
        qs = qs.filter(status=status)
    if business_type:
        qs = qs.filter(business_type__code=business_type)
    if area:
        qs = qs.filter(area_q("area_code", area, by_range=True))
    for word in q.split()[:4]:
        qs = qs.filter(name__icontains=word)
    return qs.order_by("area_code", "name")


def kube_get(*, actor: Any, pk: int) -> Kube:
    """One group the actor may see (404 otherwise), with what its page shows."""
    return access(Kube.objects.select_related("business_type", "village"), actor=actor, pk=pk)


def business_types() -> QuerySet[BusinessType]:
    return BusinessType.objects.filter(active=True)


def memberships(kube: Kube) -> QuerySet[Membership]:
    """The group's members, current first (the group itself was read through scope)."""
    return kube.memberships.select_related("person__household").order_by("end_date", "role", "id")


def transitions(kube: Kube) -> QuerySet[Transition]:
    return kube.transitions.select_related("actor")


@dataclass
class Move:
    to: str
    label: str
    needs_reason: bool
    irreversible: bool
    confirm: bool
    effect: str
    # Why the button is disabled ("" when it can be pressed).
    refused: str = ""


def kube_moves(*, actor: Any, kube: Kube, failures: list[Any]) -> list[Move]:
    """The moves the actor's role may take from the group's status: moves of other roles are
    not listed; a move four eyes or an unmet rule blocks comes with the reason."""
    from django.utils.translation import gettext as _

    out = []
    for (frm, to), permission in lifecycle.TRANSITIONS.items():
        if frm != kube.status or not actor.has_perm(permission):
            continue
        refused = lifecycle.four_eyes_refusal(actor, kube, to)
        if not refused and failures and to in lifecycle.BINDING:
            refused = _("Fix the rules above first.")
        out.append(
            Move(
                to=to,
                label=str(lifecycle.MOVE_LABELS[Status(to)]),
                needs_reason=to in lifecycle.NEEDS_REASON,
                irreversible=to in lifecycle.IRREVERSIBLE,
                confirm=to in lifecycle.CONFIRM,
                effect=str(lifecycle.MOVE_EFFECTS.get(Status(to), "")),
                refused=refused,
            )
        )
    return out


@dataclass
class CandidateRow:
    """A head of family as the formation page shows them, before anyone ticks them."""

    person: Person
    age: int
    desil: int | None  # None when the actor's role may not see deciles
    snapshot_days: int | None
    groups: list[str] = field(default_factory=list)  # binding groups they already belong to
    problems: list[str] = field(default_factory=list)  # why they cannot join ("" = they can)


def formation_candidates(
    *,
    actor: Any,
    district_code: str,
    q: str = "",
    keep: list[int] | None = None,
    kube_id: int | None = None,
    today: date | None = None,
    limit: int = CANDIDATES_SHOWN,
) -> list[CandidateRow]:
    """Heads of family or main earners in a district with everything that decides whether they
    can join: age, decile (roles that may see it), snapshot age, KUBE they are already in, and
    the reasons they cannot join. ``q`` narrows by name; ``keep`` (ticked ids) stay listed."""
    today = today or timezone.localdate()
    base = (
        Person.objects.for_user(actor)
        .filter(merged_into__isnull=True, is_head=True)
        .filter(area_q("area_code", district_code))
        .select_related("household")
        .order_by("name", "id")
    )
    listed = base
    for word in q.split()[:4]:
        listed = listed.filter(name__icontains=word)
    persons = list(listed[:limit]) if limit else []
    seen = {p.pk for p in persons}
    missing = [i for i in (keep or []) if i not in seen]
    if missing:
        persons += list(base.filter(pk__in=missing))
    problems = lifecycle.person_failures(
        persons, district=district_code, kube_id=kube_id, today=today
    )
    groups: dict[int, list[str]] = {}
    for person_id, name in (
        Membership.objects.filter(
            person__in=persons, end_date__isnull=True, kube__status__in=lifecycle.BINDING
        )
        .exclude(kube_id=kube_id or 0)
        .values_list("person_id", "kube__name")
    ):
        groups.setdefault(person_id, []).append(name)
    welfare = sees_welfare(actor)
    rows = []
    for p in persons:
        household = p.household
        snapshot_days = (today - household.desil_date).days if household.desil_date else None
        rows.append(
            CandidateRow(
                person=p,
                age=age_on(p.birth_date, today),
                desil=household.desil if welfare else None,
                snapshot_days=snapshot_days,
                groups=groups.get(p.pk, []),
                problems=[
                    _without_decile(f) if not welfare else failure_text(f) for f in problems[p.pk]
                ],
            )
        )
    return rows


def _without_decile(failure: Any) -> str:
    # A role that may not see deciles learns that the decile rules keep the person out,
    # not the decile itself.
    from django.utils.translation import gettext as _

    if failure.rule == "desil_too_high":
        return _("The welfare decile is above the limit.")
    return failure_text(failure)


def draft_persons(*, actor: Any, ids: list[int]) -> list[Person]:
    """The ticked persons of an unsaved draft, as far as the actor may see them."""
    return list(
        Person.objects.for_user(actor)
        .filter(pk__in=ids, merged_into__isnull=True)
        .select_related("household")
    )


def sees_decile(actor: Any) -> bool:
    return sees_welfare(actor)


def iks_visible(actor: Any) -> bool:
    return bool(actor.has_perm("kube.view_iksentry"))


def current_member_ids(*, actor: Any, kube: str) -> set[int]:
    """Ids of the current members of group ``kube`` (a raw id), empty if the actor cannot see it."""
    if not kube.isdigit():
        return set()
    return set(
        Membership.objects.filter(
            kube__in=Kube.objects.for_user(actor), kube_id=int(kube), end_date__isnull=True
        ).values_list("person_id", flat=True)
    )


def draft_check(
    *, actor: Any, district_code: str, member_ids: list[int], officers: dict[str, int]
) -> list[tuple[str, str]]:
    """What an unsaved draft (ticked members, chosen officers) breaks, as (name, reason)."""
    persons = draft_persons(actor=actor, ids=member_ids)
    role_of = {person_id: role for role, person_id in officers.items()}
    failures = lifecycle.group_failures(
        persons, [role_of.get(p.pk, "anggota") for p in persons], district=district_code
    )
    names = {p.pk: p.name for p in persons}
    return [(names.get(f.person_id or 0, ""), failure_text(f)) for f in failures]


def iks_entries(kube: Kube) -> QuerySet[IksEntry]:
    """The group's IKS lines, each with the fund's balance after it (over the whole ledger,
    whatever page or filter is asked: a correlated sum of the lines up to it)."""
    signed = Case(
        When(kind=IksKind.CONTRIBUTION, then=F("amount")),
        default=-F("amount"),
        output_field=BigIntegerField(),
    )
    upto = (
        IksEntry.objects.filter(kube=OuterRef("kube"))
        .filter(Q(day__lt=OuterRef("day")) | Q(day=OuterRef("day"), id__lte=OuterRef("id")))
        .order_by()
        .values("kube")
        .annotate(total=Sum(signed))
        .values("total")
    )
    return kube.iks_entries.annotate(balance=Subquery(upto)).order_by("day", "id")


# What waits for the actor (core.inbox; kube/inbox.py) -----------------------------------------

# The permission each waiting status needs, and the status whose taker may not take the next
# step (four eyes, as lifecycle.four_eyes_rule): who submitted a group does not verify it, who
# verified it does not activate it.
WAITING_STEPS: dict[str, tuple[str, str]] = {
    Status.SUBMITTED: ("kube.verify_kube", Status.SUBMITTED),
    Status.VERIFIED: ("kube.activate_kube", Status.VERIFIED),
}


def waiting_for_step(*, actor: Any, status: str) -> QuerySet[Kube]:
    """Groups in the actor's area at ``status`` (submitted: to verify; verified: to activate)
    that the actor may move on, oldest first; none without the step's permission. A group the
    actor brought to that status is left out (four eyes; the services refuse it)."""
    permission, earlier = WAITING_STEPS[status]
    if not actor.has_perm(permission):
        return Kube.objects.none()
    own = Transition.objects.filter(kube=OuterRef("pk"), to_status=earlier, actor=actor)
    return (
        Kube.objects.for_user(actor)
        .filter(status=status)
        .exclude(Exists(own))
        .only("name", "area_code", "status", "updated_at")
        .order_by("updated_at", "pk")
    )


def shared_chair_phone(kube: Kube) -> str:
    """The group chair's phone as buyers and mentors may see it: empty unless the chair gave a
    current consent to share it, where consent is the basis (registry.consent, UU PDP)."""
    from sinergi.registry.consent import shared_phone

    chair = (
        Membership.objects.filter(kube=kube, role="ketua", end_date__isnull=True)
        .select_related("person")
        .first()
    )
    return shared_phone(chair.person if chair else None)
