"""The task inbox: what waits for a person, computed from the records on every request.

Each domain app declares its providers in ``<app>/inbox.py`` with :func:`provider`;
``CoreConfig.ready`` loads those modules (as it does ``events`` and ``jobs``), so ``core`` names
no domain app. A provider is a function ``(user) -> Iterable[InboxItem]`` that reads through its
app's scoped selectors: an item exists exactly while the work waits (no to-do table that can
drift), and every ``url`` must open for that user.

:func:`items_for` gathers every provider's items for one user, most urgent first, once per
request (kept on the user object). Each provider answers in a bounded number of queries
whatever the number of waiting records: it lists at most :data:`PER_KIND` records of a kind and
folds the rest into one "and N more" item (:func:`bounded`), counted only up to
:data:`COUNT_CAP`. The menu's count (:func:`count_for`) is cached per user until something is
written by the user (her newest audit event's id is part of the key), the day changes, or a
minute passes.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# How many records of one kind are listed one by one; the rest become one "N more" item.
PER_KIND = 10
# Counting the rest stops here ("more than 1,000"): a count over a national queue is bounded.
COUNT_CAP = 1000
# The menu's count is gathered again at least this often (others' work reaching the user).
COUNT_SECONDS = 60


@dataclass(frozen=True)
class InboxItem:
    # A stable code for the kind of work ("kube.verify"); clients branch on it.
    kind: str
    # What to do, for which group or region, in the active language.
    title: str | Promise
    url: str
    # When the work started waiting for this person; the oldest come first.
    since: datetime.datetime
    due: datetime.date | None = None
    # The region code the work concerns ("32.73"), or "" when it concerns no area.
    area: str = ""


Provider = Callable[[Any], Iterable[InboxItem]]
_PROVIDERS: dict[str, Provider] = {}
_KINDS: dict[str, str | Promise] = {}


def provider(code: str) -> Callable[[Provider], Provider]:
    """Register ``fn`` as the provider named ``code`` (the app's label and a word)."""

    def register(fn: Provider) -> Provider:
        _PROVIDERS[code] = fn
        return fn

    return register


def providers() -> dict[str, Provider]:
    return dict(_PROVIDERS)


def kind(code: str, label: str | Promise) -> str:
    """Declare a kind of item with its label in the reader's language (the inbox page groups
    and filters by it); returns ``code``."""
    _KINDS[code] = label
    return code


def kinds() -> dict[str, str | Promise]:
    return dict(_KINDS)


# Who turns region codes into names (the regions app registers it from its inbox module, so
# core names no domain app): ``fn(codes) -> {code: name}`` in one query.
_AREA_NAMERS: list[Callable[[list[str]], dict[str, str]]] = []


def area_namer(fn: Callable[[list[str]], dict[str, str]]) -> Callable[[list[str]], dict[str, str]]:
    _AREA_NAMERS.append(fn)
    return fn


def area_names(items: Sequence[InboxItem]) -> dict[str, str]:
    """The names of the regions the items concern, by code (a code without one is left out)."""
    codes = sorted({item.area for item in items if item.area})
    names: dict[str, str] = {}
    for fn in _AREA_NAMERS if codes else []:
        names.update(fn(codes))
    return names


def kind_label(code: str) -> str:
    return str(_KINDS.get(code, code))


# --- Building items ---------------------------------------------------------------------------


def as_datetime(value: datetime.date | datetime.datetime | None) -> datetime.datetime:
    """A date as the start of that day in the server's zone (items sort by a datetime)."""
    if value is None:
        return timezone.now()
    if isinstance(value, datetime.datetime):
        return value
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))


def more_text(count: int) -> str:
    """How many more: the number, or "more than 1,000" once the count reached its cap."""
    from django.contrib.humanize.templatetags.humanize import intcomma

    if count >= COUNT_CAP:
        return str(_("more than %(n)s") % {"n": intcomma(COUNT_CAP)})
    return str(intcomma(count))


def bounded(
    qs: Any,
    make: Callable[[Any], InboxItem],
    more: Callable[[str, Any], InboxItem],
    *,
    limit: int = PER_KIND,
) -> list[InboxItem]:
    """Items for the first ``limit`` rows of ``qs`` (already in waiting order), and when there
    are more one item made by ``more(count_text, first_row_left_out)``: two queries at most,
    whatever the queue's length."""
    rows = list(qs[: limit + 1])
    items = [make(row) for row in rows[:limit]]
    if len(rows) > limit:
        rest = qs.order_by().values("pk")[: COUNT_CAP + limit].count() - limit
        items.append(more(more_text(rest), rows[limit]))
    return items


def counted(qs: Any, since_field: str) -> tuple[int, datetime.datetime | None]:
    """How many rows ``qs`` holds (up to :data:`COUNT_CAP`) and the earliest ``since_field``
    among them, in one query: for a queue shown as one "N waiting" item."""
    from django.db.models import Count, Min

    first = qs.order_by().values("pk")[:COUNT_CAP]
    found = qs.model._base_manager.filter(pk__in=first).aggregate(
        n=Count("pk"), since=Min(since_field)
    )
    return int(found["n"]), found["since"]


# --- Gathering --------------------------------------------------------------------------------


def _urgency(today: datetime.date) -> Callable[[InboxItem], tuple[int, datetime.date, Any]]:
    def key(item: InboxItem) -> tuple[int, datetime.date, Any]:
        # Due today or overdue first (the most overdue first), then the rest oldest first.
        if item.due is not None and item.due <= today:
            return (0, item.due, item.since)
        return (1, datetime.date.min, item.since)

    return key


def gather(user: Any) -> list[InboxItem]:
    """Every provider's items for ``user``, most urgent and oldest first (not cached)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    items: list[InboxItem] = []
    for code, fn in sorted(_PROVIDERS.items()):
        try:
            items.extend(fn(user))
        except Exception:
            # One module's failure must not take every page down with it; it is logged.
            logger.exception("inbox provider %s failed", code)
    items.sort(key=_urgency(timezone.localdate()))
    return items


def items_for(user: Any) -> list[InboxItem]:
    """The user's inbox, computed once per request (kept on the request's user object)."""
    cached: list[InboxItem] | None = getattr(user, "_inbox_items", None)
    if cached is None:
        cached = gather(user)
        # An object that takes no attributes is simply asked again next time.
        with contextlib.suppress(AttributeError):
            user._inbox_items = cached
    return cached


def _cache_key(user: Any) -> str:
    from django.db.models import Max

    from sinergi.core.models import AuditEvent

    # The user's own newest audit event: her own step (a group verified, a report sent) shows
    # in the count at once; work others send her shows within COUNT_SECONDS. Keyed on anyone's
    # newest event instead, a busy installation would recount on nearly every page.
    own = AuditEvent.objects.filter(actor=user).aggregate(last=Max("pk"))["last"] or 0
    return f"inbox-count:{user.pk}:{own}:{timezone.localdate().isoformat()}"


def count_for(user: Any) -> int:
    """How many items wait for ``user``: one indexed query on most pages; the inbox itself is
    gathered again after the user's own writes, a new day, or ``COUNT_SECONDS``."""
    if user is None or not user.is_authenticated:
        return 0
    cached_items = getattr(user, "_inbox_items", None)
    if cached_items is not None:
        return len(cached_items)
    key = _cache_key(user)
    count = cache.get(key)
    if count is None:
        count = len(items_for(user))
        cache.set(key, count, COUNT_SECONDS)
    return int(count)


def group_by_kind(items: Sequence[InboxItem]) -> list[tuple[str, str, list[InboxItem]]]:
    """(kind, label, items) in the order each kind first appears (its most urgent item)."""
    groups: dict[str, list[InboxItem]] = {}
    for item in items:
        groups.setdefault(item.kind, []).append(item)
    return [(code, kind_label(code), rows) for code, rows in groups.items()]


# --- Core's own items: exports ready for the person who asked for them ------------------------

EXPORT_READY = kind("core.export", _("Exports ready"))


@provider("core.exports")
def ready_exports(user: Any) -> Iterable[InboxItem]:
    from django.urls import reverse

    from sinergi.core import jobs

    rows = jobs.ready_files(user)

    def make(job: Any) -> InboxItem:
        return InboxItem(
            EXPORT_READY,
            _("Download %(what)s: %(file)s") % {"what": job.kind_label, "file": job.result_name},
            reverse("core:job", args=[job.pk]),
            job.finished_at or job.created_at,
            area=job.area_code,
        )

    def more(count: str, job: Any) -> InboxItem:
        return InboxItem(
            EXPORT_READY,
            _("%(n)s more exports ready to download") % {"n": count},
            reverse("core:job", args=[job.pk]),
            job.finished_at or job.created_at,
        )

    return bounded(rows, make, more)
