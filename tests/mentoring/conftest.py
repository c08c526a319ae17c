"""Groups in Bandung and Bogor, an IWAPI unit, mentors and their accounts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.accounts.services import user_create
from sinergi.kube.models import Kube, Membership, Status
from sinergi.kube.services import kube_create, kube_transition
from sinergi.mentoring import services
from sinergi.mentoring.models import (
    Assignment,
    AssignmentStatus,
    MatchRun,
    Mentor,
    Organisation,
    Unit,
    UnitLevel,
)
from sinergi.wilayah.models import Region
from tests import samples
from tests.conftest import PASSWORD
from tests.factories import consent_to
from tests.kube.test_services import _heads

_serial = count(1)


@pytest.fixture(autouse=True)
def english() -> Any:
    """Service messages are matched in English here; the pages are tested in both languages."""
    with translation.override("en"):
        yield


def make_active_group(
    officer: User, village: str, business_type: str = "makanan_minuman", name: str = ""
) -> Kube:
    """Six fresh heads of the village's district formed into an active group."""
    block = next(_serial)
    heads = _heads(officer, 6, district=village[:8], start=100 + 6 * block)
    kube, failures = kube_create(
        actor=officer,
        name=name or f"KUBE {block}",
        business_type=business_type,
        village_code=village,
        member_ids=[p.pk for p in heads],
        officers={"ketua": heads[0].pk, "sekretaris": heads[1].pk, "bendahara": heads[2].pk},
    )
    assert failures == []
    # Four eyes: another officer of the same office verifies what this one submitted.
    checker = _checker(officer)
    for step, actor in (
        (Status.SUBMITTED, officer),
        (Status.VERIFIED, checker),
        (Status.ACTIVE, officer),
    ):
        kube_transition(actor=actor, kube_id=kube.pk, to_status=step)
    return kube


def _checker(officer: User) -> User:
    username = f"checker-{officer.username}"
    found = User.objects.filter(username=username).first()
    return found or user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        role=Role.SOCIAL_OFFICER,
        area_code=officer.area_code,
    )


@pytest.fixture
def group_in(officer_bandung: User, officer_bogor: User) -> Callable[..., Kube]:
    def make(village: str, business_type: str = "makanan_minuman", name: str = "") -> Kube:
        officer = officer_bandung if village.startswith("32.73") else officer_bogor
        return make_active_group(officer, village, business_type, name)

    return make


@pytest.fixture
def unit_jabar(db: Any) -> Unit:
    iwapi = Organisation.objects.get(acronym="IWAPI")
    return Unit.objects.create(
        organisation=iwapi,
        level=UnitLevel.PROVINCE,
        name="DPD IWAPI Jawa Barat",
        region=Region.objects.get(code="32"),
    )


@pytest.fixture
def coordinator(make_user: Callable[..., User]) -> User:
    return make_user(Role.PARTNER_COORDINATOR, "32", first_name="Koordinator")


@pytest.fixture
def make_mentor(admin_user: User, unit_jabar: Unit) -> Callable[..., Mentor]:
    def make(
        name: str, regency: str, sectors: list[str], capacity: int = 2, **extra: Any
    ) -> Mentor:
        return services.mentor_save(
            actor=admin_user,
            data=services.MentorData(
                name=name,
                unit_id=unit_jabar.pk,
                base_regency=regency,
                sectors=sectors,
                capacity=capacity,
                **extra,
            ),
        )

    return make


@pytest.fixture
def account_for(make_user: Callable[..., User]) -> Callable[[Mentor], User]:
    def make(mentor: Mentor) -> User:
        user = make_user(Role.MENTOR, mentor.area_code[:2], first_name=mentor.name)
        user.mentor = mentor
        user.save(update_fields=["mentor"])
        return User.objects.get(pk=user.pk)

    return make


@pytest.fixture
def world(group_in, make_mentor, coordinator, account_for) -> dict:
    """One Bandung group mentored by Rina, with a session; one Bogor group waiting."""
    kube = group_in("32.73.01.1001", name="KUBE Mawar")
    rina = make_mentor("Rina", "32.73", ["makanan_minuman"], capacity=1)
    rina_user = account_for(rina)
    offer_and_accept(coordinator, account_for)
    members = list(Membership.objects.filter(kube=kube).values_list("pk", flat=True))
    # The members in the photo consented to it (registry.consent).
    consent_to(m.person for m in Membership.objects.filter(pk__in=members[:3]))
    session = services.session_log(
        actor=rina_user,
        kube_id=kube.pk,
        held_on=timezone.localdate() - timedelta(days=3),
        place="Balai desa",
        topics="Pembukuan",
        present=members[:3],
        photos=[SimpleUploadedFile("foto.png", samples.png())],
        new_items=[
            services.NewItem("Buku kas", "Bendahara", timezone.localdate() - timedelta(days=1))
        ],
    )
    waiting = group_in("32.01.01.1001", "kerajinan", name="KUBE Melati")
    return {"kube": kube, "rina": rina, "mentor": rina_user, "session": session, "waiting": waiting}


def _items(rows: list[tuple[str, str, str]], extra: int = 3) -> dict[str, str]:
    """The session form's action item rows as a browser sends them (a formset)."""
    data = {"items-TOTAL_FORMS": str(max(extra, len(rows))), "items-INITIAL_FORMS": "0"}
    for n, (text, owner, due) in enumerate(rows):
        data |= {
            f"items-{n}-description": text,
            f"items-{n}-owner": owner,
            f"items-{n}-due_on": due,
        }
    return data


def offer_and_accept(
    coordinator: User, account_for: Callable[[Mentor], User], area: str = ""
) -> MatchRun:
    """Run the matcher, send its offers, and have every offered mentor accept."""
    run = services.match_run(actor=coordinator, area=area)
    services.run_send(actor=coordinator, run_id=run.pk)
    for offer in Assignment.objects.filter(run=run, status=AssignmentStatus.OFFERED):
        assert offer.mentor is not None
        services.assignment_respond(
            actor=account_for(offer.mentor), assignment_id=offer.pk, accept=True
        )
    return run
