"""KUBE formation and lifecycle: rules with reasons, allowed and refused moves, scoping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core.errors import Forbidden, InvalidInput
from sinergi.core.models import AuditEvent
from sinergi.kube.models import FormationPolicy, Kube, Membership, Status, Transition
from sinergi.kube.services import (
    TRANSITIONS,
    kube_create,
    kube_failures,
    kube_transition,
    membership_end,
)
from sinergi.registry import services as registry
from sinergi.registry.models import Person

pytestmark = pytest.mark.django_db


def _heads(
    actor: User, count: int, *, district: str = "32.73.01", desil: int = 2, start: int = 1
) -> list[Person]:
    heads = []
    for i in range(start, start + count):
        household = registry.household_create(
            actor=actor,
            kk=f"{district.replace('.', '')}0101{20:02d}{i:04d}",
            village_code=f"{district}.1001",
            desil=desil,
            desil_date=date(2026, 9, 30),
        )
        heads.append(
            registry.person_create(
                actor=actor,
                household_id=household.pk,
                nik=f"{district.replace('.', '')}0505{80:02d}{i:04d}",
                name=f"Kepala {i}",
                sex="L",
                birth_place="",
                birth_date=date(1980, 5, 5),
                relation="kepala",
                is_head=True,
            )
        )
    return heads


def _form(actor: User, heads: list[Person], name: str = "KUBE Mawar") -> tuple[Kube, list]:
    return kube_create(
        actor=actor,
        name=name,
        business_type="kerajinan",
        village_code="32.73.01.1001",
        member_ids=[p.pk for p in heads],
        officers={"ketua": heads[0].pk, "sekretaris": heads[1].pk, "bendahara": heads[2].pk},
    )


def walk_to_active(kube: Kube, maker: User, checker: User) -> None:
    """Submit, verify and activate with two pairs of eyes (the maker submits and activates)."""
    for step, actor in (
        (Status.SUBMITTED, maker),
        (Status.VERIFIED, checker),
        (Status.ACTIVE, maker),
    ):
        kube_transition(actor=actor, kube_id=kube.pk, to_status=step)


def test_a_good_group_goes_through_its_whole_life(
    officer_bandung: User, officer_jabar: User
) -> None:
    kube, failures = _form(officer_bandung, _heads(officer_bandung, 6))
    assert failures == [] and kube.status == Status.DRAFT
    walk_to_active(kube, officer_bandung, officer_jabar)
    kube_transition(
        actor=officer_bandung, kube_id=kube.pk, to_status=Status.GRADUATED, reason="mandiri"
    )
    kube.refresh_from_db()
    assert kube.status == Status.GRADUATED
    assert [t.to_status for t in Transition.objects.filter(kube=kube)] == [
        "submitted",
        "verified",
        "active",
        "graduated",
    ]
    assert not Membership.objects.filter(kube=kube, end_date__isnull=True).exists()
    assert AuditEvent.objects.filter(event_type="kube.kube.graduated", reason="mandiri").exists()


def test_a_draft_with_failures_saves_but_cannot_be_submitted(officer_bandung: User) -> None:
    heads = _heads(officer_bandung, 3) + _heads(officer_bandung, 1, desil=8, start=50)
    kube, failures = _form(officer_bandung, heads)
    assert {f.rule for f in failures} == {"member_count", "desil_too_high"}
    assert [f.person_id for f in failures if f.rule == "desil_too_high"] == [heads[3].pk]
    with pytest.raises(InvalidInput):
        kube_transition(actor=officer_bandung, kube_id=kube.pk, to_status=Status.SUBMITTED)
    kube.refresh_from_db()
    assert kube.status == Status.DRAFT and not Transition.objects.exists()


def test_refused_moves_change_nothing(officer_bandung: User) -> None:
    kube, _ = _form(officer_bandung, _heads(officer_bandung, 5))
    allowed_from_draft = {to for (frm, to) in TRANSITIONS if frm == Status.DRAFT}
    for target in set(Status.values) - allowed_from_draft - {Status.DRAFT}:
        with pytest.raises(InvalidInput):
            kube_transition(actor=officer_bandung, kube_id=kube.pk, to_status=target)
    with pytest.raises(InvalidInput):  # dissolving needs a reason
        kube_transition(actor=officer_bandung, kube_id=kube.pk, to_status=Status.DISSOLVED)
    kube.refresh_from_db()
    assert kube.status == Status.DRAFT and not Transition.objects.exists()


def test_one_binding_group_per_person(officer_bandung: User) -> None:
    heads = _heads(officer_bandung, 6)
    first, _ = _form(officer_bandung, heads)
    kube_transition(actor=officer_bandung, kube_id=first.pk, to_status=Status.SUBMITTED)
    _second, failures = _form(
        officer_bandung, heads[:5] + _heads(officer_bandung, 1, start=9), name="KUBE Melati"
    )
    assert {f.person_id for f in failures if f.rule == "already_in_kube"} == {
        p.pk for p in heads[:5]
    }


def test_officers_are_exactly_one_each(officer_bandung: User) -> None:
    heads = _heads(officer_bandung, 5)
    _kube, failures = kube_create(
        actor=officer_bandung,
        name="KUBE Anggrek",
        business_type="jasa",
        village_code="3273011001",
        member_ids=[p.pk for p in heads],
        officers={"ketua": heads[0].pk},
    )
    assert {f.detail["role"] for f in failures if f.rule == "officer_count"} == {
        "sekretaris",
        "bendahara",
    }


def test_rules_come_from_the_policy_in_force(officer_bandung: User) -> None:
    kube, failures = _form(officer_bandung, _heads(officer_bandung, 4))
    assert {f.rule for f in failures} == {"member_count"}
    FormationPolicy.objects.create(valid_from=date(2026, 1, 1), min_members=4)
    assert kube_failures(kube) == []
    assert kube_failures(kube, today=date(2025, 12, 31)) != []


def test_roles_and_areas(
    officer_bandung: User,
    officer_bogor: User,
    facilitator_bandung: User,
    make_user: Callable[..., User],
) -> None:
    from django.http import Http404

    kube, _ = _form(officer_bandung, _heads(officer_bandung, 5))
    with pytest.raises(Forbidden):  # a read-only role is refused for its role (403)
        kube_transition(actor=facilitator_bandung, kube_id=kube.pk, to_status=Status.SUBMITTED)
    with pytest.raises(Http404):
        kube_transition(actor=officer_bogor, kube_id=kube.pk, to_status=Status.SUBMITTED)
    with pytest.raises(Forbidden):  # partner roles cannot form groups
        kube_create(
            actor=make_user(Role.MENTOR, "32.73"),
            name="X",
            business_type="jasa",
            village_code="32.73.01.1001",
            member_ids=[],
            officers={},
        )
    with pytest.raises(InvalidInput):  # persons outside the actor's area are not found
        kube_create(
            actor=officer_bogor,
            name="X",
            business_type="jasa",
            village_code="32.01.01.1001",
            member_ids=[kube.memberships.first().person_id],  # type: ignore[union-attr]
            officers={},
        )
    assert Kube.objects.for_user(officer_bogor).count() == 0
    assert Kube.objects.for_user(facilitator_bandung).count() == 1


def test_leaving_keeps_the_membership_row(officer_bandung: User) -> None:
    heads = _heads(officer_bandung, 6)
    kube, _ = _form(officer_bandung, heads)
    membership_end(
        actor=officer_bandung, kube_id=kube.pk, person_id=heads[5].pk, reason="pindah domisili"
    )
    row = Membership.objects.get(kube=kube, person=heads[5])
    assert row.end_date is not None and row.end_reason == "pindah domisili"
    assert kube.memberships.filter(end_date__isnull=True).count() == 5
    with pytest.raises(InvalidInput):
        membership_end(actor=officer_bandung, kube_id=kube.pk, person_id=heads[5].pk, reason="lagi")


def test_iks_ledger_keeps_a_running_balance(
    officer_bandung: User,
    client_for: Callable[..., object],
    make_user: Callable[..., User],
) -> None:
    from sinergi.kube.models import IksPolicy
    from sinergi.kube.services import iks_record

    kube, _ = _form(officer_bandung, _heads(officer_bandung, 6))
    with pytest.raises(InvalidInput):  # a draft keeps no ledger
        iks_record(
            actor=officer_bandung,
            kube_id=kube.pk,
            kind="contribution",
            amount=1,
            day=date(2026, 10, 1),
        )
    walk_to_active(kube, officer_bandung, make_user(Role.SOCIAL_OFFICER, "32.73"))
    IksPolicy.objects.create(valid_from=date(2026, 1, 1), share_basis_points=1250)
    _e, balance, expected = iks_record(
        actor=officer_bandung,
        kube_id=kube.pk,
        kind="contribution",
        amount=150_000,
        day=date(2026, 10, 1),
        profit=1_234_567,
    )
    assert (balance, expected) == (150_000, 154_320)  # 12.5% of profit, whole rupiah down
    client = client_for(make_user(Role.KUBE_OFFICER, "32.73"))
    over = client.post(
        f"/api/v1/kube/{kube.pk}/iks",  # type: ignore[attr-defined]
        {"kind": "withdrawal", "amount": 200_000, "day": "2026-10-05"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert over.status_code == 400 and "Rp150.000" in over.json()["detail"]
    ok = client.post(
        f"/api/v1/kube/{kube.pk}/iks",  # type: ignore[attr-defined]
        {
            "kind": "withdrawal",
            "amount": 50_000,
            "day": "2026-10-05",
            "note": "bantuan anggota sakit",
        },
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["balance"] == 100_000
    assert [line["balance"] for line in ok.json()["lines"]] == [150_000, 100_000]


def test_a_kube_officer_bound_to_a_group_sees_only_it(
    officer_bandung: User, make_user: Callable[..., User]
) -> None:
    mine, _ = _form(officer_bandung, _heads(officer_bandung, 5))
    other, _ = _form(officer_bandung, _heads(officer_bandung, 5, start=20), name="KUBE Lain")
    unbound = make_user(Role.KUBE_OFFICER, "32.73")
    bound = make_user(Role.KUBE_OFFICER, "32.73")
    bound.kube = mine
    bound.save()
    assert set(Kube.objects.for_user(unbound)) == {mine, other}
    assert list(Kube.objects.for_user(bound)) == [mine]
    from sinergi.registry.models import Person as RegistryPerson

    assert not RegistryPerson.objects.for_user(bound).exists()  # nothing group-less leaks


@pytest.mark.parametrize("source", list(Status.values))
def test_every_move_from_every_state(source: str, officer_bandung: User) -> None:
    """Allowed moves (TRANSITIONS) succeed from a valid group; every other pair is refused
    and leaves the status as it was."""
    kube, _ = _form(officer_bandung, _heads(officer_bandung, 5))
    for target in Status.values:
        Kube.objects.filter(pk=kube.pk).update(status=source)
        kube.memberships.update(end_date=None, end_reason="")
        allowed = (source, target) in TRANSITIONS
        if allowed:
            kube_transition(actor=officer_bandung, kube_id=kube.pk, to_status=target, reason="uji")
            assert Kube.objects.get(pk=kube.pk).status == target
        else:
            with pytest.raises(InvalidInput):
                kube_transition(
                    actor=officer_bandung, kube_id=kube.pk, to_status=target, reason="uji"
                )
            assert Kube.objects.get(pk=kube.pk).status == source
