"""Task inbox: incidents whose notices are still due, with their clock, for the officers
responsible (holders of ``compliance.change_incident`` in the incident's area)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.compliance import selectors
from sinergi.compliance.clock import clock
from sinergi.core.inbox import PER_KIND, InboxItem, batch_provider, by_audience, kind, provider
from sinergi.core.templatetags.fast_lists import row_url

NOTIFY = kind("compliance.notify_incident", gettext_lazy("Personal-data incidents to notify"))


@provider("compliance.incidents")
def incidents_to_notify(user: Any) -> Iterator[InboxItem]:
    """The first incidents by deadline (one query), and one item for the rest."""
    first, total = selectors.open_clocks(user, limit=PER_KIND)
    now = timezone.now()
    for incident in first:
        state = clock(incident, now)
        yield InboxItem(
            kind=NOTIFY,
            title=_("Notify %(missing)s of incident %(ref)s (%(state)s)")
            % {"missing": state.missing, "ref": incident.reference, "state": state.text},
            url=row_url("compliance:incident_detail", incident.pk),
            since=incident.discovered_at,
            due=timezone.localtime(state.deadline).date(),
            area=incident.area_code,
        )
    if total > len(first):
        yield InboxItem(
            kind=NOTIFY,
            title=_("More incidents awaiting notification: %(n)s") % {"n": total - len(first)},
            url=reverse("compliance:incident_list") + "?status=open",
            since=first[-1].discovered_at,
        )


@batch_provider("compliance.incidents")
def incidents_for_users(users: Sequence[Any]) -> Mapping[int, Iterable[InboxItem]]:
    # Nothing personal: the same clocks for everyone of an audience.
    return by_audience("compliance.incidents", users, incidents_to_notify)
