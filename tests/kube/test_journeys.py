"""Forming and running a KUBE as people do it: four eyes, candidates checked before they are
ticked, the draft rechecked as it grows, members added to an active group under the same rules,
officers changed in place, confirmations, forms that keep what was typed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core.errors import Forbidden, InvalidInput
from sinergi.core.models import AuditEvent
from sinergi.kube import hooks
from sinergi.kube.models import Kube, Membership, Status, Transition
from sinergi.kube.services import kube_transition, membership_add, membership_role
from sinergi.registry.models import Person
from tests.kube.test_services import _form, _heads

pytestmark = pytest.mark.django_db


@pytest.fixture
def checker(make_user: Callable[..., User]) -> User:
    """A second officer of Kota Bandung: the other pair of eyes."""
    return make_user(Role.SOCIAL_OFFICER, "32.73", first_name="Budi")


def _active(officer: User, checker: User, count: int = 6) -> Kube:
    kube, failures = _form(officer, _heads(officer, count))
    assert failures == []
    kube_transition(actor=officer, kube_id=kube.pk, to_status=Status.SUBMITTED)
    kube_transition(actor=checker, kube_id=kube.pk, to_status=Status.VERIFIED)
    kube_transition(actor=officer, kube_id=kube.pk, to_status=Status.ACTIVE)
    return kube


def _old_head(actor: User, start: int) -> Person:
    head = _heads(actor, 1, start=start)[0]
    Person.objects.filter(pk=head.pk).update(birth_date=date(1950, 1, 1))
    head.refresh_from_db()
    return head


# --- four eyes ------------------------------------------------------------------------------


def test_who_submitted_cannot_verify_and_who_verified_cannot_activate(
    officer_bandung: User, checker: User
) -> None:
    kube, _ = _form(officer_bandung, _heads(officer_bandung, 6))
    kube_transition(actor=officer_bandung, kube_id=kube.pk, to_status=Status.SUBMITTED)
    with pytest.raises(Forbidden, match="Anda yang mengajukan kelompok ini; petugas lain"):
        kube_transition(actor=officer_bandung, kube_id=kube.pk, to_status=Status.VERIFIED)
    kube_transition(actor=checker, kube_id=kube.pk, to_status=Status.VERIFIED)
    with pytest.raises(Forbidden, match="Anda yang memverifikasi kelompok ini; petugas lain"):
        kube_transition(actor=checker, kube_id=kube.pk, to_status=Status.ACTIVE)
    kube.refresh_from_db()
    assert kube.status == Status.VERIFIED
    assert Transition.objects.filter(kube=kube).count() == 2
    kube_transition(actor=officer_bandung, kube_id=kube.pk, to_status=Status.ACTIVE)
    event = AuditEvent.objects.get(event_type="kube.kube.active")
    assert event.data["changes"] == {"status": ["verified", "active"]}


def test_four_eyes_in_the_ui_disables_the_button_with_the_reason(
    officer_bandung: User, checker: User, client_for: Callable[..., Client]
) -> None:
    kube, _ = _form(officer_bandung, _heads(officer_bandung, 6))
    kube_transition(actor=officer_bandung, kube_id=kube.pk, to_status=Status.SUBMITTED)
    mine = client_for(officer_bandung)
    page = mine.get(f"/kube/{kube.pk}/").content.decode()
    assert "Anda yang mengajukan kelompok ini" in page
    assert 'disabled aria-describedby="why-verified"' in page
    refused = mine.post(f"/kube/{kube.pk}/status/", {"to": "verified"})
    assert refused.status_code == 403
    assert "Anda yang mengajukan kelompok ini" in refused.content.decode()
    kube.refresh_from_db()
    assert kube.status == Status.SUBMITTED
    mine.post("/bahasa/", {"language": "en", "next": "/"})
    english = mine.get(f"/kube/{kube.pk}/").content.decode()
    assert "You submitted this group; another officer must verify it." in english
    theirs = client_for(checker).get(f"/kube/{kube.pk}/").content.decode()
    assert "why-verified" not in theirs and "Verifikasi" in theirs
    assert (
        client_for(checker).post(f"/kube/{kube.pk}/status/", {"to": "verified"}).status_code == 302
    )


def test_moves_of_other_roles_are_not_shown(
    officer_bandung: User, facilitator_bandung: User, client_for: Callable[..., Client]
) -> None:
    kube, _ = _form(officer_bandung, _heads(officer_bandung, 6))
    page = client_for(facilitator_bandung).get(f"/kube/{kube.pk}/").content.decode()
    assert "/status/" not in page and "Ajukan untuk verifikasi" not in page
    assert "/anggota/" not in page  # no member forms for a read-only role
    # A read-only role is refused for its role (403), not for an empty form (400).
    reader = client_for(facilitator_bandung)
    member = kube.memberships.first()
    assert member is not None
    for path in (
        f"/kube/{kube.pk}/status/",
        f"/kube/{kube.pk}/anggota/",
        f"/kube/{kube.pk}/anggota/{member.person_id}/peran/",
        f"/kube/{kube.pk}/anggota/{member.person_id}/keluar/",
        f"/kube/{kube.pk}/iks/",
    ):
        assert reader.post(path, {"to": "submitted"}).status_code == 403, path


def test_dissolving_asks_for_confirmation_saying_what_happens(
    officer_bandung: User, checker: User, client_for: Callable[..., Client]
) -> None:
    kube = _active(officer_bandung, checker)
    client = client_for(officer_bandung)
    page = client.get(f"/kube/{kube.pk}/").content.decode()
    assert "tidak dapat dibatalkan" in page  # "cannot be undone", said before the button
    unconfirmed = client.post(f"/kube/{kube.pk}/status/", {"to": "dissolved", "reason": "bubar"})
    assert unconfirmed.status_code == 400
    body = unconfirmed.content.decode()
    assert 'value="bubar"' in body  # the reason typed is kept
    kube.refresh_from_db()
    assert kube.status == Status.ACTIVE
    done = client.post(
        f"/kube/{kube.pk}/status/", {"to": "dissolved", "reason": "bubar", "confirm": "on"}
    )
    assert done.status_code == 302
    kube.refresh_from_db()
    assert kube.status == Status.DISSOLVED


def test_closing_calls_the_group_closed_hook_inside_the_transition(
    officer_bandung: User, checker: User
) -> None:
    kube = _active(officer_bandung, checker)
    seen: list[tuple[int, str, str]] = []

    def handler(group: Kube, *, reason: str, actor: Any) -> None:
        seen.append((group.pk, group.status, reason))

    hooks.on_group_closed(handler)
    try:
        kube_transition(
            actor=officer_bandung, kube_id=kube.pk, to_status=Status.GRADUATED, reason="mandiri"
        )
    finally:
        hooks._HANDLERS.remove(handler)
    assert seen == [(kube.pk, Status.GRADUATED, "mandiri")]


# --- check as you go ------------------------------------------------------------------------


def test_candidates_show_age_decile_snapshot_and_membership_and_grey_out_with_reason(
    officer_bandung: User, checker: User, client_for: Callable[..., Client]
) -> None:
    in_group = _active(officer_bandung, checker)
    member = in_group.memberships.first()
    assert member is not None
    old = _old_head(officer_bandung, 40)
    fine = _heads(officer_bandung, 1, start=41)[0]
    page = client_for(officer_bandung).get("/kube/baru/", {"desa": "32.73.01.1001"})
    body = page.content.decode()
    assert page.status_code == 200
    # Before choosing: age, decile, snapshot age and the group they already belong to.
    assert "Desil" in body and "hari" in body and "KUBE Mawar" in body
    assert f'value="{old.pk}" id="m{old.pk}" aria-label="{old.name}" disabled' in body
    assert "Berusia 76" in body  # the reason, in words
    assert f'value="{member.person_id}" id="m{member.person_id}"' in body
    assert "Sudah menjadi anggota KUBE lain" in body
    assert f'value="{fine.pk}" id="m{fine.pk}" aria-label="{fine.name}">' in body


def test_the_draft_is_rechecked_live_and_saved_only_on_save(
    officer_bandung: User, client_for: Callable[..., Client]
) -> None:
    heads = _heads(officer_bandung, 2)
    client = client_for(officer_bandung)
    fragment = client.post(
        "/kube/baru/periksa/?desa=32.73.01.1001",
        {"members": [h.pk for h in heads], "ketua": heads[0].pk},
    )
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body
    assert "Kelompok beranggota 2" in body and "sekretaris" in body.lower()
    # Without JavaScript: "Check the draft" shows the same and saves nothing.
    checked = client.post(
        "/kube/baru/?desa=32.73.01.1001",
        {"name": "KUBE Uji", "business_type": "jasa", "members": [heads[0].pk], "_check": "1"},
    )
    assert checked.status_code == 200 and "Kelompok beranggota 1" in checked.content.decode()
    assert not Kube.objects.exists()


def test_ticking_someone_who_cannot_join_is_refused_by_name_and_nothing_typed_is_lost(
    officer_bandung: User, client_for: Callable[..., Client]
) -> None:
    heads = _heads(officer_bandung, 5)
    old = _old_head(officer_bandung, 60)
    response = client_for(officer_bandung).post(
        "/kube/baru/?desa=32.73.01.1001",
        {
            "name": "KUBE Kenanga",
            "business_type": "jasa",
            "members": [*(h.pk for h in heads), old.pk],
            "ketua": heads[0].pk,
            "sekretaris": heads[1].pk,
            "bendahara": heads[0].pk,
            "bank_name": "BRI Cabang Sukasari",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400 and not Kube.objects.exists()
    assert f"{old.name} tidak dapat bergabung" in body
    assert "Satu orang memegang satu jabatan" in body  # the treasurer row named
    assert 'value="KUBE Kenanga"' in body and 'value="BRI Cabang Sukasari"' in body
    assert f'value="{heads[4].pk}" id="m{heads[4].pk}" aria-label="{heads[4].name}" checked' in body


# --- members of an active group -------------------------------------------------------------


def test_adding_to_an_active_group_goes_through_the_rules(
    officer_bandung: User, checker: User, client_for: Callable[..., Client]
) -> None:
    kube = _active(officer_bandung, checker)
    old = _old_head(officer_bandung, 70)
    with pytest.raises(InvalidInput, match="Berusia 76"):
        membership_add(actor=officer_bandung, kube_id=kube.pk, person_id=old.pk)
    client = client_for(officer_bandung)
    page = client.post(f"/kube/{kube.pk}/anggota/", {"person": old.pk, "role": "anggota"})
    assert page.status_code == 400 and "Berusia 76" in page.content.decode()
    api = client.post(
        f"/api/v1/kube/{kube.pk}/members",
        {"person_id": old.pk},
        content_type="application/json",
    )
    assert api.status_code == 400 and "76" in api.json()["detail"]
    assert not Membership.objects.filter(kube=kube, person=old).exists()
    # Someone who meets the rules joins.
    fine = _heads(officer_bandung, 1, start=71)[0]
    added = client.post(f"/kube/{kube.pk}/anggota/", {"person": fine.pk, "role": "anggota"})
    assert added.status_code == 302
    assert Membership.objects.filter(kube=kube, person=fine, end_date__isnull=True).exists()


def test_the_member_picker_greys_out_who_cannot_join(
    officer_bandung: User, checker: User, client_for: Callable[..., Client]
) -> None:
    kube = _active(officer_bandung, checker)
    old = _old_head(officer_bandung, 80)
    found = client_for(officer_bandung).get(
        "/pilih/kube_candidate/", {"kube": kube.pk, "q": old.name, "format": "json"}
    )
    rows = {r["value"]: r for r in found.json()["results"]}
    assert "Berusia 76" in rows[str(old.pk)]["disabled"]
    members = {str(m.person_id) for m in kube.memberships.all()}
    assert not members & set(rows)


def test_officers_change_in_place(
    officer_bandung: User, checker: User, client_for: Callable[..., Client]
) -> None:
    kube = _active(officer_bandung, checker)
    chair = kube.memberships.get(role="ketua")
    other = kube.memberships.filter(role="anggota").first()
    assert other is not None
    response = client_for(officer_bandung).post(
        f"/kube/{kube.pk}/anggota/{other.person_id}/peran/", {f"r{other.person_id}-role": "ketua"}
    )
    assert response.status_code == 302
    chair.refresh_from_db()
    other.refresh_from_db()
    assert (other.role, chair.role) == ("ketua", "anggota")
    assert kube.memberships.filter(role="ketua", end_date__isnull=True).count() == 1
    changes = [
        e.data["changes"] for e in AuditEvent.objects.filter(event_type="kube.member.role_changed")
    ]
    assert {"role": ["ketua", "anggota"]} in changes and {"role": ["anggota", "ketua"]} in changes
    with pytest.raises(InvalidInput):
        membership_role(actor=officer_bandung, kube_id=kube.pk, person_id=other.person_id, role="x")


# --- edits --------------------------------------------------------------------------------


def test_edit_details_in_the_ui_and_api_with_old_and_new_values(
    officer_bandung: User,
    facilitator_bandung: User,
    client_for: Callable[..., Client],
) -> None:
    kube, _ = _form(officer_bandung, _heads(officer_bandung, 5))
    client = client_for(officer_bandung)
    form = client.get(f"/kube/{kube.pk}/ubah/")
    assert form.status_code == 200
    blank = client.post(
        f"/kube/{kube.pk}/ubah/",
        {"name": "", "business_type": "jasa", "bank_name": "BNI", "record_version": ""},
    )
    assert blank.status_code == 200 and 'value="BNI"' in blank.content.decode()
    kube.refresh_from_db()
    assert kube.bank_name == ""
    api = client.patch(
        f"/api/v1/kube/{kube.pk}",
        {"name": "KUBE Mawar Jaya", "bank_account": "0123"},
        content_type="application/json",
    )
    assert api.status_code == 200 and api.json()["name"] == "KUBE Mawar Jaya"
    event = AuditEvent.objects.get(event_type="kube.kube.updated")
    assert event.data["changes"]["name"] == ["KUBE Mawar", "KUBE Mawar Jaya"]
    refused = client_for(facilitator_bandung).patch(
        f"/api/v1/kube/{kube.pk}", {"name": "X"}, content_type="application/json"
    )
    assert refused.status_code == 403


def test_api_refuses_a_role_with_403_and_another_area_with_404(
    officer_bandung: User,
    officer_bogor: User,
    facilitator_bandung: User,
    client_for: Callable[..., Client],
) -> None:
    kube, _ = _form(officer_bandung, _heads(officer_bandung, 5))
    head = _heads(officer_bandung, 1, start=90)[0]
    member = kube.memberships.first()
    assert member is not None
    calls = [
        ("post", f"/api/v1/kube/{kube.pk}/members", {"person_id": head.pk}),
        ("post", f"/api/v1/kube/{kube.pk}/members/{member.person_id}/role", {"role": "ketua"}),
        ("post", f"/api/v1/kube/{kube.pk}/members/{member.person_id}/end", {"reason": "pindah"}),
        ("post", f"/api/v1/kube/{kube.pk}/submit", {}),
        ("patch", f"/api/v1/kube/{kube.pk}", {"name": "X"}),
    ]
    for method, path, body in calls:
        role = getattr(client_for(facilitator_bandung), method)(
            path, body, content_type="application/json"
        )
        assert role.status_code == 403 and role.json()["code"] == "forbidden", path
        area = getattr(client_for(officer_bogor), method)(
            path, body, content_type="application/json"
        )
        assert area.status_code == 404, path
    kube.refresh_from_db()
    assert kube.name == "KUBE Mawar" and kube.status == Status.DRAFT
    assert kube.memberships.filter(end_date__isnull=True).count() == 5


def test_iks_entries_are_paged_with_the_balance_of_the_whole_ledger(
    officer_bandung: User, checker: User, client_for: Callable[..., Client]
) -> None:
    from sinergi.kube.services import iks_record

    kube = _active(officer_bandung, checker)
    for day, kind, amount in (
        (date(2026, 10, 1), "contribution", 100_000),
        (date(2026, 10, 2), "contribution", 50_000),
        (date(2026, 10, 3), "withdrawal", 30_000),
    ):
        iks_record(actor=officer_bandung, kube_id=kube.pk, kind=kind, amount=amount, day=day)
    client = client_for(officer_bandung)
    url = f"/api/v1/kube/{kube.pk}/iks/entries"
    page = client.get(url, {"page": 2, "page_size": 1}).json()
    assert page["count"] == 3
    assert [(r["day"], r["balance"]) for r in page["items"]] == [("2026-10-02", 150_000)]
    newest_first = client.get(url, {"ordering": "-day"}).json()["items"]
    assert [r["balance"] for r in newest_first] == [120_000, 150_000, 100_000]
    out = client.get(url, {"kind": "withdrawal"}).json()["items"]
    assert [(r["amount"], r["balance"]) for r in out] == [(30_000, 120_000)]


def test_sending_back_says_what_happens_and_is_confirmed(
    officer_bandung: User, checker: User, client_for: Callable[..., Client]
) -> None:
    kube, _ = _form(officer_bandung, _heads(officer_bandung, 6))
    kube_transition(actor=officer_bandung, kube_id=kube.pk, to_status=Status.SUBMITTED)
    client = client_for(checker)
    page = client.get(f"/kube/{kube.pk}/").content.decode()
    assert "harus diajukan dan diverifikasi lagi" in page  # what sending back does
    sent = {"to": "draft", "reason": "NIK ketua salah"}
    refused = client.post(f"/kube/{kube.pk}/status/", sent)
    assert refused.status_code == 400 and 'value="NIK ketua salah"' in refused.content.decode()
    kube.refresh_from_db()
    assert kube.status == Status.SUBMITTED
    assert client.post(f"/kube/{kube.pk}/status/", {**sent, "confirm": "on"}).status_code == 302
    kube.refresh_from_db()
    assert kube.status == Status.DRAFT
