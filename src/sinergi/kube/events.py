"""Every audit event KUBE writes, with its words in both languages (core.events)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sinergi.core.events import EventType, event_type

KUBE_CREATED = event_type("kube.kube.created", _("KUBE draft created"))
KUBE_UPDATED = event_type("kube.kube.updated", _("KUBE details changed"))
KUBE_SUBMITTED = event_type("kube.kube.submitted", _("KUBE submitted for verification"))
KUBE_RETURNED = event_type("kube.kube.draft", _("KUBE sent back to draft"))
KUBE_VERIFIED = event_type("kube.kube.verified", _("KUBE verified"))
KUBE_ACTIVATED = event_type("kube.kube.active", _("KUBE activated"))
KUBE_GRADUATED = event_type("kube.kube.graduated", _("KUBE graduated"))
KUBE_DISSOLVED = event_type("kube.kube.dissolved", _("KUBE dissolved"))
MEMBER_JOINED = event_type("kube.member.joined", _("Member joined a KUBE"))
MEMBER_LEFT = event_type("kube.member.left", _("Member left a KUBE"))
OFFICER_CHANGED = event_type("kube.member.role_changed", _("KUBE member's role changed"))
IKS_CONTRIBUTION = event_type("kube.iks.contribution", _("IKS contribution recorded"))
IKS_WITHDRAWAL = event_type("kube.iks.withdrawal", _("IKS withdrawal recorded"))

# A status move's event by the status it leads to (codes as the audit trail always had them).
MOVED: dict[str, EventType] = {
    "submitted": KUBE_SUBMITTED,
    "draft": KUBE_RETURNED,
    "verified": KUBE_VERIFIED,
    "active": KUBE_ACTIVATED,
    "graduated": KUBE_GRADUATED,
    "dissolved": KUBE_DISSOLVED,
}
IKS: dict[str, EventType] = {"contribution": IKS_CONTRIBUTION, "withdrawal": IKS_WITHDRAWAL}
