"""Audit event types: one registry of every kind of thing the audit trail records.

Each domain app declares its types in ``<app>/events.py`` with :func:`event_type` (a dotted code
that never changes, and a label in the user's language); services pass the declared object to
``AuditEvent.record``, so a misspelt event cannot be written and every event shown to a person
has words, not a code. ``CoreConfig.ready`` loads every app's ``events`` module the way the admin
finds ``admin`` modules, so ``core`` imports no domain app and the registry is still complete.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from sinergi.core.models import AuditEvent

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EventType:
    code: str
    label: str | Promise

    def __str__(self) -> str:
        return self.code


_REGISTRY: dict[str, EventType] = {}
# Codes an older release wrote, by the declared type that replaced them: rows on the trail keep
# their code and read with the new type's label (and a filter finds old and new rows alike).
_FORMERLY: dict[str, EventType] = {}


def event_type(code: str, label: str | Promise, *, formerly: tuple[str, ...] = ()) -> EventType:
    """Declare an event type; a code declared twice with another label is a programming error.

    ``formerly``: the codes this type was recorded under before (never written again)."""
    known = _REGISTRY.get(code)
    if known is not None and str(known.label) != str(label):
        raise ValueError(f"audit event type {code!r} declared twice")
    declared = EventType(code, label)
    _REGISTRY[code] = declared
    for old in formerly:
        _FORMERLY[old] = declared
    return declared


def registered(code: str) -> EventType | None:
    return _REGISTRY.get(code)


def current(code: str) -> EventType | None:
    """The declared type of a code on the trail, an older release's code included."""
    return _REGISTRY.get(code) or _FORMERLY.get(code)


def all_event_types() -> list[EventType]:
    return sorted(_REGISTRY.values(), key=lambda e: e.code)


def label_of(code: str) -> str:
    """The label of ``code`` in the active language; a code from an older release shows as is."""
    known = current(code)
    return str(known.label) if known is not None else code


def codes_matching(text: str) -> list[str]:
    """Codes whose code or label (in the active language) contains ``text``: the audit filter."""
    needle = text.casefold().strip()
    if not needle:
        return []
    found = [
        e.code for e in _REGISTRY.values() if needle in e.code or needle in str(e.label).casefold()
    ]
    return found + [old for old, e in _FORMERLY.items() if e.code in found]


# --- Subscribers: who hears of an event once it is committed ----------------------------------
# An audit event is the moment work changes hands (a KUBE submitted, an offer sent), so other
# apps (notifications) listen here instead of every service calling them. A subscriber runs
# after the transaction that recorded the event commits (never for a rollback), and its
# failure is logged, never raised: the action that caused the event has already succeeded.

Subscriber = Callable[["AuditEvent"], None]
_SUBSCRIBERS: list[tuple[str, Subscriber]] = []


def subscribe(code_or_prefix: str, fn: Subscriber) -> Subscriber:
    """Call ``fn(event)`` after commit for each event whose code is ``code_or_prefix``, or
    starts with it when it ends with "." ("kube." hears every KUBE event; "*" hears all)."""
    if (code_or_prefix, fn) not in _SUBSCRIBERS:
        _SUBSCRIBERS.append((code_or_prefix, fn))
    return fn


def subscribers_of(code: str) -> list[Subscriber]:
    return [
        fn
        for key, fn in _SUBSCRIBERS
        if key == code or key == "*" or (key.endswith(".") and code.startswith(key))
    ]


def publish(event: AuditEvent) -> None:
    """Schedule the subscribers of ``event`` for when the current transaction commits."""
    for fn in subscribers_of(event.event_type):
        transaction.on_commit(functools.partial(_call, fn, event))


def _call(fn: Subscriber, event: AuditEvent) -> None:
    try:
        fn(event)
    except Exception:
        logger.exception("subscriber %s failed on event %s", getattr(fn, "__name__", fn), event.pk)


def _plain(value: Any) -> Any:
    # JSON-safe form of a field value, so old and new values survive the JSON column.
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class Snapshot(dict[str, Any]):
    """Field values of one row, knowing which model they belong to: an event recorded
    against a group may describe a change to one of its memberships, and the trail must name
    the membership's fields, not look them up on the group."""

    model_label: str = ""


def snapshot(obj: models.Model, *fields: str) -> Snapshot:
    """The named fields of ``obj`` as JSON-safe values (foreign keys by id): a before/after."""
    out = Snapshot()
    out.model_label = obj._meta.label_lower
    for name in fields:
        field = obj._meta.get_field(name)
        attr = getattr(field, "attname", name)
        out[name] = _plain(getattr(obj, attr))
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value changed."""
    keys = list(dict.fromkeys([*before, *after]))
    return {
        k: [_plain(before.get(k)), _plain(after.get(k))]
        for k in keys
        if _plain(before.get(k)) != _plain(after.get(k))
    }


# --- core's own types: reference data kept in the Django admin (core.admin.AuditedAdmin) -------
REFERENCE_ADDED = event_type("core.reference.added", gettext_lazy("Reference data added (admin)"))
REFERENCE_CHANGED = event_type(
    "core.reference.changed", gettext_lazy("Reference data changed (admin)")
)
REFERENCE_DELETED = event_type(
    "core.reference.deleted", gettext_lazy("Reference data deleted (admin)")
)
