"""What waits for an officer in the personal-data module: open requests she is responsible
for (due date shown), and corrections someone else proposed that she may approve."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.core.inbox import (
    InboxItem,
    any_row,
    batch_provider,
    by_audience,
    empty,
    kind,
    personal_ids,
    provider,
)
from sinergi.core.templatetags.fast_lists import row_url
from sinergi.pdp import selectors
from sinergi.pdp.models import (
    Correction,
    CorrectionStatus,
    DataSubjectRequest,
    RequestStatus,
)

REQUEST = kind("pdp.request", gettext_lazy("Data-subject requests to answer"))
CORRECTION = kind("pdp.correction", gettext_lazy("Corrections of personal data to decide"))


def _since(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


@provider("pdp.requests")
def open_requests(user: Any) -> Iterable[InboxItem]:
    if not user.has_perm("pdp.view_datasubjectrequest"):
        return []
    waiting, corrections = selectors.waiting_for(user), selectors.corrections_to_approve(user)
    # Guards (core.inbox.any_row): every request listed is open and hers, every correction
    # proposed; most people have none of either.
    if not empty(waiting) and not any_row(
        DataSubjectRequest, responsible=user.pk, status=RequestStatus.OPEN
    ):
        waiting = waiting.none()
    if not empty(corrections) and not any_row(Correction, status=CorrectionStatus.PROPOSED):
        corrections = corrections.none()
    items = [
        InboxItem(
            kind=REQUEST,
            title=_("Answer the data-subject request #%(id)s (%(kind)s)")
            % {"id": r.pk, "kind": r.get_kind_display()},
            url=row_url("pdp:request_detail", r.pk),
            since=_since(r.received_on),
            due=r.due_on,
            area=r.area_code,
        )
        for r in ([] if empty(waiting) else waiting[:100])
    ]
    items += [
        InboxItem(
            kind=CORRECTION,
            title=_("Approve or reject a correction (request #%(id)s)") % {"id": c.request_id},
            url=row_url("pdp:request_detail", c.request_id),
            since=c.created_at,
            due=c.request.due_on,
            area=c.request.area_code,
        )
        for c in ([] if empty(corrections) else corrections[:100])
    ]
    return items


@batch_provider("pdp.requests")
def requests_for_users(users: Sequence[Any]) -> Mapping[int, Iterable[InboxItem]]:
    # Personal: who is responsible for an open request; who proposed a correction (four eyes).
    open_requests_ = DataSubjectRequest.objects.filter(status=RequestStatus.OPEN)
    mine = personal_ids(open_requests_, "responsible_id", users)
    proposed = Correction.objects.filter(status=CorrectionStatus.PROPOSED)
    mine |= personal_ids(proposed, "proposed_by_id", users)
    return by_audience("pdp.requests", users, open_requests, personal=mine)
