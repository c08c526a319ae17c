"""What a field user's phone keeps for offline work (``GET /api/v1/sync/``), scoped here.

The groups are the ones whose mentoring the user may follow (``mentoring.mentoring_groups``:
area and party rules — a mentor's own groups, a KUBE officer's one group, a facilitator's or
coordinator's area), minus the closed ones. Members go out by name and group role only, for
every role: the phone needs nothing more to take attendance, and a lost phone then holds no
identifier. The pages are those the service worker keeps, each one that opens for the user.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone

from sinergi.aid.models import Disbursement, Lpj, LpjStatus, Proposal, ProposalStatus
from sinergi.core.pagination import SubqueryCount
from sinergi.kube.models import Kube, Membership, Status
from sinergi.market.models import Product
from sinergi.mentoring.models import ActionItem, ActionStatus, Assignment, Session
from sinergi.mentoring.selectors import mentoring_groups, previous_month

# An office's whole area does not fit on a phone: the most recently changed groups go out.
MAX_GROUPS = 200
SESSION_DAYS = 90
CLOSED = (Status.GRADUATED, Status.DISSOLVED)
# Per group, the capture forms and who fills them (the permission the form's POST needs).
GROUP_FORMS = (
    ("mentoring:session_create", "mentoring.add_session"),
    ("monitoring:report", "monitoring.add_groupreport"),
    ("mentoring:report", "mentoring.add_monthlyreport"),
)


@dataclass(frozen=True)
class Sync:
    server_time: datetime
    full: bool
    group_ids: list[int]
    groups: list[dict[str, Any]]
    pages: list[str]
    truncated: bool


def offline_groups(actor: Any) -> QuerySet[Kube]:
    """The groups the actor works with in the field: followed, and not closed."""
    groups: QuerySet[Kube] = mentoring_groups(actor).exclude(status__in=CLOSED)
    return groups


def _changed_since(since: datetime) -> Q:
    """A group whose row, members (their names too), open work, sessions, products or mentor
    assignment changed at or after ``since``: the device holds an older copy of it."""
    kube = OuterRef("pk")
    history = Membership.history.model.objects.filter(kube_id=kube, history_date__gte=since)
    renamed = Membership.objects.filter(
        kube=kube, end_date__isnull=True, person__updated_at__gte=since
    )
    return (
        Q(updated_at__gte=since)
        | Exists(history)
        | Exists(renamed)
        | Exists(ActionItem.objects.filter(kube=kube, updated_at__gte=since))
        | Exists(Session.objects.filter(kube=kube, updated_at__gte=since))
        | Exists(Product.objects.filter(kube=kube, updated_at__gte=since))
        | Exists(Assignment.objects.filter(kube=kube, updated_at__gte=since))
    )


def sync(actor: Any, *, since: datetime | None, now: datetime | None = None) -> Sync:
    """What changed for the actor's phone since ``since`` (everything when None, too old, or
    when the actor's own account — role, area, group — changed since)."""
    now = now or timezone.now()
    oldest = now - timedelta(days=settings.SINERGI_OFFLINE_DAYS)
    full = since is None or since < oldest or actor.updated_at >= since
    scope = offline_groups(actor).order_by("-updated_at", "-pk")
    changed_q = Value(True) if since is None or full else _changed_since(since)
    rows = list(
        scope.annotate(
            changed=ExpressionWrapper(changed_q, output_field=BooleanField())
        ).values_list("pk", "changed")[: MAX_GROUPS + 1]
    )
    truncated = len(rows) > MAX_GROUPS
    rows = rows[:MAX_GROUPS]
    ids = [pk for pk, _changed in rows]
    changed = [pk for pk, was_changed in rows if was_changed]
    return Sync(
        server_time=now,
        full=full,
        group_ids=ids,
        groups=group_details(changed, today=timezone.localdate(now)),
        pages=pages(actor, ids, today=timezone.localdate(now)),
        truncated=truncated,
    )


def group_details(ids: list[int], *, today: date) -> list[dict[str, Any]]:
    """The groups (already scoped) whole: names of members, open action items, recent sessions
    and products; one query each, whatever the number of groups."""
    if not ids:
        return []
    members: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for m in (
        Membership.objects.filter(kube_id__in=ids, end_date__isnull=True)
        .select_related("person")
        .only("id", "kube_id", "role", "person_id", "person__name")
        .order_by("role", "person__name", "pk")
    ):
        members[m.kube_id].append(
            {
                "id": m.pk,
                "person_id": m.person_id,
                "name": m.person.name,
                "role": m.role,
                "role_label": m.get_role_display(),
            }
        )
    items: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item in ActionItem.objects.filter(kube_id__in=ids, status=ActionStatus.OPEN).order_by(
        "due_on", "pk"
    ):
        items[item.kube_id].append(
            {
                "id": item.pk,
                "description": item.description,
                "owner": item.owner,
                "due_on": item.due_on,
                "overdue": item.due_on < today,
                "session_id": item.raised_in_id,
            }
        )
    sessions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    present = Session.present.through.objects.filter(session_id=OuterRef("pk")).values("pk")
    for s in (
        Session.objects.filter(kube_id__in=ids, held_on__gte=today - timedelta(days=SESSION_DAYS))
        .select_related("mentor")
        .annotate(n_present=SubqueryCount(present))
        .order_by("-held_on", "-pk")
    ):
        sessions[s.kube_id].append(
            {
                "id": s.pk,
                "held_on": s.held_on,
                "place": s.place,
                "topics": s.topics,
                "mentor": s.mentor.name,
                "present": s.n_present,  # type: ignore[attr-defined]  # annotated above
            }
        )
    products: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for p in Product.objects.filter(kube_id__in=ids).order_by("name", "pk"):
        products[p.kube_id].append(
            {
                "id": p.pk,
                "name": p.name,
                "unit": p.unit,
                "price": p.price,
                "available": p.available,
                "active": p.active,
            }
        )
    groups = Kube.objects.filter(pk__in=ids).select_related("village", "business_type")
    return [
        {
            "id": k.pk,
            "name": k.name,
            "status": k.status,
            "status_label": k.get_status_display(),
            "village": {"code": k.village.code, "name": k.village.name},
            "business_type": k.business_type.label,
            "updated_at": k.updated_at,
            "url": reverse("mentoring:group_detail", args=[k.pk]),
            "members": members[k.pk],
            "action_items": items[k.pk],
            "sessions": sessions[k.pk],
            "products": products[k.pk],
        }
        for k in groups.order_by("-updated_at", "-pk")
    ]


def _open_lpj(actor: Any, ids: Iterable[int]) -> list[int]:
    """The actor's groups' paid aid whose fund-use report (LPJ) is still to be written."""
    lpj = Lpj.objects.filter(
        proposal=OuterRef("pk"), status__in=[LpjStatus.SUBMITTED, LpjStatus.ACCEPTED]
    )
    return list(
        Proposal.objects.for_user(actor)
        .filter(kube_id__in=list(ids), status=ProposalStatus.APPROVED)
        .filter(Exists(Disbursement.objects.filter(proposal=OuterRef("pk"))))
        .exclude(Exists(lpj))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def pages(actor: Any, ids: list[int], *, today: date) -> list[str]:
    """The pages to keep on the phone: the task list, each group's pages, and the capture
    forms the actor may fill (only active groups take new records)."""
    out = [reverse("core:inbox")]
    if actor.has_perm("market.add_sale"):
        out.append(reverse("market:sale_list"))
    active = set(Kube.objects.filter(pk__in=ids, status=Status.ACTIVE).values_list("pk", flat=True))
    month = previous_month(today).strftime("%Y-%m")
    sees_group_page = actor.has_perm("kube.view_kube")  # the IKS entry form is on it
    forms = [(name, perm) for name, perm in GROUP_FORMS if actor.has_perm(perm)]
    for pk in ids:
        out.append(reverse("mentoring:group_detail", args=[pk]))
        if sees_group_page:
            out.append(reverse("kube:kube_detail", args=[pk]))
        if pk not in active:
            continue
        for name, _perm in forms:
            args = [pk] if name == "mentoring:session_create" else [pk, month]
            out.append(reverse(name, args=args))
    if actor.has_perm("aid.add_lpjitem"):
        out += [reverse("aid:lpj_detail", args=[pk]) for pk in _open_lpj(actor, active)]
    return out
