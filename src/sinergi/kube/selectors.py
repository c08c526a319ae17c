"""Scoped reads of KUBE groups and the registry heads who could join one."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet

from sinergi.core.pagination import SubqueryCount
from sinergi.core.scoping import area_q
from sinergi.kube.models import Kube, Membership
from sinergi.registry.models import Person

# What a list row shows (page and API): not the bank account nor the history fields.
KUBE_LIST_FIELDS = (
    "name",
    "area_code",
    "status",
    "business_type__code",
    "business_type__name",
    "village__name",
)


def kube_list(
    *, actor: Any, status: str = "", business_type: str = "", q: str = "", area: str = ""
) -> QuerySet[Kube]:
    # Members per row as a correlated subquery, not a GROUP BY over every group's memberships:
    # the database counts for the rows of the page only.
    members = Membership.objects.filter(kube=OuterRef("pk"), end_date__isnull=True).order_by()
    qs = (
        Kube.objects.for_user(actor)
        .select_related("business_type", "village")
        .only(*KUBE_LIST_FIELDS)
        .annotate(member_count=SubqueryCount(members.values("pk")))
    )
    if status:
        qs = qs.filter(status=status)
    if business_type:
        qs = qs.filter(business_type__code=business_type)
    if area:
        qs = qs.filter(area_q("area_code", area, by_range=True))
    for word in q.split()[:4]:
        qs = qs.filter(name__icontains=word)
    return qs.order_by("area_code", "name")


def formation_candidates(*, actor: Any, district_code: str) -> QuerySet[Person]:
    """Heads of family or main earners in a district, for the formation form."""
    return (
        Person.objects.for_user(actor)
        .filter(merged_into__isnull=True, is_head=True, area_code__startswith=district_code + ".")
        .select_related("household")
        .order_by("area_code", "name")
    )
