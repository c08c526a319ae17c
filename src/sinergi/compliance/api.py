"""The breach register and the records of processing through the API (/api/v1/compliance/).

Incidents are few, so their list is returned whole (newest 200, open ones first), like the
KUBE business types. Reads through ``selectors``, writes through ``services``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from sinergi.compliance import register, selectors, services
from sinergi.compliance.clock import clock
from sinergi.compliance.models import MAX_AFFECTED, Incident, Recipient
from sinergi.core.api_perms import require_perm
from sinergi.core.api_schemas import Id

router = Router(tags=["compliance"])


class IncidentNotifiedOut(Schema):
    recipient: str
    sent_at: datetime.datetime
    means: str
    reference: str


class IncidentOut(Schema):
    id: int
    reference: str
    title: str
    area_code: str
    categories: list[str]
    affected_count: int
    occurred_at: datetime.datetime
    discovered_at: datetime.datetime
    description: str
    measures: str
    deadline: datetime.datetime = Field(description="Discovery + 72 hours (UU PDP Art. 46)")
    authority_notified_at: datetime.datetime | None
    subjects_notified_at: datetime.datetime | None
    clock_running: bool = Field(description="The authority or the subjects not yet notified")
    overdue: bool
    clock: str = Field(description="Time left or overdue, in the request's language")


class IncidentDetailOut(IncidentOut):
    notifications: list[IncidentNotifiedOut]


class IncidentIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    area_code: str = Field("", max_length=13, description="Region code; empty for national")
    categories: list[str] = Field(min_length=1, max_length=20)
    affected_count: int = Field(ge=0, le=MAX_AFFECTED)
    occurred_at: datetime.datetime
    discovered_at: datetime.datetime
    description: str = Field(min_length=1, max_length=4000)
    measures: str = Field("", max_length=4000)


class IncidentNoticeIn(Schema):
    recipient: str = Field(pattern="^(authority|subjects|public)$")
    sent_at: datetime.datetime
    means: str = Field(min_length=1, max_length=200)
    reference: str = Field("", max_length=200)


class RegisterRowOut(Schema):
    category: str
    label: str
    purpose: str
    legal_basis: str
    legal_reference: str
    basis_valid_from: datetime.date | None
    data_subjects: str
    recipients: list[str]
    partner_recipients: list[str]
    transfers: str
    retention: str
    security_measures: list[str]
    specific_data: bool
    gaps: list[str]


def _out(incident: Incident) -> dict[str, Any]:
    state = clock(incident)
    return {
        **{
            name: getattr(incident, name)
            for name in (
                "id",
                "reference",
                "title",
                "area_code",
                "categories",
                "affected_count",
                "occurred_at",
                "discovered_at",
                "description",
                "measures",
                "deadline",
                "authority_notified_at",
                "subjects_notified_at",
            )
        },
        "clock_running": state.running,
        "overdue": state.overdue,
        "clock": state.text,
    }


def _aware(value: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@router.get("/incidents", response=list[IncidentOut], summary="Personal-data incidents")
def incident_list(request: HttpRequest, open: bool = False) -> Any:
    require_perm(request, "compliance.view_incident")
    return [_out(i) for i in selectors.incident_list(request.user, open_only=open)]


@router.get("/incidents/{incident_id}", response=IncidentDetailOut)
def incident_detail(request: HttpRequest, incident_id: Id) -> Any:
    require_perm(request, "compliance.view_incident")
    incident = selectors.incident_get(request.user, incident_id)
    return {
        **_out(incident),
        "notifications": [
            {
                "recipient": n.recipient,
                "sent_at": n.sent_at,
                "means": n.means,
                "reference": n.reference,
            }
            for n in selectors.notifications(request.user, incident)
        ],
    }


@router.post("/incidents", response={201: IncidentOut}, summary="Record an incident")
def incident_create(request: HttpRequest, payload: IncidentIn) -> Any:
    require_perm(request, "compliance.add_incident")
    values = payload.dict()
    values["occurred_at"] = _aware(values["occurred_at"])
    values["discovered_at"] = _aware(values["discovered_at"])
    incident = services.incident_record(actor=request.user, **values)
    return Status(201, _out(incident))


@router.post(
    "/incidents/{incident_id}/notifications",
    response={201: IncidentOut},
    summary="Record a notice sent to the authority, the data subjects or the public",
)
def incident_notify(request: HttpRequest, incident_id: Id, payload: IncidentNoticeIn) -> Any:
    require_perm(request, "compliance.change_incident")
    services.notification_record(
        actor=request.user,
        incident_id=incident_id,
        recipient=Recipient(payload.recipient),
        sent_at=_aware(payload.sent_at),
        means=payload.means,
        reference=payload.reference,
    )
    return Status(201, _out(selectors.incident_get(request.user, incident_id)))


@router.get(
    "/processing-register",
    response=list[RegisterRowOut],
    summary="Records of processing activities, generated from the configuration",
)
def processing_register(request: HttpRequest) -> Any:
    require_perm(request, "compliance.view_register")
    return [
        {
            "category": r.category,
            "label": r.label,
            "purpose": r.purpose,
            "legal_basis": r.legal_basis,
            "legal_reference": r.legal_reference,
            "basis_valid_from": r.basis_since,
            "data_subjects": r.subjects,
            "recipients": [x.role for x in r.recipients],
            "partner_recipients": [x.role for x in r.recipients if x.partner],
            "transfers": r.transfers,
            "retention": r.retention,
            "security_measures": r.measures,
            "specific_data": r.specific,
            "gaps": r.gaps,
        }
        for r in register.rows()
    ]
