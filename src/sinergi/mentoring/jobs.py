"""Mentoring's background job kind: a matching run of mentors to waiting groups."""

from django.utils.translation import gettext_lazy as _

from sinergi.core.job_kinds import job_kind

MATCHING = job_kind("mentoring.matching", _("Matching run"), permission="mentoring.view_matchrun")
