"""Mentoring writes, one module per sub-domain; every name is re-exported here, so callers keep
writing ``services.mentor_save``.

Every step takes the acting user, checks the permission and the scope on a locked row, and
records a declared audit event (``mentoring.events``) with the old and new values; a refused
step raises a domain error in the user's language and changes nothing. The reads that used to
live here (``mentoring_groups``, ``month_facts``…) are in ``mentoring.selectors`` and are
re-exported for the modules that import them from here.
"""

from sinergi.mentoring.selectors import (
    draft_activities,
    mentoring_groups,
    month_facts,
    month_start,
    open_load,
    report_group,
    waiting_groups,
)
from sinergi.mentoring.services.matching import (
    assignment_end,
    assignment_respond,
    close_assignment,
    close_for_group,
    end_for_closed_group,
    match_run,
    proposal_change,
    run_discard,
    run_send,
)
from sinergi.mentoring.services.mentors import MAX_CAPACITY, MentorData, mentor_leave, mentor_save
from sinergi.mentoring.services.partners import (
    AgreementData,
    OrganisationData,
    agreement_attach,
    agreement_document_clean,
    agreement_save,
    agreement_save_with_document,
    organisation_save,
    unit_create,
    unit_save,
)
from sinergi.mentoring.services.reports import report_return, report_save
from sinergi.mentoring.services.sessions import (
    PHOTO_MAX,
    PHOTOS_PER_SESSION,
    NewItem,
    Review,
    action_item_update,
    session_log,
    session_photo_add,
)

__all__ = [
    "MAX_CAPACITY",
    "PHOTOS_PER_SESSION",
    "PHOTO_MAX",
    "AgreementData",
    "MentorData",
    "NewItem",
    "OrganisationData",
    "Review",
    "action_item_update",
    "agreement_attach",
    "agreement_document_clean",
    "agreement_save",
    "agreement_save_with_document",
    "assignment_end",
    "assignment_respond",
    "close_assignment",
    "close_for_group",
    "draft_activities",
    "end_for_closed_group",
    "match_run",
    "mentor_leave",
    "mentor_save",
    "mentoring_groups",
    "month_facts",
    "month_start",
    "open_load",
    "organisation_save",
    "proposal_change",
    "report_group",
    "report_return",
    "report_save",
    "run_discard",
    "run_send",
    "session_log",
    "session_photo_add",
    "unit_create",
    "unit_save",
    "waiting_groups",
]
