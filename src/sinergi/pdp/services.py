"""Writes of the personal-data module: one transaction each, scope re-checked, audited.

``actor=None`` is the system (the command line): no role to check, the whole registry in
scope; the audit trail then says the step came from the command line.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.core import jobs
from sinergi.core.errors import Conflict, InvalidInput, NotFound, require_permission
from sinergi.core.events import snapshot
from sinergi.core.four_eyes import require_different
from sinergi.core.models import AuditEvent, Job
from sinergi.core.scoping import access, user_area
from sinergi.engines import nik as nikmod
from sinergi.pdp import access as access_file
from sinergi.pdp import events, selectors
from sinergi.pdp.erasure import ErasureRefused, anonymise, is_erased, legal_holds
from sinergi.pdp.jobs import ACCESS
from sinergi.pdp.models import (
    Channel,
    Correction,
    CorrectionStatus,
    DataSubjectRequest,
    RequestKind,
    RequestStatus,
    due_days,
)
from sinergi.registry import access_log
from sinergi.registry.models import AccessPurpose, Person, Relation, Sex

# What a correction may change (the registry's own person fields; the NIK through the registry).
CORRECTABLE = ("name", "sex", "birth_place", "birth_date", "relation", "phone")


def _system(actor: Any) -> bool:
    return actor is None


def _find_person(actor: Any, nik: str) -> Person | None:
    if _system(actor):
        return Person.objects.filter(nik_hash=selectors.nik_hash(nik)).first()
    return selectors.person_by_nik(actor=actor, nik=nik)


def _valid_nik(nik: str) -> str:
    digits = nikmod.clean(nik)
    if not (digits.isdigit() and len(digits) == 16):
        raise InvalidInput(_("Give the person's full 16-digit NIK."), field="nik")
    return digits


@transaction.atomic
def request_create(
    *,
    actor: Any,
    kind: str,
    nik: str,
    channel: str,
    received_on: datetime.date,
    details: str = "",
    responsible: Any = None,
) -> DataSubjectRequest:
    """Record a request. A NIK not in the registry (or outside the area) is still recorded:
    the request then says that Sinergi holds nothing under that number."""
    if not _system(actor):
        require_permission(actor, "pdp.add_datasubjectrequest")
    if kind not in RequestKind.values:
        raise InvalidInput(_("Choose what the person asks for."), field="kind")
    if channel not in Channel.values:
        raise InvalidInput(_("Choose how the request came in."), field="channel")
    digits = _valid_nik(nik)
    if received_on > datetime.date.today():
        raise InvalidInput(_("The date received cannot be in the future."), field="received_on")
    person = _find_person(actor, digits)
    area = person.area_code if person else (user_area(actor) or "" if actor else "")
    request = DataSubjectRequest.objects.create(
        kind=kind,
        channel=channel,
        received_on=received_on,
        due_on=received_on + datetime.timedelta(days=due_days(kind)),
        person=person,
        nik_hash=selectors.nik_hash(digits),
        area_code=area,
        details=details.strip()[:4000],
        responsible=responsible or (actor if getattr(actor, "pk", None) else None),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    AuditEvent.record(
        events.REQUEST_RECORDED,
        actor=actor,
        obj=request,
        area_code=request.area_code,
        data={"kind": kind, "found": person is not None, "cli": _system(actor)},
    )
    return request


def found_text(request: DataSubjectRequest) -> str:
    if request.person_id is None:
        return _(
            "This NIK is not in the registry of your area: Sinergi holds no record under it. "
            "The request is recorded; answer the person so."
        )
    return ""


@transaction.atomic
def request_close(
    *, actor: Any, request_id: int, outcome: str, refused: bool = False
) -> DataSubjectRequest:
    """Close a request with what was done (or why it was refused)."""
    require_permission(actor, "pdp.change_datasubjectrequest")
    request = access(DataSubjectRequest.objects, actor=actor, for_write=True, pk=request_id)
    if request.status != RequestStatus.OPEN:
        raise Conflict(_("This request is already closed."))
    outcome = outcome.strip()
    if len(outcome) < 5:
        raise InvalidInput(_("Say what was done (at least 5 characters)."), field="outcome")
    before = snapshot(request, "status")
    request.status = RequestStatus.REFUSED if refused else RequestStatus.DONE
    request.outcome = outcome[:4000]
    request.closed_at, request.closed_by = timezone.now(), actor
    request.save()
    AuditEvent.record(
        events.REQUEST_CLOSED,
        actor=actor,
        obj=request,
        area_code=request.area_code,
        before=before,
        after=snapshot(request, "status"),
    )
    return request


# --- Access ------------------------------------------------------------------------------------


def _person_of(actor: Any, request: DataSubjectRequest) -> Person:
    if request.person_id is None:
        raise NotFound(found_text(request))
    if _system(actor):
        return Person.objects.select_related("household__village").get(pk=request.person_id)
    person: Person = access(
        Person.objects.select_related("household__village"), actor=actor, pk=request.person_id
    )
    return person


@transaction.atomic
def access_start(*, actor: Any, request_id: int) -> Job:
    """Start the access file of a request's person as a job (the page's path)."""
    require_permission(actor, "pdp.view_datasubjectrequest")
    request = access(DataSubjectRequest.objects, actor=actor, pk=request_id)
    _person_of(actor, request)
    return jobs.start(
        ACCESS.code,
        actor=actor,
        area_code=request.area_code,
        params={"request": request.pk},
    )


def access_run(job: Job) -> None:
    """The job's work: the file in the requester's scope, stored, audited, on the request."""
    actor = job.created_by
    request = DataSubjectRequest.objects.get(pk=job.params["request"])
    person = _person_of(actor, request)
    data = access_file.collect(person)
    with transaction.atomic():
        access_file.write_files(job, data)
        _audit_access(actor, request, person, job)
        DataSubjectRequest.objects.filter(pk=request.pk).update(
            result={**(request.result or {}), "access_job": job.pk}
        )


def _audit_access(actor: Any, request: DataSubjectRequest | None, person: Person, job: Any) -> None:
    # Stored words stay in the language they were written in, and a background job writes in
    # the default one: the purpose (a choice, read in each reader's language) says what this
    # was, so the reason only names the request, in words no language needs translating.
    reason = f"UU PDP #{request.pk}" if request is not None else "UU PDP"
    access_log.record(actor, AccessPurpose.ACCESS_FILE, person=person, reason=reason)
    AuditEvent.record(
        events.ACCESS_EXPORTED,
        actor=actor,
        obj=person,
        area_code=person.area_code,
        reason=reason,
        data={
            "request": request.pk if request else None,
            "job": getattr(job, "pk", None),
            "cli": _system(actor),
        },
    )


def access_export(*, actor: Any, nik: str) -> dict[str, Any]:
    """The access file's content now (the command line): audited like the page's job."""
    if not _system(actor):
        require_permission(actor, "pdp.view_datasubjectrequest")
    person = _find_person(actor, _valid_nik(nik))
    if person is None:
        raise NotFound(_("This NIK is not in the registry: Sinergi holds no record under it."))
    data = access_file.collect(person)
    with transaction.atomic():
        _audit_access(actor, None, person, None)
    return data


# --- Correction (four eyes) --------------------------------------------------------------------


def _clean_changes(changes: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in CORRECTABLE or value in (None, ""):
            continue
        if key == "birth_date":
            if isinstance(value, str):
                try:
                    value = datetime.date.fromisoformat(value)
                except ValueError as exc:
                    raise InvalidInput(_("Give the date as YYYY-MM-DD."), field=key) from exc
            if value > datetime.date.today() or value.year < 1900:
                raise InvalidInput(_("This date is not possible."), field=key)
            out[key] = value.isoformat()
        elif (key == "sex" and value not in Sex.values) or (
            key == "relation" and value not in Relation.values
        ):
            raise InvalidInput(_("Choose a valid value."), field=key)
        else:
            text = " ".join(str(value).split())
            if len(text) > (150 if key == "name" else 100):
                raise InvalidInput(_("This value is too long."), field=key)
            out[key] = text
    if not out:
        raise InvalidInput(_("Give at least one corrected value."), field="name")
    return out


@transaction.atomic
def correction_propose(*, actor: Any, request_id: int, changes: dict[str, Any]) -> Correction:
    """Propose the corrected values; another officer applies them (``correction_decide``)."""
    require_permission(actor, "pdp.change_datasubjectrequest")
    request = access(DataSubjectRequest.objects, actor=actor, for_write=True, pk=request_id)
    if request.kind != RequestKind.CORRECTION or request.status != RequestStatus.OPEN:
        raise Conflict(_("Only an open correction request takes a correction."))
    person = _person_of(actor, request)
    if is_erased(person):
        raise Conflict(_("This person's data was erased."))
    after = _clean_changes(changes)
    current = snapshot(person, *after)
    correction = Correction.objects.create(
        request=request,
        person=person,
        before=dict(current),
        after=after,
        proposed_by=actor,
    )
    AuditEvent.record(
        events.CORRECTION_PROPOSED,
        actor=actor,
        obj=request,
        area_code=request.area_code,
        data={"correction": correction.pk, "fields": sorted(after)},
    )
    return correction


@transaction.atomic
def correction_decide(
    *, actor: Any, correction_id: int, approve: bool, note: str = ""
) -> Correction:
    """Approve (apply to the registry row; its history keeps before and after) or reject.
    Whoever proposed the correction may not decide it."""
    require_permission(actor, "pdp.approve_correction")
    correction = Correction.objects.select_for_update().filter(pk=correction_id).first()
    if correction is None:
        raise NotFound(_("This correction does not exist, or it is outside your area."))
    request = access(
        DataSubjectRequest.objects, actor=actor, for_write=True, pk=correction.request_id
    )
    if correction.status != CorrectionStatus.PROPOSED:
        raise Conflict(_("This correction has already been decided."))
    require_different(
        actor,
        correction.proposed_by_id,
        message=_("You proposed this correction; another officer must approve it."),
    )
    if approve:
        person = access(Person.objects, actor=actor, lock=True, pk=correction.person_id)
        before = snapshot(person, *correction.after)
        for key, value in correction.after.items():
            setattr(
                person, key, datetime.date.fromisoformat(value) if key == "birth_date" else value
            )
        person.save()
        AuditEvent.record(
            events.CORRECTION_DECIDED,
            actor=actor,
            obj=person,
            area_code=person.area_code,
            reason=note.strip()[:300],
            data={"request": request.pk, "correction": correction.pk, "approved": True},
            before=before,
            after=snapshot(person, *correction.after),
        )
    else:
        AuditEvent.record(
            events.CORRECTION_DECIDED,
            actor=actor,
            obj=request,
            area_code=request.area_code,
            reason=note.strip()[:300],
            data={"correction": correction.pk, "approved": False},
        )
    correction.status = CorrectionStatus.APPROVED if approve else CorrectionStatus.REJECTED
    correction.decided_by, correction.decided_at = actor, timezone.now()
    correction.note = note.strip()[:300]
    correction.save()
    return correction


# --- Erasure -----------------------------------------------------------------------------------


def person_erase(
    *,
    actor: Any,
    reason: str,
    nik: str = "",
    request_id: int | None = None,
) -> dict[str, Any]:
    """Erase (anonymise) one person, named by NIK or by a request; all or nothing.

    Refused with ``ErasureRefused`` (409, each hold with its date) when a legal hold applies;
    the refusal is audited too."""
    if not _system(actor):
        require_permission(actor, "pdp.erase_person")
    reason = reason.strip()
    if len(reason) < 5:
        raise InvalidInput(_("Say why the data is erased (at least 5 characters)."), field="reason")
    request: DataSubjectRequest | None = None
    with transaction.atomic():
        if request_id is not None:
            request = access(DataSubjectRequest.objects, actor=actor, for_write=True, pk=request_id)
            if request.kind != RequestKind.ERASURE or request.status != RequestStatus.OPEN:
                raise Conflict(_("Only an open erasure request can be carried out."))
            person = _person_of(actor, request)
        else:
            found = _find_person(actor, _valid_nik(nik))
            if found is None:
                raise NotFound(
                    _("This NIK is not in the registry: Sinergi holds no record under it.")
                )
            person = found
        person = Person.objects.select_for_update().get(pk=person.pk)
        if is_erased(person):
            raise Conflict(_("This person's data was already erased."))
        holds = legal_holds(person)
        if not holds:
            counts = anonymise(person, actor=actor)
            AuditEvent.record(
                events.ERASED,
                actor=actor,
                obj=person,
                area_code=person.area_code,
                reason=reason[:1000],
                data={
                    "request": request.pk if request else None,
                    "counts": counts,
                    "cli": _system(actor),
                },
            )
            if request is not None:
                request.status = RequestStatus.DONE
                request.outcome = _("Erased (anonymised) everywhere: %(reason)s") % {
                    "reason": reason
                }
                request.closed_at, request.closed_by = timezone.now(), actor
                request.result = {**(request.result or {}), "erasure": counts}
                # Only these: the row's NIK hash was just cleared by the erasure.
                request.save(
                    update_fields=["status", "outcome", "closed_at", "closed_by", "result"]
                )
            return {"person": person.pk, "counts": counts}
    refusal = ErasureRefused(holds)
    with transaction.atomic():
        AuditEvent.record(
            events.ERASURE_REFUSED,
            actor=actor,
            obj=person,
            area_code=person.area_code,
            reason=reason[:1000],
            data={
                "request": request.pk if request else None,
                "holds": [h.as_dict() for h in holds],
                "cli": _system(actor),
            },
        )
        if request is not None:
            DataSubjectRequest.objects.filter(pk=request.pk).update(
                result={**(request.result or {}), "holds": [h.as_dict() for h in holds]}
            )
    raise refusal
