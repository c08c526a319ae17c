"""``GET /api/v1/sync/``: what a field user's phone keeps, scoped, by name only, changes only.

On the permission matrix's world (the demo, every role; tests/core/test_permission_matrix.py):
the Bandung group with its facilitator, mentor, KUBE officer and the partner coordinator.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from sinergi.kube.models import Kube, Membership, Status
from sinergi.market.models import Product
from sinergi.mentoring.models import ActionItem, ActionStatus, Assignment
from sinergi.offline import selectors
from tests.core import test_permission_matrix as matrix
from tests.core.test_permission_matrix import World

pytestmark = pytest.mark.django_db
# The permission matrix's world (module-scoped fixture): built once for this module too.
world = matrix.world

URL = "/api/v1/sync/"
FIELD_ROLES = ("fac", "coord", "mentor", "kube")
# What a phone must never hold, whoever carries it (and partners never receive at all).
FORBIDDEN_KEYS = {"nik", "kk", "kk_number", "desil", "decile", "income", "per_capita", "phone"}
SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")


@contextmanager
def undone() -> Iterator[None]:
    """Changes made for one test are rolled back, so every test meets the same world."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _sync(client: Client, since: str | None = None) -> dict[str, Any]:
    response = client.get(URL, {"since": since} if since is not None else {})
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def _keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _keys(value)
    elif isinstance(node, list):
        for value in node:
            yield from _keys(value)


def test_each_field_role_gets_its_own_groups_only(world: World) -> None:
    kube_id = world.ids["kube"]
    mine = _sync(world.clients["kube"])
    assert mine["full"] is True and mine["truncated"] is False
    assert mine["group_ids"] == [kube_id]
    assert [g["id"] for g in mine["groups"]] == [kube_id]
    mentor_id = world.users["mentor"].mentor_id
    assert mentor_id is not None
    held = set(
        Assignment.objects.filter(mentor_id=mentor_id, status="accepted")
        .exclude(kube__status__in=selectors.CLOSED)
        .values_list("kube_id", flat=True)
    )
    assert kube_id in held
    assert set(_sync(world.clients["mentor"])["group_ids"]) == held
    open_in_bandung = set(
        Kube.objects.filter(area_code__startswith="32.73.")
        .exclude(status__in=selectors.CLOSED)
        .values_list("pk", flat=True)
    )
    for role in ("fac", "off"):
        assert set(_sync(world.clients[role])["group_ids"]) == open_in_bandung, role
    # Out of area: the Bogor officer sees none of Bandung's groups.
    assert not set(_sync(world.clients["off_out"])["group_ids"]) & open_in_bandung
    assert kube_id in _sync(world.clients["coord"])["group_ids"]


def test_a_group_comes_whole_members_by_name_only(world: World) -> None:
    kube_id = world.ids["kube"]
    for role in FIELD_ROLES:
        answer = _sync(world.clients[role])
        group = next(g for g in answer["groups"] if g["id"] == kube_id)
        members = Membership.objects.filter(kube_id=kube_id, end_date__isnull=True)
        assert sorted(m["name"] for m in group["members"]) == sorted(
            members.values_list("person__name", flat=True)
        )
        assert {m["id"] for m in group["members"]} == set(members.values_list("pk", flat=True))
        assert {i["id"] for i in group["action_items"]} == set(
            ActionItem.objects.filter(kube_id=kube_id, status=ActionStatus.OPEN).values_list(
                "pk", flat=True
            )
        )
        assert {p["id"] for p in group["products"]} == set(
            Product.objects.filter(kube_id=kube_id).values_list("pk", flat=True)
        )
        cutoff = timezone.localdate() - timedelta(days=selectors.SESSION_DAYS)
        assert all(s["held_on"] >= cutoff.isoformat() for s in group["sessions"])
        assert group["village"]["code"].startswith("32.73.")
        text = json.dumps(answer)
        assert not FORBIDDEN_KEYS & set(_keys(answer)), role
        assert not SIXTEEN_DIGITS.search(text), role


def test_every_listed_page_opens_for_its_user(world: World) -> None:
    """The service worker keeps what ``pages`` lists: each must open, and each capture form
    the role fills must be there for the active group."""
    kube_id = world.ids["kube"]
    expected = {
        "kube": ["/kube/", "/penjualan/", "/laporan/"],
        "mentor": ["/sesi/baru/", "/penjualan/"],
        "fac": ["/laporan/"],
        "coord": [],
    }
    for role in FIELD_ROLES:
        client = world.clients[role]
        listed = _sync(client)["pages"]
        assert listed[0] == "/tugas/"
        assert f"/pendampingan/kelompok/{kube_id}/" in listed
        assert len(listed) == len(set(listed)), role
        for part in expected[role]:
            assert any(part in page for page in listed), (role, part, listed)
        for page in listed:
            assert client.get(page).status_code == 200, (role, page)


def test_the_fund_use_report_is_listed_while_it_is_to_be_written(world: World) -> None:
    """Paid aid whose LPJ is being written or was returned: its page is kept for the group's
    officer (receipts are entered in the village); a submitted one is no longer listed."""
    from sinergi.aid.models import Lpj, LpjStatus

    lpj = Lpj.objects.get(proposal_id=world.ids["proposal"])
    page = f"/bantuan/usulan/{world.ids['proposal']}/lpj/"
    client = world.clients["kube"]
    with undone():
        Lpj.objects.filter(pk=lpj.pk).update(status=LpjStatus.RETURNED)
        listed = _sync(client)["pages"]
        assert page in listed, listed
        assert client.get(page).status_code == 200
        Lpj.objects.filter(pk=lpj.pk).update(status=LpjStatus.SUBMITTED)
        assert page not in _sync(client)["pages"]


def test_buyers_are_refused_and_the_anonymous_asked_to_sign_in(world: World) -> None:
    assert world.clients["buyer"].get(URL).status_code == 403
    assert world.clients["buyer"].get(URL).json()["code"] == "forbidden"
    assert world.clients["anon"].get(URL).status_code == 401


def test_since_brings_only_what_changed(world: World) -> None:
    client = world.clients["fac"]
    kube_id = world.ids["kube"]
    first = _sync(client)
    with undone():
        again = _sync(client, first["server_time"])
        assert again["full"] is False
        assert again["groups"] == []
        assert again["group_ids"] == first["group_ids"]
        assert again["pages"] == first["pages"]
        # A new action item on the group: that group, whole, and nothing else.
        item = ActionItem.objects.filter(kube_id=kube_id).first()
        assert item is not None
        ActionItem.objects.create(
            kube_id=kube_id,
            raised_in_id=item.raised_in_id,
            description="Buat papan nama",
            owner="Ketua",
            due_on=timezone.localdate() + timedelta(days=7),
        )
        changed = _sync(client, first["server_time"])
        assert [g["id"] for g in changed["groups"]] == [kube_id]
        assert "Buat papan nama" in [i["description"] for i in changed["groups"][0]["action_items"]]
        # Its answer's server_time is the next since: nothing again.
        assert _sync(client, changed["server_time"])["groups"] == []


@pytest.mark.parametrize("change", ["member_renamed", "member_left", "product", "dissolved"])
def test_each_kind_of_change_reaches_the_phone(world: World, change: str) -> None:
    client = world.clients["fac"]
    kube_id = world.ids["kube"]
    since = _sync(client)["server_time"]
    with undone():
        membership = Membership.objects.filter(kube_id=kube_id, end_date__isnull=True).first()
        assert membership is not None
        if change == "member_renamed":
            person = membership.person
            person.name = "Nama Baru"
            person.save()
        elif change == "member_left":
            membership.end_date = timezone.localdate()
            membership.save()
        elif change == "product":
            product = Product.objects.filter(kube_id=kube_id).first()
            assert product is not None
            product.price += 500
            product.save()
        else:
            Kube.objects.filter(pk=kube_id).update(
                status=Status.DISSOLVED, updated_at=timezone.now()
            )
        answer = _sync(client, since)
        if change == "dissolved":
            assert kube_id not in answer["group_ids"]
            assert not any(f"/{kube_id}/" in page for page in answer["pages"])
            return
        group = next(g for g in answer["groups"] if g["id"] == kube_id)
        names = [m["name"] for m in group["members"]]
        if change == "member_renamed":
            assert "Nama Baru" in names
        if change == "member_left":
            assert membership.pk not in [m["id"] for m in group["members"]]


def test_a_stale_or_bad_since(world: World) -> None:
    client = world.clients["kube"]
    old = (timezone.now() - timedelta(days=15)).isoformat()
    assert _sync(client, old)["full"] is True
    assert _sync(client, "")["full"] is True
    naive = timezone.localtime().replace(tzinfo=None).isoformat()  # read as Jakarta time
    assert _sync(client, naive)["full"] is False
    for bad in ["kemarin", "2026-13-01T00:00:00", "x" * 41]:
        answer = client.get(URL, {"since": bad})
        assert answer.status_code == 422, bad
        assert answer.json()["field"] == "since"


def test_an_account_changed_since_gets_everything_again(world: World) -> None:
    client = world.clients["kube"]
    since = _sync(client)["server_time"]
    with undone():
        user = world.users["kube"]
        user.save()  # its role, area or group may have changed: the device starts over
        assert _sync(client, since)["full"] is True


def test_more_groups_than_a_phone_takes_are_cut_and_said(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = world.clients["off"]
    assert len(_sync(client)["group_ids"]) >= 2
    monkeypatch.setattr(selectors, "MAX_GROUPS", 1)
    answer = _sync(client)
    assert answer["truncated"] is True and len(answer["group_ids"]) == 1
