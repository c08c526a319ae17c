"""Waiting work for the demo's task inbox (``/tugas/``): after the other seeds, leave each
operational role something real to do, through the same services people use. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from sinergi.accounts.models import User

DEMO_MAIL_DOMAIN = "demo.sinergi.id"


def _user(username: str) -> User:
    return User.objects.get(username=username)


def give_emails() -> int:
    """Every demo account gets an address (username@demo.sinergi.id) if it has none."""
    users = list(User.objects.filter(email=""))
    for user in users:
        User.objects.filter(pk=user.pk).update(email=f"{user.username}@{DEMO_MAIL_DOMAIN}")
    return len(users)


@transaction.atomic
def seed_waiting() -> dict[str, int]:
    """Each step looks for what it leaves behind first, so a second run adds nothing."""
    return {
        "emails": give_emails(),
        "aid": _aid_cycle_two(),
        "returned": _returned_reports(),
        "orders": _buyer_order(),
        "exports": _auditor_export(),
        "imports": _province_import(),
    }


def _aid_cycle_two() -> int:
    """Cycle 2: the groups activated after cycle 1 are proposed by their regency; Bandung's
    are recommended by the province (the centre approves the cycle), Bogor's wait for the
    province's recommendation."""
    from sinergi.aid.models import Cycle, CycleStatus, Proposal
    from sinergi.aid.services import proposal_create, proposal_recommend
    from sinergi.core.errors import DomainError
    from sinergi.kube.models import Kube, Status

    cycle = Cycle.objects.filter(status=CycleStatus.OPEN).order_by("number").first()
    if cycle is None or cycle.proposals.exists():
        return 0
    province = _user("dinsos.jabar")
    made = 0
    aided = Proposal.objects.values("kube_id")
    for regency, username in (("32.73", "dinsos.bandung"), ("32.01", "dinsos.bogor")):
        groups = (
            Kube.objects.filter(status=Status.ACTIVE, area_code__startswith=regency + ".")
            .exclude(pk__in=aided)
            .order_by("pk")
        )
        for kube in groups:
            try:
                with transaction.atomic():
                    proposal = proposal_create(
                        actor=_user(username), cycle_id=cycle.pk, kube_id=kube.pk
                    )
            except DomainError:
                continue  # a group a graduation left too small: the next one
            if regency == "32.73":
                proposal_recommend(actor=province, proposal_id=proposal.pk)
            made += 1
            break
    return made


def _returned_reports() -> int:
    """The Bandung office returns last month's report of the demo KUBE officer's group (the
    admin filed it) and the facilitator's report, each with what to correct."""
    from sinergi.mentoring.models import MonthlyReport, ReportStatus
    from sinergi.mentoring.selectors import previous_month
    from sinergi.mentoring.services import report_return
    from sinergi.monitoring.models import GroupReport
    from sinergi.monitoring.models import ReportStatus as GroupReportStatus
    from sinergi.monitoring.services import return_report

    if (
        GroupReport.objects.filter(status=GroupReportStatus.RETURNED).exists()
        or MonthlyReport.objects.filter(status=ReportStatus.RETURNED).exists()
    ):
        return 0
    office = _user("dinsos.bandung")
    officer = _user("kube.bandung")
    made = 0
    if officer.kube_id:
        return_report(
            actor=office,
            kube_id=officer.kube_id,
            period=previous_month(timezone.localdate()),
            reason="Omzet tidak sama dengan catatan penjualan; periksa lagi.",
        )
        made += 1
    report = MonthlyReport.objects.filter(status=ReportStatus.SUBMITTED).order_by("pk").first()
    if report is not None:
        report_return(
            actor=office,
            report_id=report.pk,
            reason="Lengkapi daftar hadir dan tindak lanjut sesi.",
        )
        made += 1
    return made


def _buyer_order() -> int:
    """A second demand of the buyer, split over the groups but not yet sent: the buyer's step."""
    from sinergi.core.errors import DomainError
    from sinergi.market import services
    from sinergi.market.models import Demand

    buyer = _user("pembeli")
    if Demand.objects.filter(buyer=buyer).count() > 1:
        return 0
    today = timezone.localdate()
    try:
        demand = services.demand_create(
            actor=buyer,
            data=services.DemandData(
                "makanan_ringan", 40, "kg", "32.73", today + timedelta(days=30), 45_000, 10,
                note="Pesanan kedua untuk toko oleh-oleh",
            ),
        )  # fmt: skip
        with transaction.atomic():
            services.demand_allocate(actor=buyer, demand_id=demand.pk, strategy="cheapest")
    except DomainError:
        return 0  # nothing to split it over: the demo's buyer then has only the first order
    return 1


def _auditor_export() -> int:
    """The auditor asked for the groups table of the nation; the file is ready to download."""
    from sinergi.core import jobs
    from sinergi.monitoring.exports import start_export

    auditor = _user("auditor")
    if jobs.Job.objects.filter(kind="monitoring.export", created_by=auditor).exists():
        return 0
    job = start_export(actor=auditor, kind="kelompok", fmt="csv", area_code="", rows=0)
    jobs.execute(job.pk)  # now, so the file is there; the queued copy then finds it done
    return 1


def _province_import() -> int:
    """Jawa Tengah's office uploaded a file of Kota Semarang households; it is checked and
    waits for the office to save it."""
    import csv
    import tempfile
    from pathlib import Path

    from sinergi.engines.registry_rows import COLUMNS
    from sinergi.registry.imports import import_check, import_create
    from sinergi.registry.models import ImportBatch
    from sinergi.synthetic.registry import RegistryGenerator

    officer = _user("dinsos.jateng")
    if ImportBatch.objects.filter(uploaded_by=officer).exists():
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dtsen-kota-semarang.csv"
        with path.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            writer.writerows(RegistryGenerator(3374, areas=["33.74.01"]).rows(25))
        import_check(import_create(actor=officer, source=path, file_name=path.name).pk)
    return 1
