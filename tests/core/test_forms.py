"""core.forms through real views: a form sent twice creates once; a stale form is refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from sinergi.accounts.roles import Role
from sinergi.core.models import AuditEvent, FormSubmission
from sinergi.mentoring.models import Organisation

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.forms_urls")]


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden {name} in {html}"
    return match.group(1)


@pytest.fixture
def officer_client(make_user: Any, client_for: Any) -> Client:
    return client_for(make_user(Role.SOCIAL_OFFICER, "32.73"))


def _notes() -> int:
    return AuditEvent.objects.filter(event_type="tests.note.written").count()


def test_a_form_sent_twice_creates_once_and_the_second_goes_where_the_first_went(
    officer_client: Client,
) -> None:
    token = _hidden(officer_client.get("/t/notes/new/").content.decode(), "submit_token")

    first = officer_client.post("/t/notes/new/", {"text": "kunjungan", "submit_token": token})
    second = officer_client.post("/t/notes/new/", {"text": "kunjungan", "submit_token": token})

    assert first.status_code == 302 and first["Location"].startswith("/t/notes/")
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert _notes() == 1
    said = [str(m) for m in get_messages(second.wsgi_request)]
    assert said == ["Formulir ini sudah terkirim; tidak ada yang tersimpan dua kali. Ini hasilnya."]


def test_without_submit_once_the_same_post_creates_twice(officer_client: Client) -> None:
    # What the decorator prevents (the harness can see a double create).
    token = _hidden(officer_client.get("/t/notes/new/").content.decode(), "submit_token")
    for _ in range(2):
        officer_client.post("/t/notes/new-unprotected/", {"text": "x", "submit_token": token})
    assert _notes() == 2


def test_each_rendered_form_has_its_own_token(officer_client: Client) -> None:
    one = _hidden(officer_client.get("/t/notes/new/").content.decode(), "submit_token")
    two = _hidden(officer_client.get("/t/notes/new/").content.decode(), "submit_token")
    by_hand = officer_client.get("/t/notes/new/?by_hand=1").content.decode()
    assert one != two
    assert len(re.findall(r'name="submit_token" value="[\w-]{20,}"', by_hand)) == 2
    officer_client.post("/t/notes/new/", {"text": "a", "submit_token": one})
    officer_client.post("/t/notes/new/", {"text": "b", "submit_token": two})
    assert _notes() == 2


def test_a_form_with_errors_keeps_its_token_usable(officer_client: Client) -> None:
    token = _hidden(officer_client.get("/t/notes/new/").content.decode(), "submit_token")

    invalid = officer_client.post("/t/notes/new/", {"text": "", "submit_token": token})

    assert invalid.status_code == 200
    assert _hidden(invalid.content.decode(), "submit_token") == token
    assert not FormSubmission.objects.filter(token=token).exists()
    fixed = officer_client.post("/t/notes/new/", {"text": "ok", "submit_token": token})
    assert fixed.status_code == 302 and _notes() == 1


def test_an_htmx_resubmit_is_told_where_to_go(officer_client: Client) -> None:
    token = _hidden(officer_client.get("/t/notes/new/").content.decode(), "submit_token")
    data = {"text": "x", "submit_token": token}
    first = officer_client.post("/t/notes/new/", data, headers={"HX-Request": "true"})
    again = officer_client.post("/t/notes/new/", data, headers={"HX-Request": "true"})
    assert again.status_code == 204 and again["HX-Redirect"] == first["HX-Redirect"]
    assert _notes() == 1


def test_another_users_token_is_refused(make_user: Any, client_for: Any) -> None:
    one = client_for(make_user(Role.SOCIAL_OFFICER, "32.73"))
    two = client_for(make_user(Role.SOCIAL_OFFICER, "32.73"))
    token = _hidden(one.get("/t/notes/new/").content.decode(), "submit_token")
    one.post("/t/notes/new/", {"text": "x", "submit_token": token})
    assert two.post("/t/notes/new/", {"text": "x", "submit_token": token}).status_code == 400
    assert _notes() == 1


# --- StaleCheck -------------------------------------------------------------------------------


@pytest.fixture
def organisation(db: Any) -> Organisation:
    return Organisation.objects.create(name="Himpunan Tani", acronym="HT")


def _open(client: Client, organisation: Organisation) -> str:
    page = client.get(f"/t/organisations/{organisation.pk}/").content.decode()
    return _hidden(page, "record_version")


def test_an_edit_of_an_unchanged_record_saves(
    officer_client: Client, organisation: Organisation
) -> None:
    stamp = _open(officer_client, organisation)
    response = officer_client.post(
        f"/t/organisations/{organisation.pk}/",
        {"name": "Himpunan Tani Maju", "acronym": "HT", "active": "on", "record_version": stamp},
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Himpunan Tani Maju"


def test_a_stale_edit_is_refused_naming_what_changed_and_keeping_what_was_typed(
    officer_client: Client, organisation: Organisation
) -> None:
    stamp = _open(officer_client, organisation)
    # Someone else saves meanwhile.
    Organisation.objects.filter(pk=organisation.pk).update(acronym="HTM", active=False)
    Organisation.objects.get(pk=organisation.pk).save()  # bumps updated_at

    typed = {"name": "Himpunan Tani Baru", "acronym": "HT", "active": "on"}
    refused = officer_client.post(
        f"/t/organisations/{organisation.pk}/", {**typed, "record_version": stamp}
    )

    page = refused.content.decode()
    assert refused.status_code == 200
    assert "Orang lain mengubah data ini" in page
    assert "“HT” → “HTM”" in page and "“ya” → “tidak”" in page
    assert 'value="Himpunan Tani Baru"' in page
    organisation.refresh_from_db()
    assert (organisation.name, organisation.acronym) == ("Himpunan Tani", "HTM")

    # Saving again from the refused page is a deliberate overwrite, and goes through.
    again = officer_client.post(
        f"/t/organisations/{organisation.pk}/",
        {**typed, "record_version": _hidden(page, "record_version")},
    )
    assert again.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name, organisation.acronym) == ("Himpunan Tani Baru", "HT")


def test_the_refusal_speaks_english_to_an_english_user(
    officer_client: Client, organisation: Organisation
) -> None:
    officer_client.cookies["sinergi_language"] = "en"
    stamp = _open(officer_client, organisation)
    organisation.acronym = "HTM"
    organisation.save()
    refused = officer_client.post(
        f"/t/organisations/{organisation.pk}/",
        {"name": "Himpunan Tani", "acronym": "HT", "record_version": stamp},
    )
    page = refused.content.decode()
    assert "Someone else changed this record" in page and "Acronym: “HT” → “HTM”" in page


def test_a_change_to_a_field_the_form_does_not_show_is_no_conflict(
    officer_client: Client, organisation: Organisation
) -> None:
    stamp = _open(officer_client, organisation)
    organisation.description = "changed elsewhere"
    organisation.save()
    response = officer_client.post(
        f"/t/organisations/{organisation.pk}/",
        {"name": "Baru", "acronym": "HT", "active": "on", "record_version": stamp},
    )
    assert response.status_code == 302


def test_a_forged_or_missing_version_is_refused(
    officer_client: Client, organisation: Organisation
) -> None:
    response = officer_client.post(
        f"/t/organisations/{organisation.pk}/",
        {"name": "Baru", "acronym": "HT", "active": "on", "record_version": "forged"},
    )
    assert response.status_code == 200
    assert "Formulir ini sudah kedaluwarsa" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.name == "Himpunan Tani"
