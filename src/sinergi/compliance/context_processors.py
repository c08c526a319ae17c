"""The 3×24-hour banner on every page of the responsible officers (base.html includes
``compliance/breach_banner.html`` when ``breach_clocks`` is true).

Lazy: nothing is read until a page's template asks, and then only for holders of
``compliance.change_incident`` (the permission check reads the user's cached permissions), with
one small query for the incidents in their area whose notices are still due.
"""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from sinergi.compliance import selectors
from sinergi.compliance.clock import Clock, clock
from sinergi.compliance.models import Incident


class Clocks:
    def __init__(self, user: Any) -> None:
        try:
            first, total = selectors.open_clocks(user)
        except DatabaseError:  # an error page must still render when the database is down
            first, total = [], 0
        now = timezone.now()
        self.shown: list[tuple[Incident, Clock]] = [(i, clock(i, now)) for i in first]
        self.more = total - len(first)

    def __bool__(self) -> bool:
        return bool(self.shown)


def breach_clock(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"breach_clocks": SimpleLazyObject(lambda: Clocks(user))}
