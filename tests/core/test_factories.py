"""tests/factories.py builds rows the app reads as its own: scoped lists find them in their area
and not outside, the registry decrypts what the factory encrypted."""

from __future__ import annotations

import pytest

from sinergi.accounts.roles import Role
from sinergi.kube.selectors import kube_list
from sinergi.market.selectors import order_list
from sinergi.mentoring.selectors import mentor_list
from sinergi.registry.selectors import household_list
from tests.factories import (
    HouseholdFactory,
    KubeFactory,
    MentorFactory,
    OrderFactory,
    PersonFactory,
    ProductFactory,
    ProposalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_factories_build_rows_the_scoped_reads_find_in_their_area_only() -> None:
    bandung = UserFactory(role=Role.SOCIAL_OFFICER, area_code="32.73")
    bogor = UserFactory(role=Role.SOCIAL_OFFICER, area_code="32.01")
    kube = KubeFactory()
    household = HouseholdFactory()
    far_household = HouseholdFactory(village_code="32.01.01.1001")

    assert list(kube_list(actor=bandung)) == [kube] and not kube_list(actor=bogor).exists()
    assert set(household_list(actor=bandung)) == {household}
    assert set(household_list(actor=bogor)) == {far_household}
    assert bandung.area_code == "32.73" and bandung.check_password("uji-sandi-panjang-2026")


def test_person_nik_is_encrypted_like_the_registry_does_it() -> None:
    from sinergi.core.crypto import decrypt

    person = PersonFactory(sex="P", household__village_code="32.01.01.1001")
    nik = decrypt(person.nik_cipher, field="nik")
    # District 32.01.01, born 15 June 1985, a woman (day + 40).
    assert nik.startswith("320101550685") and len(nik) == 16
    assert person.area_code == "32.01.01.1001" and person.nik_mask.endswith(nik[-4:])


def test_domain_factories_link_up() -> None:
    proposal = ProposalFactory()
    product = ProductFactory(kube=proposal.kube)
    mentor = MentorFactory()
    order = OrderFactory()
    assert proposal.area_code == product.kube.area_code == "32.73.01.1001"
    admin = UserFactory(role=Role.NATIONAL_ADMIN, area_code=None)
    assert mentor in set(mentor_list(admin)) and mentor.sectors.count() == 1
    assert order in set(order_list(order.demand.buyer))
