"""Scoped reads of the registry. Partner roles hold no registry permission: they get nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.core import crypto
from sinergi.core.errors import InvalidInput
from sinergi.core.pagination import SubqueryCount
from sinergi.core.scoping import access, area_q
from sinergi.engines import nik as nikmod
from sinergi.registry.models import (
    AccessLog,
    AccessPurpose,
    ConsentRecord,
    DuplicateCandidate,
    DuplicateStatus,
    Household,
    ImportBatch,
    ImportIssue,
    ImportStatus,
    Person,
)

# What a list row shows (page and API): never the KK ciphertext nor the history fields.
HOUSEHOLD_LIST_FIELDS = (
    "kk_mask",
    "area_code",
    "address",
    "desil",
    "desil_date",
    "village__name",
)


def is_full_number(q: str) -> bool:
    """A whole NIK or KK number (separators allowed): searched by POST only, so it never
    lands in a web address, an access log, a proxy log or the browser history."""
    digits = nikmod.clean(q)
    return digits.isdigit() and len(digits) == 16


def refuse_number_in_address(q: str, endpoint: str) -> None:
    """API lists take names in ``?q=``; a full number there is refused, pointing to the POST."""
    if is_full_number(q):
        raise InvalidInput(
            _("Search by a full NIK or KK number with POST %(endpoint)s, not in the address.")
            % {"endpoint": endpoint},
            field="q",
        )


def require_full_number(number: str) -> str:
    if not is_full_number(number):
        raise InvalidInput(_("Give a full 16-digit NIK or KK number."), field="number")
    return number


def household_list(*, actor: Any, q: str = "", area: str = "") -> QuerySet[Household]:
    """Households in the actor's area; ``q`` is a KK number (exact) or a member's name."""
    # Per-row figures as correlated subqueries, not a GROUP BY over the whole table: the
    # database then works out members and head for the rows of the page only.
    head = Person.objects.filter(household=OuterRef("pk"), is_head=True).order_by("id")
    members = Person.objects.filter(household=OuterRef("pk")).order_by().values("pk")
    qs = (
        Household.objects.for_user(actor)
        .select_related("village")
        .only(*HOUSEHOLD_LIST_FIELDS)
        .annotate(member_count=SubqueryCount(members), head_name=Subquery(head.values("name")[:1]))
    )
    if area:
        qs = qs.filter(area_q("area_code", area, by_range=True))
    q = q.strip()
    if q:
        digits = nikmod.clean(q)
        if digits.isdigit() and len(digits) == 16:
            qs = qs.filter(
                Q(kk_hash=crypto.lookup_hash(digits, field="kk"))
                | Q(members__nik_hash=crypto.lookup_hash(digits, field="nik"))
            )
        else:
            for word in q.split()[:4]:
                qs = qs.filter(members__name__icontains=word)
        qs = qs.distinct()
    return qs.order_by("area_code", "id")


def person_list(
    *, actor: Any, q: str = "", area: str = "", action: str = "view"
) -> QuerySet[Person]:
    # The list shows the masked number only: the ciphertext stays in the database.
    qs = Person.objects.for_user(actor, action).filter(merged_into__isnull=True).defer("nik_cipher")
    if area:
        qs = qs.filter(area_q("area_code", area, by_range=True))
    q = q.strip()
    if q:
        digits = nikmod.clean(q)
        if digits.isdigit() and len(digits) == 16:
            qs = qs.filter(nik_hash=crypto.lookup_hash(digits, field="nik"))
        else:
            for word in q.split()[:4]:
                qs = qs.filter(name__icontains=word)
    return qs.order_by("area_code", "household_id", "id")


def household_get(*, actor: Any, pk: Any) -> Household:
    """One household the actor may see, else 404 (outside the area looks absent)."""
    return access(Household.objects.select_related("village"), actor=actor, pk=pk)


def household_graduation(household: Household) -> dict[str, Any] | None:
    """When, from which group and with what note the household graduated; None if it has not.
    Read from the household (read with ``household_get``, so only by who may see it)."""
    if household.graduated_on is None:
        return None
    return {
        "on": household.graduated_on,
        "group": household.graduated_from,
        "note": household.graduation_reason,
    }


def household_members(household: Household) -> QuerySet[Person]:
    return household.members.order_by("-is_head", "birth_date")


def household_history(household: Household) -> dict[str, Any]:
    """The last changes of the household and of its members (who, when), for its page."""
    return {
        "history": list(household.history.select_related("history_user")[:20]),
        "member_history": list(
            Person.history.filter(household_id=household.pk).select_related("history_user")[:30]
        ),
    }


def person_get(*, actor: Any, pk: Any) -> Person:
    return access(Person.objects.select_related("household"), actor=actor, pk=pk)


def import_list(*, actor: Any) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.for_user(actor).select_related("uploaded_by")


def import_get(*, actor: Any, pk: Any) -> ImportBatch:
    return access(ImportBatch.objects, actor=actor, pk=pk)


def import_issues(*, actor: Any, batch: ImportBatch) -> QuerySet[ImportIssue]:
    """The problems of one batch, scoped on their own (through the batch's area)."""
    return ImportIssue.objects.for_user(actor).filter(batch=batch)


def duplicate_queue(
    *, actor: Any, status: str = DuplicateStatus.PENDING
) -> QuerySet[DuplicateCandidate]:
    return (
        DuplicateCandidate.objects.for_user(actor)
        .filter(status=status)
        .select_related("person_a__household", "person_b__household")
    )


def duplicate_get(*, actor: Any, pk: Any, action: str = "view") -> DuplicateCandidate:
    qs = DuplicateCandidate.objects.select_related(
        "person_a__household__village", "person_b__household__village", "decided_by"
    )
    return access(
        qs, actor=actor, for_write=False, permission=f"registry.{action}_duplicatecandidate", pk=pk
    )


def sees_welfare(actor: Any) -> bool:
    """Decile is shown only to roles that may view the registry itself (never partners)."""
    return bool(actor.has_perm("registry.view_household")) and not getattr(
        actor, "is_partner", False
    )


# --- The access log (UU PDP: who read a person's data, and why) ------------------------------


def access_log_for(person: Person, *, actor: Any = None) -> QuerySet[AccessLog]:
    """Every logged read of ``person``'s data, newest first: reads of the person (their page,
    a reveal of their NIK, a search that found them) and of their household's page, which shows
    them. Without ``actor`` (the data-subject access file, ``sinergi.pdp``) unscoped; with one,
    only what that user may read of the log (none without ``registry.view_accesslog``)."""
    source = AccessLog.objects.all() if actor is None else AccessLog.objects.for_user(actor)
    return (
        source.filter(
            Q(person_id=person.pk) | Q(household_id=person.household_id, person__isnull=True)
        )
        .select_related("user", "person")
        .order_by("-at", "-id")
    )


def household_access_log(*, actor: Any, household: Household) -> QuerySet[AccessLog]:
    """Reads of the household and of each of its members, newest first, for who may see them."""
    return (
        AccessLog.objects.for_user(actor)
        .filter(household_id=household.pk)
        .select_related("user", "person")
        .order_by("-at", "-id")
    )


def sees_access_log(actor: Any) -> bool:
    return bool(actor.has_perm("registry.view_accesslog")) and not getattr(
        actor, "is_partner", False
    )


# Unusual access: a user whose reads in the last 24 hours or 7 days pass all of a floor, a
# multiple of their own usual rate (the 28 days before the last 7) and a multiple of their peers'
# (the median of the users of the same role reading in the area in the same window).
UNUSUAL_FLOOR_DAY = 30
UNUSUAL_FLOOR_WEEK = 150
UNUSUAL_FACTOR = 3
BASELINE_DAYS = 28


@dataclass
class AccessPattern:
    user_id: int
    username: str
    role: str
    day: int  # reads in the last 24 hours
    week: int  # reads in the last 7 days
    records_day: int  # distinct households read in the last 24 hours
    reveals_week: int
    usual_day: float  # their own mean per day over the baseline
    peers_day: float  # median of the peers' last 24 hours
    peers_week: float
    unusual_day: bool = False
    unusual_week: bool = False

    @property
    def unusual(self) -> bool:
        return self.unusual_day or self.unusual_week


def _median(values: list[int]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    mid = len(ordered) // 2
    return float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def access_patterns(*, actor: Any, now: datetime | None = None) -> list[AccessPattern]:
    """Reads per user of the records in the actor's area, against the user's usual and their
    peers'; one grouped query over the last 35 days (index access_area_at)."""
    now = now or timezone.now()
    day_ago, week_ago = now - timedelta(days=1), now - timedelta(days=7)
    start = week_ago - timedelta(days=BASELINE_DAYS)
    rows = (
        AccessLog.objects.for_user(actor)
        .filter(at__gte=start, at__lte=now, user__isnull=False)
        .values("user_id", "user__username", "user__role")
        .annotate(
            day=Count("id", filter=Q(at__gte=day_ago)),
            week=Count("id", filter=Q(at__gte=week_ago)),
            base=Count("id", filter=Q(at__lt=week_ago)),
            records_day=Count("household_id", filter=Q(at__gte=day_ago), distinct=True),
            reveals_week=Count(
                "id",
                filter=Q(
                    at__gte=week_ago,
                    purpose__in=[AccessPurpose.REVEAL_NIK, AccessPurpose.REVEAL_KK],
                ),
            ),
        )
        .order_by()
    )
    found = [
        AccessPattern(
            user_id=r["user_id"],
            username=r["user__username"],
            role=r["user__role"] or "",
            day=r["day"],
            week=r["week"],
            records_day=r["records_day"],
            reveals_week=r["reveals_week"],
            usual_day=r["base"] / BASELINE_DAYS,
            peers_day=0.0,
            peers_week=0.0,
        )
        for r in rows
    ]
    for p in found:
        peers = [o for o in found if o.role == p.role and o.user_id != p.user_id]
        p.peers_day = _median([o.day for o in peers])
        p.peers_week = _median([o.week for o in peers])
        p.unusual_day = p.day > max(
            UNUSUAL_FLOOR_DAY,
            UNUSUAL_FACTOR * p.usual_day,
            UNUSUAL_FACTOR * p.peers_day,
        )
        p.unusual_week = p.week > max(
            UNUSUAL_FLOOR_WEEK,
            UNUSUAL_FACTOR * p.usual_day * 7,
            UNUSUAL_FACTOR * p.peers_week,
        )
    found.sort(key=lambda p: (not p.unusual, -p.day, -p.week, p.username))
    return found


def unusual_access(*, actor: Any, now: datetime | None = None) -> list[AccessPattern]:
    """The users whose reads in the actor's area are unusual (see ``access_patterns``)."""
    return [p for p in access_patterns(actor=actor, now=now) if p.unusual]


# --- Consent ----------------------------------------------------------------------------------


def person_consents(*, actor: Any, person: Person) -> QuerySet[ConsentRecord]:
    return (
        ConsentRecord.objects.for_user(actor)
        .filter(person=person)
        .select_related("recorded_by", "withdrawn_by", "guardian")
        .order_by("-given_at", "-id")
    )


def consent_get(*, actor: Any, pk: Any, action: str = "view") -> ConsentRecord:
    return access(
        ConsentRecord.objects.select_related("person"),
        actor=actor,
        for_write=action == "change",
        pk=pk,
    )


# What waits for the actor (core.inbox; registry/inbox.py) --------------------------------------


def imports_to_save(*, actor: Any) -> QuerySet[ImportBatch]:
    """Checked files the actor uploaded and has not saved or cancelled yet, oldest first."""
    if not actor.has_perm("registry.add_importbatch"):
        return ImportBatch.objects.none()
    return (
        ImportBatch.objects.for_user(actor)
        .filter(uploaded_by=actor, status=ImportStatus.CHECKED)
        .order_by("updated_at", "pk")
    )


def duplicates_to_review(*, actor: Any) -> QuerySet[DuplicateCandidate]:
    """Possible duplicates in the actor's area waiting for a decision, oldest first; none for
    who may not decide them."""
    if not actor.has_perm("registry.change_duplicatecandidate"):
        return DuplicateCandidate.objects.none()
    return (
        DuplicateCandidate.objects.for_user(actor)
        .filter(status=DuplicateStatus.PENDING)
        .only("pk", "area_code", "created_at")
        .order_by("created_at", "pk")
    )
