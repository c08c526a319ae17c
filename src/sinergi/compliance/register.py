"""The records of processing activities and the DPIA, generated from the system's own configuration.

Nothing here is typed by hand per deployment: the legal basis of each category is the row of
``registry.LegalBasis`` valid today, the recipients are the role groups that hold a permission
through which the category is read (as the admin has set them, so a change in the admin shows
here at once), and the retention period is the pdp app's retention policy when it exists. What
the code itself decides (the purpose of each category, the permissions that read it, the security
measures that protect it) is declared once below, next to the code it describes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.accounts.roles import PARTNER_ROLES, Role
from sinergi.compliance import selectors
from sinergi.registry.models import ConsentPurpose, DataCategory


@dataclass(frozen=True)
class Activity:
    purpose: Promise
    subjects: Promise
    # Permissions through which a role receives the category; (permission, how) pairs.
    readers: tuple[tuple[str, Promise], ...]
    measures: tuple[Promise, ...]
    specific: bool = False  # specific personal data (UU PDP Art. 4(2))
    label: Promise | None = None  # for categories registry.DataCategory does not name


_HOUSEHOLDS = gettext_lazy(
    "Members of poor households in the social welfare register (DTSEN), including children "
    "listed on the family card"
)
_MEMBERS = gettext_lazy("Members of KUBE groups")
_SCOPED = gettext_lazy("Read only within the reader's area (province or regency)")
_AUDITED = gettext_lazy("Changes and exports recorded in the audit trail")

ACTIVITIES: dict[str, Activity] = {
    DataCategory.IDENTITY: Activity(
        purpose=gettext_lazy(
            "Identify each household and person once, check eligibility for KUBE and aid, "
            "find duplicates"
        ),
        subjects=_HOUSEHOLDS,
        readers=(
            ("registry.view_person", gettext_lazy("masked")),
            (
                "registry.reveal_identifier",
                gettext_lazy("in full when revealed with a reason (logged)"),
            ),
            (
                "registry.export_person",
                gettext_lazy("exports masked unless revealed for a stated purpose"),
            ),
        ),
        measures=(
            gettext_lazy("Encrypted at field level (AES-GCM with a key id, rotatable)"),
            gettext_lazy("Found through a keyed hash; shown masked on every screen, file and log"),
            gettext_lazy("Revealing needs a permission and a reason, and is logged"),
            _SCOPED,
        ),
    ),
    DataCategory.DEMOGRAPHIC: Activity(
        purpose=gettext_lazy(
            "Form KUBE groups under the formation rules (age, head of family, district) and "
            "report on them"
        ),
        subjects=_HOUSEHOLDS,
        readers=(
            ("registry.view_person", gettext_lazy("registry")),
            ("kube.view_kube", gettext_lazy("members of groups")),
            ("mentoring.view_session", gettext_lazy("members by name and role only")),
        ),
        measures=(_SCOPED, _AUDITED),
    ),
    DataCategory.CONTACT: Activity(
        purpose=gettext_lazy("Reach the household for verification, aid and mentoring"),
        subjects=_HOUSEHOLDS,
        readers=(("registry.view_household", gettext_lazy("registry")),),
        measures=(_SCOPED, _AUDITED),
    ),
    DataCategory.WELFARE: Activity(
        purpose=gettext_lazy(
            "Target aid to poor households (welfare decile) and follow graduation"
        ),
        subjects=_HOUSEHOLDS,
        readers=(("registry.view_household", gettext_lazy("registry (never partner roles)")),),
        measures=(
            gettext_lazy("Never shown to partner roles on any path"),
            _SCOPED,
            _AUDITED,
        ),
        specific=True,
    ),
    "income": Activity(
        label=gettext_lazy("Members' reported incomes"),
        purpose=gettext_lazy("Class groups and decide graduation against the poverty line"),
        subjects=_MEMBERS,
        readers=(
            ("monitoring.view_memberincome", gettext_lazy("per member")),
            ("monitoring.export_memberincome", gettext_lazy("exports (audited)")),
        ),
        measures=(
            gettext_lazy("Encrypted at field level; only the comparison with the line is clear"),
            gettext_lazy("Exports need their own permission and are audited at every download"),
            _SCOPED,
        ),
        specific=True,
    ),
    "photo": Activity(
        label=gettext_lazy("Photos of mentoring sessions"),
        purpose=gettext_lazy("Evidence that a mentoring session took place"),
        subjects=_MEMBERS,
        readers=(("mentoring.view_session", gettext_lazy("served through a scoped address")),),
        measures=(
            gettext_lazy("Re-encoded on upload (metadata removed); never public"),
            _SCOPED,
        ),
    ),
}


# Which of the pdp app's retention categories (pdp.RetentionRule) governs each register row:
# registry data and incomes are kept while the household is in the programme and anonymised
# a period after it graduates. Session photos have no retention rule yet.
RETENTION_OF: dict[str, str] = {
    DataCategory.IDENTITY: "former_households",
    DataCategory.DEMOGRAPHIC: "former_households",
    DataCategory.CONTACT: "former_households",
    DataCategory.WELFARE: "former_households",
    "income": "former_households",
}


_CONSENTED = gettext_lazy(
    "Refused without the person's recorded, current consent; a withdrawal takes effect at once "
    "(a child's consent is a parent's or guardian's)"
)

# Uses of a category whose legal basis the table records per purpose (registry.ConsentPurpose).
PURPOSE_ACTIVITIES: dict[str, Activity] = {
    ConsentPurpose.MENTORING_PHOTO: Activity(
        purpose=gettext_lazy("Photos of the members present, as evidence of a mentoring session"),
        subjects=_MEMBERS,
        readers=(("mentoring.view_session", gettext_lazy("served through a scoped address")),),
        measures=(
            _CONSENTED,
            gettext_lazy("Re-encoded on upload (metadata removed); never public"),
        ),
    ),
    ConsentPurpose.OFFICER_PHONE: Activity(
        purpose=gettext_lazy("Let buyers and mentors call a group's chair"),
        subjects=gettext_lazy("Chairs of KUBE groups"),
        readers=(
            ("market.view_product", gettext_lazy("on a group's product page")),
            ("mentoring.view_session", gettext_lazy("on the mentored group's page")),
        ),
        measures=(_CONSENTED,),
    ),
}


@dataclass
class Receiver:
    role: str
    how: list[str]
    partner: bool


@dataclass
class Row:
    category: str
    use: str  # a purpose narrowed from the category (registry.ConsentPurpose), or ""
    label: str
    purpose: str
    legal_basis: str
    legal_reference: str
    basis_since: datetime.date | None
    subjects: str
    recipients: list[Receiver]
    transfers: str
    retention: str
    measures: list[str]
    specific: bool
    gaps: list[str] = field(default_factory=list)

    @property
    def recipients_text(self) -> str:
        return "; ".join(f"{r.role} ({', '.join(r.how)})" for r in self.recipients) or _("nobody")


def role_label(name: str) -> str:
    try:
        label = str(Role(name).label)
    except ValueError:
        return name
    if name in (Role.PARTNER_COORDINATOR, Role.MENTOR):
        return _("%(role)s — IWAPI partner") % {"role": label}
    if name == Role.BUYER:
        return _("%(role)s — market partner") % {"role": label}
    return label


def controller() -> str:
    return str(
        getattr(settings, "SINERGI_PDP_CONTROLLER", "")
        or _("Ministry of Social Affairs of the Republic of Indonesia (Kementerian Sosial RI)")
    )


def rows(on: datetime.date | None = None) -> list[Row]:
    """One row per processing activity, in the active language: each data category under its
    general legal basis, then each purpose the legal-basis table narrows from a category (the
    uses that rest on consent)."""
    day = on or timezone.localdate()
    bases = selectors.legal_bases(day)
    perms = selectors.role_permissions()
    retention = selectors.retention_rules(day)
    labels = dict(DataCategory.choices)
    purposes = dict(ConsentPurpose.choices)
    narrowed = {category for category, purpose in bases if purpose}
    codes = list(labels) + [c for c in ACTIVITIES if c not in labels]
    keys = [(code, "") for code in codes] + sorted(k for k in bases if k[1])
    out: list[Row] = []
    for code, use in keys:
        activity = PURPOSE_ACTIVITIES.get(use) if use else ACTIVITIES.get(code)
        gaps: list[str] = []
        basis = bases.get((code, use))
        if basis is None and code in narrowed:
            basis_text = _("per purpose (below)")
        elif basis is None:
            basis_text = _("not recorded")
            gaps.append(_("No legal basis recorded for this category (admin: legal bases)."))
        else:
            basis_text = basis.get_basis_display()
        recipients = []
        for group in sorted(perms):
            how = [
                str(text)
                for perm, text in (activity.readers if activity else ())
                if perm in perms[group]
            ]
            if how:
                recipients.append(Receiver(role_label(group), how, group in PARTNER_ROLES))
                if group in PARTNER_ROLES and code in (DataCategory.IDENTITY, DataCategory.WELFARE):
                    gaps.append(
                        _("A partner role receives this category: check the role's permissions.")
                    )
        if activity is None:
            gaps.append(_("Purpose and recipients of this category are not described yet."))
        kept_by = RETENTION_OF.get(code, "")
        if retention is None or not kept_by:
            retention_text = _("not configured")
        else:
            retention_text = retention.get(kept_by, "") or _("not configured")
        if retention_text == _("not configured"):
            gaps.append(_("No retention period configured."))
        label = str(labels.get(code) or (activity.label if activity else code))
        if use:
            label = f"{label} — {purposes.get(use, use)}"
        out.append(
            Row(
                category=code,
                use=use,
                label=label,
                purpose=str(activity.purpose) if activity else "",
                legal_basis=basis_text,
                legal_reference=basis.reference if basis else "",
                basis_since=basis.valid_from if basis else None,
                subjects=str(activity.subjects) if activity else "",
                recipients=recipients,
                transfers=transfers(),
                retention=retention_text,
                measures=[str(m) for m in (activity.measures if activity else ())],
                specific=bool(activity and activity.specific),
                gaps=gaps,
            )
        )
    return out


def transfers() -> str:
    return str(
        getattr(settings, "SINERGI_PDP_TRANSFERS", "")
        or _(
            "None outside Indonesia: stored on the ministry's own servers; API clients receive "
            "only what their role receives"
        )
    )


HEADER = [
    "category",
    "use",
    "label",
    "purpose",
    "legal_basis",
    "legal_reference",
    "basis_valid_from",
    "data_subjects",
    "recipients",
    "transfers",
    "retention",
    "security_measures",
    "specific_data",
    "gaps",
]


def table(on: datetime.date | None = None) -> list[list[Any]]:
    """The register as table rows (CSV, through core.exports)."""
    return [
        [
            r.category,
            r.use,
            r.label,
            r.purpose,
            r.legal_basis,
            r.legal_reference,
            r.basis_since,
            r.subjects,
            r.recipients_text,
            r.transfers,
            r.retention,
            "; ".join(r.measures),
            _("yes") if r.specific else _("no"),
            " ".join(r.gaps),
        ]
        for r in rows(on)
    ]


# --- The DPIA (UU PDP Art. 34) ----------------------------------------------------------------


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


TO_ASSESS = gettext_lazy("[to be assessed by the data protection officer]")


def dpia(on: datetime.date | None = None) -> tuple[str, list[Section]]:
    """The DPIA template, pre-filled from the register, in the active language."""
    register = rows(on)
    day = on or timezone.localdate()
    rules = selectors.retention_rules(day)
    title = _("Data protection impact assessment (DPIA) — Sinergi")
    sections = [
        Section(
            _("1. The processing"),
            [
                _("Controller: %(c)s.") % {"c": controller()},
                _(
                    "Purpose: the Kemensos–IWAPI partnership follows poor households from the "
                    "social welfare register into KUBE groups, through capital aid, mentoring "
                    "and market access, to graduation."
                ),
                _("Prepared from the records of processing of %(d)s.") % {"d": day.isoformat()},
            ],
            [f"{r.label}: {r.purpose or TO_ASSESS}" for r in register],
        ),
        Section(
            _("2. Why a DPIA is needed (Art. 34)"),
            [
                _(
                    "Large-scale processing by a public body of specific personal data: "
                    "children's data on the family card and personal financial data."
                )
            ],
            [
                _("%(label)s — specific personal data") % {"label": r.label}
                for r in register
                if r.specific
            ],
        ),
        Section(
            _("3. Legal basis, necessity and proportionality"),
            [],
            [
                _("%(label)s: %(basis)s; recipients: %(who)s")
                % {
                    "label": r.label,
                    "basis": r.legal_basis
                    + (f" ({r.legal_reference})" if r.legal_reference else ""),
                    "who": r.recipients_text,
                }
                for r in register
            ],
        ),
        Section(
            _("4. Retention"),
            [] if rules is not None else [_("No retention periods are configured.")],
            [f"{r.label}: {r.retention}" for r in register] + list((rules or {}).values()),
        ),
        Section(
            _("5. Risks to the people concerned"),
            [
                _("For each risk: likelihood, severity and the remaining risk. %(t)s")
                % {"t": TO_ASSESS}
            ],
            [
                _("Access by an officer outside their task or area"),
                _("Disclosure of NIK, family card number or welfare decile to partner roles"),
                _("Breach of specific data (children, finances) by loss of a device or export"),
                _("Re-identification from exports and reports"),
                _("Data kept after its retention period"),
            ],
        ),
        Section(
            _("6. Measures already in place"),
            [],
            [
                *sorted({m for r in register for m in r.measures}),
                _("Breach register with the 3×24-hour notification clock (/pdp/insiden/)"),
                _("Records of processing generated from the configuration (/pdp/pemrosesan/)"),
            ],
        ),
        Section(
            _("7. Gaps found in the configuration"),
            [] if any(r.gaps for r in register) else [_("None.")],
            [f"{r.label}: {g}" for r in register for g in r.gaps],
        ),
        Section(
            _("8. Opinion of the data protection officer and sign-off"),
            [
                _("Name and position: %(t)s") % {"t": TO_ASSESS},
                _("Date: %(t)s") % {"t": TO_ASSESS},
                _("Decision: %(t)s") % {"t": TO_ASSESS},
            ],
        ),
    ]
    return title, sections


def dpia_markdown(title: str, sections: list[Section]) -> str:
    lines = [f"# {title}", ""]
    for section in sections:
        lines += [f"## {section.heading}", ""]
        for paragraph in section.paragraphs:
            lines += [paragraph, ""]
        if section.items:
            lines += [f"- {item}" for item in section.items]
            lines.append("")
    return "\n".join(lines)
