"""Realistic Indonesian people for demos, tests and benchmarks (Faker ``id_ID``, seeded).

One seed gives the same people every time, so the demo is the same on every machine. Later
modules extend this with households, NIKs and businesses.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from faker import Faker


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    sex: str  # "L" or "P", as on the KTP
    phone: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class PeopleFactory:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.faker = Faker("id_ID")
        self.faker.seed_instance(seed)

    def person(self, sex: str | None = None) -> Person:
        sex = sex or self.random.choice("LP")
        if sex == "L":
            first, last = self.faker.first_name_male(), self.faker.last_name_male()
        else:
            first, last = self.faker.first_name_female(), self.faker.last_name_female()
        return Person(first_name=first, last_name=last, sex=sex, phone=self.phone())

    def phone(self) -> str:
        # Indonesian mobile numbers: 08 + operator prefix + 7-9 digits.
        prefix = self.random.choice(["0811", "0812", "0813", "0821", "0852", "0857", "0878"])
        return prefix + "".join(str(self.random.randrange(10)) for _ in range(8))
