"""Scoped reads of KUBE groups and the registry heads who could join one."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from sinergi.kube.models import Kube
from sinergi.registry.models import Person


def kube_list(
    *, actor: Any, status: str = "", business_type: str = "", q: str = "", area: str = ""
) -> QuerySet[Kube]:
    qs = (
        Kube.objects.for_user(actor)
        .select_related("business_type", "village")
        .annotate(member_count=Count("memberships", filter=Q(memberships__end_date__isnull=True)))
    )
    if status:
        qs = qs.filter(status=status)
    if business_type:
        qs = qs.filter(business_type__code=business_type)
    if area:
        qs = qs.filter(Q(area_code=area) | Q(area_code__startswith=area + "."))
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
