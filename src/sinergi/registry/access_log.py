"""The access log: every read of a person's or household's data, one INSERT each.

A page or API call that shows a household or a person calls :func:`record` once, with the
object it already read (no extra query), the purpose (which page or call) and, for a reveal,
the reason the officer typed. Exports of personal data are logged from their audit events
(:func:`log_export_event`, subscribed in ``RegistryConfig.ready``). Reading the log is in
``registry.selectors`` (``access_log_for``, ``household_access_log``, ``unusual_access``).

The row is written in the request, not deferred: it commits with whatever the request commits,
costs one indexed INSERT (docs/benchmarks.md: household page p95 with and without it), and a
crash after the response can never lose it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sinergi.core.request_context import current_request_id
from sinergi.registry.models import AccessLog, AccessPurpose, Household, Person


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def record(
    actor: Any,
    purpose: AccessPurpose | str,
    *,
    household: Household | None = None,
    person: Person | None = None,
    reason: str = "",
) -> None:
    """Log one read of ``household`` (its page, which shows its members) or of ``person``."""
    if person is not None:
        household_id, area = person.household_id, person.area_code
    elif household is not None:
        household_id, area = household.pk, household.area_code
    else:
        raise ValueError("an access names a household or a person")
    AccessLog.objects.create(
        user=_user(actor),
        household_id=household_id,
        person=person,
        area_code=area,
        purpose=purpose,
        reason=reason.strip()[:200],
        request_id=current_request_id() or "",
    )


def record_many(
    actor: Any,
    purpose: AccessPurpose | str,
    *,
    households: Iterable[Household] = (),
    persons: Iterable[Person] = (),
) -> None:
    """Log a read of several records (a search by number, a duplicate pair): one INSERT."""
    user, request_id = _user(actor), current_request_id() or ""
    rows = [
        AccessLog(
            user=user,
            household_id=h.pk,
            area_code=h.area_code,
            purpose=purpose,
            request_id=request_id,
        )
        for h in households
    ] + [
        AccessLog(
            user=user,
            household_id=p.household_id,
            person=p,
            area_code=p.area_code,
            purpose=purpose,
            request_id=request_id,
        )
        for p in persons
    ]
    if rows:
        AccessLog.objects.bulk_create(rows)


def record_export(
    actor: Any, *, what: str, rows: int, area_code: str = "", reason: str = ""
) -> None:
    """Log an export of personal data (many records at once: what, and how many rows)."""
    AccessLog.objects.create(
        user=_user(actor),
        area_code=area_code,
        purpose=AccessPurpose.EXPORT,
        what=what[:80],
        rows=max(0, int(rows)),
        reason=reason.strip()[:200],
        request_id=current_request_id() or "",
    )


def is_export_event(code: str) -> bool:
    """Export events are declared as ``<thing>.exported`` or ``<thing>.exported_<sheet>``."""
    last = code.rsplit(".", 1)[-1]
    return last == "exported" or last.startswith("exported_")


def log_export_event(event: Any) -> None:
    """Subscriber of every audit event: an export of personal data is also an access."""
    if not is_export_event(event.event_type):
        return
    data = event.data or {}
    rows = data.get("rows", 0)
    record_export(
        event.actor,
        what=event.event_type,
        rows=rows if isinstance(rows, int) else 0,
        area_code=event.area_code,
        reason=event.reason or "",
    )
