"""Writes of the breach register; each in one transaction with its audit event (old/new values).

The API, the pages and the admin call these; every refusal is a ``DomainError`` in the user's
language naming its field.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from sinergi.compliance import events, selectors
from sinergi.compliance.models import (
    MAX_AFFECTED,
    PLACEHOLDER,
    Incident,
    LetterTemplate,
    Notification,
    Recipient,
)
from sinergi.compliance.register import ACTIVITIES, controller
from sinergi.core.errors import InvalidInput, require_permission
from sinergi.core.events import snapshot
from sinergi.core.models import AuditEvent
from sinergi.core.scoping import access, user_area
from sinergi.engines.wilayah import in_area
from sinergi.registry.models import DataCategory

INCIDENT_FIELDS = (
    "title",
    "area_code",
    "categories",
    "affected_count",
    "occurred_at",
    "discovered_at",
    "description",
    "measures",
)
# A clock a few minutes ahead of the server's is not a time in the future.
_SKEW = datetime.timedelta(minutes=5)


def category_choices() -> list[tuple[str, str]]:
    """The data categories an incident may name: the registry's, then the register's others."""
    choices = [(str(code), str(label)) for code, label in DataCategory.choices]
    known = {code for code, _label in choices}
    choices += [
        (code, str(a.label)) for code, a in ACTIVITIES.items() if code not in known and a.label
    ]
    return choices


def _check(actor: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The incident's values, cleaned, or ``InvalidInput`` naming the first bad field."""
    title = str(values.get("title") or "").strip()
    if not title:
        raise InvalidInput(_("Give the incident a short title."), field="title")
    if len(title) > 200:
        raise InvalidInput(_("At most 200 characters."), field="title")
    area = str(values.get("area_code") or "").strip()
    mine = user_area(actor)
    if area:
        if selectors.area_name(area) == area:  # no region of that code
            raise InvalidInput(_("No region has this code."), field="area_code")
        if not in_area(area, mine):
            raise InvalidInput(_("This region is outside your area."), field="area_code")
    elif mine is not None:
        raise InvalidInput(
            _("Choose the region of the incident (your area or a region in it)."),
            field="area_code",
        )
    known = dict(category_choices())
    categories = list(dict.fromkeys(str(c) for c in values.get("categories") or []))
    if not categories:
        raise InvalidInput(_("Name at least one category of data exposed."), field="categories")
    unknown = [c for c in categories if c not in known]
    if unknown:
        raise InvalidInput(
            _("Unknown data category: %(c)s.") % {"c": ", ".join(unknown)}, field="categories"
        )
    count = values.get("affected_count")
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_AFFECTED:
        raise InvalidInput(
            _("Give the number of people affected, between 0 and %(max)s.")
            % {"max": formats.number_format(MAX_AFFECTED, force_grouping=True)},
            field="affected_count",
        )
    occurred, discovered = values.get("occurred_at"), values.get("discovered_at")
    now = timezone.now() + _SKEW
    for name, when in (("occurred_at", occurred), ("discovered_at", discovered)):
        if not isinstance(when, datetime.datetime):
            raise InvalidInput(_("Give a date and time."), field=name)
        if when > now:
            raise InvalidInput(_("This time is in the future."), field=name)
    assert isinstance(occurred, datetime.datetime) and isinstance(discovered, datetime.datetime)
    if discovered < occurred:
        raise InvalidInput(
            _("An incident cannot be discovered before it happened."), field="discovered_at"
        )
    description = str(values.get("description") or "").strip()
    if not description:
        raise InvalidInput(_("Describe what happened and how."), field="description")
    measures = str(values.get("measures") or "").strip()
    for name, text in (("description", description), ("measures", measures)):
        if len(text) > 4000:
            raise InvalidInput(_("At most 4,000 characters."), field=name)
    return {
        "title": title,
        "area_code": area,
        "categories": categories,
        "affected_count": count,
        "occurred_at": occurred,
        "discovered_at": discovered,
        "description": description,
        "measures": measures,
    }


@transaction.atomic
def incident_record(*, actor: Any, **values: Any) -> Incident:
    """Record a new incident; its 3×24-hour clock starts at ``discovered_at``."""
    require_permission(actor, "compliance.add_incident")
    clean = _check(actor, values)
    incident = Incident.objects.create(**clean, reported_by=actor)
    AuditEvent.record(
        events.INCIDENT_RECORDED,
        actor=actor,
        obj=incident,
        area_code=incident.area_code,
        after=snapshot(incident, *INCIDENT_FIELDS),
    )
    return incident


@transaction.atomic
def incident_update(*, actor: Any, incident_id: int, **values: Any) -> Incident:
    require_permission(actor, "compliance.change_incident")
    incident = access(Incident.objects, actor=actor, for_write=True, pk=incident_id)
    before = snapshot(incident, *INCIDENT_FIELDS)
    clean = _check(actor, values)
    for name, value in clean.items():
        setattr(incident, name, value)
    incident.save()
    AuditEvent.record(
        events.INCIDENT_UPDATED,
        actor=actor,
        obj=incident,
        area_code=incident.area_code,
        before=before,
        after=snapshot(incident, *INCIDENT_FIELDS),
    )
    return incident


@transaction.atomic
def notification_record(
    *,
    actor: Any,
    incident_id: int,
    recipient: str,
    sent_at: datetime.datetime,
    means: str,
    reference: str = "",
) -> Notification:
    """Record a notice sent about an incident; the first to the authority and the first to the
    data subjects stop the clock between them."""
    require_permission(actor, "compliance.change_incident")
    incident = access(Incident.objects, actor=actor, for_write=True, pk=incident_id)
    if recipient not in Recipient.values:
        raise InvalidInput(_("Choose whom the notice went to."), field="recipient")
    if not isinstance(sent_at, datetime.datetime):
        raise InvalidInput(_("Give a date and time."), field="sent_at")
    if sent_at > timezone.now() + _SKEW:
        raise InvalidInput(_("This time is in the future."), field="sent_at")
    if sent_at < incident.discovered_at:
        raise InvalidInput(
            _("A notice cannot be sent before the incident was discovered."), field="sent_at"
        )
    means = means.strip()
    if not means:
        raise InvalidInput(_("Say how the notice was sent."), field="means")
    fields = ("authority_notified_at", "subjects_notified_at")
    before = snapshot(incident, *fields)
    notice = Notification.objects.create(
        incident=incident,
        recipient=recipient,
        sent_at=sent_at,
        means=means[:200],
        reference=reference.strip()[:200],
        recorded_by=actor,
    )
    stamp = {
        Recipient.AUTHORITY: "authority_notified_at",
        Recipient.SUBJECTS: "subjects_notified_at",
    }.get(Recipient(recipient))
    if stamp and (getattr(incident, stamp) is None or sent_at < getattr(incident, stamp)):
        setattr(incident, stamp, sent_at)
        incident.save(update_fields=[stamp, "updated_at"])
    AuditEvent.record(
        events.INCIDENT_NOTIFIED,
        actor=actor,
        obj=incident,
        area_code=incident.area_code,
        data={
            "recipient": recipient,
            "sent_at": sent_at.isoformat(),
            "means": notice.means,
            "reference": notice.reference,
            "late": sent_at > incident.deadline,
        },
        before=before,
        after=snapshot(incident, *fields),
    )
    return notice


# --- Letters ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    subject: str
    body: str
    language: str

    @property
    def text(self) -> str:
        return f"{self.subject}\n\n{self.body}\n"


def _when(value: datetime.datetime | None) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%d-%m-%Y %H:%M") + f" ({settings.TIME_ZONE})"


def letter_values(incident: Incident) -> dict[str, str]:
    """What each placeholder stands for, in the active language."""
    labels = dict(category_choices())
    return {
        "reference": incident.reference,
        "title": incident.title,
        "area": selectors.area_name(incident.area_code) or _("the whole of Indonesia"),
        "occurred_at": _when(incident.occurred_at),
        "discovered_at": _when(incident.discovered_at),
        "deadline": _when(incident.deadline),
        "categories": ", ".join(labels.get(c, c) for c in incident.categories),
        "affected_count": formats.number_format(incident.affected_count, force_grouping=True),
        "description": incident.description,
        "measures": incident.measures or "-",
        "controller": controller(),
        "authority": str(
            getattr(settings, "SINERGI_PDP_AUTHORITY", "")
            or _("Personal Data Protection Agency (Lembaga Pelindungan Data Pribadi)")
        ),
        "contact": str(
            getattr(settings, "SINERGI_PDP_CONTACT", "")
            or _("the data protection officer of the Ministry of Social Affairs")
        ),
        "today": timezone.localdate().strftime("%d-%m-%Y"),
    }


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with each ``{placeholder}`` replaced; nothing else is interpreted."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


@transaction.atomic
def letter_render(
    *, actor: Any, incident_id: int, recipient: str, language: str, fmt: str
) -> Letter:
    """The notification letter to ``recipient`` filled from the incident, in ``language``;
    recorded in the audit trail (who generated which letter, in what form)."""
    require_permission(actor, "compliance.view_incident")
    incident = access(Incident.objects, actor=actor, pk=incident_id)
    if recipient not in (Recipient.AUTHORITY, Recipient.SUBJECTS):
        raise InvalidInput(_("Letters go to the authority or to the data subjects."))
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    template = selectors.letter_template(recipient, language)
    if template is None:
        raise InvalidInput(_("No letter template is configured (admin: letter templates)."))
    with translation.override(template.language):
        values = letter_values(incident)
    letter = Letter(
        subject=fill(template.subject, values),
        body=fill(template.body, values),
        language=template.language,
    )
    AuditEvent.record(
        events.LETTER_GENERATED,
        actor=actor,
        obj=incident,
        area_code=incident.area_code,
        data={"recipient": recipient, "language": template.language, "format": fmt},
    )
    return letter


@transaction.atomic
def letter_template_save(*, actor: Any, template: LetterTemplate) -> LetterTemplate:
    """Save a letter template (the admin's change form); an unknown placeholder is refused."""
    require_permission(actor, "compliance.change_lettertemplate", "compliance.add_lettertemplate")
    fields = ("recipient", "language", "subject", "body")
    old = selectors.letter_template_get(template.pk) if template.pk else None
    before = snapshot(old, *fields) if old is not None else None
    try:
        template.save()
    except ValidationError as exc:
        first = next(iter(exc.message_dict.items()))
        raise InvalidInput(first[1][0], field=first[0]) from exc
    AuditEvent.record(
        events.TEMPLATE_CHANGED,
        actor=actor,
        obj=template,
        before=before,
        after=snapshot(template, *fields),
    )
    return template


def register_downloaded(*, actor: Any, what: str, fmt: str, language: str) -> None:
    """Record who downloaded the records of processing or the DPIA, in what form."""
    require_permission(actor, "compliance.view_register")
    AuditEvent.record(
        events.REGISTER_EXPORTED,
        actor=actor,
        data={"document": what, "format": fmt, "language": language},
    )
