"""The demo: one login per role, in a few real areas, always the same (fixed seed)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.accounts.services import user_create
from sinergi.synthetic.people import PeopleFactory

DEMO_SEED = 2026
DEMO_PASSWORD = "sinergi-demo-2026"  # noqa: S105  # printed on the console on purpose


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    area_code: str | None
    organisation: str = ""
    is_staff: bool = False


# Jawa Barat (32) is the demo province: Kota Bandung (32.73) and Kabupaten Bogor (32.01), so
# scoping between two regencies of one province can be seen; Jawa Tengah (33) is the outsider.
DEMO_LOGINS = [
    DemoLogin("admin", Role.NATIONAL_ADMIN, None, "Kemensos", is_staff=True),
    DemoLogin("dinsos.jabar", Role.SOCIAL_OFFICER, "32", "Dinas Sosial Provinsi Jawa Barat"),
    DemoLogin("dinsos.bandung", Role.SOCIAL_OFFICER, "32.73", "Dinas Sosial Kota Bandung"),
    DemoLogin("dinsos.bogor", Role.SOCIAL_OFFICER, "32.01", "Dinas Sosial Kabupaten Bogor"),
    DemoLogin("dinsos.jateng", Role.SOCIAL_OFFICER, "33", "Dinas Sosial Provinsi Jawa Tengah"),
    DemoLogin("pendamping.bandung", Role.FACILITATOR, "32.73", "Kemensos"),
    DemoLogin("iwapi.jabar", Role.PARTNER_COORDINATOR, "32", "IWAPI DPD Jawa Barat"),
    DemoLogin("mentor.bandung", Role.MENTOR, "32.73", "IWAPI DPC Kota Bandung"),
    DemoLogin("pembeli", Role.BUYER, None, "CV Berkah Nusantara"),
    DemoLogin("kube.bandung", Role.KUBE_OFFICER, "32.73", "KUBE Mawar Sukarasa"),
    DemoLogin("auditor", Role.AUDITOR, None, "Inspektorat Jenderal Kemensos"),
]


@transaction.atomic
def seed_demo(seed: int = DEMO_SEED) -> list[DemoLogin]:
    """Create the demo users that do not exist yet (idempotent); returns every demo login."""
    people = PeopleFactory(seed)
    for login in DEMO_LOGINS:
        person = people.person()  # drawn for every login so names never shift between runs
        if User.objects.filter(username=login.username).exists():
            continue
        user = user_create(
            actor=None,
            username=login.username,
            password=DEMO_PASSWORD,
            role=login.role,
            area_code=login.area_code,
            first_name=person.first_name,
            last_name=person.last_name,
            email=f"{login.username}@demo.sinergi.id",
            is_staff=login.is_staff,
            organisation=login.organisation,
        )
        User.objects.filter(pk=user.pk).update(phone=person.phone)
    return DEMO_LOGINS
