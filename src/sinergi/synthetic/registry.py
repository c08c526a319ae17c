"""Synthetic registry rows in the import format: realistic households, valid NIK/KK numbers.

Names are drawn from pools made once by Faker ``id_ID`` (fast enough for millions of rows);
NIK and KK numbers are built from real district codes with correct dates and unique serials.
Optionally a known share of persons is written twice as a *planted duplicate* — an old
spelling of the name, a mistyped NIK, a day/month swap — and the pairs go to a truth file.
Hard negatives are planted too (twins, a father and son with the same name, namesakes in one
village) so a deduplicator that merges them loses precision.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from faker import Faker

from sinergi.engines import wilayah
from sinergi.engines.registry_rows import COLUMNS

_OLD_SPELLINGS = [("u", "oe"), ("j", "dj"), ("c", "tj"), ("kh", "ch"), ("sy", "sj"), ("y", "j")]
_MUHAMMAD = ["Muhammad", "Muhamad", "Mohammad", "Moh.", "M."]


@dataclass
class _Pools:
    male: list[str]
    female: list[str]
    last_male: list[str]
    last_female: list[str]
    places: list[str]


def _pools(seed: int) -> _Pools:
    faker = Faker("id_ID")
    faker.seed_instance(seed)
    return _Pools(
        male=sorted({faker.first_name_male() for _ in range(3000)}),
        female=sorted({faker.first_name_female() for _ in range(3000)}),
        last_male=sorted({faker.last_name_male() for _ in range(2000)}),
        last_female=sorted({faker.last_name_female() for _ in range(2000)}),
        places=sorted({faker.city_name() for _ in range(400)}),
    )


def _plausible(nik: str) -> bool:
    """The slip must still look like a NIK (a real day and month), as clerks' slips do."""
    day, month = int(nik[6:8]), int(nik[8:10])
    return (1 <= day <= 28 or 41 <= day <= 68) and 1 <= month <= 12


class RegistryGenerator:
    """Deterministic for a seed: the same households, persons and duplicates every run."""

    def __init__(
        self, seed: int = 1, *, duplicate_share: float = 0.0, areas: list[str] | None = None
    ) -> None:
        self.rand = random.Random(seed)
        self.pools = _pools(seed)
        self.duplicate_share = duplicate_share
        index = wilayah.default_index()
        villages = [
            r.code
            for r in wilayah.read_records()
            if r.level == wilayah.Level.VILLAGE
            and (areas is None or any(wilayah.in_area(r.code, a) for a in areas))
        ]
        self.villages = villages
        self.index = index
        self._serials: dict[str, int] = {}
        self._next_id = 0
        self.issued: set[str] = set()
        self.truth: list[tuple[str, str]] = []
        self.today = date(2026, 6, 30)

    # numbers -----------------------------------------------------------------
    def _serial(self, key: str) -> str:
        n = self._serials.get(key, 0) + 1
        self._serials[key] = n
        return f"{n:04d}"

    def nik(self, district: str, birth: date, sex: str) -> str:
        day = birth.day + (40 if sex == "P" else 0)
        prefix = district.replace(".", "") + f"{day:02d}{birth.month:02d}{birth.year % 100:02d}"
        number = prefix + self._serial(prefix)
        self.issued.add(number)
        return number

    def kk(self, district: str) -> str:
        issued = date(2010, 1, 1) + timedelta(days=self.rand.randrange(5000))
        prefix = district.replace(".", "") + issued.strftime("%d%m%y")
        return prefix + self._serial("kk" + prefix)

    def _id(self) -> str:
        self._next_id += 1
        return f"S{self._next_id:09d}"

    def _birth(self, min_age: int, max_age: int) -> date:
        days = self.rand.randrange(min_age * 365, max_age * 365)
        return self.today - timedelta(days=days)

    def _name(self, sex: str, last: str | None = None) -> str:
        p = self.pools
        first = self.rand.choice(p.male if sex == "L" else p.female)
        if sex == "L" and self.rand.random() < 0.08:
            first = f"{self.rand.choice(_MUHAMMAD)} {first}"
        if sex == "P" and self.rand.random() < 0.06:
            first = f"Siti {first}"
        last = last or self.rand.choice(p.last_male if sex == "L" else p.last_female)
        return f"{first} {last}"

    def _phone(self) -> str:
        return (
            "08"
            + self.rand.choice(["11", "12", "13", "21", "52", "57", "78"])
            + "".join(str(self.rand.randrange(10)) for _ in range(8))
        )

    # households --------------------------------------------------------------
    def household(self) -> list[list[str]]:
        """One family card: head, maybe spouse, children, maybe a parent."""
        rand = self.rand
        village = rand.choice(self.villages)
        district = village.rsplit(".", 1)[0]
        kk = self.kk(district)
        address = f"Jl. {rand.choice(self.pools.places)} No. {rand.randrange(1, 200)}"
        desil = str(rand.choices(range(1, 11), weights=[16, 15, 14, 12, 10, 9, 8, 6, 5, 5])[0])
        desil_date = rand.choice(["2026-03-31", "2025-12-31", "2025-09-30"])
        members: list[tuple[str, str, date, str, bool]] = []
        head_sex = "L" if rand.random() < 0.85 else "P"
        head_last = rand.choice(self.pools.last_male)
        head_birth = self._birth(22, 70)
        members.append(
            (
                self._name(head_sex, head_last if head_sex == "L" else None),
                head_sex,
                head_birth,
                "kepala",
                True,
            )
        )
        if head_sex == "L" and rand.random() < 0.85:
            members.append((self._name("P"), "P", self._birth(20, 65), "istri", False))
        n_children = rand.choices(range(0, 6), weights=[10, 20, 30, 22, 12, 6])[0]
        youngest_parent = min(m[2] for m in members)
        twins = rand.random() < 0.02 and n_children >= 2
        twin_birth = None
        for i in range(n_children):
            sex = rand.choice("LP")
            span = max(1, (self.today - youngest_parent).days // 365 - 18)
            birth = self._birth(0, min(span, 30) + 1)
            if twins and i < 2:
                twin_birth = twin_birth or birth
                birth = twin_birth  # twins: same KK, same birth date, different people
            name = self._name(sex, head_last if sex == "L" else None)
            if sex == "L" and i == 0 and rand.random() < 0.03:
                name = members[0][0]  # a son named after his father (different birth date)
            members.append((name, sex, birth, "anak", False))
        if rand.random() < 0.08:
            sex = rand.choice("LP")
            members.append((self._name(sex), sex, self._birth(65, 90), "orang_tua", False))
        rows = []
        for name, sex, birth, relation, is_head in members:
            rows.append(
                [
                    self._id(),
                    kk,
                    self.nik(district, birth, sex),
                    name,
                    sex,
                    rand.choice(self.pools.places),
                    birth.isoformat(),
                    relation,
                    "1" if is_head else "0",
                    address,
                    village,
                    desil,
                    desil_date,
                    self._phone() if is_head else "",
                ]
            )
        return rows

    # planted duplicates ------------------------------------------------------
    def _respell(self, name: str) -> str:
        words = name.split()
        if words[0] in _MUHAMMAD:
            words[0] = self.rand.choice([m for m in _MUHAMMAD if m != words[0]])
            return " ".join(words)
        for new, old in self.rand.sample(_OLD_SPELLINGS, len(_OLD_SPELLINGS)):
            if new in name.lower():
                i = name.lower().index(new)
                out = (
                    name[:i]
                    + (old.capitalize() if name[i].isupper() else old)
                    + name[i + len(new) :]
                )
                return out
        if len(words) > 1 and self.rand.random() < 0.5:
            return " ".join(words[:-1])  # last name dropped by the data-entry clerk
        return name + "h" if not name.endswith("h") else name[:-1]

    def _mistype_nik(self, nik: str) -> str:
        """A typing slip: two neighbouring digits swapped, or one digit wrong; never a NIK
        that belongs to someone else, never the 0000 serial."""
        for _ in range(50):
            digits = list(nik)
            swaps = [i for i in range(15) if digits[i] != digits[i + 1]]
            if swaps and self.rand.random() < 0.4:
                i = self.rand.choice(swaps)
                digits[i], digits[i + 1] = digits[i + 1], digits[i]
            else:
                i = self.rand.randrange(6, 16)
                digits[i] = str((int(digits[i]) + self.rand.randrange(1, 10)) % 10)
            out = "".join(digits)
            if out[12:] != "0000" and out not in self.issued and _plausible(out):
                self.issued.add(out)
                return out
        return nik

    def duplicate_of(self, row: list[str]) -> list[str]:
        dup = list(row)
        dup[0] = self._id()
        kind = self.rand.random()
        if kind < 0.35:
            dup[3] = self._respell(row[3])  # same NIK, other spelling
        elif kind < 0.7:
            dup[2] = self._mistype_nik(row[2])  # same person, NIK typed wrong
        else:
            dup[2] = self._mistype_nik(row[2])
            dup[3] = self._respell(row[3])
            birth = date.fromisoformat(row[6])
            if birth.day <= 12 and birth.day != birth.month:
                dup[6] = date(birth.year, birth.day, birth.month).isoformat()  # day/month swap
        dup[13] = ""
        self.truth.append((min(row[0], dup[0]), max(row[0], dup[0])))
        return dup

    def rows(self, households: int) -> Iterator[list[str]]:
        for _ in range(households):
            for row in self.household():
                yield row
                if self.duplicate_share and self.rand.random() < self.duplicate_share:
                    yield self.duplicate_of(row)


def write_registry(
    path: Path,
    *,
    households: int,
    seed: int,
    duplicate_share: float = 0.0,
    truth_path: Path | None = None,
    areas: list[str] | None = None,
) -> int:
    """Write a CSV in the import format; returns the number of person rows."""
    generator = RegistryGenerator(seed, duplicate_share=duplicate_share, areas=areas)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for row in generator.rows(households):
            writer.writerow(row)
            count += 1
    if truth_path is not None:
        with truth_path.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["id_a", "id_b"])
            writer.writerows(sorted(generator.truth))
    return count


def registry_file(rows: int, *, seed: int = 42) -> Path:
    """A cached import file of exactly ``rows`` persons (benchmarks share it between runs)."""
    import tempfile

    path = Path(tempfile.gettempdir()) / f"sinergi-bench-{rows}-{seed}.csv"
    if path.exists():
        return path
    full = path.with_suffix(".full")
    # About four persons a household: ask for enough households, then cut at N rows.
    write_registry(full, households=rows // 4 + 10, seed=seed)
    with full.open() as src, path.open("w") as out:
        for i, line in enumerate(src):
            if i > rows:
                break
            out.write(line)
    full.unlink()
    return path
