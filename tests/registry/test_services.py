"""Registering households and persons: validation, encryption, scoping, reveal, history."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.http import Http404

from sinergi.accounts.models import User
from sinergi.core import crypto
from sinergi.core.errors import Forbidden, InvalidInput
from sinergi.core.models import AuditEvent
from sinergi.registry import services
from sinergi.registry.models import Household, Person

pytestmark = pytest.mark.django_db


def test_numbers_are_encrypted_hashed_and_masked_at_rest(household_bandung: Household) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM registry_person")
        dump = repr(cursor.fetchall())
        cursor.execute("SELECT * FROM registry_household")
        dump += repr(cursor.fetchall())
        cursor.execute("SELECT * FROM registry_historicalperson")
        dump += repr(cursor.fetchall())
    for secret in ("3273014107900001", "3273011203700001", "3273010101200001"):
        assert secret not in dump
    person = Person.objects.get(name="Siti Aminah")
    assert person.nik_mask == "3273••••••••0001"
    assert person.nik_cipher.startswith(f"{crypto.keyring().active}:")  # the active key id
    assert household_bandung.kk_mask == "3273••••••••0001"


def test_a_nik_can_be_registered_only_once(
    household_bandung: Household, officer_bandung: User
) -> None:
    with pytest.raises(InvalidInput) as info:
        services.person_create(
            actor=officer_bandung,
            household_id=household_bandung.pk,
            nik="3273 0141 0790 0001",
            name="Siti A.",
            sex="P",
            birth_place="",
            birth_date=date(1990, 7, 1),
            relation="anak",
            is_head=False,
        )
    assert info.value.field == "nik"
    assert Person.objects.filter(household=household_bandung).count() == 2


@pytest.mark.parametrize(
    ("kk", "village", "field"),
    [
        ("3273", "3273011001", "kk"),
        ("3273010101200009", "3273019999", "village"),
        ("3273010101200009", "3201012001", "village"),
    ],
)
def test_bad_household_input_changes_nothing(
    officer_bandung: User, kk: str, village: str, field: str
) -> None:
    before = Household.objects.count()
    with pytest.raises(InvalidInput) as info:
        services.household_create(actor=officer_bandung, kk=kk, village_code=village)
    assert info.value.field == field
    assert Household.objects.count() == before


def test_flags_a_nik_whose_date_disagrees(
    household_bandung: Household, officer_bandung: User
) -> None:
    person = services.person_create(
        actor=officer_bandung,
        household_id=household_bandung.pk,
        nik="3273010202100001",
        name="Dedi",
        sex="L",
        birth_place="",
        birth_date=date(2010, 2, 3),
        relation="anak",
        is_head=False,
    )
    assert person.flags == ["nik_date_mismatch"]


def test_reveal_is_logged_with_its_reason(
    household_bandung: Household,
    officer_bandung: User,
    officer_bogor: User,
    facilitator_bandung: User,
) -> None:
    person = Person.objects.get(name="Siti Aminah")
    with pytest.raises(InvalidInput):
        services.identifier_reveal(
            actor=officer_bandung, kind="nik", object_id=person.pk, reason=""
        )
    value = services.identifier_reveal(
        actor=officer_bandung, kind="nik", object_id=person.pk, reason="cek KTP warga"
    )
    assert value == "3273014107900001"
    event = AuditEvent.objects.get(event_type="registry.nik.revealed")
    assert event.actor == officer_bandung and event.reason == "cek KTP warga"
    assert event.area_code == "32.73.01.1001"
    kk = services.identifier_reveal(
        actor=officer_bandung,
        kind="kk",
        object_id=household_bandung.pk,
        reason="cek kartu keluarga",
    )
    assert kk == "3273010101200001"
    # Another regency's officer: the row looks absent; a role without the right: refused.
    with pytest.raises(Http404):
        services.identifier_reveal(
            actor=officer_bogor, kind="nik", object_id=person.pk, reason="ingin tahu saja"
        )
    with pytest.raises(Forbidden):
        services.identifier_reveal(
            actor=facilitator_bandung, kind="nik", object_id=person.pk, reason="ingin tahu saja"
        )
    assert AuditEvent.objects.filter(event_type__endswith="revealed").count() == 2


def test_edits_keep_history_with_the_user(
    household_bandung: Household, officer_bandung: User
) -> None:
    person = Person.objects.get(name="Siti Aminah")
    services.person_update(
        actor=officer_bandung,
        person_id=person.pk,
        name="Siti Aminah Lubis",
        sex="P",
        birth_place="Medan",
        birth_date=date(1990, 7, 1),
        relation="istri",
        is_head=False,
    )
    names = [h.name for h in person.history.order_by("history_date")]
    assert names[0] == "Siti Aminah" and names[-1] == "Siti Aminah Lubis"
    services.household_update(
        actor=officer_bandung,
        household_id=household_bandung.pk,
        village_code="32.73.01.1002",
        address="Baru",
        desil=3,
        desil_date=date(2026, 6, 30),
    )
    assert set(household_bandung.members.values_list("area_code", flat=True)) == {"32.73.01.1002"}


def test_an_officer_cannot_write_outside_its_area(
    household_bogor: Household, officer_bandung: User
) -> None:
    with pytest.raises(Http404):
        services.person_create(
            actor=officer_bandung,
            household_id=household_bogor.pk,
            nik="3201014107900001",
            name="X",
            sex="P",
            birth_place="",
            birth_date=date(1990, 7, 1),
            relation="anak",
            is_head=False,
        )
