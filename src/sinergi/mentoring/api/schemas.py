"""What the mentoring API reads and answers. Answers are built from the model objects by
ninja's ``resolve_<field>`` resolvers, so no endpoint hand-writes a dict.

Nothing here carries a NIK, KK number or decile: members appear by name and role only, so the
same answers are safe for partner roles.
"""

from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from django.db.models import Q
from django.utils import timezone
from ninja import Field, FilterLookup, Schema

from sinergi.core.api_lists import ListFilter
from sinergi.core.api_schemas import Id, column_int
from sinergi.mentoring import selectors
from sinergi.mentoring.models import (
    ActionItem,
    Agreement,
    Assignment,
    MatchRun,
    Mentor,
    MonthlyReport,
    Session,
)

# Partners


class OrganisationOut(Schema):
    id: int
    name: str
    acronym: str
    description: str
    active: bool
    updated_at: datetime


class OrganisationIn(Schema):
    name: str = Field(..., max_length=150)
    acronym: str = Field("", max_length=30)
    description: str = Field("", max_length=5000)
    active: bool = True


class UnitOut(Schema):
    id: int
    organisation_id: Id
    organisation: str
    level: str
    name: str
    region_code: str
    parent_id: Id | None
    updated_at: datetime

    @staticmethod
    def resolve_organisation(obj: Any) -> str:
        return str(obj.organisation)

    @staticmethod
    def resolve_region_code(obj: Any) -> str:
        return str(obj.area_code)


class UnitIn(Schema):
    organisation_id: Id
    level: str = Field(..., description="dpp, dpd, dpc or ranting")
    name: str = Field(..., max_length=150)
    region_code: str = Field("", max_length=13, description="Empty for DPP")


class KpiOut(Schema):
    indicator: str
    label: str
    target: int
    value: int
    percent: int

    @staticmethod
    def resolve_indicator(obj: selectors.KpiProgress) -> str:
        return obj.kpi.indicator

    @staticmethod
    def resolve_label(obj: selectors.KpiProgress) -> str:
        return str(obj.kpi.get_indicator_display())

    @staticmethod
    def resolve_target(obj: selectors.KpiProgress) -> int:
        return obj.kpi.target


class AgreementOut(Schema):
    id: int
    organisation_id: Id
    organisation: str
    kind: str
    number: str
    title: str
    signing_unit_id: Id
    signing_unit: str
    ministry_party: str
    ministry_signatory: str
    partner_signatory: str
    witnesses: str
    signed_on: date
    valid_from: date
    valid_until: date
    area_code: str
    scope: str
    has_document: bool
    kpis: list[KpiOut]
    updated_at: datetime

    @staticmethod
    def resolve_organisation(obj: Agreement) -> str:
        return str(obj.organisation)

    @staticmethod
    def resolve_signing_unit(obj: Agreement) -> str:
        return str(obj.signing_unit)

    @staticmethod
    def resolve_has_document(obj: Agreement) -> bool:
        return bool(obj.document)

    @staticmethod
    def resolve_kpis(obj: Agreement) -> list[selectors.KpiProgress]:
        return selectors.agreement_progress(obj)


class AgreementIn(Schema):
    kind: str = Field(..., description="mou or pks")
    number: str = Field(..., max_length=100)
    title: str = Field(..., max_length=250)
    signing_unit_id: Id
    ministry_party: str = Field(..., max_length=200)
    ministry_signatory: str = Field(..., max_length=150)
    partner_signatory: str = Field(..., max_length=150)
    witnesses: str = Field("", max_length=300)
    signed_on: date
    valid_from: date
    valid_until: date
    scope: str = Field(..., max_length=5000)
    area_code: str = Field("", max_length=13, description="Empty: national")
    kpis: dict[str, int] = Field(
        default_factory=dict,
        description="kube_mentored, sessions_held, mentors_active, action_items_done → target",
    )


# Mentors


class MentorOut(Schema):
    id: int
    name: str
    unit_id: Id
    phone: str
    business: str
    base_regency: str
    sectors: list[str]
    capacity: int
    load: int
    available: bool
    available_until: date | None
    active: bool
    updated_at: datetime

    @staticmethod
    def resolve_base_regency(obj: Mentor) -> str:
        return obj.area_code

    @staticmethod
    def resolve_sectors(obj: Mentor) -> list[str]:
        # A list's rows carry their sectors read for the page (selectors.mentor_list).
        sectors = obj.sector_list if hasattr(obj, "sector_list") else obj.sectors.all()
        return sorted(s.code for s in sectors)

    @staticmethod
    def resolve_load(obj: Mentor) -> int:
        return int(getattr(obj, "load", 0) or 0)


class MentorIn(Schema):
    name: str = Field(..., max_length=150)
    unit_id: Id
    base_regency: str = Field(..., max_length=13, description="Regency code, e.g. 32.73")
    sectors: list[str] = Field(..., max_length=10, description="Business type codes")
    capacity: column_int(Mentor, "capacity", description="Number of groups, 0-30")  # type: ignore[valid-type]
    phone: str = Field("", max_length=20)
    business: str = Field("", max_length=200)
    available: bool = True
    available_until: date | None = None


class NoteIn(Schema):
    note: str = Field("", max_length=300)


# Matching and assignments


class RunIn(Schema):
    area: str = Field("", max_length=13, description="Empty: your whole area")
    other_regency: int = Field(40, ge=0, le=1000)
    sector_mismatch: int = Field(25, ge=0, le=1000)
    history_bonus: int = Field(10, ge=0, le=1000)


class RowOut(Schema):
    id: int
    kube_id: Id
    kube_name: str
    district_code: str
    sector: str
    mentor_id: Id | None
    mentor_name: str | None
    cost: int | None
    reasons: list[str]
    edited: bool
    status: str

    @staticmethod
    def resolve_kube_name(obj: Assignment) -> str:
        return obj.kube.name

    @staticmethod
    def resolve_district_code(obj: Assignment) -> str:
        return obj.kube.area_code[:8]

    @staticmethod
    def resolve_sector(obj: Assignment) -> str:
        return obj.kube.business_type.code

    @staticmethod
    def resolve_mentor_name(obj: Assignment) -> str | None:
        return obj.mentor.name if obj.mentor else None


class RunOut(Schema):
    id: int
    area_code: str
    status: str
    weights: dict[str, int]
    groups_count: int
    assigned_count: int
    total_cost: int
    rows: list[RowOut]

    @staticmethod
    def resolve_weights(obj: MatchRun) -> dict[str, int]:
        return {
            "other_regency": obj.other_regency,
            "sector_mismatch": obj.sector_mismatch,
            "history_bonus": obj.history_bonus,
        }

    @staticmethod
    def resolve_rows(obj: MatchRun) -> Any:
        return selectors.run_rows(obj)


class RowIn(Schema):
    mentor_id: Id | None = Field(None, description="Another mentor, or null for none")


class SentOut(Schema):
    sent: int
    skipped: int


class AssignmentOut(Schema):
    id: int
    kube_id: Id
    kube_name: str
    mentor_id: Id | None
    mentor_name: str | None
    status: str
    reasons: list[str]
    start_date: date | None
    end_date: date | None
    end_reason: str
    end_note: str
    decline_reason: str
    updated_at: datetime

    @staticmethod
    def resolve_kube_name(obj: Assignment) -> str:
        return obj.kube.name

    @staticmethod
    def resolve_mentor_name(obj: Assignment) -> str | None:
        return obj.mentor.name if obj.mentor else None


class DeclineIn(Schema):
    reason: str = Field(..., max_length=300)


class EndIn(Schema):
    reason: str = Field(..., description="completed, reassigned, mentor_left or group_closed")
    note: str = Field("", max_length=300)


# Groups, sessions, action items


class MentoredMemberOut(Schema):
    membership_id: Id
    name: str
    role: str

    @staticmethod
    def resolve_membership_id(obj: Any) -> int:
        return int(obj.pk)

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.person.name)


class ItemOut(Schema):
    id: int
    description: str
    owner: str
    due_on: date
    status: str
    overdue: bool
    raised_on: date
    review_note: str

    @staticmethod
    def resolve_overdue(obj: ActionItem) -> bool:
        return obj.overdue_on(timezone.localdate())

    @staticmethod
    def resolve_raised_on(obj: ActionItem) -> date:
        return obj.raised_in.held_on


class SessionOut(Schema):
    id: int
    kube_id: Id
    mentor: str
    held_on: date
    place: str
    topics: str
    notes: str
    present: list[int]
    photo_urls: list[str]
    updated_at: datetime

    @staticmethod
    def resolve_mentor(obj: Session) -> str:
        return obj.mentor.name

    @staticmethod
    def resolve_present(obj: Session) -> list[int]:
        return sorted(m.pk for m in obj.present.all())

    @staticmethod
    def resolve_photo_urls(obj: Session) -> list[str]:
        return [f"/api/v1/mentoring/sessions/{obj.pk}/photos/{p.pk}" for p in obj.photos.all()]


class GroupRowOut(Schema):
    id: int
    name: str
    village_code: str
    business_type: str
    mentor: str | None
    last_session: date | None
    open_items: int
    overdue_items: int

    @staticmethod
    def resolve_village_code(obj: Any) -> str:
        return str(obj.area_code)

    @staticmethod
    def resolve_business_type(obj: Any) -> str:
        return str(obj.business_type.code)

    @staticmethod
    def resolve_mentor(obj: Any) -> str | None:
        return obj.mentor_name


class GroupOut(Schema):
    id: int
    name: str
    village_code: str
    business_type: str
    status: str
    mentor: AssignmentOut | None
    members: list[MentoredMemberOut]
    action_items: list[ItemOut]

    @staticmethod
    def resolve_id(obj: selectors.GroupView) -> int:
        return obj.kube.pk

    @staticmethod
    def resolve_name(obj: selectors.GroupView) -> str:
        return obj.kube.name

    @staticmethod
    def resolve_village_code(obj: selectors.GroupView) -> str:
        return obj.kube.area_code

    @staticmethod
    def resolve_business_type(obj: selectors.GroupView) -> str:
        return obj.kube.business_type.code

    @staticmethod
    def resolve_status(obj: selectors.GroupView) -> str:
        return obj.kube.status

    @staticmethod
    def resolve_mentor(obj: selectors.GroupView) -> Assignment | None:
        return obj.assignment

    @staticmethod
    def resolve_action_items(obj: selectors.GroupView) -> list[ActionItem]:
        return obj.items


class NewItemIn(Schema):
    description: str = Field(..., max_length=300)
    owner: str = Field(..., max_length=150)
    due_on: date


class ReviewIn(Schema):
    item_id: Id
    status: str = Field(..., pattern="^(open|done|dropped)$")
    note: str = Field("", max_length=300)


class SessionIn(Schema):
    held_on: date
    place: str = Field(..., max_length=200)
    topics: str = Field(..., max_length=300)
    notes: str = Field("", max_length=5000)
    present: list[int] = Field(default_factory=list, description="Membership ids")
    new_items: list[NewItemIn] = Field(default_factory=list, max_length=20)
    reviews: list[ReviewIn] = Field(default_factory=list, max_length=50)


class ItemIn(Schema):
    status: str = Field(..., pattern="^(open|done|dropped)$")
    note: str = Field("", max_length=300)


# Facilitator reports


class FacilitatorReportOut(Schema):
    id: int | None
    kube_id: Id
    month: str
    status: str
    activities: str
    problems: str
    follow_up: str
    facts: dict[str, Any]
    submitted_at: datetime | None
    return_reason: str
    returned_at: datetime | None
    updated_at: datetime | None

    @staticmethod
    def resolve_month(obj: MonthlyReport) -> str:
        return f"{obj.month:%Y-%m}"

    @staticmethod
    def resolve_status(obj: MonthlyReport) -> str:
        return obj.status if obj.pk else "new"


class FacilitatorReportIn(Schema):
    activities: str = Field(..., max_length=10000)
    problems: str = Field("", max_length=10000)
    follow_up: str = Field("", max_length=10000)
    submit: bool = False


class ReturnIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000, description="What needs correcting")


# List filters (core.api_lists): every list paged, filtered, sorted, with changed_since.


class OrganisationFilter(ListFilter):
    ordering_fields: ClassVar = {"name": "name", "acronym": "acronym", "updated": "updated_at"}
    default_ordering: ClassVar = "name"
    active: bool | None = None


class UnitFilter(ListFilter):
    ordering_fields: ClassVar = {
        "name": "name", "area": ("area_code", "name"), "updated": "updated_at",
    }  # fmt: skip
    default_ordering: ClassVar = "area"
    organisation_id: Id | None = None
    level: str | None = Field(None, description="dpp, dpd, dpc or ranting", max_length=8)


class AgreementFilter(ListFilter):
    ordering_fields: ClassVar = {
        "signed_on": "signed_on", "valid_until": "valid_until", "number": "number",
        "updated": "updated_at",
    }  # fmt: skip
    default_ordering: ClassVar = "-signed_on"
    organisation_id: Id | None = None
    kind: str | None = Field(None, description="mou or pks", max_length=4)
    in_force_on: date | None = Field(None, description="Only agreements in force on this day")

    def filter_in_force_on(self, value: date | None) -> Q:
        return Q() if value is None else Q(valid_from__lte=value, valid_until__gte=value)


class MentorFilter(ListFilter):
    ordering_fields: ClassVar = {
        "name": "name", "area": ("area_code", "name"), "capacity": "capacity",
        "updated": "updated_at",
    }  # fmt: skip
    default_ordering: ClassVar = "area"
    selector_fields: ClassVar = frozenset({"q", "area", "include_left"})
    q: str = Field("", max_length=100, description="Words of the name")
    area: str = Field("", max_length=13, description="Region code of the home regency's area")
    include_left: bool = False
    available: bool | None = None


class AssignmentFilter(ListFilter):
    ordering_fields: ClassVar = {"updated": "updated_at", "start_date": "start_date"}
    default_ordering: ClassVar = "-updated"
    status: str | None = Field(None, max_length=10)
    kube_id: Id | None = None
    mentor_id: Id | None = None


class SessionFilter(ListFilter):
    ordering_fields: ClassVar = {"held_on": "held_on", "updated": "updated_at"}
    default_ordering: ClassVar = "-held_on"
    held_from: Annotated[date | None, FilterLookup("held_on__gte")] = None
    held_until: Annotated[date | None, FilterLookup("held_on__lte")] = None


class ReportFilter(ListFilter):
    ordering_fields: ClassVar = {"month": "month", "updated": "updated_at"}
    default_ordering: ClassVar = "-month"
    status: str | None = Field(None, description="draft, submitted or returned", max_length=10)
