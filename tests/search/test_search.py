"""The search box: what it finds, in what order, for whom, and how a NIK stays out of addresses.

Runs on SQLite (the LIKE path) and on PostgreSQL (trigram similarity; the typo and timeout
tests are PostgreSQL's own)."""

from __future__ import annotations

import datetime
import sys
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core.crypto import decrypt
from sinergi.core.errors import Forbidden, InvalidInput
from sinergi.registry.models import AccessLog, AccessPurpose, Person
from sinergi.search import providers, selectors
from sinergi.search.providers import Hit, parse
from tests.factories import (
    HouseholdFactory,
    KubeFactory,
    MentorFactory,
    PersonFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram similarity is PostgreSQL's"
)

BOGOR_VILLAGE = "32.01.01.1001"


def _person(name: str, village: str = "32.73.01.1001", **extra: Any) -> Person:
    household = HouseholdFactory.create(village_code=village)
    return PersonFactory.create(household=household, name=name, **extra)


def _titles(results: selectors.Results, kind: str) -> list[str]:
    return [h.title for g in results.groups if g.code == kind for h in g.hits]


def _find(actor: User, q: str, kinds: tuple[str, ...] = (), limit: int = 5) -> selectors.Results:
    return selectors.search(actor=actor, query=parse(q), kinds=kinds, limit=limit)


# --- The query ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "refused"),
    [
        ("3273010101900001", "privately"),  # a whole NIK: only by POST
        ("3273 0101 0190 0001", "privately"),
        ("32730101019", "never by part"),  # part of one
        ("a", "at least"),
        ("x" * 101, "at most"),
    ],
)
def test_a_number_or_a_query_out_of_bounds_is_refused_with_what_to_do(
    raw: str, refused: str
) -> None:
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        parse(raw)
    assert refused in caught.value.message and caught.value.field == "q"


def test_codes_order_numbers_and_names_are_queries() -> None:
    assert parse("32.73.01.1001").text == "32.73.01.1001"  # a village code: 10 digits
    assert parse("  Siti   AMINAH ").words == ("siti", "aminah")
    assert parse("#12").order_number == 12 and parse("pesanan 12").order_number == 12
    assert parse("Siti").order_number is None
    assert providers.parse_number("3273-0101-0190-0001") == "3273010101900001"
    with pytest.raises(InvalidInput):
        providers.parse_number("327301010190000")


# --- Ranking ----------------------------------------------------------------------------------


def test_the_whole_name_then_its_start_then_a_word_then_every_word(
    officer_bandung: User,
) -> None:
    for name in ["Budi Aminah Siti", "Nur Siti Aminah", "Siti Aminah Putri", "Siti Aminah"]:
        _person(name)
    _person("Joko Santoso")
    found = _find(officer_bandung, "siti aminah", ("person",))
    assert _titles(found, "person") == [
        "Siti Aminah",  # the whole name
        "Siti Aminah Putri",  # its start
        "Nur Siti Aminah",  # a word starts with it
        "Budi Aminah Siti",  # every word somewhere
    ]
    ranks = [h.rank for h in found.groups[0].hits]
    assert ranks == sorted(ranks) and ranks[0] == 0


def test_among_equal_names_the_recent_one_first_and_active_groups_first(
    officer_bandung: User,
) -> None:
    old, new = _person("Dewi Lestari"), _person("Dewi Lestari")
    Person.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=9))
    hits = _find(officer_bandung, "dewi lestari", ("person",)).groups[0].hits
    assert [h.url for h in hits] == [f"/registri/orang/{new.pk}/", f"/registri/orang/{old.pk}/"]
    dissolved = KubeFactory.create(name="KUBE Melati", status="dissolved")
    active = KubeFactory.create(name="KUBE Melati", status="active")
    KubeFactory.create(name="KUBE Melati", status="draft")
    hits = _find(officer_bandung, "kube melati", ("kube",)).groups[0].hits
    assert hits[0].url == f"/kube/{active.pk}/"
    assert f"/kube/{dissolved.pk}/" in [h.url for h in hits[1:]]


def test_at_most_the_limit_per_kind_and_a_link_to_the_module_for_more(
    officer_bandung: User, client_for: Callable[[User | None], Client]
) -> None:
    for n in range(7):
        KubeFactory.create(name=f"KUBE Anggrek {n}")
    found = _find(officer_bandung, "anggrek", ("kube",), limit=5)
    group = found.groups[0]
    assert len(group.hits) == 5 and group.more
    assert group.more_url == "/kube/?q=anggrek"
    # Products have no searchable list of their own: "more" is this page, that kind alone.
    page = client_for(officer_bandung).get("/cari/", {"q": "anggrek"}).content.decode()
    assert 'href="/kube/?q=anggrek"' in page


@postgres_only
def test_a_typo_finds_the_similar_name_once_the_person_stops_typing(
    officer_bandung: User, client_for: Callable[[User | None], Client]
) -> None:
    _person("Kani Winarsih")
    _person("Joko Santoso")
    found = _find(officer_bandung, "kani winarsh", ("person",))
    assert _titles(found, "person") == ["Kani Winarsih"]
    assert found.groups[0].hits[0].rank == 4
    # The drop-down, asked at every pause in typing, does not look for similar spellings.
    client = client_for(officer_bandung)
    assert "Kani Winarsih" not in client.get("/cari/saran/", {"q": "kani winarsh"}).content.decode()
    assert "Kani Winarsih" in client.get("/cari/", {"q": "kani winarsh"}).content.decode()


@postgres_only
def test_a_name_found_as_typed_in_one_kind_is_no_typo_in_the_others(
    officer_bandung: User,
) -> None:
    _person("Kani Winarsih")
    KubeFactory.create(name="KUBE Kani Winarsh")
    found = _find(officer_bandung, "kani winarsh")
    # Shown in page order, though the registry's kinds are searched last.
    assert [g.code for g in found.groups][:3] == ["household", "person", "kube"]
    assert _titles(found, "kube") == ["KUBE Kani Winarsh"]
    assert _titles(found, "person") == [] and _titles(found, "household") == []
    # Searched on their own, the persons still take it for a typo.
    assert _titles(_find(officer_bandung, "kani winarsh", ("person",)), "person") == [
        "Kani Winarsih"
    ]
    # Every head is a person: a name the persons found as typed is no typo for the heads.
    _person("Kani Winarsh", is_head=False, relation="anak")
    found = _find(officer_bandung, "kani winarsh", ("household", "person"))
    assert _titles(found, "person") == ["Kani Winarsh"] and _titles(found, "household") == []


def test_on_sqlite_a_typo_is_simply_not_found(officer_bandung: User) -> None:
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL finds similar spellings")
    _person("Kani Winarsih")
    assert _titles(_find(officer_bandung, "kani winarsh", ("person",)), "person") == []


# --- Scope ------------------------------------------------------------------------------------


def test_each_kind_within_the_actors_area(
    admin_user: User, officer_bandung: User, officer_bogor: User
) -> None:
    _person("Rahmat Hidayat")
    _person("Rahmat Hidayat", village=BOGOR_VILLAGE)
    KubeFactory.create(name="KUBE Rahmat", village_code=BOGOR_VILLAGE)
    assert len(_titles(_find(admin_user, "rahmat", ("person",)), "person")) == 2
    assert len(_titles(_find(officer_bandung, "rahmat", ("person",)), "person")) == 1
    assert _titles(_find(officer_bandung, "rahmat", ("kube",)), "kube") == []
    assert _titles(_find(officer_bogor, "rahmat", ("kube",)), "kube") == ["KUBE Rahmat"]
    # Regions are reference data: found anywhere, the actor's own area first.
    regions = _find(officer_bogor, "sukasari", ("region",), limit=20).groups[0].hits
    assert regions and regions[0].detail.split(" · ")[1].startswith("32.01")


def test_partners_never_get_the_registry_and_see_groups_through_mentoring(
    make_user: Callable[..., User], client_for: Callable[[User | None], Client]
) -> None:
    person = _person("Siti Nurhaliza")
    kube = KubeFactory.create(name="KUBE Nurhaliza")
    coordinator = make_user(Role.PARTNER_COORDINATOR, "32")
    buyer = make_user(Role.BUYER, None)
    for partner in (coordinator, buyer):
        kinds = {k.code for k in providers.kinds_for(partner)}
        assert not kinds & {"person", "household"}, partner.role
        with pytest.raises(InvalidInput):
            _find(partner, "nurhaliza", ("person",))
        with pytest.raises(Forbidden):
            selectors.search_number(actor=partner, digits="3273010101900001")
        page = client_for(partner).get("/cari/", {"q": "nurhaliza"}).content.decode()
        assert person.nik_mask not in page and "NIK" not in page and "desil" not in page.lower()
    hits = _find(coordinator, "nurhaliza", ("kube",)).groups[0].hits
    assert [h.url for h in hits] == [f"/pendampingan/kelompok/{kube.pk}/"]
    assert "kube" not in {k.code for k in providers.kinds_for(buyer)}


def test_products_the_group_side_sees_its_own_others_the_listed_ones(
    officer_bandung: User, make_user: Callable[..., User]
) -> None:
    listed = ProductFactory.create(name="Keripik Tempe", kube__status="active")
    ProductFactory.create(name="Keripik Tempe Pedas", kube__status="active", active=False)
    buyer = make_user(Role.BUYER, None)
    hits = _find(buyer, "keripik tempe", ("product",)).groups[0].hits
    assert [h.url for h in hits] == [f"/pasar/produk/{listed.pk}/"]
    officer = make_user(Role.KUBE_OFFICER, "32.73", kube_id=listed.kube_id)
    own = _find(officer, "keripik tempe", ("product",)).groups[0].hits
    assert [h.url for h in own] == [f"/pasar/produk-kelompok/?ubah={listed.pk}"]


def test_mentors_by_name_a_mentors_account_finds_herself_only(
    officer_bandung: User, make_user: Callable[..., User]
) -> None:
    her = MentorFactory.create(name="Ratna Sari")
    MentorFactory.create(name="Ratna Dewi")
    assert len(_titles(_find(officer_bandung, "ratna", ("mentor",)), "mentor")) == 2
    account = make_user(Role.MENTOR, "32.73", mentor_id=her.pk)
    assert _titles(_find(account, "ratna", ("mentor",)), "mentor") == ["Ratna Sari"]


# --- Numbers: POST only, logged -----------------------------------------------------------------


def test_a_nik_in_the_address_is_refused_and_not_shown_again(
    officer_bandung: User, client_for: Callable[[User | None], Client]
) -> None:
    person = _person("Agus Salim")
    nik = decrypt(person.nik_cipher, field="nik")
    client = client_for(officer_bandung)
    response = client.get("/cari/", {"q": nik})
    # Sent on to an address without it, where the number search waits open, with the reason.
    assert response.status_code == 302 and nik not in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "tidak pernah lewat alamat web" in page
    assert (
        nik not in page
        and 'action="/cari/nomor/"' in page
        and '<details class="search-number" open' in page
    )
    assert not AccessLog.objects.exists()
    part = client.get("/cari/", {"q": nik[:12]})
    assert part.status_code == 302 and nik[:12] not in part["Location"]


def test_a_nik_by_post_finds_the_person_and_household_and_logs_each_read(
    officer_bandung: User, client_for: Callable[[User | None], Client]
) -> None:
    person = _person("Agus Salim")
    nik = decrypt(person.nik_cipher, field="nik")
    client = client_for(officer_bandung)
    assert client.get("/cari/nomor/").status_code == 405
    response = client.post("/cari/nomor/", {"number": f"{nik[:4]} {nik[4:]}"})
    page = response.content.decode()
    assert response.status_code == 200 and "Agus Salim" in page and nik not in page
    assert f"/registri/orang/{person.pk}/" in page
    assert f"/registri/kk/{person.household_id}/" in page
    logged = AccessLog.objects.filter(purpose=AccessPurpose.NUMBER_SEARCH)
    assert logged.filter(person=person).count() == 1
    assert logged.filter(person=None, household_id=person.household_id).count() == 1
    refused = client.post("/cari/nomor/", {"number": nik[:15]})
    assert refused.status_code == 400 and "16" in refused.content.decode()


def test_a_partner_posting_a_number_is_refused_and_nothing_logged(
    make_user: Callable[..., User], client_for: Callable[[User | None], Client]
) -> None:
    nik = decrypt(_person("Agus Salim").nik_cipher, field="nik")
    coordinator = make_user(Role.PARTNER_COORDINATOR, "32")
    assert client_for(coordinator).post("/cari/nomor/", {"number": nik}).status_code == 403
    api = client_for(coordinator).post(
        "/api/v1/search/number", {"number": nik}, content_type="application/json"
    )
    assert api.status_code == 403 and api.json()["code"] == "forbidden"
    assert not AccessLog.objects.exists()


# --- The API ----------------------------------------------------------------------------------


def test_api_groups_by_kind_and_refuses_with_the_envelope(
    officer_bandung: User, client_for: Callable[[User | None], Client]
) -> None:
    person = _person("Wulan Sari")
    KubeFactory.create(name="KUBE Wulan")
    client = client_for(officer_bandung)
    body = client.get("/api/v1/search/", {"q": "wulan", "kinds": "person,kube"}).json()
    assert [g["kind"] for g in body["groups"]] == ["person", "kube"]
    assert body["groups"][0]["items"][0]["url"] == f"/registri/orang/{person.pk}/"
    assert person.nik_mask in body["groups"][0]["items"][0]["detail"]
    nik = decrypt(person.nik_cipher, field="nik")
    refused = client.get("/api/v1/search/", {"q": nik})
    assert refused.status_code == 400 and refused.json()["field"] == "q"
    unknown = client.get("/api/v1/search/", {"q": "wulan", "kinds": "person,secret"})
    assert unknown.status_code == 400 and unknown.json()["field"] == "kinds"
    assert client_for(None).get("/api/v1/search/", {"q": "wulan"}).status_code == 401
    found = client.post(
        "/api/v1/search/number", {"number": nik}, content_type="application/json"
    ).json()
    assert {g["kind"]: len(g["items"]) for g in found["groups"]} == {"household": 1, "person": 1}
    assert AccessLog.objects.filter(person=person, purpose=AccessPurpose.NUMBER_SEARCH).exists()


# --- The suggestions as one types ---------------------------------------------------------------


def test_suggestions_are_links_grouped_by_kind_and_never_search_a_number(
    officer_bandung: User, client_for: Callable[[User | None], Client]
) -> None:
    _person("Larasati Putri")
    client = client_for(officer_bandung)
    fragment = client.get("/cari/saran/", {"q": "laras"}).content.decode()
    assert 'role="option"' in fragment and "Larasati Putri" in fragment
    assert 'href="/cari/?q=laras"' in fragment
    assert "option" not in client.get("/cari/saran/", {"q": "l"}).content.decode()
    with CaptureQueriesContext(connection) as captured:
        hint = client.get("/cari/saran/", {"q": "3273010101900001"}).content.decode()
    assert "Enter" in hint
    assert not [q for q in captured if "registry_person" in q["sql"]]


def test_the_header_box_is_on_every_signed_in_page_and_works_without_script(
    officer_bandung: User, client_for: Callable[[User | None], Client]
) -> None:
    page = client_for(officer_bandung).get("/tugas/").content.decode()
    assert 'role="search"' in page and 'action="/cari/"' in page and 'method="get"' in page
    assert 'data-number-url="/cari/nomor/"' in page and 'hx-get="/cari/saran/"' in page
    assert 'role="search"' not in client_for(None).get("/akun/masuk/").content.decode()


# --- Bounds -----------------------------------------------------------------------------------


def test_the_same_queries_for_three_times_the_rows(officer_bandung: User) -> None:
    def grow(n: int) -> None:
        for i in range(n):
            _person(f"Warga Sejahtera {i}")
            KubeFactory.create(name=f"KUBE Sejahtera {i}")
            MentorFactory.create(name=f"Sejahtera Mentor {i}")
            ProductFactory.create(name=f"Sejahtera Keripik {i}", kube__status="active")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            _find(officer_bandung, "sejahtera")
        return len(captured)

    grow(7)
    count()  # the officer's permissions are read once, on the first call
    few = count()
    grow(14)
    assert count() == few
    # At most two statements a kind, and in a test's transaction on PostgreSQL four for the
    # timeout (set and restored, one savepoint and its release).
    assert few <= 7 * 2 + (4 if connection.vendor == "postgresql" else 0), few


@postgres_only
def test_a_kind_out_of_time_is_reported_and_the_others_still_answer(
    officer_bandung: User, settings: Any
) -> None:
    settings.SINERGI_SEARCH_TIMEOUT_MS = 50
    _person("Bayu Pratama")

    def slow(actor: Any, query: Any, *, limit: int) -> list[Hit]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")  # cancelled after 50 ms
        return []

    providers.provider("slow", label="Slow", order=1, allowed=lambda a: True)(slow)
    try:
        found = _find(officer_bandung, "bayu")
    finally:
        del providers._KINDS["slow"]
    by_code = {g.code: g for g in found.groups}
    assert by_code["slow"].timed_out and not by_code["slow"].hits
    assert [h.title for h in by_code["person"].hits] == ["Bayu Pratama"]
    # The transaction the search ran in is still usable.
    assert Person.objects.filter(name="Bayu Pratama").exists()


# --- The command line -------------------------------------------------------------------------


def test_the_command_line_searches_as_one_user_in_her_language(
    officer_bandung: User,
    officer_bogor: User,
    make_user: Callable[..., User],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io
    import json

    from sinergi import cli

    person = _person("Agus Salim")
    nik = decrypt(person.nik_cipher, field="nik")

    assert cli.main(["search", "Agus", "--user", officer_bandung.username, "--json"]) == 0
    found = {g["kind"]: g for g in json.loads(capsys.readouterr().out)}
    assert [h["title"] for h in found["person"]["hits"]] == ["Agus Salim"]
    assert found["person"]["label"] == "Orang"
    assert nik not in json.dumps(found)
    # Her area only: Bogor's officer finds nobody of that name.
    argv = ["search", "Agus", "--user", officer_bogor.username, "--kinds", "person", "--json"]
    assert cli.main(argv) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"kind": "person", "label": "Orang", "hits": [], "more": False, "timed_out": False}
    ]
    # The text form, in English.
    argv = ["search", "agus", "--user", officer_bandung.username, "--language", "en"]
    assert cli.main(argv) == 0
    assert "Persons (1)" in capsys.readouterr().out
    # Bad input says what to type, in the chosen language, and the exit code says so.
    assert cli.main(["search", "a", "--user", officer_bandung.username]) == 2
    assert "Ketik paling sedikit 2 karakter" in capsys.readouterr().err
    assert cli.main(["search", nik, "--user", officer_bandung.username, "--language", "en"]) == 2
    assert "number search" in capsys.readouterr().err
    assert cli.main(["search", "Agus", "--user", "nobody"]) == 2
    # A whole number only from standard input, logged like the page's number search.
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{nik}\n"))
    assert cli.main(["search", "--number", "--user", officer_bandung.username, "--json"]) == 0
    found = {g["kind"]: g for g in json.loads(capsys.readouterr().out)}
    assert [h["title"] for h in found["person"]["hits"]] == ["Agus Salim"]
    assert AccessLog.objects.filter(purpose=AccessPurpose.NUMBER_SEARCH, person=person).count() == 1
    # A partner role may not search by number: refused before the number is read (even a
    # malformed one is not looked at).
    coordinator = make_user(Role.PARTNER_COORDINATOR, "32")
    for typed in (nik, "1234"):
        monkeypatch.setattr("sys.stdin", io.StringIO(f"{typed}\n"))
        assert cli.main(["search", "--number", "--user", coordinator.username]) == 1
        assert "NIK" in capsys.readouterr().err
        assert sys.stdin.read() == f"{typed}\n"
