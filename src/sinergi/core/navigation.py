"""The main menu: each entry shows only to users holding its permission.

Later modules append their entries here; the roles that see them follow from the permissions
their groups hold (see accounts.roles), never from role names checked in templates.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str | None = None
    icon: str = ""
    # View names (or prefixes) under which this entry shows as the current page.
    active_for: tuple[str, ...] = ()


MENU: list[NavItem] = [
    # What waits for the user (core.inbox); the menu shows how many items (context_processors).
    NavItem(_("My tasks"), "core:inbox", None, "✓", ("core:inbox",)),
    NavItem(_("Dashboard"), "core:dashboard", None, "◧", ("core:dashboard",)),
    NavItem(_("Regions"), "wilayah:index", "wilayah.view_region", "⌖", ("wilayah:",)),
    NavItem(
        _("Registry"),
        "registry:household_list",
        "registry.view_household",
        "⌂",
        ("registry:household", "registry:person"),
    ),
    NavItem(
        _("Imports"), "registry:import_list", "registry.add_importbatch", "⇪", ("registry:import",)
    ),
    NavItem(
        _("Duplicates"),
        "registry:duplicate_list",
        "registry.change_duplicatecandidate",
        "⧉",
        ("registry:duplicate",),
    ),
    NavItem(_("KUBE"), "kube:kube_list", "kube.view_kube", "◎", ("kube:",)),
    NavItem(_("Aid"), "aid:programme_list", "aid.view_programme", "Rp", ("aid:",)),
    NavItem(
        _("Mentoring"),
        "mentoring:group_list",
        "mentoring.view_session",
        "✎",
        ("mentoring:group", "mentoring:session", "mentoring:report"),
    ),
    NavItem(
        _("Mentors"),
        "mentoring:mentor_list",
        "mentoring.view_mentor",
        "☺",
        ("mentoring:mentor",),
    ),
    NavItem(
        _("Matching"),
        "mentoring:match",
        "mentoring.run_matching",
        "⇄",
        ("mentoring:match", "mentoring:run"),
    ),
    NavItem(
        _("Partners"),
        "mentoring:partner_list",
        "mentoring.view_agreement",
        "⚭",
        ("mentoring:partner", "mentoring:agreement"),
    ),
    NavItem(_("Market"), "market:catalogue", None, "🛒", ("market:catalogue", "market:product_d")),
    NavItem(
        _("Products"), "market:my_products", "market.add_product", "▦", ("market:my_products",)
    ),
    NavItem(
        _("Demands"),
        "market:demand_list",
        "market.view_demand",
        "⇲",
        ("market:demand", "market:order"),
    ),
    NavItem(_("Sales"), "market:sale_list", "market.view_sale", "Σ", ("market:sale",)),
    NavItem(
        _("Monitoring"),
        "monitoring:home",
        "monitoring.view_groupreport",
        "◔",
        (
            "monitoring:home",
            "monitoring:dashboard",
            "monitoring:group",
            "monitoring:report",
            "monitoring:jobs",
            "monitoring:rubric",
            "monitoring:lines",
        ),
    ),
    NavItem(
        _("Graduation"),
        "monitoring:graduations",
        "monitoring.view_graduation",
        "⇧",
        ("monitoring:graduation",),
    ),
    NavItem(
        _("Data-subject requests"),
        "pdp:request_list",
        "pdp.view_datasubjectrequest",
        "⚖",
        ("pdp:",),
    ),
    NavItem(
        _("Data incidents"),
        "compliance:incident_list",
        "compliance.view_incident",
        "⚠",
        ("compliance:",),
    ),
    NavItem(_("Users"), "accounts:user_list", "accounts.view_user", "☰", ("accounts:user",)),
    NavItem(_("Audit trail"), "core:audit_list", "core.view_auditevent", "⎙", ("core:audit",)),
    NavItem(
        _("Messages sent"),
        "notifications:message_list",
        "notifications.view_message",
        "✉",
        ("notifications:message",),
    ),
]
