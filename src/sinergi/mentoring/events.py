"""Every audit event mentoring writes, with its words in both languages (core.events)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sinergi.core.events import event_type

ORGANISATION_CREATED = event_type(
    "mentoring.organisation.created", _("Partner organisation recorded")
)
ORGANISATION_CHANGED = event_type(
    "mentoring.organisation.changed", _("Partner organisation changed")
)
UNIT_CREATED = event_type("mentoring.unit.created", _("Partner unit recorded"))
UNIT_CHANGED = event_type("mentoring.unit.changed", _("Partner unit changed"))
AGREEMENT_SAVED = event_type("mentoring.agreement.saved", _("Partner agreement saved"))
AGREEMENT_DOCUMENT = event_type(
    "mentoring.agreement.document", _("Signed agreement document attached")
)
MENTOR_SAVED = event_type("mentoring.mentor.saved", _("Mentor profile saved"))
MENTOR_LEFT = event_type("mentoring.mentor.left", _("Mentor left"))
MATCH_RUN = event_type("mentoring.match.run", _("Mentor matching run"))
MATCH_ROW_CHANGED = event_type("mentoring.match.row_changed", _("Proposed mentor changed"))
MATCH_SENT = event_type("mentoring.match.sent", _("Mentor offers sent"))
MATCH_DISCARDED = event_type("mentoring.match.discarded", _("Matching proposal discarded"))
ASSIGNMENT_ACCEPTED = event_type("mentoring.assignment.accepted", _("Mentoring offer accepted"))
ASSIGNMENT_DECLINED = event_type("mentoring.assignment.declined", _("Mentoring offer declined"))
ASSIGNMENT_ENDED = event_type("mentoring.assignment.ended", _("Mentor assignment ended"))
SESSION_LOGGED = event_type("mentoring.session.logged", _("Mentoring session recorded"))
SESSION_PHOTO_ADDED = event_type(
    "mentoring.session.photo_added", _("Photo added to a mentoring session")
)
ACTION_ITEM_UPDATED = event_type("mentoring.action_item.updated", _("Action item updated"))
REPORT_SAVED = event_type("mentoring.report.saved", _("Facilitator report saved"))
REPORT_SUBMITTED = event_type("mentoring.report.submitted", _("Facilitator report submitted"))
REPORT_RETURNED = event_type(
    "mentoring.report.returned", _("Facilitator report returned for correction")
)
