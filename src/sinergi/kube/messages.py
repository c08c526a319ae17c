"""People's words for formation-rule failures (UI and API)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sinergi.engines.eligibility import Failure

TEXTS = {
    "member_count": _("The group has %(count)s members; it needs %(min)s to %(max)s."),
    "person_twice": _("Listed twice."),
    "household_twice": _("Another member comes from the same household (one per family card)."),
    "not_head": _("Not the head of family or main earner."),
    "no_desil": _("No welfare decile on record."),
    "desil_too_high": _("Decile %(desil)s is above the limit of %(max)s."),
    "desil_too_old": _("The decile snapshot is %(days)s days old; at most %(max)s allowed."),
    "age": _("Aged %(age)s; members must be %(min)s to %(max)s."),
    "other_district": _("Lives in district %(district)s, not %(group)s like the group."),
    "outside_kube_district": _("Lives outside the group's district."),
    "already_in_kube": _("Already a member of another KUBE."),
    "aided_before": _("Has received KUBE aid before."),
    "officer_count": _("The group needs exactly one %(role)s (now %(count)s)."),
}


def failure_text(failure: Failure) -> str:
    text = TEXTS.get(failure.rule)
    if text is None:
        return failure.rule
    try:
        return str(text) % failure.detail
    except (KeyError, TypeError):
        return str(text)
