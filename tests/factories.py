"""factory_boy factories for the main models, in Kota Bandung (32.73) unless told otherwise.

They build rows the way the services store them (encrypted KK/NIK through the registry's own
``protect_*``, area codes from the region), without the services' rules and audit events: use
them to set up a situation, and the services for the step under test.

    officer = UserFactory(role=Role.SOCIAL_OFFICER, area_code="32.73")
    kube = KubeFactory(status=Status.ACTIVE)             # in 32.73.01.1001
    person = PersonFactory(household__village_code="32.01.01.1001")
"""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.aid.models import AmountRule, Cycle, Programme, Proposal
from sinergi.kube.models import BusinessType, Kube
from sinergi.market.models import Category, Demand, Order, Product
from sinergi.mentoring.models import Mentor, Organisation, Unit, UnitLevel
from sinergi.registry.models import (
    PURPOSE_CATEGORY,
    ConsentGiver,
    ConsentPurpose,
    ConsentRecord,
    Household,
    Person,
)
from sinergi.registry.services import protect_kk, protect_nik
from sinergi.wilayah.models import Region

PASSWORD = "uji-sandi-panjang-2026"
VILLAGE = "32.73.01.1001"  # Sukarasa, Sukasari, Kota Bandung


def region(code: str) -> Region:
    return Region.objects.get(code=code, retired=False)


class UserFactory(DjangoModelFactory[User]):
    """A user with a role (its permission group) and an area code (None: the nation)."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"pengguna{n}")
    role = Role.SOCIAL_OFFICER
    area_code: Any = "32.73"
    first_name = factory.Faker("first_name", locale="id_ID")

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        from sinergi.accounts.services import user_create

        return user_create(actor=None, password=PASSWORD, **kwargs)


class HouseholdFactory(DjangoModelFactory[Household]):
    class Meta:
        model = Household
        exclude = ("village_code",)

    kk = factory.Sequence(lambda n: f"3273010101{n:06d}")
    village_code = VILLAGE
    village = factory.LazyAttribute(lambda o: region(o.village_code))
    area_code = factory.LazyAttribute(lambda o: o.village.code)
    address = factory.Faker("street_address", locale="id_ID")
    desil = 2
    desil_date = datetime.date(2026, 3, 31)

    @classmethod
    def _create(cls, model_class: type[Household], *args: Any, **kwargs: Any) -> Household:
        return super()._create(model_class, *args, **protect_kk(kwargs.pop("kk")), **kwargs)


class PersonFactory(DjangoModelFactory[Person]):
    """A person whose NIK encodes their district, birth date and sex, as a real one does."""

    class Meta:
        model = Person

    household = factory.SubFactory(HouseholdFactory)
    area_code = factory.SelfAttribute("household.area_code")
    name = factory.Faker("name", locale="id_ID")
    sex = "L"
    birth_place = "Bandung"
    birth_date = datetime.date(1985, 6, 15)
    relation = "kepala"
    is_head = True
    serial = factory.Sequence(lambda n: n % 10_000)

    @classmethod
    def _create(cls, model_class: type[Person], *args: Any, **kwargs: Any) -> Person:
        district = kwargs["household"].area_code.replace(".", "")[:6]
        born: datetime.date = kwargs["birth_date"]
        day = born.day + (40 if kwargs["sex"] == "P" else 0)
        nik = f"{district}{day:02d}{born:%m%y}{kwargs.pop('serial') + 1:04d}"
        return super()._create(model_class, *args, **protect_nik(nik), **kwargs)


class BusinessTypeFactory(DjangoModelFactory[BusinessType]):
    class Meta:
        model = BusinessType
        django_get_or_create = ("code",)

    code = "warung"
    name = "Warung"


class KubeFactory(DjangoModelFactory[Kube]):
    """A group (no members: add them with ``kube.memberships``)."""

    class Meta:
        model = Kube
        exclude = ("village_code",)

    name = factory.Sequence(lambda n: f"KUBE Mawar {n}")
    business_type = factory.SubFactory(BusinessTypeFactory)
    village_code = VILLAGE
    village = factory.LazyAttribute(lambda o: region(o.village_code))
    area_code = factory.LazyAttribute(lambda o: o.village.code)


class ProgrammeFactory(DjangoModelFactory[Programme]):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Bantuan Stimulan {n}")
    year = 2026
    funding_source = "apbn"
    amount_rule = AmountRule.PER_MEMBER
    amount = 2_000_000
    cap = 20_000_000
    budget_ceiling = 100_000_000


class CycleFactory(DjangoModelFactory[Cycle]):
    class Meta:
        model = Cycle

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 1)


class ProposalFactory(DjangoModelFactory[Proposal]):
    class Meta:
        model = Proposal

    cycle = factory.SubFactory(CycleFactory)
    kube = factory.SubFactory(KubeFactory)
    area_code = factory.SelfAttribute("kube.area_code")
    member_count = 6
    amount = 12_000_000


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Ikatan Wanita Pengusaha {n}")
    acronym = factory.Sequence(lambda n: f"IWP{n}")


class UnitFactory(DjangoModelFactory[Unit]):
    class Meta:
        model = Unit
        exclude = ("region_code",)

    organisation = factory.SubFactory(OrganisationFactory)
    level = UnitLevel.REGENCY
    name = factory.Sequence(lambda n: f"DPC Kota Bandung {n}")
    region_code = "32.73"
    region = factory.LazyAttribute(lambda o: region(o.region_code))


class MentorFactory(DjangoModelFactory[Mentor]):
    class Meta:
        model = Mentor
        exclude = ("regency_code",)

    unit = factory.SubFactory(UnitFactory)
    name = factory.Faker("name", locale="id_ID")
    regency_code = "32.73"
    base_regency = factory.LazyAttribute(lambda o: region(o.regency_code))

    @factory.post_generation
    def sectors(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.sectors.set(extracted or [BusinessTypeFactory()])  # type: ignore[attr-defined]


class CategoryFactory(DjangoModelFactory[Category]):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = "makanan_ringan"
    name = "Makanan ringan"


class ProductFactory(DjangoModelFactory[Product]):
    class Meta:
        model = Product

    kube = factory.SubFactory(KubeFactory)
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Keripik {n}")
    unit = "kg"
    price = 20_000
    available = 10


class DemandFactory(DjangoModelFactory[Demand]):
    class Meta:
        model = Demand
        exclude = ("regency_code_in",)

    buyer = factory.SubFactory(UserFactory, role=Role.BUYER, area_code=None)
    category = factory.SubFactory(CategoryFactory)
    quantity = 50
    unit = "kg"
    regency_code_in = "32.73"
    regency = factory.LazyAttribute(lambda o: region(o.regency_code_in))
    regency_code = factory.SelfAttribute("regency.code")
    latest_date = datetime.date(2026, 12, 31)
    max_price = 25_000
    min_lot = 10


class OrderFactory(DjangoModelFactory[Order]):
    class Meta:
        model = Order

    demand = factory.SubFactory(DemandFactory)
    strategy = "nearest"


class ConsentFactory(DjangoModelFactory[ConsentRecord]):
    """A current consent for a purpose (photos by default); a child's given by a guardian."""

    class Meta:
        model = ConsentRecord

    person = factory.SubFactory(PersonFactory)
    purpose = ConsentPurpose.MENTORING_PHOTO
    category = factory.LazyAttribute(lambda o: PURPOSE_CATEGORY[ConsentPurpose(o.purpose)])
    notice_version = "2024-10"
    given_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(minutes=1))
    given_by = ConsentGiver.SELF


def consent_to(persons: Any, purpose: str = ConsentPurpose.MENTORING_PHOTO) -> None:
    """Each of ``persons`` consented to ``purpose`` (a child through a guardian)."""
    from sinergi.registry.consent import is_child

    for person in persons:
        child = is_child(person)
        ConsentFactory(
            person=person,
            purpose=purpose,
            given_by=ConsentGiver.GUARDIAN if child else ConsentGiver.SELF,
            guardian_name="Ibu Wali" if child else "",
        )
