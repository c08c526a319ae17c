"""The main menu: each entry shows only to users holding its permission.

Later modules append their entries here; the roles that see them follow from the permissions
their groups hold (see accounts.roles), never from role names checked in templates.

Entries sit under a few groups (``GROUPS``: registry, programme, market, data protection,
system) so the national admin's menu fits one row of a laptop screen; the page
shows a group as a drop-down (``<details>``, no script needed) and a group holding only one
entry for the user as that entry alone (:func:`grouped`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    # The code of the group (GROUPS) it is listed under; "" at the top of the menu.
    group: str = ""


@dataclass(frozen=True)
class NavGroup:
    code: str
    label: str | Promise


GROUPS: list[NavGroup] = [
    NavGroup("registry", _("Registry")),
    NavGroup("programme", _("Programme")),
    NavGroup("market", _("Market")),
    NavGroup("pdp", _("Data protection")),
    NavGroup("system", _("System")),
]


MENU: list[NavItem] = [
    # What waits for the user (core.inbox); the menu shows how many items (context_processors).
    NavItem(_("My tasks"), "core:inbox", None, "✓", ("core:inbox",)),
    NavItem(_("Dashboard"), "core:dashboard", None, "◧", ("core:dashboard",)),
    NavItem(
        _("Households"),
        "registry:household_list",
        "registry.view_household",
        "⌂",
        ("registry:household", "registry:person"),
        group="registry",
    ),
    NavItem(
        _("Imports"),
        "registry:import_list",
        "registry.add_importbatch",
        "⇪",
        ("registry:import",),
        group="registry",
    ),
    NavItem(
        _("Duplicates"),
        "registry:duplicate_list",
        "registry.change_duplicatecandidate",
        "⧉",
        ("registry:duplicate",),
        group="registry",
    ),
    # Regions are reference data; in the registry group, after the registry's own pages.
    NavItem(
        _("Regions"), "wilayah:index", "wilayah.view_region", "⌖", ("wilayah:",), group="registry"
    ),
    NavItem(_("KUBE"), "kube:kube_list", "kube.view_kube", "◎", ("kube:",), group="programme"),
    NavItem(
        _("Aid"), "aid:programme_list", "aid.view_programme", "Rp", ("aid:",), group="programme"
    ),
    NavItem(
        _("Mentored groups"),
        "mentoring:group_list",
        "mentoring.view_session",
        "✎",
        ("mentoring:group", "mentoring:session", "mentoring:report"),
        group="programme",
    ),
    NavItem(
        _("Mentors"),
        "mentoring:mentor_list",
        "mentoring.view_mentor",
        "☺",
        ("mentoring:mentor",),
        group="programme",
    ),
    NavItem(
        _("Matching"),
        "mentoring:match",
        "mentoring.run_matching",
        "⇄",
        ("mentoring:match", "mentoring:run"),
        group="programme",
    ),
    NavItem(
        _("Partners"),
        "mentoring:partner_list",
        "mentoring.view_agreement",
        "⚭",
        ("mentoring:partner", "mentoring:agreement"),
        group="programme",
    ),
    NavItem(
        _("Catalogue"),
        "market:catalogue",
        None,
        "🛒",
        ("market:catalogue", "market:product_d"),
        group="market",
    ),
    NavItem(
        _("Products"),
        "market:my_products",
        "market.add_product",
        "▦",
        ("market:my_products",),
        group="market",
    ),
    NavItem(
        _("Demands"),
        "market:demand_list",
        "market.view_demand",
        "⇲",
        ("market:demand", "market:order"),
        group="market",
    ),
    NavItem(
        _("Sales"), "market:sale_list", "market.view_sale", "Σ", ("market:sale",), group="market"
    ),
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
        group="programme",
    ),
    NavItem(
        _("Graduation"),
        "monitoring:graduations",
        "monitoring.view_graduation",
        "⇧",
        ("monitoring:graduation",),
        group="programme",
    ),
    NavItem(
        _("Official letters"),
        "letters:letter_list",
        "letters.view_letter",
        "✉",
        ("letters:",),
        group="programme",
    ),
    NavItem(
        _("Data-subject requests"),
        "pdp:request_list",
        "pdp.view_datasubjectrequest",
        "⚖",
        ("pdp:",),
        group="pdp",
    ),
    NavItem(
        _("Data incidents"),
        "compliance:incident_list",
        "compliance.view_incident",
        "⚠",
        ("compliance:",),
        group="pdp",
    ),
    NavItem(
        _("Users"),
        "accounts:user_list",
        "accounts.view_user",
        "☰",
        ("accounts:user",),
        group="system",
    ),
    NavItem(
        _("Audit trail"),
        "core:audit_list",
        "core.view_auditevent",
        "⎙",
        ("core:audit",),
        group="system",
    ),
    NavItem(
        _("Messages sent"),
        "notifications:message_list",
        "notifications.view_message",
        "✉",
        ("notifications:message",),
        group="system",
    ),
]


def grouped(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The menu as the page shows it: top entries and groups in menu order, each group at the
    place of its first entry. ``items`` are the user's entries (dicts with ``group``); a group
    with one entry for this user is shown as that entry alone."""
    labels = {g.code: g.label for g in GROUPS}
    out: list[dict[str, Any]] = []
    by_group: dict[str, dict[str, Any]] = {}
    for item in items:
        code = item.get("group", "")
        if not code:
            out.append(item)
        elif code in by_group:
            by_group[code]["entries"].append(item)
        else:
            by_group[code] = {"group": code, "label": labels[code], "entries": [item]}
            out.append(by_group[code])
    for entry in out:
        if "entries" in entry:
            entry["active"] = any(i["active"] for i in entry["entries"])
    return [e["entries"][0] if "entries" in e and len(e["entries"]) == 1 else e for e in out]
