"""Mentors, and groups for partners, in the search box (sinergi.search).

Mentors are found by who may view them (a mentor's own account: herself only), active ones
first. Partners (IWAPI coordinators, mentors) may not open the KUBE pages: they find groups
through the mentoring pages' scope (a mentor only her accepted groups) and open the mentoring
page of the group, which shows members by name and role only.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sinergi.kube.search import ACTIVE_FIRST, group_detail
from sinergi.mentoring import selectors
from sinergi.mentoring.models import Mentor
from sinergi.search import providers, ranking
from sinergi.search.providers import Hit, Query

_SEES_GROUPS = "mentoring.view_session"


def _follows_groups_only_here(actor: Any) -> bool:
    """Who follows groups through mentoring but may not open the KUBE pages (partners)."""
    return bool(actor.has_perm(_SEES_GROUPS)) and not actor.has_perm("kube.view_kube")


def _group_list(actor: Any, query: Query) -> str | None:
    return f"{reverse('mentoring:group_list')}?{urlencode({'q': query.text})}"


@providers.provider(
    "kube", label=_("KUBE"), order=30, allowed=_follows_groups_only_here, more=_group_list
)
def mentored_groups(actor: Any, query: Query, *, limit: int) -> list[Hit]:
    if not _follows_groups_only_here(actor):
        return []
    found = ranking.by_name(
        selectors.mentoring_groups(actor), query, limit=limit, tiebreak=ACTIVE_FIRST
    )
    return [
        Hit(
            kind="kube",
            title=r.row.name,
            url=reverse("mentoring:group_detail", args=[r.row.pk]),
            detail=group_detail(r.row),
            rank=r.rank,
        )
        for r in found
    ]


def _may_see_mentors(actor: Any) -> bool:
    return bool(actor.has_perm("mentoring.view_mentor"))


def _mentor_list(actor: Any, query: Query) -> str | None:
    return f"{reverse('mentoring:mentor_list')}?{urlencode({'q': query.text})}"


def _mentor_detail(mentor: Mentor) -> str:
    parts = [mentor.unit.name, mentor.base_regency.name]
    if not mentor.active:
        parts.append(gettext("no longer mentoring"))
    return " · ".join(parts)


@providers.provider(
    "mentor", label=_("Mentors"), order=40, allowed=_may_see_mentors, more=_mentor_list
)
def mentors(actor: Any, query: Query, *, limit: int) -> list[Hit]:
    if not _may_see_mentors(actor):
        return []
    # The mentors' own scope, without the list page's load figures and sectors per row.
    scoped = Mentor.objects.for_user(actor).select_related("unit", "base_regency")
    found = ranking.by_name(scoped, query, limit=limit, tiebreak=("-active", "-updated_at"))
    return [
        Hit(
            kind="mentor",
            title=r.row.name,
            url=reverse("mentoring:mentor_edit", args=[r.row.pk]),
            detail=_mentor_detail(r.row),
            rank=r.rank,
        )
        for r in found
    ]
