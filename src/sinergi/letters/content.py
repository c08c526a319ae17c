"""What a letter says about its record: the values its placeholders take, and its attachment.

One builder per kind reads the record through the actor's scope (``access``/``for_user``: a
record the actor may not see looks absent) and checks that the step the letter decides is done
(the decree once the group is active, the handover once the transfer is recorded…). Members are
named with their role and village, never with a NIK or KK number: letters leave the office.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.core.errors import Conflict, InvalidInput
from sinergi.core.money import rupiah
from sinergi.core.scoping import access, area_q, user_area
from sinergi.letters import kinds
from sinergi.letters.models import Kind
from sinergi.letters.words import long_date, terbilang
from sinergi.wilayah.selectors import region_names

ROLE_WORDS = {"ketua": "Ketua", "sekretaris": "Sekretaris", "bendahara": "Bendahara"}
ROLE_ORDER = {"ketua": 0, "sekretaris": 1, "bendahara": 2}


@dataclass
class Subject:
    """A record a letter is issued about, ready to be written."""

    kind: str
    object_id: int
    area_code: str
    office_code: str
    about: str
    values: dict[str, str]
    kube: Any = None
    mentor: Any = None
    table_title: str = ""
    table: list[list[str]] = field(default_factory=list)
    counterpart: tuple[str, str] | None = None


def office_of(kind: str, area_code: str) -> str:
    """The office that signs ``kind`` for a record in ``area_code``: its regency or province."""
    parts = area_code.split(".")
    return ".".join(parts[:2] if kinds.KINDS[kind].office_level == kinds.REGENCY else parts[:1])


def region_values(area_code: str, office_code: str) -> dict[str, str]:
    """Names of the record's village, district, regency and province and of the office's
    region, in one query."""
    parts = area_code.split(".")
    codes = [".".join(parts[: n + 1]) for n in range(len(parts))]
    names = region_names([*codes, office_code])
    province = names.get(parts[0], "")
    office = names.get(office_code, office_code)
    if "." not in office_code:
        office = f"Provinsi {office}"
    return {
        "province": province,
        "regency": names.get(codes[1], "") if len(codes) > 1 else "",
        "district": names.get(codes[2], "") if len(codes) > 2 else "",
        "village": names.get(codes[3], "") if len(codes) > 3 else "",
        "office_region": office,
        "office_region_upper": office.upper(),
    }


def _members(kube: Any) -> tuple[list[Any], str]:
    """Current members (chair, secretary, treasurer first, then by name) and the chair's name."""
    rows = sorted(
        kube.memberships.filter(end_date__isnull=True).select_related("person"),
        key=lambda m: (ROLE_ORDER.get(m.role, 9), m.person.name),
    )
    chair = next((m.person.name for m in rows if m.role == "ketua"), "-")
    return rows, chair


def _member_table(rows: list[Any]) -> list[list[str]]:
    villages = region_names([m.person.area_code for m in rows])
    table = [["No", "Nama", "Jabatan", "Desa/Kelurahan"]]
    for n, m in enumerate(rows, 1):
        role = ROLE_WORDS.get(m.role, "Anggota")
        table.append([str(n), m.person.name, role, villages.get(m.person.area_code, "-")])
    return table


def _group(kube: Any, office_code: str) -> tuple[dict[str, str], list[list[str]]]:
    rows, chair = _members(kube)
    values = {
        **region_values(kube.area_code, office_code),
        "kube_name": kube.name,
        "business_type": str(kube.business_type.name),
        "member_count": str(len(rows)),
        "chair_name": chair,
    }
    return values, _member_table(rows)


def kube_decree(actor: Any, object_id: int, office: str = "") -> Subject:
    from sinergi.kube.models import Kube, Status, Transition

    kube = access(Kube.objects.select_related("business_type"), actor=actor, pk=object_id)
    if kube.status not in (Status.ACTIVE, Status.GRADUATED):
        raise Conflict(_("The decree is issued once the KUBE is active (formed)."))
    office_code = office_of(Kind.KUBE_DECREE, kube.area_code)
    values, table = _group(kube, office_code)
    formed = Transition.objects.filter(kube=kube, to_status=Status.ACTIVE).order_by("-at").first()
    values["formed_on"] = long_date(timezone.localdate(formed.at) if formed else None)
    return Subject(
        Kind.KUBE_DECREE,
        kube.pk,
        kube.area_code,
        office_code,
        about=kube.name,
        values=values,
        kube=kube,
        table_title="Lampiran Keputusan: Susunan Pengurus dan Anggota KUBE " + kube.name,
        table=table,
    )


def _proposal_letter(kind: str, actor: Any, object_id: int, office: str) -> Subject:
    from sinergi.aid.models import Cycle, Proposal, ProposalStatus

    cycle = Cycle.objects.select_related("programme").filter(pk=object_id).first()
    if cycle is None:
        raise InvalidInput(_("There is no such aid cycle."), field="object_id")
    level = kinds.KINDS[kind].office_level
    office = office or user_area(actor) or ""
    if office.count(".") != (1 if level == kinds.REGENCY else 0):
        raise InvalidInput(
            _(
                "Name the office: a regency code (32.73) for a letter to the province, "
                "a province code (32) for a letter to the centre."
            ),
            field="office_code",
        )
    statuses = (
        [ProposalStatus.PROPOSED, ProposalStatus.RECOMMENDED, ProposalStatus.APPROVED]
        if kind == Kind.PROPOSAL_PROVINCE
        else [ProposalStatus.RECOMMENDED, ProposalStatus.APPROVED]
    )
    proposals = list(
        Proposal.objects.for_user(actor)
        .filter(cycle=cycle, status__in=statuses)
        .filter(area_q("area_code", office))
        .select_related("kube")
        .order_by("area_code", "kube__name", "id")
    )
    if not proposals:
        raise Conflict(
            _("This office has no proposals at that step in this cycle: nothing to send yet.")
            if kind == Kind.PROPOSAL_PROVINCE
            else _("This province has recommended no proposals in this cycle: nothing to send yet.")
        )
    total = sum(p.amount for p in proposals)
    names = region_names([p.area_code for p in proposals])
    regencies = region_names([".".join(p.area_code.split(".")[:2]) for p in proposals])
    table = [["No", "Nama KUBE", "Desa/Kelurahan", "Kabupaten/Kota", "Anggota", "Jumlah (Rp)"]]
    for n, p in enumerate(proposals, 1):
        regency = regencies.get(".".join(p.area_code.split(".")[:2]), "-")
        table.append(
            [
                str(n),
                p.kube.name,
                names.get(p.area_code, "-"),
                regency,
                str(p.member_count),
                rupiah(p.amount),
            ]
        )
    table.append(["", "Jumlah", "", "", str(sum(p.member_count for p in proposals)), rupiah(total)])
    programme = cycle.programme
    values = {
        **region_values(office, office),
        "programme": programme.name,
        "programme_year": str(programme.year),
        "cycle": str(cycle.number),
        "group_count": str(len(proposals)),
        "total_amount": rupiah(total),
        "total_amount_words": terbilang(total),
    }
    return Subject(
        kind,
        cycle.pk,
        office,
        office,
        about=f"{programme.name} {programme.year} tahap {cycle.number}",
        values=values,
        table_title="Lampiran: Daftar KUBE yang Diusulkan",
        table=table,
    )


def proposal_province(actor: Any, object_id: int, office: str = "") -> Subject:
    return _proposal_letter(Kind.PROPOSAL_PROVINCE, actor, object_id, office)


def proposal_centre(actor: Any, object_id: int, office: str = "") -> Subject:
    return _proposal_letter(Kind.PROPOSAL_CENTRE, actor, object_id, office)


def handover(actor: Any, object_id: int, office: str = "") -> Subject:
    from sinergi.aid.models import Disbursement

    disbursement = access(
        Disbursement.objects.select_related(
            "proposal__kube__business_type", "proposal__cycle__programme"
        ),
        actor=actor,
        pk=object_id,
    )
    proposal = disbursement.proposal
    kube = proposal.kube
    office_code = office_of(Kind.HANDOVER, kube.area_code)
    values, table = _group(kube, office_code)
    values |= {
        "programme": proposal.cycle.programme.name,
        "cycle": str(proposal.cycle.number),
        "amount": rupiah(disbursement.amount),
        "amount_words": terbilang(disbursement.amount),
        "transfer_date": long_date(disbursement.day),
        "bank_reference": disbursement.reference,
        "account": disbursement.account,
    }
    return Subject(
        Kind.HANDOVER,
        disbursement.pk,
        kube.area_code,
        office_code,
        about=f"{kube.name} - Rp {rupiah(disbursement.amount)}",
        values=values,
        kube=kube,
        table_title="Lampiran: Daftar Anggota KUBE " + kube.name,
        table=table,
        counterpart=(f"PIHAK KEDUA\nKetua KUBE {kube.name}", values["chair_name"]),
    )


def mentoring(actor: Any, object_id: int, office: str = "") -> Subject:
    from sinergi.mentoring.models import Assignment, AssignmentStatus

    assignment = access(
        Assignment.objects.select_related("kube__business_type", "mentor__unit__organisation"),
        actor=actor,
        pk=object_id,
    )
    if assignment.status not in (AssignmentStatus.ACCEPTED, AssignmentStatus.ENDED):
        raise Conflict(_("The assignment letter is issued once the mentor has accepted."))
    if assignment.mentor is None:
        raise Conflict(_("The assignment has no mentor."))
    kube, mentor = assignment.kube, assignment.mentor
    office_code = office_of(Kind.MENTORING, kube.area_code)
    values, table = _group(kube, office_code)
    values |= {
        "mentor_name": mentor.name,
        "partner_unit": mentor.unit.name,
        "partner_organisation": mentor.unit.organisation.name,
        "start_date": long_date(assignment.start_date or timezone.localdate()),
    }
    return Subject(
        Kind.MENTORING,
        assignment.pk,
        kube.area_code,
        office_code,
        about=f"{mentor.name} - {kube.name}",
        values=values,
        kube=kube,
        mentor=mentor,
        table_title="Lampiran Surat Tugas: Anggota KUBE " + kube.name,
        table=table,
    )


def graduation(actor: Any, object_id: int, office: str = "") -> Subject:
    from sinergi.monitoring.models import Graduation, ProposalStatus

    grad = access(Graduation.objects.select_related("kube", "person"), actor=actor, pk=object_id)
    if grad.status != ProposalStatus.CONFIRMED:
        raise Conflict(_("The certificate is issued once the graduation is confirmed."))
    office_code = office_of(Kind.GRADUATION, grad.area_code)
    name = grad.person.name if grad.person else "-"
    values = {
        **region_values(grad.area_code, office_code),
        "member_name": name,
        "kube_name": grad.kube.name,
        "months": str(len(grad.months or [])),
        "graduation_date": long_date(
            timezone.localdate(grad.decided_at) if grad.decided_at else None
        ),
    }
    return Subject(
        Kind.GRADUATION,
        grad.pk,
        grad.area_code,
        office_code,
        about=f"{name} - {grad.kube.name}",
        values=values,
        kube=grad.kube,
    )


BUILDERS: dict[str, Callable[[Any, int, str], Subject]] = {
    Kind.KUBE_DECREE: kube_decree,
    Kind.PROPOSAL_PROVINCE: proposal_province,
    Kind.PROPOSAL_CENTRE: proposal_centre,
    Kind.HANDOVER: handover,
    Kind.MENTORING: mentoring,
    Kind.GRADUATION: graduation,
}
