"""Submitted is final: one rule for every monthly report a group or its facilitator files.

A report is a draft until it is submitted; from then on a later save is refused, and only a
"return for correction" (with a reason, by someone other than who filed it) opens it again for
its author to edit and submit once more. The apps keep their own models, permissions, events and
wording; the steps every such report shares live here so they cannot drift apart. A model using
them has ``status`` (with ``"submitted"`` and ``"returned"`` values), ``return_reason``,
``returned_at`` and ``returned_by``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.core.errors import InvalidInput
from sinergi.core.events import EventType, snapshot
from sinergi.core.forms import SubmitOnceMixin
from sinergi.core.four_eyes import require_different
from sinergi.core.models import AuditEvent

SUBMITTED, RETURNED = "submitted", "returned"
REASON_MAX = 2000
RETURN_FIELDS = ("status", "return_reason")


def refuse_if_submitted(report: models.Model | None, message: str) -> None:
    """Checked before anything else in a save: a later save must not touch a submitted report
    (not even the figures it did not send)."""
    if report is not None and getattr(report, "status", None) == SUBMITTED:
        raise InvalidInput(message, field="status")


def return_for_correction(
    report: Any,
    *,
    actor: Any,
    reason: str,
    author: Any,
    event: EventType,
    area_code: str,
    own_message: str,
) -> Any:
    """Send a submitted ``report`` (already locked and access-checked by the caller, whose
    permission check comes first) back to ``author`` with ``reason``; audited with the old and
    new status. ``own_message`` refuses its author returning it (four eyes)."""
    if report.status != SUBMITTED:
        raise InvalidInput(_("Only a submitted report can be returned."), field="status")
    if not reason.strip():
        raise InvalidInput(_("Say what needs correcting."), field="reason")
    require_different(actor, author, message=own_message)
    before = snapshot(report, *RETURN_FIELDS)
    report.status = RETURNED
    report.return_reason = reason.strip()[:REASON_MAX]
    report.returned_at, report.returned_by = timezone.now(), actor
    report.save(
        update_fields=["status", "return_reason", "returned_at", "returned_by", "updated_at"]
    )
    AuditEvent.record(
        event,
        actor=actor,
        obj=report,
        area_code=area_code,
        reason=report.return_reason,
        before=before,
        after=snapshot(report, *RETURN_FIELDS),
    )
    return report


class ReturnForm(SubmitOnceMixin, forms.Form):
    """The reason asked on a report's page before it goes back to its author."""

    reason = forms.CharField(
        label=gettext_lazy("What needs correcting"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
