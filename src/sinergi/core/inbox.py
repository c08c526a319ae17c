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
import contextvars
import datetime
import functools
import logging
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection, connections
from django.utils import timezone, translation
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
# The same answer for many users at once: ``{user.pk: items}`` for every user given.
BatchProvider = Callable[[Sequence[Any]], Mapping[int, Iterable[InboxItem]]]
_PROVIDERS: dict[str, Provider] = {}
_BATCH: dict[str, BatchProvider] = {}
_KINDS: dict[str, str | Promise] = {}


def provider(code: str) -> Callable[[Provider], Provider]:
    """Register ``fn`` as the provider named ``code`` (the app's label and a word)."""

    def register(fn: Provider) -> Provider:
        _PROVIDERS[code] = fn
        return fn

    return register


def batch_provider(code: str) -> Callable[[BatchProvider], BatchProvider]:
    """Register ``fn`` as the batch form of provider ``code``: ``fn(users)`` answers what
    ``provider(code)`` answers for each of them, for :func:`gather_many` (the daily digest).
    Without one, :func:`gather_many` asks the provider user by user."""

    def register(fn: BatchProvider) -> BatchProvider:
        _BATCH[code] = fn
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


def empty(qs: Any) -> bool:
    """True when ``qs`` is a selector's ``none()`` (the user may not take the step): it holds
    no row, so nothing is compiled or sent. Most providers' selectors answer ``none()`` to most
    roles, and Django compiles even those before it finds them empty (~0.3 ms each)."""
    return bool(qs.query.is_empty())


def any_row(model: Any, **where: Any) -> bool:
    """Whether any row of ``model`` has ``where``'s values (``field=value``, ``field=None``
    for NULL, ``field__lte=value``): one small written-out statement, its text kept per
    process. A guard before a selector whose rows all meet ``where`` (a queue's status, the
    user's own records): a queue empty for everyone then costs ~0.1 ms instead of the
    selector's compiled statement (~1-2 ms). It decides nothing shown: ``where`` must hold for
    every row the selector can give, so a False means an empty list."""
    names = tuple(sorted(where))
    params = []
    for name in names:
        value = where[name]
        if value is not None:
            field = model._meta.get_field(name.removesuffix("__lte"))
            params.append(field.get_db_prep_value(value, connection))
    nulls = tuple(where[name] is None for name in names)
    with connection.cursor() as cursor:
        cursor.execute(_any_row_sql(model, names, nulls), params)
        return cursor.fetchone() is not None


@functools.cache
def _any_row_sql(model: Any, names: tuple[str, ...], nulls: tuple[bool, ...]) -> str:
    quote = connection.ops.quote_name
    tests = []
    for name, null in zip(names, nulls, strict=True):
        column = quote(str(model._meta.get_field(name.removesuffix("__lte")).column))
        if null:
            tests.append(f"{column} IS NULL")
        else:
            tests.append(f"{column} {'<=' if name.endswith('__lte') else '='} %s")
    # Names from the model, never from a request; the values are bound.
    return f"SELECT 1 FROM {quote(model._meta.db_table)} WHERE {' AND '.join(tests)} LIMIT 1"  # noqa: S608


def bounded(
    qs: Any,
    make: Callable[[Any], InboxItem],
    more: Callable[[str, Any], InboxItem],
    *,
    limit: int = PER_KIND,
    guard: Callable[[], bool] | None = None,
) -> list[InboxItem]:
    """Items for the first ``limit`` rows of ``qs`` (already in waiting order), and when there
    are more one item made by ``more(count_text, first_row_left_out)``: two queries at most,
    whatever the queue's length; none for a selector's ``none()`` (:func:`empty`), nor when
    ``guard`` (an :func:`any_row` its rows all meet) answers False. ``qs`` may be a function
    giving the queryset, for a selector that costs more to build than the guard to run: it is
    called only once the guard answered True."""
    if callable(qs):
        if guard is not None and not guard():
            return []
        qs, guard = qs(), None
    if empty(qs) or (guard is not None and not guard()):
        return []
    rows = list(qs[: limit + 1])
    items = [make(row) for row in rows[:limit]]
    if len(rows) > limit:
        (found,) = _aggregate_around(qs.order_by().values("pk")[: COUNT_CAP + limit], "COUNT(*)")
        rest = int(found) - limit
        items.append(more(more_text(rest), rows[limit]))
    return items


def counted(qs: Any, since_field: str) -> tuple[int, datetime.datetime | None]:
    """How many rows ``qs`` holds (up to :data:`COUNT_CAP`) and the earliest ``since_field``
    among them, in one query: for a queue shown as one "N waiting" item."""
    from django.db.models import F, Value

    if empty(qs):
        return 0, None
    first = qs.order_by().annotate(_since=F(since_field)).values("_since")[:COUNT_CAP]
    n, since = _aggregate_around(first, "COUNT(*), MIN(_since)")
    field = qs.model._meta.get_field(since_field)
    stated = Value(since, output_field=field)
    db = connections[qs.db]
    for convert in db.ops.get_db_converters(stated):  # SQLite's text to a datetime
        since = convert(since, stated, db)
    return int(n), since


def _aggregate_around(qs: Any, columns: str) -> tuple[Any, ...]:
    """``SELECT <columns> FROM (<qs>)``: the ORM's aggregate over a sliced queryset clones and
    wraps the whole query (get_aggregation, a fifth of the inbox's CPU at national size);
    this compiles ``qs`` alone and writes the wrapper around it."""
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM ({sql}) _n", params)  # noqa: S608 - compiled text
        row: tuple[Any, ...] = cursor.fetchone()
    return row


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


# --- Many users at once (the daily digest) ----------------------------------------------------
#
# What a provider answers depends on the user's *audience* — role (its permissions), area, the
# group or mentor profile an account is bound to — and, for a few kinds of work, on the person:
# work she took a step on herself is not hers to check (four eyes), and her own imports,
# exports, orders, returned reports and data-subject requests are hers alone. A batch form asks
# the provider once per audience, for one member with no personal part, and hands that answer
# to every such member; it finds the members with a personal part in one query for all users
# (a superset is harmless: they are asked alone), and asks them alone. So 5,000 users cost a
# few dozen audiences and a handful of queries instead of 5,000 inboxes.

_SHARED: contextvars.ContextVar[dict[Any, list[InboxItem]] | None] = contextvars.ContextVar(
    "inbox_shared_audiences", default=None
)


@contextlib.contextmanager
def shared_audiences() -> Iterator[None]:
    """Keep the audiences' answers across several :func:`gather_many` calls (a run of the
    digest in chunks): the same audience is asked once."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def _audience(user: Any, own_permissions: bool) -> tuple[Any, ...]:
    if user.is_superuser or own_permissions:
        return ("user", user.pk)
    return (
        user.role,
        getattr(user, "area_code", None),
        getattr(user, "kube_id", None),
        getattr(user, "mentor_id", None),
        user.is_active,
    )


def audience_of(user: Any) -> tuple[Any, ...]:
    """What a user's inbox depends on besides the person. A user with permissions of her own
    (beyond her role's) or a superuser is an audience of one."""
    found: tuple[Any, ...] | None = getattr(user, "_inbox_audience", None)
    if found is None:
        found = _audience(user, user.user_permissions.exists())
        with contextlib.suppress(AttributeError):
            user._inbox_audience = found
    return found


def _mark_audiences(users: Sequence[Any]) -> None:
    """:func:`audience_of` for every user, with the own-permissions test in one query."""
    from django.contrib.auth import get_user_model

    through: Any = get_user_model().user_permissions.through
    todo = [u for u in users if getattr(u, "_inbox_audience", None) is None]
    own: set[int] = set()
    for chunk in chunked([u.pk for u in todo]):
        own.update(through.objects.filter(user_id__in=chunk).values_list("user_id", flat=True))
    for user in todo:
        user._inbox_audience = _audience(user, user.pk in own)


# Ids per query when a set-wise query lists users (SQLite takes 32,766 parameters at most).
ID_CHUNK = 2000


def chunked(ids: Sequence[int], size: int = ID_CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def personal_ids(qs: Any, field: str, users: Sequence[Any]) -> set[int]:
    """The users among ``users`` named in ``field`` of any row of ``qs``: one query a chunk
    of :data:`ID_CHUNK` users, whatever their number."""
    found: set[int] = set()
    for chunk in chunked([u.pk for u in users]):
        found.update(
            qs.filter(**{f"{field}__in": chunk}).order_by().values_list(field, flat=True).distinct()
        )
    return found


def by_audience(
    code: str,
    users: Sequence[Any],
    one: Provider,
    *,
    personal: Collection[int] = (),
    only_personal: bool = False,
) -> dict[int, list[InboxItem]]:
    """``one(user)`` for each user, asked once per audience (:func:`audience_of`) and shared;
    the users in ``personal`` are asked alone. ``only_personal``: the provider lists only a
    person's own work, so whoever is not in ``personal`` has none (nobody is asked)."""
    shared = _SHARED.get()
    memo: dict[Any, list[InboxItem]] = shared if shared is not None else {}
    language = translation.get_language()
    out: dict[int, list[InboxItem]] = {}
    for user in users:
        if user.pk in personal:
            out[user.pk] = list(one(user))
            continue
        if only_personal:
            out[user.pk] = []
            continue
        key = (code, language, audience_of(user))
        if key not in memo:
            memo[key] = list(one(user))
        out[user.pk] = memo[key]
    return out


def gather_many(users: Sequence[Any]) -> dict[int, list[InboxItem]]:
    """:func:`gather` for many users at once, by the providers' batch forms where they have
    one: ``{user.pk: items}``, each list equal to what :func:`gather` answers for that user."""
    live = [u for u in users if u is not None and u.is_authenticated and u.is_active]
    out: dict[int, list[InboxItem]] = {u.pk: [] for u in users if u is not None}
    _mark_audiences(live)
    for code, fn in sorted(_PROVIDERS.items()):
        batch = _BATCH.get(code)
        found: Mapping[int, Iterable[InboxItem]] | None = None
        if batch is not None:
            try:
                found = batch(live)
            except Exception:
                logger.exception("inbox batch provider %s failed; asking user by user", code)
        for user in live:
            if found is not None:
                out[user.pk].extend(found.get(user.pk, ()))
                continue
            try:
                out[user.pk].extend(fn(user))
            except Exception:
                logger.exception("inbox provider %s failed", code)
    key = _urgency(timezone.localdate())
    for items in out.values():
        items.sort(key=key)
    return out


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
    # The user's own newest audit event: her own step (a group verified, a report sent) shows
    # in the count at once; work others send her shows within COUNT_SECONDS. Keyed on anyone's
    # newest event instead, a busy installation would recount on nearly every page.
    # Read on every page with the menu: written out, as the ORM's compile of the aggregate
    # cost more CPU than the indexed read itself.
    with connection.cursor() as cursor:
        cursor.execute(_newest_own_event_sql(), [user.pk])
        row = cursor.fetchone()
    own = (row[0] if row else None) or 0
    return f"inbox-count:{user.pk}:{own}:{timezone.localdate().isoformat()}"


@functools.cache
def _newest_own_event_sql() -> str:
    from sinergi.core.models import AuditEvent

    meta, quote = AuditEvent._meta, connection.ops.quote_name
    pk, actor = (quote(str(meta.get_field(name).column)) for name in ("id", "actor"))  # type: ignore[union-attr]
    # Names from the model, never from a request.
    return f"SELECT MAX({pk}) FROM {quote(meta.db_table)} WHERE {actor} = %s"  # noqa: S608


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

    if not _may_have_ready_files(user):
        return []
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


def _may_have_ready_files(user: Any) -> bool:
    """Whether any finished file the user asked for is not fetched yet, whatever the scope:
    only then is the scoped selector asked (its statement ORs a subquery per kind of job, and
    costs ~2 ms to build and compile; most people have no file waiting). A superset of what
    ``jobs.ready_files`` lists, so an empty answer means an empty list."""
    from sinergi.core.jobs import DOWNLOADED
    from sinergi.core.models import JobStatus

    with connection.cursor() as cursor:
        cursor.execute(
            _ready_files_sql(), [user.pk, JobStatus.SUCCEEDED, _downloaded_key(DOWNLOADED)]
        )
        return cursor.fetchone() is not None


def _downloaded_key(key: str) -> str:
    return key if connection.vendor == "postgresql" else f'$."{key}"'


@functools.cache
def _ready_files_sql() -> str:
    from sinergi.core.models import Job

    meta, quote = Job._meta, connection.ops.quote_name
    by, status, file, result = (
        quote(str(meta.get_field(name).column))  # type: ignore[union-attr]
        for name in ("created_by", "status", "result_file", "result")
    )
    # The key's test as the ORM's ``has_key`` writes it on each database.
    fetched = (
        f"{result} ? %s"
        if connection.vendor == "postgresql"
        else f"JSON_TYPE({result}, %s) IS NOT NULL"
    )
    # Names from the model, never from a request.
    return (
        f"SELECT 1 FROM {quote(meta.db_table)} WHERE {by} = %s AND {status} = %s"  # noqa: S608
        f" AND {file} <> '' AND NOT ({fetched}) LIMIT 1"
    )


@batch_provider("core.exports")
def ready_exports_for_users(users: Sequence[Any]) -> Mapping[int, Iterable[InboxItem]]:
    from sinergi.core.models import Job, JobStatus

    # Only the asker's own: whoever asked for no finished file has none.
    finished = Job.objects.filter(status=JobStatus.SUCCEEDED).exclude(result_file="")
    mine = personal_ids(finished, "created_by_id", users)
    return by_audience("core.exports", users, ready_exports, personal=mine, only_personal=True)
