"""Scoped reads of the breach register, and the configuration the processing register is built from.

Views, the API, the inbox and the banner read only through these functions
(tests/core/test_layers.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.utils import timezone

from sinergi.compliance.models import UNNOTIFIED, Incident, LetterTemplate, Notification
from sinergi.core.scoping import access
from sinergi.registry.models import LegalBasis
from sinergi.wilayah.selectors import region_names

# Incidents are rare; a list shows the newest this many (open ones always first).
LIST_LIMIT = 200
# The banner names at most this many incidents (and says how many more).
BANNER_LIMIT = 3


def incident_list(actor: Any, *, open_only: bool = False) -> list[Incident]:
    """The incidents the actor may see, open ones (clock running) first, newest first."""
    qs = Incident.objects.for_user(actor)
    if open_only:
        qs = qs.filter(UNNOTIFIED)
    rows = list(qs.order_by("-discovered_at", "-id")[:LIST_LIMIT])
    rows.sort(key=lambda i: i.notified)  # stable: open first, each part newest first
    return rows


def incident_get(actor: Any, pk: int) -> Incident:
    return access(Incident.objects, actor=actor, pk=pk)


def notifications(incident: Incident) -> QuerySet[Notification]:
    """An incident's notices (the incident was read through scope by ``incident_get``)."""
    return incident.notifications.select_related("recorded_by").order_by("sent_at", "id")


def open_clocks(actor: Any, *, limit: int = BANNER_LIMIT) -> tuple[list[Incident], int]:
    """The running clocks a responsible officer (who may change incidents) is shown: the
    first ``limit`` by deadline, and how many there are in all (up to 100). One query."""
    if (
        actor is None
        or not actor.is_authenticated
        or not actor.has_perm("compliance.change_incident")
    ):
        return [], 0
    rows = list(
        Incident.objects.for_user(actor, "change")
        .filter(UNNOTIFIED)
        .order_by("discovered_at", "id")
        .only(
            "id",
            "title",
            "area_code",
            "discovered_at",
            "authority_notified_at",
            "subjects_notified_at",
        )[:100]
    )
    return rows[:limit], len(rows)


def area_name(code: str) -> str:
    if not code:
        return ""
    return region_names([code]).get(code, code)


def area_names(incidents: Iterable[Incident]) -> dict[str, str]:
    return region_names(sorted({i.area_code for i in incidents if i.area_code}))


def letter_template(recipient: str, language: str) -> LetterTemplate | None:
    """The template for ``recipient`` in ``language``, else the one in Indonesian."""
    found = {
        t.language: t
        for t in LetterTemplate.objects.filter(recipient=recipient, language__in=[language, "id"])
    }
    return found.get(language) or found.get("id")


def letter_template_get(pk: int) -> LetterTemplate | None:
    return LetterTemplate.objects.filter(pk=pk).first()


# --- The configuration behind the records of processing -----------------------------------------


def legal_bases(on: datetime.date | None = None) -> dict[str, LegalBasis]:
    """The legal basis of each data category valid on ``on`` (today): the newest not after it."""
    day = on or timezone.localdate()
    out: dict[str, LegalBasis] = {}
    for row in LegalBasis.objects.filter(valid_from__lte=day).order_by("category", "-valid_from"):
        out.setdefault(row.category, row)
    return out


def role_permissions() -> dict[str, set[str]]:
    """Each role group's permissions as ``app.codename``, as the admin has set them."""
    out: dict[str, set[str]] = {}
    pairs = Group.permissions.through.objects.values_list(
        "group__name", "permission__content_type__app_label", "permission__codename"
    )
    for group, app_label, codename in pairs:
        out.setdefault(group, set()).add(f"{app_label}.{codename}")
    for name in Group.objects.values_list("name", flat=True):
        out.setdefault(name, set())
    return out


def retention_periods(on: datetime.date | None = None) -> dict[str, str] | None:
    """The retention period of each data category, from the pdp app's retention policy when that
    model exists; None when it does not (the register then says "not configured")."""
    model = _retention_model()
    if model is None:
        return None
    day = on or timezone.localdate()
    fields = {f.name for f in model._meta.get_fields()}
    qs = model.objects.all()
    if "valid_from" in fields:
        qs = qs.filter(valid_from__lte=day).order_by("category", "-valid_from")
    out: dict[str, str] = {}
    for row in qs:
        category = str(getattr(row, "category", ""))
        if category and category not in out:
            out[category] = _period_text(row)
    return out


def _retention_model() -> Any:
    for name in ("RetentionPolicy", "RetentionPeriod", "Retention", "RetentionRule"):
        try:
            model = apps.get_model("pdp", name)
        except LookupError:
            continue
        if any(f.name == "category" for f in model._meta.get_fields()):
            return model
    return None


def _period_text(row: Any) -> str:
    from django.utils.translation import gettext as _

    for attr, label in (("days", _("%(n)s days")), ("months", _("%(n)s months"))):
        value = getattr(row, attr, None)
        if value:
            text = label % {"n": value}
            break
    else:
        for attr in ("period_days", "keep_days", "retention_days"):
            value = getattr(row, attr, None)
            if value:
                text = _("%(n)s days") % {"n": value}
                break
        else:
            text = str(row)
    action = getattr(row, "get_action_display", None)
    return f"{text} ({action()})" if callable(action) else text
