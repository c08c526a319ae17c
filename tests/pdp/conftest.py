from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.db.models.functions import Cast

from sinergi.accounts.models import User
from sinergi.core import crypto
from sinergi.registry import services as registry
from sinergi.registry.models import Person

NAME = "Zulkarnaen Purbawisesa"
BIRTH = datetime.date(1971, 2, 3)


def nik_of(person: Person) -> str:
    return crypto.decrypt(person.nik_cipher, field="nik")


def kk_of(person: Person) -> str:
    return crypto.decrypt(person.household.kk_cipher, field="kk")


@pytest.fixture
def subject(officer_bandung: User) -> Person:
    """A person entered through the registry's services (so audit events and row history
    hold their data), in a household of their own in Kota Bandung."""
    household = registry.household_create(
        actor=officer_bandung,
        kk="3273010101719901",
        village_code="3273011001",
        address="Jl. Purbawisesa 7",
        desil=2,
        desil_date=datetime.date(2026, 3, 31),
    )
    return registry.person_create(
        actor=officer_bandung,
        household_id=household.pk,
        nik="3273010302710001",
        name=NAME,
        sex="L",
        birth_place="Garut",
        birth_date=BIRTH,
        relation="kepala",
        is_head=True,
        phone="081299887766",
    )


def occurrences(texts: list[str], day: datetime.date | None = None) -> list[str]:
    """Every (table.column) of every model holding one of ``texts`` in a text or JSON column,
    or ``day`` in a date column: a scan of the whole database, history tables included."""
    hits: list[str] = []
    texts = [t for t in texts if t]
    for model in apps.get_models():
        meta = model._meta
        if not meta.managed or meta.proxy:
            continue
        for field in meta.concrete_fields:
            qs: Any = model._base_manager.all()
            if isinstance(field, models.CharField | models.TextField):
                column = field.name
            elif isinstance(field, models.JSONField):
                column = "_as_text"
                qs = qs.annotate(_as_text=Cast(field.name, models.TextField()))
            elif (
                day is not None
                and isinstance(field, models.DateField)
                and not isinstance(field, models.DateTimeField)
            ):
                if qs.filter(**{field.name: day}).exists():
                    hits.append(f"{meta.db_table}.{field.column} = {day}")
                continue
            else:
                continue
            for text in texts:
                if qs.filter(**{f"{column}__contains": text}).exists():
                    hits.append(f"{meta.db_table}.{field.column} ∋ {text}")
    return hits
