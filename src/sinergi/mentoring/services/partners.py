"""Partner organisations, their boards and branches (units), agreements and KPI targets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sinergi.core.errors import InvalidInput, NotFound, require_permission
from sinergi.core.events import snapshot
from sinergi.core.models import AuditEvent
from sinergi.core.scoping import access, user_area
from sinergi.core.uploads import DOCUMENT_TYPES, clean_upload
from sinergi.engines import wilayah as regions
from sinergi.mentoring import events
from sinergi.mentoring.models import (
    UNIT_SEGMENTS,
    Agreement,
    AgreementKind,
    Indicator,
    Kpi,
    Organisation,
    Unit,
    UnitLevel,
)
from sinergi.wilayah.models import Region

ORGANISATION_FIELDS = ("name", "acronym", "description", "active")
UNIT_FIELDS = ("organisation", "level", "name", "region", "parent")
AGREEMENT_FIELDS = (
    "kind", "number", "title", "signing_unit", "ministry_party", "ministry_signatory",
    "partner_signatory", "witnesses", "signed_on", "valid_from", "valid_until", "scope", "area",
)  # fmt: skip


@dataclass
class OrganisationData:
    name: str
    acronym: str = ""
    description: str = ""
    active: bool = True


@transaction.atomic
def organisation_save(
    *, actor: Any, data: OrganisationData, organisation_id: int | None = None
) -> Organisation:
    """Record a partner organisation (a national body such as IWAPI) or correct one."""
    require_permission(
        actor,
        "mentoring.change_organisation" if organisation_id else "mentoring.add_organisation",
    )
    organisation = (
        Organisation.objects.select_for_update().filter(pk=organisation_id).first()
        if organisation_id
        else Organisation()
    )
    if organisation is None:
        raise NotFound(_("No such partner organisation."), field="organisation")
    name = data.name.strip()[:150]
    if not name:
        raise InvalidInput(_("Give the organisation's name."), field="name")
    if Organisation.objects.filter(name__iexact=name).exclude(pk=organisation.pk).exists():
        raise InvalidInput(_("An organisation of this name is already recorded."), field="name")
    before = snapshot(organisation, *ORGANISATION_FIELDS) if organisation.pk else {}
    organisation.name = name
    organisation.acronym = data.acronym.strip()[:30]
    organisation.description = data.description.strip()
    organisation.active = data.active
    created = organisation.pk is None
    organisation.save()
    AuditEvent.record(
        events.ORGANISATION_CREATED if created else events.ORGANISATION_CHANGED,
        actor=actor,
        obj=organisation,
        before=before,
        after=snapshot(organisation, *ORGANISATION_FIELDS),
    )
    return organisation


def _region_in_area(actor: Any, raw: str, field: str) -> Region | None:
    """An existing, current region inside the actor's area; empty means none (national)."""
    if not raw.strip():
        if user_area(actor) is not None:
            raise InvalidInput(_("This area is outside your own."), field=field)
        return None
    try:
        code = regions.normalize_code(raw)
    except regions.RegionCodeError:
        raise InvalidInput(
            _("Not a region code: use digits, optionally with dots."), field=field
        ) from None
    region = Region.objects.filter(code=code, retired=False).first()
    if region is None:
        raise InvalidInput(_("No such region: %(code)s.") % {"code": code}, field=field)
    if not regions.in_area(code, user_area(actor)):
        raise InvalidInput(_("This area is outside your own."), field=field)
    return region


@transaction.atomic
def unit_save(
    *,
    actor: Any,
    organisation_id: int,
    level: str,
    name: str,
    region_code: str = "",
    unit_id: int | None = None,
) -> Unit:
    """Record or correct a board or branch; its parent is the unit one level up in the same
    tree, found again on every save."""
    require_permission(actor, "mentoring.change_unit" if unit_id else "mentoring.add_unit")
    unit = access(Unit.objects, actor=actor, for_write=True, pk=unit_id) if unit_id else Unit()
    organisation = Organisation.objects.filter(pk=organisation_id, active=True).first()
    if organisation is None:
        raise InvalidInput(_("Choose an active partner organisation."), field="organisation")
    if level not in UnitLevel.values:
        raise InvalidInput(_("Choose DPP, DPD, DPC or ranting."), field="level")
    if not name.strip():
        raise InvalidInput(_("Give the unit's name."), field="name")
    region = _region_in_area(actor, region_code, "region")
    segments = region.code.count(".") + 1 if region else 0
    if segments != UNIT_SEGMENTS[UnitLevel(level)]:
        raise InvalidInput(
            _(
                "A unit's region must match its level: none for DPP, a province for DPD, a "
                "regency for DPC, a district for a ranting."
            ),
            field="region",
        )
    if (
        Unit.objects.filter(
            organisation=organisation, level=level, area_code=region.code if region else ""
        )
        .exclude(pk=unit.pk)
        .exists()
    ):
        raise InvalidInput(_("This unit is already recorded."), field="region")
    parent_code = regions.parent_of(region.code) if region and segments > 1 else ""
    parent = (
        Unit.objects.filter(organisation=organisation, area_code=parent_code or "").first()
        if region
        else None
    )
    before = snapshot(unit, *UNIT_FIELDS) if unit.pk else {}
    created = unit.pk is None
    unit.organisation, unit.level, unit.name = organisation, level, name.strip()[:150]
    unit.region, unit.parent = region, parent
    unit.save()
    AuditEvent.record(
        events.UNIT_CREATED if created else events.UNIT_CHANGED,
        actor=actor,
        obj=unit,
        area_code=unit.area_code,
        before=before,
        after=snapshot(unit, *UNIT_FIELDS),
    )
    return unit


def unit_create(
    *, actor: Any, organisation_id: int, level: str, name: str, region_code: str = ""
) -> Unit:
    """Record a board or branch (the API's and tests' name for a new ``unit_save``)."""
    return unit_save(
        actor=actor,
        organisation_id=organisation_id,
        level=level,
        name=name,
        region_code=region_code,
    )


@dataclass
class AgreementData:
    kind: str
    number: str
    title: str
    signing_unit_id: int
    ministry_party: str
    ministry_signatory: str
    partner_signatory: str
    signed_on: date
    valid_from: date
    valid_until: date
    scope: str
    witnesses: str = ""
    area_code: str = ""
    kpis: dict[str, int] = field(default_factory=dict)


def _kpis(agreement: Agreement) -> dict[str, int]:
    return {k.indicator: k.target for k in agreement.kpis.all()} if agreement.pk else {}


@transaction.atomic
def agreement_save(
    *, actor: Any, data: AgreementData, agreement_id: int | None = None
) -> Agreement:
    """Record or correct an MoU or PKS with its KPI targets; every field is checked."""
    require_permission(
        actor, "mentoring.change_agreement" if agreement_id else "mentoring.add_agreement"
    )
    agreement = (
        access(Agreement.objects, actor=actor, for_write=True, pk=agreement_id)
        if agreement_id
        else Agreement()
    )
    if data.kind not in AgreementKind.values:
        raise InvalidInput(_("Choose MoU or PKS."), field="kind")
    for name in ("number", "title", "ministry_party", "ministry_signatory",
                 "partner_signatory", "scope"):  # fmt: skip
        if not str(getattr(data, name)).strip():
            raise InvalidInput(_("Fill in this field."), field=name)
    unit = (
        Unit.objects.for_user(actor)
        .filter(pk=data.signing_unit_id)
        .select_related("organisation")
        .first()
    )
    if unit is None:
        raise InvalidInput(_("Choose the body that signed."), field="signing_unit")
    if data.valid_until < data.valid_from:
        raise InvalidInput(_("The agreement ends before it starts."), field="valid_until")
    if data.signed_on > data.valid_until:
        raise InvalidInput(_("It was signed after it ended."), field="signed_on")
    area = _region_in_area(actor, data.area_code, "area_code")
    clash = Agreement.objects.filter(organisation=unit.organisation, number=data.number.strip())
    if clash.exclude(pk=agreement.pk).exists():
        raise InvalidInput(
            _("%(org)s already has an agreement numbered %(number)s.")
            % {"org": unit.organisation, "number": data.number.strip()},
            field="number",
        )
    for indicator, target in data.kpis.items():
        if indicator not in Indicator.values:
            raise InvalidInput(
                _("Unknown KPI indicator: %(code)s.") % {"code": indicator}, field="kpis"
            )
        if target < 1:
            raise InvalidInput(_("A KPI target is a positive number."), field="kpis")
    before = (
        {**snapshot(agreement, *AGREEMENT_FIELDS), "kpis": _kpis(agreement)} if agreement.pk else {}
    )
    agreement.organisation = unit.organisation
    agreement.signing_unit = unit
    agreement.area = area
    for name in ("kind", "number", "title", "ministry_party", "ministry_signatory",
                 "partner_signatory", "witnesses", "scope"):  # fmt: skip
        setattr(agreement, name, str(getattr(data, name)).strip())
    agreement.signed_on = data.signed_on
    agreement.valid_from = data.valid_from
    agreement.valid_until = data.valid_until
    agreement.save()
    agreement.kpis.exclude(indicator__in=list(data.kpis)).delete()
    for indicator, target in data.kpis.items():
        Kpi.objects.update_or_create(
            agreement=agreement, indicator=indicator, defaults={"target": target}
        )
    AuditEvent.record(
        events.AGREEMENT_SAVED,
        actor=actor,
        obj=agreement,
        area_code=agreement.area_code,
        before=before,
        after={**snapshot(agreement, *AGREEMENT_FIELDS), "kpis": _kpis(agreement)},
    )
    return agreement


def agreement_document_clean(document: Any) -> Any:
    """The checked, re-made copy of a signed document (the admin form uses it too)."""
    return clean_upload(
        document,
        kinds=DOCUMENT_TYPES,
        max_bytes=10 * 1024 * 1024,
        missing=_("Attach the signed document: a PDF or photo of at most 10 MB."),
        wrong_kind=_("The document must be a PDF, or a JPEG or PNG photo."),
        field="document",
    )


@transaction.atomic
def agreement_attach(*, actor: Any, agreement_id: int, document: Any) -> Agreement:
    """Attach the signed document (PDF or a photo of it, at most 10 MB)."""
    require_permission(actor, "mentoring.change_agreement")
    agreement = access(Agreement.objects, actor=actor, for_write=True, pk=agreement_id)
    before = snapshot(agreement, "document")
    agreement.document = agreement_document_clean(document)
    agreement.save(update_fields=["document", "updated_at"])
    AuditEvent.record(
        events.AGREEMENT_DOCUMENT,
        actor=actor,
        obj=agreement,
        area_code=agreement.area_code,
        before=before,
        after=snapshot(agreement, "document"),
    )
    return agreement


@transaction.atomic
def agreement_save_with_document(
    *, actor: Any, data: AgreementData, agreement_id: int | None = None, document: Any = None
) -> Agreement:
    """Save an agreement and, when one is given, its signed document: both or neither."""
    agreement = agreement_save(actor=actor, data=data, agreement_id=agreement_id)
    if document:
        agreement = agreement_attach(actor=actor, agreement_id=agreement.pk, document=document)
    return agreement
