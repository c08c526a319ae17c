"""Pick, don't type: the picker lists only what the actor may choose, by name, with or
without JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django import forms
from django.test import Client

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core import pickers
from sinergi.core.widgets import FIND, PickerField, PickerFormMixin
from sinergi.registry import services as registry
from sinergi.registry.models import Person

pytestmark = pytest.mark.django_db


def _head(actor: User, village: str, i: int, name: str) -> Person:
    digits = village.replace(".", "")[:6]
    household = registry.household_create(
        actor=actor,
        kk=f"{digits}0101{20:02d}{i:04d}",
        village_code=village,
        desil=2,
        desil_date=date(2026, 9, 30),
    )
    return registry.person_create(
        actor=actor,
        household_id=household.pk,
        nik=f"{digits}0505{80:02d}{i:04d}",
        name=name,
        sex="L",
        birth_place="",
        birth_date=date(1980, 5, 5),
        relation="kepala",
        is_head=True,
    )


def _get(client: Client, kind: str, **params: str) -> Any:
    return client.get(f"/pilih/{kind}/", {"format": "json", **params}).json()["results"]


def test_village_names_match_case_insensitively_with_code_as_secondary(
    officer_bandung: User, client_for: Callable[[User | None], Client]
) -> None:
    found = _get(client_for(officer_bandung), "village", q="SUKArasa")
    assert found, "Sukarasa (32.73.01.1001) is in Kota Bandung"
    assert all(r["value"].startswith("32.73.") for r in found)
    first = next(r for r in found if r["value"] == "32.73.01.1001")
    assert first["label"].casefold() == "sukarasa"
    assert first["secondary"].startswith("32.73.01.1001 · ")
    region = _get(client_for(officer_bandung), "region", q="kota BANDUNG")
    assert [(r["label"], r["value"]) for r in region][:1] == [("Kota Bandung", "32.73")]


def test_out_of_area_regions_are_never_listed(
    officer_bogor: User, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(officer_bogor)
    assert not any(r["value"].startswith("32.73") for r in _get(client, "region", q="bandung"))
    assert _get(client, "village", q="sukasari", within="32.73") == []
    # Reference use (a catalogue filter) may open the whole country.
    assert any(
        r["value"] == "32.73" for r in _get(client, "region", q="kota bandung", anywhere="1")
    )


def test_person_picker_scoped_masked_and_refused_to_roles_without_registry(
    admin_user: User,
    officer_bandung: User,
    officer_bogor: User,
    make_user: Callable[..., User],
    client_for: Callable[[User | None], Client],
) -> None:
    in_bandung = _head(admin_user, "32.73.01.1001", 1, "Siti Aminah")
    _head(admin_user, "32.01.01.1001", 2, "Siti Bogor")
    found = _get(client_for(officer_bandung), "person", q="siti", heads="1")
    assert [r["value"] for r in found] == [str(in_bandung.pk)]
    assert in_bandung.nik_mask in found[0]["secondary"]
    page = client_for(officer_bandung).get("/pilih/person/", {"q": "siti"}).content.decode()
    assert "3273010505800001" not in page and in_bandung.nik_mask in page
    assert [r["label"] for r in _get(client_for(officer_bogor), "person", q="siti")] == [
        "Siti Bogor"
    ]
    buyer = make_user(Role.BUYER, None)
    assert _get(client_for(buyer), "person", q="siti") == []


def test_endpoint_needs_login_and_a_known_kind(
    officer_bandung: User, client_for: Callable[[User | None], Client]
) -> None:
    assert client_for(None).get("/pilih/village/?q=suka").status_code == 302
    assert client_for(officer_bandung).get("/pilih/nothing/").status_code == 404
    fragment = client_for(officer_bandung).get(
        "/pilih/village/", {"name": "desa", "desa__q": "sukarasa"}
    )
    body = fragment.content.decode()
    assert 'type="radio" name="desa" value="32.73.01.1001"' in body


class _Form(PickerFormMixin, forms.Form):
    name = forms.CharField(max_length=50)
    village = PickerField("village", label="Village")


def test_no_javascript_find_keeps_typing_and_lists_matches(officer_bandung: User) -> None:
    form = _Form(
        {"name": "KUBE Melati", "village__q": "sukarasa", FIND: "village"}, actor=officer_bandung
    )
    assert not form.is_valid()
    assert list(form.errors) == ["village"], "a Find is not a save: no other errors"
    html = str(form)
    assert 'value="KUBE Melati"' in html
    assert 'value="32.73.01.1001"' in html and 'value="sukarasa"' in html
    # Nothing found says so.
    empty = _Form({"name": "", "village__q": "zzqx", FIND: "village"}, actor=officer_bandung)
    assert not empty.is_valid() and "zzqx" in str(empty.errors["village"])


def test_choice_is_checked_against_the_actors_scope(
    officer_bandung: User, officer_bogor: User
) -> None:
    ok = _Form({"name": "A", "village": "32.73.01.1001"}, actor=officer_bandung)
    assert ok.is_valid(), ok.errors
    assert ok.cleaned_data["village"] == "32.73.01.1001"
    assert "checked" in str(ok["village"])
    refused = _Form({"name": "A", "village": "32.73.01.1001"}, actor=officer_bogor)
    assert not refused.is_valid() and "village" in refused.errors
    plain = _Form({"name": "A", "village": "3273011001"}, actor=officer_bandung)
    assert plain.is_valid() and plain.cleaned_data["village"] == "32.73.01.1001"
    district = _Form({"name": "A", "village": "32.73.01"}, actor=officer_bandung)
    assert not district.is_valid(), "a district is not a village"
    junk = _Form({"name": "A", "village": "abc"}, actor=officer_bandung)
    assert not junk.is_valid() and "village" in junk.errors


def test_a_short_list_is_a_plain_select(officer_bandung: User) -> None:
    @pickers.register("test-colour", label="colour")
    def colours(actor: Any, q: str, *, limit: int, **params: str) -> list[pickers.Option]:
        return [
            pickers.Option(v, v.title()) for v in ("red", "green", "blue") if q.casefold() in v
        ][:limit]

    class ColourForm(PickerFormMixin, forms.Form):
        colour = PickerField("test-colour")

    html = str(ColourForm(actor=officer_bandung)["colour"])
    assert html.startswith("<select") and '<option value="green">Green</option>' in html.replace(
        "\n", ""
    ).replace("  ", "")
    assert ColourForm({"colour": "blue"}, actor=officer_bandung).is_valid()
    assert not ColourForm({"colour": "pink"}, actor=officer_bandung).is_valid()


def test_a_chosen_match_is_not_followed_by_nothing_matches(officer_bandung: User) -> None:
    # The search found the village and the person chose it: the page must not also say that
    # nothing matches (the only match is shown as the choice, not in the list below it).
    form = _Form(
        {"name": "A", "village": "32.73.01.1001", "village__q": "sukarasa"}, actor=officer_bandung
    )
    html = str(form["village"])
    assert 'value="32.73.01.1001" checked' in html
    assert "Nothing matches" not in html and "Tidak ada yang cocok" not in html
