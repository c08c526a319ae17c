"""The 3×24-hour clock of an incident, as every page, the inbox and the API show it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.compliance.models import Incident


@dataclass(frozen=True)
class Clock:
    deadline: datetime.datetime
    running: bool  # the authority or the subjects not yet notified
    overdue: bool  # running past the deadline
    text: str  # "41 h 5 min left", "3 h 0 min overdue", "notified"
    missing: str  # whom is still to be notified, in words


def _span(delta: datetime.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    return _("%(m)s min") % {"m": minutes}


def clock(incident: Incident, now: datetime.datetime | None = None) -> Clock:
    now = now or timezone.now()
    deadline = incident.deadline
    missing = []
    if incident.authority_notified_at is None:
        missing.append(_("the PDP authority"))
    if incident.subjects_notified_at is None:
        missing.append(_("the data subjects"))
    if not missing:
        return Clock(deadline, False, False, _("notified"), "")
    overdue = now >= deadline
    if overdue:
        text = _("%(span)s overdue") % {"span": _span(now - deadline)}
    else:
        text = _("%(span)s left") % {"span": _span(deadline - now)}
    return Clock(deadline, True, overdue, text, _(" and ").join(missing))
