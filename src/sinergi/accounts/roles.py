"""Roles are data: one Django group per role holds its permissions.

``DEFAULT_PERMISSIONS`` seeds each group the first time it is created (after every migrate);
from then on the national admin may change a group's permissions in the admin, and
``sinergi manage sync_roles --reset`` puts the defaults back. Code asks ``user.has_perm(...)``,
never "is this user a mentor". ``AREA_LEVELS`` says at which levels each role may work.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", _("National admin")
    SOCIAL_OFFICER = "social_officer", _("Social office officer")
    FACILITATOR = "facilitator", _("Facilitator (pendamping)")
    PARTNER_COORDINATOR = "partner_coordinator", _("Partner coordinator")
    MENTOR = "mentor", _("Mentor")
    BUYER = "buyer", _("Buyer")
    KUBE_OFFICER = "kube_officer", _("KUBE officer")
    AUDITOR = "auditor", _("Auditor")


NATION, PROVINCE, REGENCY = "nation", "province", "regency"

AREA_LEVELS: dict[str, set[str]] = {
    Role.NATIONAL_ADMIN: {NATION},
    Role.SOCIAL_OFFICER: {PROVINCE, REGENCY},
    Role.FACILITATOR: {PROVINCE, REGENCY},
    Role.PARTNER_COORDINATOR: {NATION, PROVINCE, REGENCY},
    Role.MENTOR: {PROVINCE, REGENCY},
    Role.BUYER: {NATION, PROVINCE, REGENCY},
    Role.KUBE_OFFICER: {REGENCY},
    Role.AUDITOR: {NATION, PROVINCE, REGENCY},
}

# Roles that must never receive NIK, KK number or decile (UU PDP; PRODUCT.md).
PARTNER_ROLES = frozenset({Role.PARTNER_COORDINATOR, Role.MENTOR, Role.BUYER})

# Roles whose account is tied to a record that narrows what it sees (a KUBE officer to the
# group, a mentor to a mentor profile). Without that link the account would see its whole
# area, so such an account is made only with its record (``user_create``'s ``kube_id`` /
# ``mentor_id``), takes its area from it, and keeps its role and record for life (to move the
# person, deactivate the account and make a new one).
RECORD_BOUND_ROLES = frozenset({Role.KUBE_OFFICER, Role.MENTOR})

# Who may hand out which role in the app's user management ("accounts.manage_user"). A role
# is "grantable" by a manager when it is listed here under the manager's own role; a manager
# may create a user with, change a user to, change a user from, deactivate or invite only a
# user whose role is grantable to them, and only inside their own area. So nobody grants
# above their own role: the national admin grants every role; a social office officer grants
# the office's own roles (officer, facilitator) and the accounts bound to a group or a mentor
# of their area (KUBE officer, mentor) — never the national admin, never the auditor (who
# checks the offices) and never a partner's coordinator; a partner coordinator grants only
# mentor accounts, each bound to a mentor record she may see. Other roles grant nothing.
GRANTABLE: dict[str, frozenset[str]] = {
    Role.NATIONAL_ADMIN: frozenset(Role.values),
    Role.SOCIAL_OFFICER: frozenset(
        {Role.SOCIAL_OFFICER, Role.FACILITATOR, Role.KUBE_OFFICER, Role.MENTOR}
    ),
    Role.PARTNER_COORDINATOR: frozenset({Role.MENTOR}),
}


def grantable_roles(role: str) -> frozenset[str]:
    """The roles a manager holding ``role`` may give (see ``GRANTABLE``)."""
    return GRANTABLE.get(role, frozenset())


# The permission that lets a person see NIK and KK numbers in full: who holds it signs in
# with a second factor (accounts.twofactor) when SINERGI_REQUIRE_2FA is on.
REVEAL_PERMISSION = "registry.reveal_identifier"

_REGIONS = ["wilayah.view_region"]
_REGISTRY_READ = [
    "registry.view_household",
    "registry.view_person",
    "registry.view_importbatch",
    "registry.view_duplicatecandidate",
    "registry.view_legalbasis",
    "registry.view_consentrecord",
    # Who read a person's data (UU PDP): offices and auditors, never partners.
    "registry.view_accesslog",
]
_KUBE_READ = [
    "kube.view_kube",
    "kube.view_businesstype",
    "kube.view_formationpolicy",
    "kube.view_iksentry",
]
_KUBE_WRITE = [
    *_KUBE_READ,
    "kube.add_kube",
    "kube.change_kube",
    "kube.submit_kube",
    "kube.verify_kube",
    "kube.activate_kube",
    "kube.close_kube",
    "kube.add_iksentry",
]
_AID_READ = ["aid.view_programme", "aid.view_cycle", "aid.view_proposal", "aid.view_disbursement"]
_AID_OFFICE = [
    *_AID_READ,
    "aid.propose_kube",
    "aid.recommend_proposal",
    "aid.add_disbursement",
    "aid.reconcile_disbursement",
    "aid.view_lpj",
    "aid.add_lpjitem",
]
_PARTNERS_READ = [
    "mentoring.view_organisation",
    "mentoring.view_unit",
    "mentoring.view_agreement",
]
_MENTORING_READ = [
    *_PARTNERS_READ,
    "mentoring.view_mentor",
    "mentoring.view_assignment",
    "mentoring.view_session",
    "mentoring.view_actionitem",
]
_COORDINATOR = [
    *_MENTORING_READ,
    "mentoring.add_mentor",
    "mentoring.change_mentor",
    "mentoring.view_matchrun",
    "mentoring.run_matching",
    "mentoring.change_assignment",
]
_REPORTS_READ = ["mentoring.view_monthlyreport"]
_MARKET_READ = [
    "market.view_product",
    "market.view_demand",
    "market.view_order",
    "market.view_orderpart",
    "market.view_sale",
]
_MARKET_GROUP = [
    *_MARKET_READ,
    "market.add_product",
    "market.change_product",
    "market.respond_orderpart",
    "market.add_sale",
]
# Data-subject requests and retention (UU PDP; sinergi.pdp): the offices answer requests,
# correct and erase (four eyes on corrections); the auditor reads; partners get nothing.
_PDP_READ = ["pdp.view_datasubjectrequest", "pdp.view_retentionrule"]
_PDP_OFFICE = [
    *_PDP_READ,
    "pdp.add_datasubjectrequest",
    "pdp.change_datasubjectrequest",
    "pdp.approve_correction",
    "pdp.erase_person",
]
_MONITORING_READ = [
    "monitoring.view_regencyfigures",
    "monitoring.view_groupreport",
    "monitoring.view_classresult",
    "monitoring.view_graduation",
    "monitoring.view_povertyline",
    "monitoring.view_rubric",
    "monitoring.view_graduationrule",
]
_MONITORING_OFFICE = [
    *_MONITORING_READ,
    "monitoring.view_memberincome",
    "monitoring.add_groupreport",
    "monitoring.change_groupreport",
]
_REGISTRY_WRITE = [
    *_REGISTRY_READ,
    "registry.add_household",
    "registry.change_household",
    "registry.add_person",
    "registry.change_person",
    "registry.reveal_identifier",
    "registry.export_person",
    "registry.add_importbatch",
    "registry.change_duplicatecandidate",
    "registry.add_consentrecord",
    "registry.change_consentrecord",  # withdrawing a consent
]
# The breach register (UU PDP Art. 46) and the records of processing: the offices are the
# responsible officers (the 3×24-hour banner shows to holders of change_incident); partners none.
_COMPLIANCE_READ = ["compliance.view_incident", "compliance.view_register"]
_COMPLIANCE_OFFICE = [
    *_COMPLIANCE_READ,
    "compliance.add_incident",
    "compliance.change_incident",
]
# Official letters (sinergi.letters): the offices issue, void and word their own; who works on
# a group reads its letters; partners only the assignment letters addressed to them.
_LETTERS_READ = ["letters.view_letter"]
_LETTERS_OFFICE = [
    *_LETTERS_READ,
    "letters.add_letter",
    "letters.void_letter",
    "letters.view_lettertemplate",
    "letters.change_lettertemplate",
]
_LETTERS_PARTNER = ["letters.view_addressed_letter"]
DEFAULT_PERMISSIONS: dict[str, list[str]] = {
    Role.NATIONAL_ADMIN: [
        *_LETTERS_OFFICE,
        *_REGIONS,
        *_COMPLIANCE_OFFICE,
        "compliance.view_lettertemplate",
        "compliance.change_lettertemplate",
        "wilayah.change_region",
        "wilayah.view_historicalregion",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.export_user",
        "accounts.manage_user",
        "accounts.view_historicaluser",
        "auth.view_group",
        "auth.change_group",
        "core.view_auditevent",
        "notifications.view_message",  # the log of sent and failed messages
        *_PDP_OFFICE,
        "pdp.run_retention",
        "pdp.add_retentionrule",
        "pdp.change_retentionrule",
        *_REGISTRY_WRITE,
        *_KUBE_WRITE,
        *_AID_OFFICE,
        "aid.add_programme",
        "aid.change_programme",
        "aid.add_cycle",
        "aid.approve_cycle",
        # Bank statement layouts (reference data, kept in the admin; every change audited).
        "aid.view_statementprofile",
        "aid.add_statementprofile",
        "aid.change_statementprofile",
        "aid.delete_statementprofile",
        "kube.change_formationpolicy",
        "kube.add_formationpolicy",
        "kube.add_businesstype",
        "kube.change_businesstype",
        "registry.change_legalbasis",
        "registry.add_legalbasis",
        *_COORDINATOR,
        *_REPORTS_READ,
        "mentoring.return_monthlyreport",
        "mentoring.add_organisation",
        "mentoring.change_organisation",
        "mentoring.add_unit",
        "mentoring.change_unit",
        "mentoring.add_agreement",
        "mentoring.change_agreement",
        "mentoring.add_kpi",
        "mentoring.change_kpi",
        "mentoring.delete_kpi",
        *_MARKET_READ,
        "market.allocate_demand",
        "market.add_category",
        "market.change_category",
        *_MONITORING_OFFICE,
        "monitoring.export_memberincome",
        "monitoring.refresh_summary",
        "monitoring.decide_graduation",
        "monitoring.return_groupreport",
        "monitoring.load_povertyline",
        "monitoring.add_povertyline",
        "monitoring.change_povertyline",
        "monitoring.add_rubric",
        "monitoring.change_rubric",
        "monitoring.add_rubricindicator",
        "monitoring.change_rubricindicator",
        "monitoring.delete_rubricindicator",
        "monitoring.add_graduationrule",
        "monitoring.change_graduationrule",
    ],
    Role.SOCIAL_OFFICER: [
        *_LETTERS_OFFICE,
        *_REGIONS,
        *_COMPLIANCE_OFFICE,
        "accounts.view_user",
        "accounts.export_user",
        "accounts.manage_user",
        *_REGISTRY_WRITE,
        *_KUBE_WRITE,
        *_AID_OFFICE,
        *_MENTORING_READ,
        "mentoring.view_matchrun",
        *_REPORTS_READ,
        "mentoring.return_monthlyreport",
        *_MARKET_READ,
        *_PDP_OFFICE,
        *_MONITORING_OFFICE,
        "monitoring.export_memberincome",
        "monitoring.refresh_summary",
        "monitoring.decide_graduation",
        "monitoring.return_groupreport",
    ],
    Role.FACILITATOR: [
        *_LETTERS_READ,
        *_REGIONS,
        "registry.view_household",
        "registry.view_person",
        *_KUBE_READ,
        *_AID_READ,
        "aid.view_lpj",
        "aid.check_lpj",
        *_MENTORING_READ,
        *_REPORTS_READ,
        "mentoring.add_monthlyreport",
        "mentoring.change_monthlyreport",
        *_MARKET_READ,
        "market.add_sale",
        *_MONITORING_OFFICE,
    ],
    Role.PARTNER_COORDINATOR: [
        *_LETTERS_PARTNER,
        *_REGIONS,
        *_COORDINATOR,
        # Mentor accounts only (GRANTABLE); the user list shows her only those.
        "accounts.view_user",
        "accounts.manage_user",
        *_MARKET_READ,
        "market.allocate_demand",
        # Aggregates only: partners never receive incomes or graduation lists (households).
        "monitoring.view_regencyfigures",
        "monitoring.view_groupreport",
        "monitoring.view_classresult",
        "monitoring.view_rubric",
        "monitoring.view_povertyline",
    ],
    Role.MENTOR: [
        *_LETTERS_PARTNER,
        *_REGIONS,
        *_MENTORING_READ,
        "mentoring.respond_assignment",
        "mentoring.add_session",
        "mentoring.change_actionitem",
        *_MARKET_GROUP,
        "monitoring.view_groupreport",
        "monitoring.view_classresult",
        "monitoring.view_rubric",
    ],
    Role.BUYER: [
        *_REGIONS,
        "market.view_product",
        "market.view_demand",
        "market.add_demand",
        "market.view_order",
    ],
    Role.KUBE_OFFICER: [
        *_LETTERS_READ,
        *_REGIONS,
        *_KUBE_READ,
        "kube.add_iksentry",
        *_AID_READ,
        "aid.view_lpj",
        "aid.add_lpjitem",
        "mentoring.view_assignment",
        "mentoring.view_session",
        "mentoring.view_actionitem",
        *_REPORTS_READ,
        *_MARKET_GROUP,
        "monitoring.view_groupreport",
        "monitoring.add_groupreport",
        "monitoring.change_groupreport",
        "monitoring.view_memberincome",
        "monitoring.view_classresult",
        "monitoring.view_rubric",
        "monitoring.view_povertyline",
    ],
    Role.AUDITOR: [
        *_LETTERS_READ,
        *_REGIONS,
        *_COMPLIANCE_READ,
        "wilayah.view_historicalregion",
        "accounts.view_user",
        "accounts.export_user",
        "accounts.view_historicaluser",
        "core.view_auditevent",
        *_PDP_READ,
        *_REGISTRY_READ,
        *_KUBE_READ,
        *_AID_READ,
        *_MENTORING_READ,
        "mentoring.view_matchrun",
        *_REPORTS_READ,
        *_MARKET_READ,
        *_MONITORING_READ,
        "monitoring.view_memberincome",
    ],
}
