"""Scoped reads of the breach register, and the configuration the processing register is built from.

Views, the API, the inbox and the banner read only through these functions
(tests/core/test_layers.py).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection
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


def notifications(actor: Any, incident: Incident) -> QuerySet[Notification]:
    """An incident's notices, through their own scope (the incident's area and permission)."""
    return (
        Notification.objects.for_user(actor)
        .filter(incident=incident)
        .select_related("recorded_by")
        .order_by("sent_at", "id")
    )


def open_clocks(actor: Any, *, limit: int = BANNER_LIMIT) -> tuple[list[Incident], int]:
    """The running clocks a responsible officer (who may change incidents) is shown: the
    first ``limit`` by deadline, and how many there are in all (up to 100). A written-out
    check first, then (only while some clock runs anywhere) one scoped query."""
    if (
        actor is None
        or not actor.is_authenticated
        or not actor.has_perm("compliance.change_incident")
    ):
        return [], 0
    if not _any_clock_running():
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


def _any_clock_running() -> bool:
    """Whether any incident anywhere still owes a notice. The banner is on every page of
    admins and social officers, and building its scoped statement cost ~1 ms of CPU per page
    while no clock runs (nearly always); this one is written once per process."""
    with connection.cursor() as cursor:
        cursor.execute(_running_sql())
        return cursor.fetchone() is not None


@functools.cache
def _running_sql() -> str:
    quote = connection.ops.quote_name
    column = {f.name: quote(str(f.column)) for f in Incident._meta.concrete_fields}
    # Names from the model, nothing from a request. UNNOTIFIED, as one statement.
    return (
        f"SELECT 1 FROM {quote(Incident._meta.db_table)} "  # noqa: S608
        f"WHERE {column['authority_notified_at']} IS NULL "
        f"OR {column['subjects_notified_at']} IS NULL LIMIT 1"
    )


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


def legal_bases(on: datetime.date | None = None) -> dict[tuple[str, str], LegalBasis]:
    """The legal basis valid on ``on`` (today) of each data category (purpose "") and of each
    purpose narrowed from a category: the newest row not after the day, by (category, purpose)."""
    day = on or timezone.localdate()
    out: dict[tuple[str, str], LegalBasis] = {}
    rows = LegalBasis.objects.filter(valid_from__lte=day).order_by(
        "category", "purpose", "-valid_from"
    )
    for row in rows:
        out.setdefault((row.category, row.purpose), row)
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


def retention_rules(on: datetime.date | None = None) -> dict[str, str] | None:
    """The retention period in force for each of the pdp app's retention categories, in words
    ("Persons of households that left the programme: 1825 days, then Anonymise"); None when
    the pdp app has no retention model (the register then says "not configured")."""
    from django.utils.translation import gettext as _

    try:
        model = apps.get_model("pdp", "RetentionRule")
    except LookupError:
        return None
    day = on or timezone.localdate()
    out: dict[str, str] = {}
    for row in model.objects.filter(valid_from__lte=day).order_by("category", "-valid_from"):
        if row.category in out:
            continue
        out[row.category] = _("%(what)s: %(days)s days, then %(action)s") % {
            "what": row.get_category_display(),
            "days": row.days,
            "action": str(row.get_action_display()).lower(),
        }
    return out
