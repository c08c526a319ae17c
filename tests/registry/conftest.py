from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.engines.registry_rows import COLUMNS
from sinergi.registry import services
from sinergi.registry.models import Household


@pytest.fixture
def household_bandung(officer_bandung: User) -> Household:
    household = services.household_create(
        actor=officer_bandung,
        kk="3273010101200001",
        village_code="3273011001",
        address="Jl. Sukasari 1",
        desil=2,
        desil_date=date(2026, 3, 31),
    )
    services.person_create(
        actor=officer_bandung,
        household_id=household.pk,
        nik="3273011203700001",
        name="Asep Sunandar",
        sex="L",
        birth_place="Bandung",
        birth_date=date(1970, 3, 12),
        relation="kepala",
        is_head=True,
        phone="081234567890",
    )
    services.person_create(
        actor=officer_bandung,
        household_id=household.pk,
        nik="3273014107900001",
        name="Siti Aminah",
        sex="P",
        birth_place="Bandung",
        birth_date=date(1990, 7, 1),
        relation="istri",
        is_head=False,
    )
    return household


@pytest.fixture
def household_bogor(officer_bogor: User) -> Household:
    household = services.household_create(
        actor=officer_bogor,
        kk="3201010101200001",
        village_code="32.01.01.1001",
        desil=1,
        desil_date=date(2026, 3, 31),
    )
    services.person_create(
        actor=officer_bogor,
        household_id=household.pk,
        nik="3201010505850001",
        name="Ujang Suparman",
        sex="L",
        birth_place="Bogor",
        birth_date=date(1985, 5, 5),
        relation="kepala",
        is_head=True,
    )
    return household


@pytest.fixture
def partners(make_user: Callable[..., User]) -> list[User]:
    return [
        make_user(Role.PARTNER_COORDINATOR, "32"),
        make_user(Role.MENTOR, "32.73"),
        make_user(Role.BUYER, None),
    ]


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    import csv

    def write(
        rows: list[list[Any]], name: str = "impor.csv", header: list[str] | None = None
    ) -> Path:
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(header or COLUMNS)
            writer.writerows(rows)
        return path

    return write
