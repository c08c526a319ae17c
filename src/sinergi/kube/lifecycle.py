"""The rules of a KUBE's life, shared by the services (which enforce them) and the selectors
(which show them before anyone acts): the allowed moves, four eyes, and the formation rules
applied to a saved group, an unsaved draft or one candidate."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.core.four_eyes import refusal
from sinergi.engines.eligibility import Candidate, Failure, check_group
from sinergi.kube.models import FormationPolicy, Kube, Membership, OfficerRole, Status, Transition
from sinergi.registry.models import Person

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
CLOSED = (Status.GRADUATED, Status.DISSOLVED)
OFFICERS = (OfficerRole.KETUA, OfficerRole.SEKRETARIS, OfficerRole.BENDAHARA)
# Moves that need a reason, and those that cannot be undone (asked to confirm).
NEEDS_REASON = (Status.DRAFT, Status.DISSOLVED, Status.GRADUATED)
IRREVERSIBLE = (Status.DISSOLVED, Status.GRADUATED)
# Moves a person confirms after reading what they do (sending back undoes others' work).
CONFIRM = (Status.DRAFT, *IRREVERSIBLE)

# The button of each move, and what it will do (said before a person confirms).
MOVE_LABELS = {
    Status.SUBMITTED: gettext_lazy("Submit for verification"),
    Status.VERIFIED: gettext_lazy("Verify"),
    Status.DRAFT: gettext_lazy("Send back to draft"),
    Status.ACTIVE: gettext_lazy("Activate"),
    Status.GRADUATED: gettext_lazy("Graduate"),
    Status.DISSOLVED: gettext_lazy("Dissolve"),
}
MOVE_EFFECTS = {
    Status.DRAFT: gettext_lazy(
        "The group goes back to its maker as a draft; it must be submitted and verified again."
    ),
    Status.GRADUATED: gettext_lazy(
        "The group graduates: every membership ends today with this reason, mentoring ends, "
        "and the group takes no more members. This cannot be undone."
    ),
    Status.DISSOLVED: gettext_lazy(
        "The group is dissolved: every membership ends today with this reason, mentoring ends, "
        "and the group takes no more members. This cannot be undone."
    ),
}


def last_actor_id(kube: Kube, to_status: str) -> int | None:
    """Who last moved the group to ``to_status`` (None: nobody, or a deleted account)."""
    row = (
        Transition.objects.filter(kube=kube, to_status=to_status)
        .order_by("-at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )
    return row


def four_eyes_rule(kube: Kube, to_status: str) -> tuple[int | None, str] | None:
    """For a move under four eyes, who took the earlier step and the sentence refusing them:
    who submitted a group does not verify it, who verified it does not activate it."""
    if to_status == Status.VERIFIED:
        return (
            last_actor_id(kube, Status.SUBMITTED),
            _("You submitted this group; another officer must verify it."),
        )
    if to_status == Status.ACTIVE:
        return (
            last_actor_id(kube, Status.VERIFIED),
            _("You verified this group; another officer must activate it."),
        )
    return None


def four_eyes_refusal(actor: Any, kube: Kube, to_status: str) -> str:
    """Why ``actor`` may not take this move on four-eyes grounds ("" when they may)."""
    rule = four_eyes_rule(kube, to_status)
    return refusal(actor, rule[0], message=rule[1]) if rule else ""


def candidates(persons: list[Person]) -> list[Candidate]:
    """The registry's persons as the formation rules see them (with their binding groups)."""
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


def group_failures(
    persons: list[Person],
    roles: list[str],
    *,
    district: str,
    kube_id: int | None = None,
    today: date | None = None,
    max_desil: int | None = None,
) -> list[Failure]:
    """Every formation rule a group (saved or not) of ``persons`` with officer ``roles``
    breaks on ``today``; ``max_desil`` is a programme's own decile threshold."""
    today = today or timezone.localdate()
    rules = FormationPolicy.on(today)
    if max_desil is not None:
        rules = replace(rules, max_desil=max_desil)
    failures = check_group(candidates(persons), rules, today=today, kube_id=kube_id)
    for role in OFFICERS:
        if roles.count(role) != 1:
            failures.append(
                Failure("officer_count", None, {"role": str(role), "count": roles.count(role)})
            )
    for person in persons:
        if person.area_code[:8] != district:
            failures.append(Failure("outside_kube_district", person.pk))
    return failures


def kube_failures(
    kube: Kube, *, today: date | None = None, max_desil: int | None = None
) -> list[Failure]:
    """Every formation rule the group breaks today, including its officers."""
    memberships = list(
        kube.memberships.filter(end_date__isnull=True).select_related("person__household")
    )
    return group_failures(
        [m.person for m in memberships],
        [m.role for m in memberships],
        district=kube.area_code[:8],
        kube_id=kube.pk,
        today=today,
        max_desil=max_desil,
    )


# Rules about one person alone: what greys a candidate out before anyone ticks them.
PERSONAL_RULES = {
    "not_head",
    "no_desil",
    "desil_too_high",
    "desil_too_old",
    "age",
    "already_in_kube",
    "aided_before",
}


def person_failures(
    persons: list[Person], *, district: str, kube_id: int | None = None, today: date | None = None
) -> dict[int, list[Failure]]:
    """Per person, the rules that keep them out of a group in ``district`` whoever else joins."""
    today = today or timezone.localdate()
    rules = replace(FormationPolicy.on(today), same_district=False)
    out: dict[int, list[Failure]] = {p.pk: [] for p in persons}
    for candidate in candidates(persons):
        for failure in check_group([candidate], rules, today=today, kube_id=kube_id):
            if failure.rule in PERSONAL_RULES:
                out[candidate.person_id].append(failure)
        if candidate.district_code != district:
            out[candidate.person_id].append(
                Failure(
                    "other_district",
                    candidate.person_id,
                    {"district": candidate.district_code, "group": district},
                )
            )
    return out
