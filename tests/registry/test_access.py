"""Every registry path, four ways; partner roles get nothing; no full number is ever sent."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client

from sinergi.accounts.models import User
from sinergi.core.models import AuditEvent
from sinergi.registry.models import Household, Person

pytestmark = pytest.mark.django_db
FULL_NUMBER = re.compile(r"(?<!\d)\d{16}(?!\d)")

GET_PATHS = [
    "/registri/",
    "/registri/kk/{hh}/",
    "/registri/kk/{hh}/ubah/",
    "/registri/kk/{hh}/anggota/baru/",
    "/registri/impor/",
    "/registri/duplikat/",
    "/api/v1/registry/households",
    "/api/v1/registry/households/{hh}",
    "/api/v1/registry/persons",
    "/api/v1/registry/duplicates",
]


def _paths(household: Household) -> list[str]:
    return [p.format(hh=household.pk) for p in GET_PATHS]


def test_anonymous_gets_nothing(
    client_for: Callable[..., Client], household_bandung: Household
) -> None:
    for path in _paths(household_bandung):
        response = client_for(None).get(path)
        assert response.status_code in (302, 401), path


def test_partner_roles_get_nothing_on_any_path(
    client_for: Callable[..., Client], household_bandung: Household, partners: list[User]
) -> None:
    for partner in partners:
        client = client_for(partner)
        for path in _paths(household_bandung):
            response = client.get(path)
            assert response.status_code in (403, 404), (partner.role, path)
            assert not FULL_NUMBER.search(response.content.decode())
        reveal = client.post(
            "/api/v1/registry/reveal",
            {
                "kind": "nik",
                "id": Person.objects.first().pk,  # type: ignore[union-attr]
                "reason": "ingin tahu",
            },
            content_type="application/json",
        )
        assert reveal.status_code == 403  # the role, whichever row was asked for
    assert not AuditEvent.objects.filter(event_type__endswith="revealed").exists()


def test_wrong_area_sees_404_and_changes_nothing(
    client_for: Callable[..., Client], household_bandung: Household, officer_bogor: User
) -> None:
    client = client_for(officer_bogor)
    assert client.get(f"/registri/kk/{household_bandung.pk}/").status_code == 404
    assert client.get(f"/api/v1/registry/households/{household_bandung.pk}").status_code == 404
    listed = client.get("/api/v1/registry/households").json()
    assert household_bandung.pk not in [h["id"] for h in listed["items"]]
    response = client.post(
        f"/api/v1/registry/households/{household_bandung.pk}/persons",
        {
            "nik": "3273014107900009",
            "name": "Penyusup",
            "sex": "P",
            "birth_date": "1990-07-01",
            "relation": "anak",
        },
        content_type="application/json",
    )
    assert response.status_code == 404
    assert household_bandung.members.count() == 2


def test_right_area_sees_masked_numbers_only(
    client_for: Callable[..., Client],
    household_bandung: Household,
    officer_bandung: User,
    facilitator_bandung: User,
) -> None:
    for user in (officer_bandung, facilitator_bandung):
        client = client_for(user)
        for path in _paths(household_bandung):
            response = client.get(path)
            if response.status_code == 403:
                assert user == facilitator_bandung  # read-only role: no forms, no queue
                continue
            assert response.status_code == 200, (user.role, path)
            body = response.content.decode()
            assert not FULL_NUMBER.search(body), path
        detail = client.get(f"/api/v1/registry/households/{household_bandung.pk}").json()
        assert detail["kk_masked"] == "3273••••••••0001" and detail["desil"] == 2
        assert {m["nik_masked"] for m in detail["members"]} == {"3273••••••••0001"}


def test_reveal_in_the_ui_shows_once_and_logs(
    client_for: Callable[..., Client],
    household_bandung: Household,
    officer_bandung: User,
    officer_bogor: User,
    facilitator_bandung: User,
) -> None:
    person = Person.objects.get(name="Siti Aminah")
    page = client_for(officer_bandung).get(f"/registri/kk/{household_bandung.pk}/").content
    assert b"/registri/ungkap/nik/" in page
    refused = client_for(officer_bandung).post(f"/registri/ungkap/nik/{person.pk}/", {"reason": ""})
    assert refused.status_code == 400 and b"3273014107900001" not in refused.content
    # A short reason comes back in the open form, as typed, with the message beside it.
    short = client_for(officer_bandung).post(
        f"/registri/ungkap/nik/{person.pk}/", {"reason": "abc"}, HTTP_HX_REQUEST="true"
    )
    text = short.content.decode()
    assert (
        short.status_code == 400
        and 'value="abc"' in text
        and '<details class="reveal" open' in text
    )
    assert "minimal 5 karakter" in text and 'aria-invalid="true"' in text
    shown = client_for(officer_bandung).post(
        f"/registri/ungkap/nik/{person.pk}/", {"reason": "verifikasi KTP"}
    )
    assert b"3273014107900001" in shown.content
    assert AuditEvent.objects.filter(event_type="registry.nik.revealed").count() == 1
    facilitator_page = (
        client_for(facilitator_bandung).get(f"/registri/kk/{household_bandung.pk}/").content
    )
    assert b"/registri/ungkap/" not in facilitator_page
    assert (
        client_for(facilitator_bandung)
        .post(f"/registri/ungkap/nik/{person.pk}/", {"reason": "verifikasi KTP"})
        .status_code
        == 403
    )
    # Another regency's officer may reveal, but not this row: absent, whatever the reason says.
    assert (
        client_for(officer_bogor).post(f"/registri/ungkap/nik/{person.pk}/", {"reason": ""})
    ).status_code == 404


def test_register_through_the_api_with_clear_errors(
    client_for: Callable[..., Client], officer_bandung: User
) -> None:
    client = client_for(officer_bandung)
    bad = client.post(
        "/api/v1/registry/households",
        {"kk": "3273", "village_code": "32.73.01.1001"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 400 and bad.json()["field"] == "kk"
    assert bad.json()["detail"] == "Must have 16 digits."
    made = client.post(
        "/api/v1/registry/households",
        {
            "kk": "3273-0101-0120-0005",
            "village_code": "3273011002",
            "desil": 3,
            "desil_date": "2026-03-31",
        },
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["kk_masked"] == "3273••••••••0005"
    person = client.post(
        f"/api/v1/registry/households/{made.json()['id']}/persons",
        {
            "nik": "3273015506880002",
            "name": "Rina",
            "sex": "P",
            "birth_date": "1988-06-15",
            "relation": "kepala",
            "is_head": True,
        },
        content_type="application/json",
    )
    assert person.status_code == 201 and person.json()["nik_masked"] == "3273••••••••0002"
    assert not FULL_NUMBER.search(person.content.decode())


def test_create_household_in_the_ui(
    client_for: Callable[..., Client], officer_bandung: User
) -> None:
    client = client_for(officer_bandung)
    bad = client.post("/registri/kk/baru/", {"kk": "12", "village_code": "32.73.01.1001"})
    assert bad.status_code == 400 and "Harus 16 angka" in bad.content.decode()
    good = client.post(
        "/registri/kk/baru/",
        {
            "kk": "3273010101200008",
            "village_code": "32.73.01.1001",
            "desil": "4",
            "desil_date": "2026-03-31",
        },
    )
    assert good.status_code == 302
    household = Household.objects.get(kk_mask="3273••••••••0008")
    added = client.post(
        f"/registri/kk/{household.pk}/anggota/baru/",
        {
            "nik": "3273010101800003",
            "name": "Jajang",
            "sex": "L",
            "birth_date": "1980-01-01",
            "relation": "kepala",
            "is_head": "on",
        },
    )
    assert added.status_code == 302 and household.members.get().birth_date == date(1980, 1, 1)


def test_duplicate_review_merges_and_keeps_both(
    client_for: Callable[..., Client], household_bandung: Household, officer_bandung: User
) -> None:
    from sinergi.registry import services
    from sinergi.registry.dedupe import dedupe_scan
    from sinergi.registry.models import DuplicateCandidate

    services.person_create(
        actor=officer_bandung,
        household_id=household_bandung.pk,
        nik="3273014107900010",
        name="St. Aminah",
        sex="P",
        birth_place="",
        birth_date=date(1990, 7, 1),
        relation="istri",
        is_head=False,
    )
    assert dedupe_scan(area_code="32.73") == 1
    candidate = DuplicateCandidate.objects.get()
    client = client_for(officer_bandung)
    queue = client.get("/registri/duplikat/").content.decode()
    assert "St. Aminah" in queue and not FULL_NUMBER.search(queue)
    decide = f"/registri/duplikat/{candidate.pk}/putuskan/"
    asked = client.post(decide, {"decision": "keep_a"})
    candidate.refresh_from_db()
    assert asked.status_code == 200 and candidate.status == "pending"  # asked first
    client.post(decide, {"decision": "keep_a", "confirm": "on"})
    candidate.refresh_from_db()
    assert candidate.status == "merged" and candidate.decided_by == officer_bandung
    merged = Person.objects.get(pk=candidate.person_b_id)
    assert merged.merged_into_id == candidate.person_a_id
    assert Person.objects.filter(household=household_bandung).count() == 3  # nothing deleted
    again = client.post(
        f"/api/v1/registry/duplicates/{candidate.pk}/decide",
        {"decision": "reject"},
        content_type="application/json",
    )
    assert again.status_code == 400
