"""The demo: one login per role, in a few real areas, always the same (fixed seed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


DEMO_AREAS = ["32.73", "32.01", "33.74"]
BAD_ROWS = [
    # A few rows with the mistakes district offices really send, for the demo's report.
    [
        "B1",
        "3273010101200001",
        "3273011234560001",
        "Asep Sunandar",
        "L",
        "Bandung",
        "1956-34-12",
        "kepala",
        "1",
        "Jl. Sukasari 1",
        "32.73.01.1001",
        "2",
        "2026-03-31",
        "",
    ],
    [
        "B2",
        "3273010101200001",
        "99730141079000",
        "Siti Aminah",
        "P",
        "Bandung",
        "1990-07-01",
        "istri",
        "0",
        "Jl. Sukasari 1",
        "32.73.01.1001",
        "2",
        "2026-03-31",
        "",
    ],
    [
        "B3",
        "3273010101200002",
        "3273014107900002",
        "Dewi",
        "X",
        "Bandung",
        "01/07/1990",
        "ibu",
        "ya",
        "Jl. Sukasari 2",
        "32.73.01.9999",
        "12",
        "",
        "12345",
    ],
    [
        "B4",
        "3273010101200003",
        "3273010505850003",
        "Ujang Suparman",
        "L",
        "Bandung",
        "05-05-1985",
        "kepala",
        "1",
        "Jl. Sukasari 3",
        "32.01.01.2001",
        "3",
        "2026-03-31",
        "+62 812-3456-7890",
    ],
]


def seed_registry(seed: int = DEMO_SEED, households: int = 400) -> dict[str, int]:
    """Import synthetic households through the real pipeline, then leave one checked file
    with bad rows for the Kota Bandung officer to look at. Idempotent."""
    import csv
    import tempfile
    from pathlib import Path

    from sinergi.engines.registry_rows import COLUMNS
    from sinergi.registry.dedupe import dedupe_scan
    from sinergi.registry.imports import import_check, import_commit, import_create
    from sinergi.registry.models import Household
    from sinergi.synthetic.registry import write_registry

    if Household.objects.exists():
        return {"households": Household.objects.count()}
    admin = User.objects.get(username="admin")
    officer = User.objects.get(username="dinsos.bandung")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dtsen-demo.csv"
        write_registry(
            path, households=households, seed=seed, duplicate_share=0.03, areas=DEMO_AREAS
        )
        batch = import_create(actor=admin, source=path, file_name="dtsen-demo-2026q1.csv")
        import_check(batch.pk)
        import_commit(batch.pk)
        bad = Path(tmp) / "kecamatan-sukasari.csv"
        with bad.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            writer.writerows(BAD_ROWS)
        import_check(import_create(actor=officer, source=bad, file_name=bad.name).pk)
    candidates = dedupe_scan()
    return {"households": Household.objects.count(), "candidates": candidates}


KUBE_DISTRICTS = {"dinsos.bandung": "32.73.01", "dinsos.bogor": "32.01.01"}
KUBE_PLACES = {"32.73.01": "Sukasari", "32.01.01": "Cibinong"}
KUBE_NAMES = [
    "KUBE Mawar",
    "KUBE Melati",
    "KUBE Anggrek",
    "KUBE Kenanga",
    "KUBE Dahlia",
    "KUBE Cempaka",
    "KUBE Teratai",
]


def seed_kube(seed: int = DEMO_SEED) -> dict[str, int]:
    """Groups in every state, formed from registry heads through the real services."""
    import csv
    import tempfile
    from datetime import timedelta
    from pathlib import Path

    from django.utils import timezone

    from sinergi.engines.eligibility import age_on
    from sinergi.engines.registry_rows import COLUMNS
    from sinergi.kube.models import Kube, Status
    from sinergi.kube.services import kube_create, kube_transition
    from sinergi.registry.imports import import_check, import_create
    from sinergi.registry.models import Person
    from sinergi.synthetic.registry import RegistryGenerator

    if Kube.objects.exists():
        return {"kube": Kube.objects.count()}
    today = timezone.localdate()
    plan = [
        (Status.ACTIVE, ""),
        (Status.VERIFIED, ""),
        (Status.SUBMITTED, ""),
        (Status.DRAFT, ""),
        (Status.DISSOLVED, "Anggota pindah domisili"),
        (Status.GRADUATED, "Usaha mandiri"),
    ]
    made = 0
    for username, district in KUBE_DISTRICTS.items():
        officer = User.objects.get(username=username)
        generator = RegistryGenerator(seed + len(district), areas=[district])
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"kube-{district}.csv"
            with path.open("w", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(COLUMNS)
                for row in generator.rows(90):
                    row[11], row[12] = str(1 + int(row[11]) % 4), today.isoformat()
                    writer.writerow(row)
            import_check(
                import_create(actor=officer, source=path, file_name=path.name).pk, commit=True
            )
        heads = [
            p
            for p in Person.objects.filter(area_code__startswith=district + ".", is_head=True)
            .select_related("household")
            .order_by("id")
            if 18 <= age_on(p.birth_date, today) <= 60
            and p.household.desil is not None
            and p.household.desil <= 4
            and p.household.desil_date is not None
            and p.household.desil_date >= today - timedelta(days=365)
        ]
        for i, (target, reason) in enumerate(plan[: len(heads) // 6]):
            group = heads[i * 6 : i * 6 + 6]
            kube, _failures = kube_create(
                actor=officer,
                name=f"{KUBE_NAMES[i]} {KUBE_PLACES[district]}",
                business_type=[
                    "makanan_minuman",
                    "kerajinan",
                    "jasa",
                    "pertanian",
                    "peternakan",
                    "kerajinan",
                ][i],
                village_code=group[0].area_code,
                member_ids=[p.pk for p in group],
                officers={
                    "ketua": group[0].pk,
                    "sekretaris": group[1].pk,
                    "bendahara": group[2].pk,
                },
                bank_name="BRI",
                bank_account=f"0123-01-{100000 + i:06d}-50-{i}",
                bank_account_holder=f"{KUBE_NAMES[i]} {KUBE_PLACES[district]}",
            )
            path_to = {
                Status.DRAFT: [],
                Status.SUBMITTED: [Status.SUBMITTED],
                Status.VERIFIED: [Status.SUBMITTED, Status.VERIFIED],
                Status.ACTIVE: [Status.SUBMITTED, Status.VERIFIED, Status.ACTIVE],
                Status.GRADUATED: [
                    Status.SUBMITTED,
                    Status.VERIFIED,
                    Status.ACTIVE,
                    Status.GRADUATED,
                ],
                Status.DISSOLVED: [Status.DISSOLVED],
            }[target]
            for step in path_to:
                kube_transition(actor=officer, kube_id=kube.pk, to_status=step, reason=reason)
            if target == Status.ACTIVE and district == "32.73.01":
                # The demo's KUBE officer is the ketua's account of this group.
                User.objects.filter(username="kube.bandung").update(kube=kube)
            made += 1
    return {"kube": made}


def seed_aid() -> dict[str, int]:
    """A programme with an approved cycle and a running one, through the real services."""
    from sinergi.aid.models import AmountRule, Cycle, Programme
    from sinergi.aid.services import cycle_approve, proposal_create, proposal_recommend
    from sinergi.kube.models import Kube, Status

    if Programme.objects.exists():
        return {"programmes": Programme.objects.count()}
    programme = Programme.objects.create(
        name="Bantuan Stimulan UEP KUBE",
        year=2026,
        funding_source="apbn",
        amount_rule=AmountRule.PER_MEMBER,
        amount=2_000_000,
        cap=20_000_000,
        budget_ceiling=500_000_000,
    )
    first = Cycle.objects.create(programme=programme, number=1)
    second = Cycle.objects.create(programme=programme, number=2)
    province = User.objects.get(username="dinsos.jabar")
    proposers = {
        "32.73": User.objects.get(username="dinsos.bandung"),
        "32.01": User.objects.get(username="dinsos.bogor"),
    }
    # Cycle 1: every active group proposed and recommended, then approved by the centre.
    # Cycle 2 (running): verified groups proposed; Bandung's recommended, Bogor's waiting.
    for status, cycle in [(Status.ACTIVE, first), (Status.VERIFIED, second)]:
        for kube in Kube.objects.filter(status=status).order_by("id"):
            proposal = proposal_create(
                actor=proposers[kube.area_code[:5]], cycle_id=cycle.pk, kube_id=kube.pk
            )
            if cycle is first or kube.area_code.startswith("32.73"):
                proposal_recommend(actor=province, proposal_id=proposal.pk)
    cycle_approve(actor=User.objects.get(username="admin"), cycle_id=first.pk)
    from datetime import timedelta

    from django.utils import timezone

    from sinergi.aid.models import Proposal
    from sinergi.aid.services import disbursement_record
    from sinergi.kube.services import iks_record

    today = timezone.localdate()
    for i, proposal in enumerate(Proposal.objects.filter(cycle=first).select_related("kube")):
        officer = proposers[proposal.area_code[:5]]
        disbursement_record(
            actor=officer,
            proposal_id=proposal.pk,
            amount=proposal.amount,
            day=today - timedelta(days=60),
            reference=f"BRI-2026-{i + 1:05d}",
        )
        iks_record(
            actor=officer,
            kube_id=proposal.kube_id,
            kind="contribution",
            amount=150_000,
            day=today - timedelta(days=20),
            profit=1_500_000,
            note="Iuran bulan lalu",
        )
        iks_record(
            actor=officer,
            kube_id=proposal.kube_id,
            kind="withdrawal",
            amount=50_000,
            day=today - timedelta(days=5),
            note="Santunan anggota sakit",
        )
    seed_lpj(first)
    return {"programmes": 1, "cycles": 2, "disbursed": i + 1}


# The smallest valid PNG (1x1 px): a stand-in photo of a receipt for the demo's LPJ.
RECEIPT_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000200d5d3a7c90000000049454e44ae426082"
)


def seed_lpj(cycle: Any) -> None:
    """The Bandung group's officer reports how the aid was spent; the facilitator accepts."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from sinergi.aid.models import Proposal
    from sinergi.aid.services import lpj_add_item, lpj_check, lpj_submit

    ketua = User.objects.get(username="kube.bandung")
    proposal = Proposal.objects.filter(cycle=cycle, kube_id=ketua.kube_id).first()
    if proposal is None:
        return
    today = timezone.localdate()
    items = [
        ("Mesin jahit portable", proposal.amount * 2 // 3),
        ("Kain dan benang", proposal.amount - proposal.amount * 2 // 3),
    ]
    for n, (what, amount) in enumerate(items):
        lpj_add_item(
            actor=ketua,
            proposal_id=proposal.pk,
            description=what,
            amount=amount,
            day=today - timedelta(days=40 - n),
            receipt=SimpleUploadedFile(f"nota-{n + 1}.png", RECEIPT_PNG),
        )
    lpj_submit(actor=ketua, proposal_id=proposal.pk)
    lpj_check(
        actor=User.objects.get(username="pendamping.bandung"),
        proposal_id=proposal.pk,
        accept=True,
        note="Nota lengkap dan sesuai",
    )
