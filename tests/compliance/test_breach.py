"""The breach register: the 3×24-hour clock and its banner, notices, letters, scoping, audit."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.compliance import events, selectors, services
from sinergi.compliance.clock import clock
from sinergi.compliance.inbox import incidents_to_notify
from sinergi.compliance.models import Incident, LetterTemplate, Notification
from sinergi.core.errors import Forbidden, InvalidInput
from sinergi.core.models import AuditEvent

pytestmark = pytest.mark.django_db

FOUND = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def _record(actor: User, area: str = "32.73", **extra: Any) -> Incident:
    values: dict[str, Any] = {
        "title": "Laptop pendamping hilang",
        "area_code": area,
        "categories": ["identity", "welfare"],
        "affected_count": 1250,
        "occurred_at": FOUND - datetime.timedelta(days=1),
        "discovered_at": FOUND,
        "description": "Laptop berisi ekspor data dicuri di angkot.",
        "measures": "Akun dinonaktifkan, kunci diganti.",
        **extra,
    }
    return services.incident_record(actor=actor, **values)


def _notify_both(actor: User, incident: Incident, at: datetime.datetime) -> None:
    for recipient in ("authority", "subjects"):
        services.notification_record(
            actor=actor, incident_id=incident.pk, recipient=recipient, sent_at=at, means="Surat"
        )


@pytest.fixture
def officer(officer_bandung: User) -> User:
    return officer_bandung


def _page(client: Client, url: str = "/") -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_clock_runs_72_hours_from_discovery_then_turns_red(
    officer: User, client_for: Callable[[User], Client], time_machine: Any
) -> None:
    time_machine.move_to(FOUND + datetime.timedelta(hours=1), tick=False)
    incident = _record(officer)

    time_machine.move_to(FOUND + datetime.timedelta(hours=71, minutes=30), tick=False)
    state = clock(incident)
    assert state.running and not state.overdue
    assert incident.deadline == FOUND + datetime.timedelta(hours=72)
    html = _page(client_for(officer))
    assert "INS-" in html and "msg-warning" in html and "msg-error" not in html
    assert "30 menit" in html  # 0 hours 30 minutes left, in Indonesian

    time_machine.move_to(FOUND + datetime.timedelta(hours=73), tick=False)
    state = clock(incident)
    assert state.running and state.overdue
    html = _page(client_for(officer))
    assert "msg-error" in html and "terlambat" in html


def test_the_banner_shows_only_to_responsible_officers_in_area_and_goes_when_both_notified(
    officer: User,
    officer_bogor: User,
    officer_jabar: User,
    facilitator_bandung: User,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
    time_machine: Any,
) -> None:
    time_machine.move_to(FOUND + datetime.timedelta(hours=2), tick=False)
    incident = _record(officer)
    auditor = make_user(Role.AUDITOR, None)
    coordinator = make_user(Role.PARTNER_COORDINATOR, "32")
    for user in (officer, officer_jabar):
        assert incident.reference in _page(client_for(user)), user
    for user in (officer_bogor, facilitator_bandung, auditor, coordinator):
        assert incident.reference not in _page(client_for(user)), user

    # A user without the permission pays no query for the banner.
    client = client_for(facilitator_bandung)
    with CaptureQueriesContext(connection) as queries:
        _page(client)
    assert not [q for q in queries.captured_queries if "compliance_incident" in q["sql"]]
    # A responsible officer pays a small check, and the scoped read while a clock runs.
    client = client_for(officer)
    with CaptureQueriesContext(connection) as queries:
        _page(client)
    assert len([q for q in queries.captured_queries if "compliance_incident" in q["sql"]]) == 2

    services.notification_record(
        actor=officer,
        incident_id=incident.pk,
        recipient="authority",
        sent_at=FOUND + datetime.timedelta(hours=1),
        means="Surat tercatat",
    )
    assert incident.reference in _page(client_for(officer))  # the subjects still to be told
    services.notification_record(
        actor=officer,
        incident_id=incident.pk,
        recipient="subjects",
        sent_at=FOUND + datetime.timedelta(hours=2),
        means="SMS",
    )
    assert incident.reference not in _page(client_for(officer))
    assert incident.reference not in _page(client_for(officer_jabar))
    # No clock runs anywhere: the check alone, no scoped statement built.
    with CaptureQueriesContext(connection) as queries:
        _page(client)
    assert len([q for q in queries.captured_queries if "compliance_incident" in q["sql"]]) == 1


def test_notices_are_checked_and_audited_with_before_and_after(
    officer: User, time_machine: Any
) -> None:
    time_machine.move_to(FOUND + datetime.timedelta(hours=5), tick=False)
    incident = _record(officer)
    with pytest.raises(InvalidInput) as refused:
        services.notification_record(
            actor=officer,
            incident_id=incident.pk,
            recipient="authority",
            sent_at=FOUND - datetime.timedelta(hours=1),
            means="Surat",
        )
    assert refused.value.field == "sent_at"
    with pytest.raises(InvalidInput) as refused:
        services.notification_record(
            actor=officer,
            incident_id=incident.pk,
            recipient="authority",
            sent_at=FOUND + datetime.timedelta(days=3),
            means="Surat",
        )
    assert refused.value.field == "sent_at"  # in the future
    sent = FOUND + datetime.timedelta(hours=4)
    services.notification_record(
        actor=officer, incident_id=incident.pk, recipient="authority", sent_at=sent, means="Surat"
    )
    event = AuditEvent.objects.get(event_type=events.INCIDENT_NOTIFIED.code)
    assert event.data["changes"]["authority_notified_at"] == [None, sent.isoformat()]
    assert event.data["late"] is False
    recorded = AuditEvent.objects.get(event_type=events.INCIDENT_RECORDED.code)
    assert recorded.data["changes"]["affected_count"] == [None, 1250]

    services.incident_update(
        actor=officer,
        incident_id=incident.pk,
        **{
            **{f: getattr(incident, f) for f in services.INCIDENT_FIELDS},
            "affected_count": 1300,
        },
    )
    changed = AuditEvent.objects.get(event_type=events.INCIDENT_UPDATED.code)
    assert changed.data["changes"] == {"affected_count": [1250, 1300]}


def test_bad_incidents_are_refused_by_field(officer: User, time_machine: Any) -> None:
    time_machine.move_to(FOUND + datetime.timedelta(hours=1), tick=False)
    cases: dict[str, dict[str, Any]] = {
        "area_code": {"area": "32.01"},  # another regency
        "affected_count": {"affected_count": 300_000_001},
        "categories": {"categories": ["nik_plain"]},
        "discovered_at": {"occurred_at": FOUND + datetime.timedelta(minutes=30)},
    }
    for field, extra in cases.items():
        area = extra.pop("area", "32.73")
        with pytest.raises(InvalidInput) as refused:
            _record(officer, area, **extra)
        assert refused.value.field == field
    assert not Incident.objects.exists()


def test_scoping_an_incident_is_its_area_s_and_above(
    officer: User,
    officer_bogor: User,
    officer_jabar: User,
    admin_user: User,
    client_for: Callable[[User], Client],
    time_machine: Any,
) -> None:
    """Rule: an incident belongs to a region (or the nation); officers whose area contains it
    see it. A province-wide incident is not a regency office's."""
    time_machine.move_to(FOUND + datetime.timedelta(hours=1), tick=False)
    bandung = _record(officer)
    province = _record(officer_jabar, "32", title="Server provinsi")
    national = _record(admin_user, "", title="Pusat data")

    def seen(user: User) -> set[int]:
        return {i.pk for i in selectors.incident_list(user)}

    assert seen(officer) == {bandung.pk}
    assert seen(officer_bogor) == set()
    assert seen(officer_jabar) == {bandung.pk, province.pk}
    assert seen(admin_user) == {bandung.pk, province.pk, national.pk}
    with pytest.raises(Http404):
        selectors.incident_get(officer_bogor, bandung.pk)
    assert client_for(officer_bogor).get(f"/pdp/insiden/{bandung.pk}/").status_code == 404
    assert client_for(officer).get(f"/pdp/insiden/{province.pk}/").status_code == 404
    api = client_for(officer_bogor).get(f"/api/v1/compliance/incidents/{bandung.pk}")
    assert api.status_code == 404
    # A regency officer cannot record a national incident.
    with pytest.raises(InvalidInput):
        _record(officer, "")
    # A notice is its incident's: seen where the incident is.
    _notify_both(officer, bandung, FOUND + datetime.timedelta(minutes=30))
    assert selectors.notifications(officer, bandung).count() == 2
    assert selectors.notifications(officer_jabar, bandung).count() == 2
    assert not Notification.objects.for_user(officer_bogor).exists()


def test_letters_fill_their_placeholders_in_both_languages_and_are_audited(
    officer: User, client_for: Callable[[User], Client], time_machine: Any
) -> None:
    time_machine.move_to(FOUND + datetime.timedelta(hours=1), tick=False)
    incident = _record(officer)
    client = client_for(officer)
    url = f"/pdp/insiden/{incident.pk}/surat/authority/"
    text = client.get(url + "?bahasa=id").content.decode()
    assert incident.reference in text
    assert "Pasal 46" in text and "1.250" in text  # grouped the Indonesian way
    assert "Nomor identitas" in text or "NIK" in text  # the category's label
    assert "Kota Bandung" in text.upper().title() or "BANDUNG" in text.upper()
    assert "{" not in text  # every placeholder filled
    english = client.get(url + "?bahasa=en").content.decode()
    assert "Article 46" in english and "1,250" in english
    subjects = client.get(f"/pdp/insiden/{incident.pk}/surat/subjects/?bahasa=id")
    assert "Anda" in subjects.content.decode()
    pdf = client.get(url + "?format=pdf&bahasa=id")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(event_type=events.LETTER_GENERATED.code).count() == 4
    assert client.get(f"/pdp/insiden/{incident.pk}/surat/public/").status_code == 404


def test_an_edited_template_is_used_and_an_unknown_placeholder_refused(
    officer: User, admin_user: User, time_machine: Any
) -> None:
    time_machine.move_to(FOUND + datetime.timedelta(hours=1), tick=False)
    incident = _record(officer)
    template = LetterTemplate.objects.get(recipient="authority", language="id")
    template.body = "Insiden {reference}: {affected_count} orang. Dicuri: {nik}"
    with pytest.raises(InvalidInput) as refused:
        services.letter_template_save(actor=admin_user, template=template)
    assert refused.value.field == "body" and "{nik}" in refused.value.message
    with pytest.raises(ValidationError):
        template.save()  # refused on every path
    template.body = "Insiden {reference}: {affected_count} orang di {area}."
    services.letter_template_save(actor=admin_user, template=template)
    changed = AuditEvent.objects.get(event_type=events.TEMPLATE_CHANGED.code)
    assert "body" in changed.data["changes"]
    letter = services.letter_render(
        actor=officer, incident_id=incident.pk, recipient="authority", language="id", fmt="txt"
    )
    assert letter.body.startswith(f"Insiden {incident.reference}: 1.250 orang di ")
    with pytest.raises(Forbidden):
        services.letter_template_save(actor=officer, template=template)


def test_the_admin_refuses_an_unknown_placeholder_next_to_the_field(
    admin_user: User, client_for: Callable[[User], Client]
) -> None:
    template = LetterTemplate.objects.get(recipient="subjects", language="en")
    response = client_for(admin_user).post(
        f"/admin/compliance/lettertemplate/{template.pk}/change/",
        {"recipient": "subjects", "language": "en", "subject": "X {reference}", "body": "{oops}"},
    )
    assert response.status_code == 200  # the form again, with its error
    assert "{oops}" in response.content.decode()
    template.refresh_from_db()
    assert "{oops}" not in template.body


def test_pages_and_api_create_and_notify(
    officer: User, client_for: Callable[[User], Client], time_machine: Any
) -> None:
    time_machine.move_to(FOUND + datetime.timedelta(hours=1), tick=False)
    client = client_for(officer)
    assert client.get("/pdp/insiden/baru/").status_code == 200
    response = client.post(
        "/pdp/insiden/baru/",
        {
            "title": "Ekspor terkirim ke alamat salah",
            "area_code": "32.73",
            "categories": ["demographic", "contact"],
            "affected_count": "2.000",
            "occurred_at": "2026-03-01T08:00",
            "discovered_at": "2026-03-02T10:00",
            "description": "Email salah kirim.",
            "measures": "",
        },
    )
    assert response.status_code == 302, re.findall(
        r"(?:field-error|msg-error)[^>]*>([^<]*)", response.content.decode()
    )
    incident = Incident.objects.get()
    assert incident.affected_count == 2000 and incident.categories == ["demographic", "contact"]
    refused = client.post("/pdp/insiden/baru/", {"title": "x"})
    assert refused.status_code == 400
    detail = client.post(
        f"/pdp/insiden/{incident.pk}/",
        {"recipient": "authority", "sent_at": "2026-03-02T09:00", "means": "Surat"},
    )
    assert detail.status_code == 400  # before discovery: refused by its field
    assert "sebelum insiden" in detail.content.decode()

    api = client.post(
        f"/api/v1/compliance/incidents/{incident.pk}/notifications",
        json.dumps(
            {"recipient": "authority", "sent_at": "2026-03-02T11:00:00+07:00", "means": "Surat"}
        ),
        content_type="application/json",
    )
    assert api.status_code == 201, api.content
    assert api.json()["authority_notified_at"] is not None and api.json()["clock_running"]
    created = client.post(
        "/api/v1/compliance/incidents",
        json.dumps(
            {
                "title": "Akun dibobol",
                "area_code": "32.01",
                "categories": ["identity"],
                "affected_count": 10,
                "occurred_at": "2026-03-01T08:00:00+07:00",
                "discovered_at": "2026-03-01T09:00:00+07:00",
                "description": "x",
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 400 and created.json()["field"] == "area_code"
    listed = client.get("/api/v1/compliance/incidents").json()
    assert [i["id"] for i in listed] == [incident.pk]


def test_the_inbox_lists_open_incidents_for_responsible_officers_only(
    officer: User, make_user: Callable[..., User], time_machine: Any
) -> None:
    time_machine.move_to(FOUND + datetime.timedelta(hours=1), tick=False)
    incident = _record(officer)
    items = list(incidents_to_notify(officer))
    assert [i.url for i in items] == [f"/pdp/insiden/{incident.pk}/"]
    assert items[0].due == timezone.localtime(incident.deadline).date()
    assert list(incidents_to_notify(make_user(Role.AUDITOR, None))) == []
    _notify_both(officer, incident, FOUND + datetime.timedelta(minutes=30))
    assert list(incidents_to_notify(officer)) == []


@pytest.mark.parametrize("role", [Role.PARTNER_COORDINATOR, Role.MENTOR, Role.BUYER])
def test_partner_roles_get_nothing(
    role: str,
    officer: User,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
    time_machine: Any,
) -> None:
    time_machine.move_to(FOUND + datetime.timedelta(hours=1), tick=False)
    incident = _record(officer)
    partner = make_user(role, "32.73" if role != Role.BUYER else None)
    assert not [p for p in partner.get_all_permissions() if p.startswith("compliance.")]
    client = client_for(partner)
    for url in (
        "/pdp/insiden/",
        f"/pdp/insiden/{incident.pk}/",
        f"/pdp/insiden/{incident.pk}/surat/authority/",
        "/pdp/pemrosesan/?format=csv",
        "/pdp/dpia/?format=md",
        "/api/v1/compliance/incidents",
        f"/api/v1/compliance/incidents/{incident.pk}",
        "/api/v1/compliance/processing-register",
    ):
        assert client.get(url).status_code == 403, url
    assert incident.reference not in _page(client)
    assert selectors.incident_list(partner) == []
