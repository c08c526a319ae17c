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
    # A mentor's area is her province: the matcher pairs groups across its regencies.
    DemoLogin("mentor.bandung", Role.MENTOR, "32", "IWAPI DPC Kota Bandung"),
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
    from sinergi.registry.dedupe import dedupe_new_rows
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
        candidates = dedupe_new_rows(import_commit(batch.pk)).created
        bad = Path(tmp) / "kecamatan-sukasari.csv"
        with bad.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            writer.writerows(BAD_ROWS)
        import_check(import_create(actor=officer, source=bad, file_name=bad.name).pk)
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
    "KUBE Flamboyan",
    "KUBE Seruni",
    "KUBE Sakura",
]


BUSINESS_TYPES = [
    "makanan_minuman",
    "kerajinan",
    "jasa",
    "pertanian",
    "peternakan",
    "kerajinan",
    "makanan_minuman",
    "jasa",
    "makanan_minuman",
]


def _eligible_heads(district: str, today: Any) -> list[Any]:
    """Heads of the district who meet the default formation rules and are in no group yet."""
    from datetime import timedelta

    from sinergi.engines.eligibility import age_on
    from sinergi.kube.models import Membership
    from sinergi.registry.models import Person

    return [
        p
        for p in Person.objects.filter(area_code__startswith=district + ".", is_head=True)
        .exclude(pk__in=Membership.objects.filter(end_date__isnull=True).values("person_id"))
        .select_related("household")
        .order_by("id")
        if 18 <= age_on(p.birth_date, today) <= 60
        and p.household.desil is not None
        and p.household.desil <= 4
        and p.household.desil_date is not None
        and p.household.desil_date >= today - timedelta(days=365)
    ]


def _form_group(
    officer: Any,
    name: str,
    business_type: str,
    group: list[Any],
    target: str,
    reason: str,
    *,
    account: str,
) -> Any:
    """Form a group through the real services and walk it to ``target``."""
    from sinergi.kube.models import Status
    from sinergi.kube.services import kube_create, kube_transition

    kube, _failures = kube_create(
        actor=officer,
        name=name,
        business_type=business_type,
        village_code=group[0].area_code,
        member_ids=[p.pk for p in group],
        officers={"ketua": group[0].pk, "sekretaris": group[1].pk, "bendahara": group[2].pk},
        bank_name="BRI",
        bank_account=account,
        bank_account_holder=name,
    )
    walk = [Status.SUBMITTED, Status.VERIFIED, Status.ACTIVE]
    steps: list[Status] = {
        Status.DRAFT: [],
        Status.SUBMITTED: walk[:1],
        Status.VERIFIED: walk[:2],
        Status.ACTIVE: walk,
        Status.GRADUATED: [*walk, Status.GRADUATED],
        Status.DISSOLVED: [Status.DISSOLVED],
    }[Status(target)]
    # Four eyes: the province's officer verifies what the regency submitted and activates.
    checker = User.objects.get(username="dinsos.jabar")
    for step in steps:
        actor = checker if step == Status.VERIFIED else officer
        kube_transition(actor=actor, kube_id=kube.pk, to_status=step, reason=reason)
    return kube


def seed_kube(seed: int = DEMO_SEED) -> dict[str, int]:
    """Groups in every state, formed from registry heads through the real services."""
    import csv
    import tempfile
    from pathlib import Path

    from django.utils import timezone

    from sinergi.engines.registry_rows import COLUMNS
    from sinergi.kube.models import Kube, Status
    from sinergi.registry.imports import import_check, import_create
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
        heads = _eligible_heads(district, today)
        for i, (target, reason) in enumerate(plan[: len(heads) // 6]):
            kube = _form_group(
                officer,
                f"{KUBE_NAMES[i]} {KUBE_PLACES[district]}",
                BUSINESS_TYPES[i],
                heads[i * 6 : i * 6 + 6],
                target,
                reason,
                account=f"0123-01-{100000 + i:06d}-50-{i}",
            )
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
    Cycle.objects.create(programme=programme, number=2)
    province = User.objects.get(username="dinsos.jabar")
    proposers = {
        "32.73": User.objects.get(username="dinsos.bandung"),
        "32.01": User.objects.get(username="dinsos.bogor"),
    }
    # Cycle 1: every active group proposed and recommended, then approved by the centre.
    # Cycle 2 (running) is open: aid goes to active groups only, so the verified groups wait
    # for their activation before a regency can propose them.
    for kube in Kube.objects.filter(status=Status.ACTIVE).order_by("id"):
        proposal = proposal_create(
            actor=proposers[kube.area_code[:5]], cycle_id=first.pk, kube_id=kube.pk
        )
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


# A 1x1 px white PNG that decodes (uploads are re-encoded, so a broken stand-in is refused): a
# stand-in photo of a receipt for the demo's LPJ.
RECEIPT_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c49444154789c63f8ffff3f0005fe02fe0def46b80000000049454e44ae426082"
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


# Mentors of the demo: (name, unit key, base regency, sectors, capacity, own business)
DEMO_MENTORS = [
    ("Rina Marlina", "32.73", "32.73", ["makanan_minuman", "kerajinan"], 3, "Katering Rina"),
    ("Yanti Kusumawati", "32.73", "32.73", ["jasa"], 2, "Salon dan tata rias"),
    ("Euis Sumiati", "32.01", "32.01", ["pertanian", "peternakan"], 3, "Peternakan ayam"),
    ("Lilis Suryani", "32.01", "32.01", ["kerajinan"], 2, "Batik tulis Bogor"),
    ("Neneng Hasanah", "32", "32.04", ["makanan_minuman", "jasa"], 2, "Kue kering"),
    ("Sri Wahyuni", "33", "33.74", ["makanan_minuman"], 3, "Bandeng presto"),
]


def seed_mentoring() -> dict[str, int]:
    """IWAPI units, agreements with KPIs, mentors, a sent matching run, sessions, a report."""
    import zlib
    from datetime import date, timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from sinergi.kube.models import Membership, Status
    from sinergi.mentoring import services
    from sinergi.mentoring.models import (
        Agreement,
        AgreementKind,
        Assignment,
        AssignmentStatus,
        Indicator,
        Kpi,
        Mentor,
        Organisation,
        Unit,
        UnitLevel,
    )
    from sinergi.wilayah.models import Region

    if Mentor.objects.exists():
        return {"mentors": Mentor.objects.count()}
    today = timezone.localdate()
    iwapi = Organisation.objects.get(acronym="IWAPI")
    dpp = Unit.objects.get(organisation=iwapi, level=UnitLevel.NATIONAL)
    units = {"": dpp}
    for code, level, name, parent in [
        ("32", UnitLevel.PROVINCE, "DPD IWAPI Jawa Barat", ""),
        ("33", UnitLevel.PROVINCE, "DPD IWAPI Jawa Tengah", ""),
        ("32.73", UnitLevel.REGENCY, "DPC IWAPI Kota Bandung", "32"),
        ("32.01", UnitLevel.REGENCY, "DPC IWAPI Kabupaten Bogor", "32"),
    ]:
        units[code] = Unit.objects.create(
            organisation=iwapi,
            level=level,
            name=name,
            region=Region.objects.get(code=code),
            parent=units[parent],
        )
    # The 2015 MoU as reported (DOMAIN.md); the 2026 PKS is the demo's own.
    Agreement.objects.create(
        organisation=iwapi,
        kind=AgreementKind.MOU,
        number="MoU Kemensos-IWAPI 2015",
        title="Pendampingan dan akses pasar produk KUBE",
        signing_unit=dpp,
        ministry_party="Direktorat Jenderal Pemberdayaan Sosial, Kementerian Sosial",
        ministry_signatory="Hartono Laras",
        partner_signatory="Elza Syarief",
        witnesses="Menteri Sosial Khofifah Indar Parawansa",
        signed_on=date(2015, 4, 2),
        valid_from=date(2015, 4, 2),
        valid_until=date(2020, 4, 1),
        scope="Pendampingan usaha oleh anggota IWAPI dan akses pasar bagi produk KUBE.",
    )
    pks = Agreement.objects.create(
        organisation=iwapi,
        kind=AgreementKind.PKS,
        number="DEMO/PKS/32/2026/001",
        title="Pendampingan KUBE di Provinsi Jawa Barat 2026-2027",
        signing_unit=units["32"],
        ministry_party="Dinas Sosial Provinsi Jawa Barat",
        ministry_signatory="Kepala Dinas Sosial Provinsi Jawa Barat",
        partner_signatory="Ketua DPD IWAPI Jawa Barat",
        signed_on=date(today.year, 1, 10),
        valid_from=date(today.year, 1, 15),
        valid_until=date(today.year + 1, 12, 31),
        scope="Mentor IWAPI mendampingi KUBE aktif di Jawa Barat: pembukuan, kemasan, "
        "pemasaran; sesi bulanan; laporan triwulan.",
        area=Region.objects.get(code="32"),
    )
    for indicator, target in [
        (Indicator.KUBE_MENTORED, 10),
        (Indicator.SESSIONS_HELD, 40),
        (Indicator.MENTORS_ACTIVE, 5),
        (Indicator.ACTION_ITEMS_DONE, 20),
    ]:
        Kpi.objects.create(agreement=pks, indicator=indicator, target=target)

    admin = User.objects.get(username="admin")
    mentors = {}
    for name, unit, regency, sectors, capacity, business in DEMO_MENTORS:
        mentors[name] = services.mentor_save(
            actor=admin,
            data=services.MentorData(
                name=name,
                unit_id=units[unit].pk,
                base_regency=regency,
                sectors=sectors,
                capacity=capacity,
                business=business,
                phone="0812" + str(zlib.crc32(name.encode()) % 10**8).zfill(8),
            ),
        )
    mentor_user = User.objects.get(username="mentor.bandung")
    mentor_user.mentor = mentors["Rina Marlina"]
    mentor_user.save(update_fields=["mentor"])

    # More active groups, so the matcher has work; two are formed after the run and wait.
    extra = 0
    for username, district in KUBE_DISTRICTS.items():
        officer = User.objects.get(username=username)
        heads = _eligible_heads(district, today)
        for n in range(min(3, len(heads) // 6)):
            i = 6 + n
            _form_group(
                officer,
                f"{KUBE_NAMES[i]} {KUBE_PLACES[district]}",
                BUSINESS_TYPES[i],
                heads[n * 6 : n * 6 + 6],
                Status.ACTIVE,
                "",
                account=f"0123-02-{200000 + i:06d}-50-{i}",
            )
            extra += 1
            if n == 1:
                break
    coordinator = User.objects.get(username="iwapi.jabar")
    run = services.match_run(actor=coordinator)
    services.run_send(actor=coordinator, run_id=run.pk)
    offers = Assignment.objects.filter(run=run, status=AssignmentStatus.OFFERED).select_related(
        "mentor"
    )
    declined = False
    for offer in offers:
        actor = mentor_user if offer.mentor_id == mentor_user.mentor_id else _mentor_actor(offer)
        if not declined and actor is not mentor_user:
            services.assignment_respond(
                actor=actor,
                assignment_id=offer.pk,
                accept=False,
                reason="Jadwal penuh sampai akhir bulan",
            )
            declined = True
            continue
        services.assignment_respond(actor=actor, assignment_id=offer.pk, accept=True)
    # Sessions of the Bandung mentor: last month and this month, with items to review.
    accepted = Assignment.objects.filter(
        mentor=mentor_user.mentor, status=AssignmentStatus.ACCEPTED
    ).select_related("kube")
    sessions = 0
    for assignment in accepted:
        kube = assignment.kube
        members = list(
            Membership.objects.filter(kube=kube, end_date__isnull=True).values_list("pk", flat=True)
        )
        # Photos of the members present need their consent (UU PDP; registry.consent).
        _demo_consents(admin, members[:-1])
        first = services.session_log(
            actor=mentor_user,
            kube_id=kube.pk,
            held_on=today - timedelta(days=35),
            place="Rumah ketua KUBE",
            topics="Pembukuan sederhana, harga pokok produksi",
            notes="Anggota belum mencatat pengeluaran harian.",
            present=members[:-1],
            photos=[SimpleUploadedFile("sesi-1.png", RECEIPT_PNG)],
            new_items=[
                services.NewItem("Mulai buku kas harian", "Bendahara", today - timedelta(days=21)),
                services.NewItem(
                    "Urus izin P-IRT ke Dinas Kesehatan", "Ketua", today - timedelta(days=5)
                ),
                services.NewItem("Foto produk untuk katalog", "Sekretaris", today + timedelta(14)),
            ],
        )
        book, pirt, _photo = first.new_items.order_by("id")
        services.session_log(
            actor=mentor_user,
            kube_id=kube.pk,
            held_on=today - timedelta(days=7),
            place="Balai desa",
            topics="Kemasan dan label, rencana pameran",
            present=members,
            reviews=[
                services.Review(book.pk, "done", "Buku kas sudah dipakai dua minggu"),
                services.Review(pirt.pk, "open", "Berkas belum lengkap"),
            ],
            new_items=[
                services.NewItem("Desain label baru", "Sekretaris", today + timedelta(days=10))
            ],
        )
        sessions += 2
    facilitator = User.objects.get(username="pendamping.bandung")
    for assignment in accepted[:1]:
        month = f"{today - timedelta(days=35):%Y-%m}"
        facts = services.month_facts(assignment.kube, services.month_start(month))
        services.report_save(
            actor=facilitator,
            kube_id=assignment.kube_id,
            month=month,
            activities=services.draft_activities(facts) or "Kunjungan rutin.",
            problems="Pencatatan keuangan belum rutin.",
            follow_up="Pendampingan pembukuan oleh mentor IWAPI.",
            submit=True,
        )
    # Two more active groups that wait for the next run.
    for username, district in KUBE_DISTRICTS.items():
        officer = User.objects.get(username=username)
        heads = _eligible_heads(district, today)
        if len(heads) >= 6:
            _form_group(
                officer,
                f"{KUBE_NAMES[8]} {KUBE_PLACES[district]}",
                BUSINESS_TYPES[8],
                heads[:6],
                Status.ACTIVE,
                "",
                account=f"0123-03-{300008:06d}-50-8",
            )
            extra += 1
    return {
        "mentors": len(mentors),
        "extra_active_groups": extra,
        "accepted": Assignment.objects.filter(status=AssignmentStatus.ACCEPTED).count(),
        "sessions": sessions,
    }


def _demo_consents(actor: Any, membership_ids: list[int]) -> None:
    """The members present at the demo's sessions consented to photos; their chair also to
    sharing the phone number with buyers and mentors (as the forms an officer keeps)."""
    from sinergi.kube.models import Membership
    from sinergi.registry import consent
    from sinergi.registry.models import ConsentGiver, ConsentPurpose
    from sinergi.registry.services import consent_record

    members = Membership.objects.filter(pk__in=membership_ids).select_related("person")
    for member in members:
        purposes = [ConsentPurpose.MENTORING_PHOTO]
        if member.role == "ketua":
            purposes.append(ConsentPurpose.OFFICER_PHONE)
        child = consent.is_child(member.person)
        for purpose in purposes:
            consent_record(
                actor=actor,
                person_id=member.person_id,
                purpose=purpose,
                notice_version="2024-10",
                given_by=ConsentGiver.GUARDIAN if child else ConsentGiver.SELF,
                guardian_name="Orang tua/wali" if child else "",
                evidence="Formulir persetujuan di kantor Dinas Sosial",
            )


def _mentor_actor(offer: Any) -> Any:
    """A mentor account for a demo mentor without a login of her own (created on demand)."""
    username = "mentor." + offer.mentor.name.split()[0].lower()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            actor=None,
            username=username,
            password=DEMO_PASSWORD,
            role=Role.MENTOR,
            area_code=offer.mentor.area_code[:2],
            first_name=offer.mentor.name,
            organisation=str(offer.mentor.unit),
        )
        user.mentor = offer.mentor
        user.save(update_fields=["mentor"])
    return user


DEMO_PRODUCTS = {
    "makanan_minuman": ("makanan_ringan", "Kripik singkong pedas", "kg", 38_000, 120),
    "kerajinan": ("anyaman", "Tas anyaman pandan", "pcs", 85_000, 40),
    "jasa": ("jasa", "Paket katering 50 porsi", "paket", 1_250_000, 6),
    "pertanian": ("hasil_tani", "Cabai rawit segar", "kg", 45_000, 80),
    "peternakan": ("ternak", "Telur ayam kampung", "kg", 42_000, 60),
}


def seed_market() -> dict[str, int]:
    """Products of the active groups, a buyer's demand split over them, answers, sales."""
    from datetime import timedelta

    from django.utils import timezone

    from sinergi.kube.models import Kube, Status
    from sinergi.market import services
    from sinergi.market.models import Product

    if Product.objects.exists():
        return {"products": Product.objects.count()}
    today = timezone.localdate()
    admin = User.objects.get(username="admin")
    # In id order: PostgreSQL returns updated rows in another order than SQLite, and the
    # products' order decides how the demand is split (the same demo on both databases).
    for kube in (
        Kube.objects.filter(status=Status.ACTIVE).select_related("business_type").order_by("id")
    ):
        category, name, unit, price, stock = DEMO_PRODUCTS[kube.business_type.code]
        product = services.product_save(
            actor=_market_actor(kube, admin),
            data=services.ProductData(
                kube.pk, category, name, unit, price + (kube.pk % 5) * 1_000, stock,
                monthly_capacity=stock * 3, min_order=5 if unit == "kg" else 1,
                description=f"Produksi {kube.name}.",
            ),
        )  # fmt: skip
        if category in ("makanan_ringan", "ternak"):
            services.permit_save(
                actor=_market_actor(kube, admin), product_id=product.pk, kind="pirt",
                number=f"P-IRT 2{kube.pk:03d}32730100126", expires_on=today + timedelta(days=700),
            )  # fmt: skip
    buyer = User.objects.get(username="pembeli")
    demand = services.demand_create(
        actor=buyer,
        data=services.DemandData(
            "makanan_ringan", 200, "kg", "32.73", today + timedelta(days=21), 45_000, 20,
            note="Oleh-oleh untuk jaringan toko di Bandung",
        ),
    )  # fmt: skip
    order = services.demand_allocate(actor=buyer, demand_id=demand.pk, strategy="fair")
    services.order_send(actor=buyer, order_id=order.pk)
    first = order.parts.order_by("id").first()
    if first is not None:
        services.part_respond(actor=_market_actor(first.kube, admin), part_id=first.pk, accept=True)
    sales = 0
    for kube in Kube.objects.filter(status=Status.ACTIVE).order_by("id")[:4]:
        for weeks, (kind, quantity) in enumerate([("market_stall", 12), ("local_shop", 30)]):
            services.sale_record(
                actor=_market_actor(kube, admin), kube_id=kube.pk,
                description=DEMO_PRODUCTS[kube.business_type.code][1], quantity=quantity,
                price=DEMO_PRODUCTS[kube.business_type.code][3], buyer_type=kind,
                day=today - timedelta(days=7 * (weeks + 1)),
            )  # fmt: skip
            sales += 1
    return {"products": Product.objects.count(), "parts": order.parts.count(), "sales": sales}


def _market_actor(kube: Any, fallback: Any) -> Any:
    """The group's own officer account, created for the demo when it has none."""
    officer = User.objects.filter(kube=kube, is_active=True).first()
    if officer is not None:
        return officer
    username = f"kube.{kube.pk}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            actor=None, username=username, password=DEMO_PASSWORD, role=Role.KUBE_OFFICER,
            area_code=kube.area_code[:5], first_name=kube.name,
        )  # fmt: skip
        user.kube = kube
        user.save(update_fields=["kube"])
    return user


def seed_monitoring(seed: int = DEMO_SEED) -> dict[str, int]:
    """Eight months of reports for every active group (with member incomes), the sales and
    sessions behind them, classes, graduation proposals (two confirmed), then the summaries."""
    import random
    from datetime import timedelta

    from django.utils import timezone

    from sinergi.kube.models import Kube, Membership, Status
    from sinergi.market.models import BuyerType, Sale
    from sinergi.mentoring.models import Assignment, AssignmentStatus, Session
    from sinergi.monitoring import services, summaries
    from sinergi.monitoring.models import Graduation, GroupReport, ProposalStatus

    if GroupReport.objects.exists():
        return {"reports": GroupReport.objects.count()}
    rng = random.Random(seed)
    today = timezone.localdate()
    this_month = today.replace(day=1)
    admin = User.objects.get(username="admin")
    reports = 0
    groups = list(Kube.objects.filter(status=Status.ACTIVE).order_by("pk"))
    for index, kube in enumerate(groups):
        # Four kinds of group, so every class and both sides of the poverty line show.
        strength = (0.3, 0.8, 1.3, 1.9)[index % 4]
        members = list(
            Membership.objects.filter(kube=kube, end_date__isnull=True).select_related("person")
        )
        mentor = (
            Assignment.objects.filter(kube=kube, status=AssignmentStatus.ACCEPTED)
            .values_list("mentor_id", flat=True)
            .first()
        )
        savings = 0
        for back in range(8, 0, -1):
            period = services.add_months(this_month, -back)
            Sale.objects.create(
                kube=kube,
                description="Penjualan bulanan",
                quantity=1,
                price=int(strength * rng.randint(1_500_000, 3_000_000)),
                buyer_type=BuyerType.MARKET_STALL,
                day=period + timedelta(days=rng.randint(3, 25)),
                recorded_by=admin,
            )
            if mentor and (back % 2 == 0 or strength > 1):
                Session.objects.create(
                    kube=kube,
                    mentor_id=mentor,
                    held_on=period + timedelta(days=rng.randint(2, 26)),
                    place="Rumah ketua KUBE",
                    topics="Pendampingan rutin",
                    recorded_by=admin,
                )
            turnover = services.market_sales(kube.pk, period) + int(
                strength * rng.randint(200_000, 900_000)
            )
            costs = int(turnover * rng.uniform(0.72, 0.95 if strength < 1 else 0.85))
            savings += int((turnover - costs) * 0.3)
            incomes = {}
            for position, member in enumerate(members):
                # Every third member of the stronger groups earns well above the line.
                above = strength > 1 and position % 3 == 0
                factor = rng.uniform(1.25, 1.6) if above else rng.uniform(0.6, 1.05) * strength
                incomes[member.person_id] = int(650_000 * 3.5 * factor)
            services.save_report(
                actor=admin,
                kube_id=kube.pk,
                period=period,
                figures={
                    "turnover": turnover,
                    "costs": costs,
                    "assets": int(strength * 12_000_000),
                    "savings": savings,
                    "iks_paid": int((turnover - costs) * 0.1) if back % 3 or strength > 1 else 0,
                    "active_members": len(members),
                    "problems": "" if strength > 1 else "Pemasaran masih terbatas.",
                },
                incomes=incomes,
                submit=True,
            )
            reports += 1
    officer = User.objects.get(username="dinsos.jabar")
    for item in Graduation.objects.filter(status=ProposalStatus.PROPOSED).order_by("pk")[:2]:
        if item.area_code.startswith("32."):
            services.decide_graduation(actor=officer, pk=item.pk, confirm=True)
            Graduation.objects.filter(pk=item.pk).update(
                decided_at=timezone.now() - timedelta(days=31 * (item.pk % 2))
            )
    summaries.refresh()
    return {
        "reports": reports,
        "graduations": Graduation.objects.count(),
        "classed": Kube.objects.exclude(klass="").count(),
    }
