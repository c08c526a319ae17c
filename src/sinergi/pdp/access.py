"""The access file (UU PDP Art. 32): everything Sinergi holds about one person, in one JSON
document and a readable PDF in Bahasa Indonesia.

``collect`` reads a person already fetched through scope (the caller's selector) and the rows
that hang from that person: household, group memberships, aid of those groups, incomes reported,
mentoring sessions attended, the groups' sales while a member, consents, and who accessed the
data (audit events about the person or the household, and the read log when it exists). It is a
handful of indexed queries, so one person's file takes well under a second even in a registry of
millions; it is still written by a ``core.Job`` (kind ``pdp.access``) when started from a page.
"""

from __future__ import annotations

import datetime
import json
import tempfile
from typing import Any

from django.core.files import File
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sinergi.core import crypto, jobs
from sinergi.core.events import label_of
from sinergi.core.models import AuditEvent, Job
from sinergi.pdp.models import DataSubjectRequest
from sinergi.registry.models import ConsentRecord, Person

FORMAT_VERSION = 1


def _iso(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _decrypt(token: str, field: str) -> str:
    try:
        return crypto.decrypt(token, field=field) if token else ""
    except Exception:  # a value under a lost key: say so rather than fail the whole file
        return "?"


def _read_log_model() -> Any:
    """The log of reads of personal data (``registry.AccessLog``)."""
    from sinergi.registry.models import AccessLog

    return AccessLog


def access_events(person: Person) -> list[dict[str, Any]]:
    """Who accessed the person's data and why: events on the person or the household (reveals,
    changes, exports), plus the read log where one exists."""
    refs = Q(object_type="registry.person", object_id=str(person.pk)) | Q(
        object_type="registry.household", object_id=str(person.household_id)
    )
    rows: list[dict[str, Any]] = [
        {
            "at": _iso(e.occurred_at),
            "who": e.actor.username if e.actor else "",
            "what": e.event_type,
            "what_label": label_of(e.event_type),
            "why": e.reason,
        }
        for e in AuditEvent.objects.filter(refs).select_related("actor").order_by("occurred_at")
    ]
    from sinergi.registry.models import AccessLog

    reads = AccessLog.objects.filter(
        Q(person_id=person.pk) | Q(household_id=person.household_id, person__isnull=True)
    ).select_related("user")
    for row in reads.order_by("at", "id")[:5000]:
        rows.append(
            {
                "at": _iso(row.at),
                "who": row.user.username if row.user else "",
                "what": f"read.{row.purpose}",
                "what_label": row.get_purpose_display(),
                "why": row.reason,
            }
        )
    rows.sort(key=lambda r: str(r["at"]))
    return rows


def collect(person: Person) -> dict[str, Any]:
    """The access file's content for ``person`` (read through scope by the caller)."""
    from sinergi.aid.models import Disbursement, Lpj, Proposal
    from sinergi.kube.models import Membership
    from sinergi.market.models import Sale
    from sinergi.mentoring.models import Session
    from sinergi.monitoring.models import MemberIncome
    from sinergi.monitoring.services import INCOME_FIELD

    household = person.household
    memberships = list(
        Membership.objects.filter(person=person).select_related("kube").order_by("start_date")
    )
    kube_ids = {m.kube_id for m in memberships}

    def member_on(kube_id: int, day: datetime.date) -> bool:
        return any(
            m.kube_id == kube_id
            and m.start_date <= day
            and (m.end_date is None or day <= m.end_date)
            for m in memberships
        )

    proposals = list(
        Proposal.objects.filter(kube_id__in=kube_ids)
        .select_related("cycle__programme", "kube")
        .order_by("created_at")
    )
    paid: dict[int, list[dict[str, Any]]] = {}
    for d in Disbursement.objects.filter(proposal__in=[p.pk for p in proposals]).order_by("day"):
        paid.setdefault(d.proposal_id, []).append({"day": _iso(d.day), "amount": d.amount})
    lpj = dict(
        Lpj.objects.filter(proposal__in=[p.pk for p in proposals]).values_list(
            "proposal_id", "status"
        )
    )
    incomes = [
        {
            "month": _iso(i.report.period),
            "group": i.report.kube.name,
            "household_size": i.household_size,
            "income": _decrypt(i.income_cipher, INCOME_FIELD),
            "per_capita": _decrypt(i.per_capita_cipher, INCOME_FIELD),
            "poverty_line": i.line_amount,
            "above_line": i.above_line,
        }
        for i in MemberIncome.objects.filter(person=person)
        .select_related("report__kube")
        .order_by("report__period")
    ]
    membership_ids = [m.pk for m in memberships]
    sessions = [
        {"date": _iso(s.held_on), "group": s.kube.name, "place": s.place, "topics": s.topics}
        for s in Session.objects.filter(present__in=membership_ids)
        .select_related("kube")
        .distinct()
        .order_by("held_on")
    ]
    sales = [
        {
            "day": _iso(s.day),
            "group": s.kube.name,
            "what": s.description,
            "quantity": s.quantity,
            "price": s.price,
            "amount": s.amount,
        }
        for s in Sale.objects.filter(kube_id__in=kube_ids).select_related("kube").order_by("day")
        if member_on(s.kube_id, s.day)
    ]
    consents = [
        {
            "category": c.category,
            "purpose": c.purpose,
            "notice_version": c.notice_version,
            "given_at": _iso(c.given_at),
            "withdrawn_at": _iso(c.withdrawn_at),
        }
        for c in ConsentRecord.objects.filter(person=person).order_by("given_at")
    ]
    return {
        "format": FORMAT_VERSION,
        "generated_at": timezone.now().isoformat(),
        "controller": "Kementerian Sosial RI — Sinergi",
        "person": {
            "nik": _decrypt(person.nik_cipher, "nik"),
            "name": person.name,
            "sex": person.sex,
            "birth_place": person.birth_place,
            "birth_date": _iso(person.birth_date),
            "relation": person.relation,
            "is_head": person.is_head,
            "phone": person.phone,
            "area_code": person.area_code,
            "source_id": person.source_id,
            "recorded_at": _iso(person.created_at),
            "updated_at": _iso(person.updated_at),
        },
        "household": {
            "kk": _decrypt(household.kk_cipher, "kk"),
            "village_code": household.village.code,
            "village": household.village.name,
            "address": household.address,
            "welfare_decile": household.desil,
            "decile_date": _iso(household.desil_date),
            "graduated_on": _iso(household.graduated_on),
            "members": household.members.count(),
        },
        "memberships": [
            {
                "group": m.kube.name,
                "group_area": m.kube.area_code,
                "role": m.role,
                "from": _iso(m.start_date),
                "until": _iso(m.end_date),
                "end_reason": m.end_reason,
            }
            for m in memberships
        ],
        "aid": [
            {
                "programme": str(p.cycle.programme),
                "cycle": p.cycle.number,
                "cycle_status": p.cycle.status,
                "group": p.kube.name,
                "status": p.status,
                "amount": p.amount,
                "disbursements": paid.get(p.pk, []),
                "lpj_status": lpj.get(p.pk, ""),
            }
            for p in proposals
        ],
        "incomes": incomes,
        "mentoring": sessions,
        "sales": sales,
        "consents": consents,
        "record_history": [
            {
                "at": _iso(h.history_date),
                "who": h.history_user.username if h.history_user else "",
                "change": h.history_type,
                "name": h.name,
                "birth_place": h.birth_place,
                "birth_date": _iso(h.birth_date),
                "relation": h.relation,
                "phone": h.phone,
            }
            for h in person.history.select_related("history_user").order_by("history_date")
        ],
        "requests": [
            {
                "kind": r.kind,
                "received_on": _iso(r.received_on),
                "status": r.status,
                "outcome": r.outcome,
            }
            for r in DataSubjectRequest.objects.filter(person=person).order_by("received_on")
        ],
        "access_log": access_events(person),
    }


# --- The PDF ------------------------------------------------------------------------------------


def pdf(data: dict[str, Any]) -> bytes:
    """The access file as a readable document in Bahasa Indonesia."""
    from sinergi.monitoring.pdf import Page

    with translation.override("id"):
        page = Page(
            _("What Sinergi holds about you"),
            _("Access file under UU PDP (Law 27/2022), made %(at)s")
            % {"at": data["generated_at"][:16].replace("T", " ")},
        )
        page.set_auto_page_break(True, margin=14)
        p = data["person"]
        page.heading(_("You"))
        page.figures(
            [
                (_("Name"), p["name"]),
                ("NIK", p["nik"]),
                (_("Birth date"), p["birth_date"] or "-"),
                (_("Birth place"), p["birth_place"] or "-"),
                (_("Sex"), p["sex"]),
                (_("Phone"), p["phone"] or "-"),
            ]
        )
        h = data["household"]
        page.heading(_("Household"))
        page.figures(
            [
                (_("KK number"), h["kk"]),
                (_("Village"), f"{h['village']} ({h['village_code']})"),
                (_("Welfare decile"), str(h["welfare_decile"] or "-")),
                (_("Address"), h["address"] or "-"),
                (_("Members"), str(h["members"])),
                (_("Graduated on"), h["graduated_on"] or "-"),
            ]
        )
        sections: list[tuple[str, list[str], list[list[object]], list[float]]] = [
            (
                _("Group memberships"),
                [_("Group"), _("Role"), _("From"), _("Until")],
                [
                    [m["group"], m["role"], m["from"], m["until"] or "-"]
                    for m in data["memberships"]
                ],
                [80, 30, 35, 35],
            ),
            (
                _("Aid received by your groups"),
                [_("Programme"), _("Group"), _("Status"), _("Amount (Rp)")],
                [[a["programme"], a["group"], a["status"], a["amount"]] for a in data["aid"]],
                [70, 50, 30, 30],
            ),
            (
                _("Incomes reported"),
                [_("Month"), _("Group"), _("Income (Rp)"), _("Above the line")],
                [
                    [
                        i["month"][:7],
                        i["group"],
                        i["income"],
                        _("yes") if i["above_line"] else _("no"),
                    ]
                    for i in data["incomes"]
                ],
                [30, 80, 35, 35],
            ),
            (
                _("Mentoring sessions attended"),
                [_("Date"), _("Group"), _("Topics")],
                [[s["date"], s["group"], s["topics"]] for s in data["mentoring"]],
                [30, 60, 90],
            ),
            (
                _("Sales of your groups while you were a member"),
                [_("Date"), _("Group"), _("What"), _("Amount (Rp)")],
                [[s["day"], s["group"], s["what"], s["amount"]] for s in data["sales"]],
                [30, 55, 65, 30],
            ),
            (
                _("Consents"),
                [_("Purpose"), _("Given"), _("Withdrawn")],
                [
                    [c["purpose"], c["given_at"][:10], (c["withdrawn_at"] or "-")[:10]]
                    for c in data["consents"]
                ],
                [100, 40, 40],
            ),
            (
                _("Who accessed your data"),
                [_("When"), _("Who"), _("What"), _("Why")],
                [
                    [e["at"][:16].replace("T", " "), e["who"], e["what_label"], e["why"]]
                    for e in data["access_log"]
                ],
                [32, 30, 70, 48],
            ),
        ]
        for title, header, rows, widths in sections:
            page.heading(title)
            if rows:
                _grid(page, header, rows, widths)
            else:
                page.cell(0, 5, _("None."), new_x="LMARGIN", new_y="NEXT")
        page.ln(4)
        page.multi_cell(
            0,
            4,
            _(
                "You may ask for a correction or an erasure of your data at the social "
                "office; some records must be kept by law (aid and its accounts)."
            ).translate({0x2014: "-"}),
        )
        return page.bytes()


def _grid(page: Any, header: list[str], rows: list[list[object]], widths: list[float]) -> None:
    from sinergi.monitoring.pdf import _latin

    page.set_font("Helvetica", "B", 7.5)
    for text, w in zip(header, widths, strict=True):
        page.cell(w, 5, _latin(text)[: int(w / 1.55)], border="B")
    page.ln(5)
    page.set_font("Helvetica", "", 8)
    for row in rows:
        for cell, w in zip(row, widths, strict=True):
            page.cell(w, 4.6, _latin(cell)[: int(w / 1.6)])
        page.ln(4.6)


# --- The job ------------------------------------------------------------------------------------


def write_files(job: Job, data: dict[str, Any]) -> None:
    """Store the JSON (the job's result file) and the PDF beside it, both in default_storage."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    with tempfile.TemporaryFile() as handle:
        handle.write(json.dumps(data, ensure_ascii=False, indent=2).encode())
        handle.seek(0)
        jobs.save_result(job, File(handle), download_name=f"akses-data-{job.pk}.json")
    name = default_storage.save(f"jobs/pdp.access-{job.pk}.pdf", ContentFile(pdf(data)))
    job.result = {**(job.result or {}), "pdf": name}
    Job.objects.filter(pk=job.pk).update(result=job.result)


def audit_download(actor: Any, job: Job) -> None:
    from sinergi.pdp import events

    AuditEvent.record(
        events.ACCESS_DOWNLOADED,
        actor=actor,
        area_code=job.area_code,
        data={"job": job.pk, "request": job.params.get("request")},
    )
