"""KUBE formation rules: does this proposed group meet the programme's rules, and if not, why?

Pure Python. Every rule is checked (not just the first to fail) and each failure names the rule
and, where it concerns one person, that person, so an officer can fix the draft. The numbers
(group size, decile threshold, snapshot age, age limits) come from a :class:`RuleSet` that the
app loads from configuration valid on a date (DOMAIN.md §1: they vary by year and programme).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class RuleSet:
    """The formation rules in force; defaults from DOMAIN.md §1 (Permensos 2/2019, practice)."""

    min_members: int = 5
    max_members: int = 20
    max_desil: int = 4
    max_desil_age_days: int = 365
    min_age: int = 18
    max_age: int = 60
    same_district: bool = True
    allow_previously_aided: bool = False


@dataclass(frozen=True)
class Candidate:
    """A proposed member as the registry knows them."""

    person_id: int
    household_id: int
    is_head: bool  # head of family or main earner
    birth_date: date
    district_code: str  # PP.KK.CC of the household's village
    desil: int | None
    desil_date: date | None
    active_kube_ids: tuple[int, ...] = ()
    aided_before: bool = False


@dataclass(frozen=True)
class Failure:
    rule: str
    person_id: int | None = None
    detail: dict[str, object] = field(default_factory=dict)


def age_on(birth: date, today: date) -> int:
    """Whole years, counting a 29 February birthday on 1 March in common years."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def check_group(
    members: list[Candidate], rules: RuleSet, *, today: date, kube_id: int | None = None
) -> list[Failure]:
    """Every rule failure of a proposed group, group-level first, then person by person."""
    failures: list[Failure] = []
    if not rules.min_members <= len(members) <= rules.max_members:
        failures.append(
            Failure(
                "member_count",
                None,
                {"count": len(members), "min": rules.min_members, "max": rules.max_members},
            )
        )
    districts = Counter(m.district_code for m in members)
    majority = districts.most_common(1)[0][0] if districts else ""
    households = Counter(m.household_id for m in members)
    persons = Counter(m.person_id for m in members)
    for m in sorted(members, key=lambda c: c.person_id):
        if persons[m.person_id] > 1:
            failures.append(Failure("person_twice", m.person_id))
        if households[m.household_id] > 1:
            failures.append(
                Failure("household_twice", m.person_id, {"household_id": m.household_id})
            )
        if not m.is_head:
            failures.append(Failure("not_head", m.person_id))
        if m.desil is None or m.desil_date is None:
            failures.append(Failure("no_desil", m.person_id))
        else:
            if m.desil > rules.max_desil:
                failures.append(
                    Failure(
                        "desil_too_high", m.person_id, {"desil": m.desil, "max": rules.max_desil}
                    )
                )
            age_days = (today - m.desil_date).days
            if age_days > rules.max_desil_age_days:
                failures.append(
                    Failure(
                        "desil_too_old",
                        m.person_id,
                        {"days": age_days, "max": rules.max_desil_age_days},
                    )
                )
        age = age_on(m.birth_date, today)
        if not rules.min_age <= age <= rules.max_age:
            failures.append(
                Failure(
                    "age", m.person_id, {"age": age, "min": rules.min_age, "max": rules.max_age}
                )
            )
        if rules.same_district and m.district_code != majority:
            failures.append(
                Failure(
                    "other_district", m.person_id, {"district": m.district_code, "group": majority}
                )
            )
        other = [k for k in m.active_kube_ids if k != kube_id]
        if other:
            failures.append(Failure("already_in_kube", m.person_id, {"kube_ids": other}))
        if m.aided_before and not rules.allow_previously_aided:
            failures.append(Failure("aided_before", m.person_id))
    return failures
