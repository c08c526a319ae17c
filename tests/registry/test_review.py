"""Duplicate review a person can judge; child tables scoped on their own; declared events with
old and new values; the import page's honest wording; regions filtered by name."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.utils import translation

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core.events import registered
from sinergi.core.models import AuditEvent
from sinergi.registry import services
from sinergi.registry.dedupe import dedupe_scan
from sinergi.registry.messages import DUPLICATE_REASONS, PROBLEMS
from sinergi.registry.models import (
    DuplicateCandidate,
    Household,
    ImportBatch,
    ImportIssue,
    ImportStatus,
    Person,
)

pytestmark = pytest.mark.django_db
FULL_NUMBER = re.compile(r"(?<!\d)\d{16}(?!\d)")
NIK_CELL = re.compile(r'<dd class="masked nik-compare">(.*?)</dd>', re.S)


@pytest.fixture
def en_for(client_for: Callable[..., Client]) -> Callable[..., Client]:
    """A signed-in client that reads English (the default is Bahasa Indonesia)."""

    def make(user: User) -> Client:
        client = client_for(user)
        client.cookies["sinergi_language"] = "en"
        return client

    return make


def _niks(html: str) -> list[str]:
    """The two NIKs as the page shows them, with the highlighted positions in [brackets]."""
    cells = NIK_CELL.findall(html)
    return [re.sub(r"<mark>(.)</mark>", r"[\1]", c) for c in cells]


@pytest.fixture
def typo_pair(household_bandung: Household, officer_bandung: User) -> DuplicateCandidate:
    """Asep entered twice, the second NIK with digit 8 (birth day) mistyped."""
    services.person_create(
        actor=officer_bandung,
        household_id=household_bandung.pk,
        nik="3273011303700001",
        name="Asep Sunandar",
        sex="L",
        birth_place="Bandung",
        birth_date=date(1970, 3, 12),
        relation="lainnya",
        is_head=False,
    )
    assert dedupe_scan(area_code="32.73") == 1
    return DuplicateCandidate.objects.get()


def test_review_shows_both_records_the_differing_digit_and_the_evidence_in_words(
    en_for: Callable[..., Client], typo_pair: DuplicateCandidate, officer_bandung: User
) -> None:
    page = en_for(officer_bandung).get(f"/registri/duplikat/{typo_pair.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    # Only position 8 is unmasked, on both sides; the digits both share stay hidden.
    assert sorted(_niks(html)) == ["3273•••[2]••••0001", "3273•••[3]••••0001"]
    assert not FULL_NUMBER.search(html)
    assert "digit 8 (birth day (plus 40 for women))" in html
    assert "Same birth date." in html and "Names 100% alike" in html
    assert "Same household (family card)." in html
    assert html.count('type="radio"') == 3 and html.count("Same person: keep A") == 1
    # Words, never the engine's code.
    assert typo_pair.reason == "nik_typo" and "nik_typo" not in html
    assert str(DUPLICATE_REASONS["nik_typo"]) in html
    listing = en_for(officer_bandung).get("/registri/duplikat/").content.decode()
    assert "nik_typo" not in listing and str(DUPLICATE_REASONS["nik_typo"]) in listing


def test_a_reviewer_who_may_not_reveal_numbers_sees_positions_not_digits(
    en_for: Callable[..., Client], typo_pair: DuplicateCandidate, make_user: Callable[..., User]
) -> None:
    from django.contrib.auth.models import Permission

    reviewer = make_user(Role.FACILITATOR, "32.73")
    reviewer.user_permissions.add(
        Permission.objects.get(codename="change_duplicatecandidate"),
        Permission.objects.get(codename="view_duplicatecandidate"),
    )
    reviewer = User.objects.get(pk=reviewer.pk)  # fresh permission cache
    assert not reviewer.has_perm("registry.reveal_identifier")
    html = en_for(reviewer).get(f"/registri/duplikat/{typo_pair.pk}/").content.decode()
    assert _niks(html) == ["3273•••[•]••••0001", "3273•••[•]••••0001"]
    assert "Your role does not see the digits themselves." in html


def test_merge_is_confirmed_first_saying_what_happens_then_audited_with_old_and_new(
    en_for: Callable[..., Client], typo_pair: DuplicateCandidate, officer_bandung: User
) -> None:
    client = en_for(officer_bandung)
    decide = f"/registri/duplikat/{typo_pair.pk}/putuskan/"
    asked = client.post(decide, {"decision": "keep_b"})
    html = asked.content.decode()
    typo_pair.refresh_from_db()
    assert typo_pair.status == "pending"
    assert "Merge these records?" in html and "is marked as merged into it" in html
    assert "Record B, Asep Sunandar (3273••••••••0001), stays the record" in html
    assert html.count('type="radio"') == 0  # the question replaces the choices
    assert 'name="confirm" value="on"' in html and 'value="keep_b"' in html
    assert not AuditEvent.objects.filter(event_type__startswith="registry.duplicate").exists()

    client.post(decide, {"decision": "keep_b", "confirm": "on"})
    typo_pair.refresh_from_db()
    assert typo_pair.status == "merged"
    assert Person.objects.get(pk=typo_pair.person_a_id).merged_into_id == typo_pair.person_b_id
    event = AuditEvent.objects.get(event_type="registry.duplicate.merged")
    assert event.data["changes"] == {"status": ["pending", "merged"]}
    assert event.data["kept"] == typo_pair.person_b_id
    assert not FULL_NUMBER.search(str(event.data) + event.object_repr)


def test_no_choice_is_named_next_to_the_choices(
    en_for: Callable[..., Client], typo_pair: DuplicateCandidate, officer_bandung: User
) -> None:
    response = en_for(officer_bandung).post(f"/registri/duplikat/{typo_pair.pk}/putuskan/")
    assert response.status_code == 400
    assert "Choose merge or not the same person." in response.content.decode()


def test_a_pair_is_reviewed_only_by_who_sees_both_persons(
    client_for: Callable[..., Client],
    household_bandung: Household,
    household_bogor: Household,
    officer_bandung: User,
    officer_jabar: User,
) -> None:
    a = household_bandung.members.get(is_head=True)
    b = household_bogor.members.get()
    pair = DuplicateCandidate.objects.create(
        person_a=a, person_b=b, score=0.9, reason="candidate", area_code=a.area_code
    )
    assert client_for(officer_bandung).get(f"/registri/duplikat/{pair.pk}/").status_code == 404
    assert DuplicateCandidate.objects.for_user(officer_bandung, "change").count() == 0
    assert client_for(officer_jabar).get(f"/registri/duplikat/{pair.pk}/").status_code == 200


def test_import_issues_are_scoped_through_their_batch(
    officer_bandung: User, officer_bogor: User, officer_jabar: User
) -> None:
    batch = ImportBatch.objects.create(file_name="a.csv", area_code="32.73")
    ImportIssue.objects.create(batch=batch, row_number=2, column="nik", code="nik_exists")
    assert ImportIssue.objects.for_user(officer_bandung).count() == 1
    assert ImportIssue.objects.for_user(officer_jabar).count() == 1
    assert ImportIssue.objects.for_user(officer_bogor).count() == 0


def test_every_registry_event_is_declared_and_changes_keep_old_and_new(
    household_bandung: Household, officer_bandung: User
) -> None:
    services.household_update(
        actor=officer_bandung,
        household_id=household_bandung.pk,
        village_code="32.73.01.1002",
        address="Jl. Baru 2",
        desil=3,
        desil_date=date(2026, 3, 31),
    )
    changed = AuditEvent.objects.get(event_type="registry.household.changed")
    assert changed.data["changes"]["address"] == ["Jl. Sukasari 1", "Jl. Baru 2"]
    assert changed.data["changes"]["desil"] == [2, 3]
    assert changed.data["changes"]["area_code"] == ["32.73.01.1001", "32.73.01.1002"]
    person = household_bandung.members.get(is_head=True)
    services.person_update(
        actor=officer_bandung,
        person_id=person.pk,
        name="Asep Sunandar",
        sex="L",
        birth_place="Cimahi",
        birth_date=person.birth_date,
        relation="kepala",
        is_head=True,
        phone="",
    )
    event = AuditEvent.objects.get(event_type="registry.person.changed")
    assert event.data["changes"]["birth_place"] == ["Bandung", "Cimahi"]
    assert event.data["nik_changed"] is False
    for code in AuditEvent.objects.filter(event_type__startswith="registry.").values_list(
        "event_type", flat=True
    ):
        assert registered(code) is not None, code


def test_a_role_refusal_is_403_and_an_other_area_404(
    client_for: Callable[..., Client],
    household_bandung: Household,
    facilitator_bandung: User,
    officer_bogor: User,
) -> None:
    body = {"village_code": "32.73.01.1001", "address": "x", "desil": None, "desil_date": None}
    path = f"/api/v1/registry/households/{household_bandung.pk}"
    refused = client_for(facilitator_bandung).put(path, body, content_type="application/json")
    assert refused.status_code == 403
    other = client_for(officer_bogor).put(path, body, content_type="application/json")
    assert other.status_code == 404


def test_a_queued_import_says_it_waits_for_a_worker(
    client_for: Callable[..., Client], en_for: Callable[..., Client], officer_bandung: User
) -> None:
    batch = ImportBatch.objects.create(
        file_name="data.csv", area_code="32.73", uploaded_by=officer_bandung
    )
    assert batch.status == ImportStatus.QUEUED
    html = en_for(officer_bandung).get(f"/registri/impor/{batch.pk}/").content.decode()
    assert "Waiting for a worker" in html
    assert "0 / 0" not in html and "No problems found." not in html
    html_id = client_for(officer_bandung).get(f"/registri/impor/{batch.pk}/").content.decode()
    assert "Menunggu pekerja" in html_id and "0 / 0" not in html_id


def test_saving_an_import_twice_commits_it_once_with_one_event(
    client_for: Callable[..., Client], officer_bandung: User
) -> None:
    from sinergi.core.errors import InvalidInput
    from sinergi.registry import batches

    batch = ImportBatch.objects.create(
        file_name="data.csv",
        area_code="32.73",
        uploaded_by=officer_bandung,
        status=ImportStatus.CHECKED,
        rows_read=1,
        rows_valid=1,
    )
    client = client_for(officer_bandung)
    page = client.get(f"/registri/impor/{batch.pk}/").content.decode()
    token = re.search(
        r'action="/registri/impor/[^"]+/simpan/">.*?name="submit_token" value="([^"]+)"', page
    )
    assert token, "the save button carries a one-time token"
    save = f"/registri/impor/{batch.pk}/simpan/"
    first = client.post(save, {"submit_token": token.group(1)})
    second = client.post(save, {"submit_token": token.group(1)})  # the double click
    third = client.post(save)  # a stale page without the token: refused by the batch's state
    assert first.status_code == second.status_code == third.status_code == 302
    started = AuditEvent.objects.filter(event_type="registry.import.commit_started")
    assert started.count() == 1
    assert started.get().data["changes"] == {"status": ["checked", "committing"]}
    with pytest.raises(InvalidInput):
        batches.import_commit(actor=officer_bandung, batch_id=batch.pk)


def test_region_filter_takes_a_name(
    en_for: Callable[..., Client],
    household_bandung: Household,
    officer_bandung: User,
    officer_jabar: User,
) -> None:
    client = en_for(officer_bandung)
    found = client.get("/registri/", {"area": "sukasari"})
    assert household_bandung.kk_mask in found.content.decode()
    elsewhere = client.get("/registri/", {"area": "Sukajadi"}).content.decode()
    assert household_bandung.kk_mask not in elsewhere
    unknown = client.get("/registri/", {"area": "Atlantis"}).content.decode()
    assert "No region in your area is called" in unknown
    many = en_for(officer_jabar).get("/registri/", {"area": "Sukasari"}).content.decode()
    assert "Several regions match" in many and "32.73.01" in many


def test_every_problem_and_reason_has_words_in_both_languages() -> None:
    for code, text in {**PROBLEMS, **DUPLICATE_REASONS}.items():
        with translation.override("id"):
            indonesian = str(text)
        with translation.override("en"):
            english = str(text)
        assert indonesian != english, f"{code} has no Indonesian words"


def _stamp(html: str) -> str:
    found = re.search(r'name="record_version" value="([^"]*)"', html)
    assert found, "the edit form carries the record's version"
    return found.group(1)


def test_editing_a_household_someone_changed_meanwhile_is_refused_with_what_changed(
    en_for: Callable[..., Client],
    household_bandung: Household,
    officer_bandung: User,
    officer_jabar: User,
) -> None:
    client = en_for(officer_bandung)
    path = f"/registri/kk/{household_bandung.pk}/ubah/"
    stamp = _stamp(client.get(path).content.decode())
    services.household_update(
        actor=officer_jabar,
        household_id=household_bandung.pk,
        village_code="32.73.01.1001",
        address="Jl. Setiabudi 9",
        desil=2,
        desil_date=date(2026, 3, 31),
    )
    mine = {
        "village_code": "32.73.01.1001",
        "address": "Jl. Punyaku 1",
        "desil": "5",
        "desil_date": "2026-03-31",
        "record_version": stamp,
    }
    refused = client.post(path, mine)
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "Someone else changed this record" in html
    assert "Address: “Jl. Sukasari 1” → “Jl. Setiabudi 9”" in html
    assert 'value="Jl. Punyaku 1"' in html  # what was typed is kept
    household_bandung.refresh_from_db()
    assert household_bandung.address == "Jl. Setiabudi 9" and household_bandung.desil == 2
    # Saved again after a look: a deliberate overwrite.
    again = client.post(path, {**mine, "record_version": _stamp(html)})
    assert again.status_code == 302
    household_bandung.refresh_from_db()
    assert household_bandung.address == "Jl. Punyaku 1"


def test_a_double_click_registers_one_household(
    client_for: Callable[..., Client], officer_bandung: User
) -> None:
    client = client_for(officer_bandung)
    token = re.search(
        r'name="submit_token" value="([^"]+)"', client.get("/registri/kk/baru/").content.decode()
    )
    assert token
    data = {
        "kk": "3273010101200008",
        "village_code": "32.73.01.1001",
        "submit_token": token.group(1),
    }
    first, second = client.post("/registri/kk/baru/", data), client.post("/registri/kk/baru/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Household.objects.filter(kk_mask="3273••••••••0008").count() == 1
    assert AuditEvent.objects.filter(event_type="registry.household.created").count() == 1


def test_the_village_is_picked_from_the_actors_area(
    en_for: Callable[..., Client], officer_bandung: User
) -> None:
    client = en_for(officer_bandung)
    page = client.get("/registri/kk/baru/").content.decode()
    assert 'name="village_code__q"' in page  # a search, not a code box (Bandung has 151)
    found = client.post(
        "/registri/kk/baru/",
        {"kk": "3273010101200008", "village_code__q": "gegerkal", "_pick": "village_code"},
    ).content.decode()
    assert "Gegerkalong" in found and 'value="32.73.01.1002"' in found
    assert 'value="3273010101200008"' in found  # the KK typed is kept during the search
    assert not Household.objects.exists()
    outside = client.post(
        "/registri/kk/baru/", {"kk": "3273010101200008", "village_code": "32.01.01.1001"}
    ).content.decode()
    assert "Choose from the list." in outside and not Household.objects.exists()


def test_api_lists_filter_sort_and_say_what_changed_since(
    client_for: Callable[..., Client],
    household_bandung: Household,
    officer_bandung: User,
    officer_jabar: User,
) -> None:
    client = client_for(officer_jabar)
    households = "/api/v1/registry/households"
    assert client.get(households, {"area": "Kota Bandung"}).json()["count"] == 1
    assert client.get(households, {"area": "32.01"}).json()["count"] == 0
    assert client.get(households, {"desil": 2}).json()["count"] == 1
    assert client.get(households, {"desil": 3}).json()["count"] == 0
    ambiguous = client.get(households, {"area": "Sukasari"})
    assert ambiguous.status_code == 400 and ambiguous.json()["field"] == "area"
    later = "2999-01-01T00:00:00+07:00"
    assert client.get(households, {"changed_since": later}).json()["count"] == 0
    assert client.get(households, {"changed_since": "2000-01-01"}).json()["count"] == 1
    assert client.get(households, {"ordering": "kk"}).status_code == 422
    persons = client.get("/api/v1/registry/persons", {"ordering": "-birth_date"}).json()
    assert [p["name"] for p in persons["items"]] == ["Siti Aminah", "Asep Sunandar"]
    heads = client.get("/api/v1/registry/persons", {"is_head": True, "area": "32.73.01"})
    assert [p["name"] for p in heads.json()["items"]] == ["Asep Sunandar"], heads.json()


def test_api_duplicate_pair_has_words_and_the_same_digit_rule(
    client_for: Callable[..., Client], typo_pair: DuplicateCandidate, officer_bandung: User
) -> None:
    client = client_for(officer_bandung)
    listed = client.get("/api/v1/registry/duplicates", HTTP_ACCEPT_LANGUAGE="en").json()
    assert listed["items"][0]["reason"] == "nik_typo"
    assert listed["items"][0]["reason_label"] == str(DUPLICATE_REASONS["nik_typo"])
    pair = client.get(
        f"/api/v1/registry/duplicates/{typo_pair.pk}", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert pair["differing_positions"] == [8]
    assert {pair["nik_a_compared"], pair["nik_b_compared"]} == {
        "3273•••2••••0001",
        "3273•••3••••0001",
    }
    assert any("birth day" in e["text"] for e in pair["evidence"])
    decided = client.post(
        f"/api/v1/registry/duplicates/{typo_pair.pk}/decide",
        {"decision": "reject"},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "rejected"
    event = AuditEvent.objects.get(event_type="registry.duplicate.rejected")
    assert event.data["changes"] == {"status": ["pending", "rejected"]}


def test_a_save_no_worker_has_taken_says_it_waits(
    en_for: Callable[..., Client], officer_bandung: User
) -> None:
    from sinergi.registry import batches

    batch = ImportBatch.objects.create(
        file_name="data.csv",
        area_code="32.73",
        uploaded_by=officer_bandung,
        status=ImportStatus.CHECKED,
        rows_read=1200,
        rows_valid=1200,
        progress_done=1200,
        progress_total=1200,
    )
    batches.import_commit(actor=officer_bandung, batch_id=batch.pk)  # queued on commit only
    html = en_for(officer_bandung).get(f"/registri/impor/{batch.pk}/").content.decode()
    assert "Waiting for a worker" in html and "saving starts as soon as" in html
    assert "0 of 1,200" not in html and "No problems found." not in html
