"""Every model holding data about an area has a scope, and each scope keeps out other areas.

The rule (docs/architecture.md, "Scoping"): a model holds area-bound data when it has a region
code of its own (``area_code``, ``regency_code``, a foreign key to a region) or points to a
model that does; such a model's manager is a ``core.scoping.ScopedQuerySet`` (a child table
scoped through its parent, NetBox's ``RestrictedQuerySet.restrict()``), unless it is listed in
``GLOBAL`` below with the reason everyone may read it. A new model without a scope fails here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.db import models

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.aid.models import Lpj, LpjItem
from sinergi.core.models import AuditEvent
from sinergi.core.scoping import ScopedQuerySet, area_q
from sinergi.kube.models import IksEntry, Kube, Membership, Status, Transition
from sinergi.market.models import Permit, ProductWeek
from sinergi.mentoring.models import Agreement, Kpi, Session, SessionPhoto
from sinergi.monitoring.models import RegencyFigures, RegencyMonth
from sinergi.registry.models import ImportBatch, ImportIssue
from sinergi.wilayah.models import Region
from tests.factories import (
    KubeFactory,
    MentorFactory,
    PersonFactory,
    ProductFactory,
    ProposalFactory,
    UnitFactory,
    region,
)

# Area-bound by the rule, yet read by everyone who holds the model's view permission.
GLOBAL = {
    "wilayah.region": "the Kemendagri region list is public reference data",
    "aid.programme": "a programme is a published definition; its area says where it applies",
    "aid.cycle": "a programme's rounds are as public as the programme",
}
# Apps other helpers are building this session; their children still to be scoped. Shrinks.
NOT_YET = {
    "pdp.correction": "pdp app in progress (scope through request__area_code)",
}
AREA_FIELDS = {"area_code", "regency_code"}


def _sinergi_models() -> list[type[models.Model]]:
    # Through tables of many-to-many fields are read through their scoped owner; the row
    # history of django-simple-history is read from a row already fetched in scope
    # (``obj.history``) or in the admin, which is for national staff.
    return [
        m
        for m in apps.get_models()
        if m.__module__.startswith("sinergi.") and not hasattr(m, "instance_type")
    ]


def _area_bound() -> dict[str, str]:
    """``{model label: why}`` for every model holding area-bound data."""
    found: dict[str, str] = {}
    every = _sinergi_models()
    for model in every:
        for field in model._meta.concrete_fields:
            if field.name in AREA_FIELDS or field.related_model is Region:
                found[model._meta.label_lower] = field.name
    grew = True
    while grew:
        grew = False
        for model in every:
            label = model._meta.label_lower
            if label in found:
                continue
            for field in model._meta.concrete_fields:
                target = field.related_model if field.is_relation else None
                # Who wrote a row (recorded_by, actor...) does not put the row in an area.
                if target is None or target._meta.label_lower == "accounts.user":
                    continue
                if target._meta.label_lower in found:
                    found[label] = f"{field.name} -> {target._meta.label_lower}"
                    grew = True
                    break
    return found


def _scoped(model: type[models.Model]) -> ScopedQuerySet[Any] | None:
    qs = model._default_manager.all()
    return qs if isinstance(qs, ScopedQuerySet) else None


def _scoped_manager(model: type[models.Model]) -> ScopedQuerySet[Any]:
    qs = _scoped(model)
    assert qs is not None, model
    return qs


def test_every_model_with_area_bound_data_has_a_scope() -> None:
    bound = _area_bound()
    assert {"kube.membership", "market.permit", "mentoring.sessionphoto"} <= set(bound)
    missing = [
        f"{label} ({why})"
        for label, why in sorted(bound.items())
        if label not in GLOBAL and label not in NOT_YET and _scoped(apps.get_model(label)) is None
    ]
    assert not missing, "area-bound models without a ScopedQuerySet manager: " + ", ".join(missing)


def test_the_exception_lists_name_real_unscoped_models() -> None:
    labels = {m._meta.label_lower for m in _sinergi_models()}
    for label in [*GLOBAL, *NOT_YET]:
        assert label in labels, f"{label} is listed but is no model any more"
    for label in NOT_YET:
        assert _scoped(apps.get_model(label)) is None, f"{label} has its scope: remove it"


@pytest.mark.django_db
def test_every_scope_names_real_lookups_and_permissions() -> None:
    """A typo in a scope's lookup or in the parent it borrows permissions from would only
    surface when someone opens the page; here every scoped model is compiled and checked."""
    for model in _sinergi_models():
        qs = _scoped(model)
        if qs is None:
            continue
        lookups: dict[str, Any] = {qs.scope_field: "32.73"}
        if qs.kube_field:
            lookups[qs.kube_field] = 1
        if qs.mentor_field:
            lookups[qs.mentor_field] = 1
        str(qs.filter(area_q(qs.scope_field, "32.73")).filter(**lookups).query)
        str(qs.filter(**qs.mentor_conditions).query)
        for action in ("view", "change"):
            app_label, codename = qs.permission_for(action).split(".")
            if action == "change" and model._meta.default_permissions == ():
                continue
            assert Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).exists(), f"{model._meta.label}: no permission {app_label}.{codename}"


# --- Each scope keeps out rows of another area ---------------------------------------------

BANDUNG, BOGOR = "32.73.01.1001", "32.01.01.1001"


def _kube(village: str) -> Kube:
    return KubeFactory.create(village_code=village, status=Status.ACTIVE)


def _membership(village: str) -> Membership:
    person = PersonFactory.create(household__village_code=village)
    return Membership.objects.create(
        kube=_kube(village), person=person, start_date=datetime.date(2026, 1, 5)
    )


def _transition(village: str) -> Transition:
    return Transition.objects.create(
        kube=_kube(village), from_status=Status.VERIFIED, to_status=Status.ACTIVE
    )


def _iks(village: str) -> IksEntry:
    return IksEntry.objects.create(
        kube=_kube(village), day=datetime.date(2026, 2, 1), kind="contribution", amount=50_000
    )


def _permit(village: str) -> Permit:
    return Permit.objects.create(
        product=ProductFactory.create(kube=_kube(village)), kind="pirt", number="P-IRT 123"
    )


def _week(village: str) -> ProductWeek:
    return ProductWeek.objects.create(
        product=ProductFactory.create(kube=_kube(village)),
        week_start=datetime.date(2026, 3, 2),
        quantity=40,
    )


def _photo(village: str) -> SessionPhoto:
    session = Session.objects.create(
        kube=_kube(village),
        mentor=MentorFactory.create(regency_code=village[:5]),
        held_on=datetime.date(2026, 3, 3),
        place="Balai desa",
        topics="Pembukuan",
    )
    return SessionPhoto.objects.create(session=session, image="sessions/x.jpg")


def _kpi(village: str) -> Kpi:
    unit = UnitFactory.create(region_code=village[:5])
    agreement = Agreement.objects.create(
        organisation=unit.organisation,
        kind="pks",
        number=f"PKS/{village}",
        title="Pendampingan",
        signing_unit=unit,
        ministry_party="Kemensos",
        ministry_signatory="A",
        partner_signatory="B",
        signed_on=datetime.date(2026, 1, 2),
        valid_from=datetime.date(2026, 1, 2),
        valid_until=datetime.date(2026, 12, 31),
        scope="KUBE",
        area=region(village[:5]),
    )
    return Kpi.objects.create(agreement=agreement, indicator="kube_mentored", target=10)


def _figures(village: str) -> RegencyFigures:
    return RegencyFigures.objects.create(regency_code=village[:5], groups_active=3)


def _month(village: str) -> RegencyMonth:
    return RegencyMonth.objects.create(regency_code=village[:5], month=datetime.date(2026, 3, 1))


def _audit(village: str) -> AuditEvent:
    return AuditEvent.objects.create(event_type="kube.kube.submitted", area_code=village)


def _lpj_item(village: str) -> LpjItem:
    proposal = ProposalFactory.create(kube=_kube(village))
    lpj = Lpj.objects.create(proposal=proposal, area_code=proposal.area_code)
    return LpjItem.objects.create(
        lpj=lpj,
        description="Wajan",
        amount=150_000,
        day=datetime.date(2026, 4, 1),
        receipt="lpj/x.jpg",
    )


def _issue(village: str) -> ImportIssue:
    batch = ImportBatch.objects.create(file_name="a.csv", area_code=village[:5])
    return ImportIssue.objects.create(batch=batch, row_number=2, column="nik", code="nik_bad")


BUILDERS: dict[str, tuple[Callable[[str], models.Model], str]] = {
    # model: (builder, the role reading it in Kota Bandung)
    "kube.membership": (_membership, Role.SOCIAL_OFFICER),
    "kube.transition": (_transition, Role.SOCIAL_OFFICER),
    "kube.iksentry": (_iks, Role.FACILITATOR),
    "market.permit": (_permit, Role.SOCIAL_OFFICER),
    "market.productweek": (_week, Role.SOCIAL_OFFICER),
    "mentoring.sessionphoto": (_photo, Role.FACILITATOR),
    "mentoring.kpi": (_kpi, Role.SOCIAL_OFFICER),
    "monitoring.regencyfigures": (_figures, Role.PARTNER_COORDINATOR),
    "monitoring.regencymonth": (_month, Role.SOCIAL_OFFICER),
    "core.auditevent": (_audit, Role.AUDITOR),
    "aid.lpjitem": (_lpj_item, Role.SOCIAL_OFFICER),
    "registry.importissue": (_issue, Role.SOCIAL_OFFICER),
}


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(BUILDERS))
def test_a_scope_returns_the_readers_area_only(label: str, make_user: Callable[..., User]) -> None:
    build, role = BUILDERS[label]
    inside, outside = build(BANDUNG), build(BOGOR)
    model = apps.get_model(label)
    reader = make_user(role, "32.73")
    seen = set(_scoped_manager(model).for_user(reader).values_list("pk", flat=True))
    assert inside.pk in seen
    assert outside.pk not in seen
    # The province sees both; a role without the permission the scope asks sees nothing.
    province = make_user(role, "32")
    both = _scoped_manager(model).for_user(province)
    assert {inside.pk, outside.pk} <= set(both.values_list("pk", flat=True))
    if label.startswith("market."):
        return  # every role may read the public catalogue, its permits and weeks
    buyer = make_user(Role.BUYER, "32.73")
    assert not _scoped_manager(model).for_user(buyer).exists()


@pytest.mark.django_db
def test_a_groups_officer_sees_her_groups_children_only(make_user: Callable[..., User]) -> None:
    ours, theirs = _membership(BANDUNG), _membership(BANDUNG)
    officer = make_user(Role.KUBE_OFFICER, "32.73")
    officer.kube = ours.kube
    officer.save()
    assert list(Membership.objects.for_user(officer)) == [ours]
    assert theirs.kube.area_code == ours.kube.area_code  # same area: the group decides
