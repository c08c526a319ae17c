"""Task inbox: incidents whose notices are still due, with their clock, for the officers
responsible (holders of ``compliance.change_incident`` in the incident's area)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.compliance import selectors
from sinergi.compliance.clock import clock
from sinergi.core.inbox import InboxItem, provider


@provider("compliance.incidents")
def incidents_to_notify(user: Any) -> Iterator[InboxItem]:
    first, _total = selectors.open_clocks(user, limit=50)
    now = timezone.now()
    for incident in first:
        state = clock(incident, now)
        yield InboxItem(
            kind="compliance.notify_incident",
            title=_("Notify %(missing)s of incident %(ref)s (%(state)s)")
            % {"missing": state.missing, "ref": incident.reference, "state": state.text},
            url=reverse("compliance:incident_detail", args=[incident.pk]),
            since=incident.discovered_at,
            due=timezone.localtime(state.deadline).date(),
            area=incident.area_code,
        )
