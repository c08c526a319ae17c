"""The pages and the API: recording a request, an erasure refused by a legal hold (page 400 with
the reason, API 409 ``legal_hold``), an erasure done through the page."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import cast

import pytest
from django.test import Client

from sinergi.accounts.models import User
from sinergi.kube.models import Kube, Membership
from sinergi.pdp.models import DataSubjectRequest, RequestStatus
from sinergi.registry.models import Person
from tests.factories import KubeFactory, ProposalFactory
from tests.pdp.conftest import NAME, nik_of

pytestmark = pytest.mark.django_db


def _token(client: Client, url: str) -> str:
    found = re.search(r'name="submit_token" value="([^"]+)"', client.get(url).content.decode())
    assert found is not None, url
    return found.group(1)


def _record(client: Client, nik: str, kind: str) -> DataSubjectRequest:
    response = client.post(
        "/pdp/permintaan/baru/",
        {
            "submit_token": _token(client, "/pdp/permintaan/baru/"),
            "kind": kind,
            "nik": nik,
            "channel": "in_person",
            "received_on": "2026-11-02",
            "details": "minta dihapus",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return DataSubjectRequest.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_an_erasure_through_the_page_and_one_refused_by_a_hold(
    subject: Person, officer_bandung: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(officer_bandung)
    request = _record(client, nik_of(subject), "erasure")
    assert request.person == subject and request.status == RequestStatus.OPEN
    url = f"/pdp/permintaan/{request.pk}/"
    assert "Hapus data orang tersebut" in client.get(url).content.decode()

    kube = cast(Kube, KubeFactory(name="KUBE Kenanga"))
    Membership.objects.create(kube=kube, person=subject, start_date=datetime.date(2026, 1, 1))
    ProposalFactory(kube=kube)
    page = client.get(url).content.decode()
    assert "penghapusan akan ditolak" in page and "KUBE Kenanga" in page
    refused = client.post(
        f"{url}hapus/",
        {"submit_token": _token(client, url), "reason": "permintaan subjek", "confirm": "on"},
    )
    assert refused.status_code == 400
    assert "Penghapusan ditolak" in refused.content.decode()
    assert Person.objects.get(pk=subject.pk).name == NAME

    api = client.post(
        f"/api/v1/pdp/requests/{request.pk}/erase",
        {"reason": "permintaan subjek"},
        content_type="application/json",
    )
    assert api.status_code == 409 and api.json()["code"] == "legal_hold"

    Membership.objects.filter(person=subject).delete()
    done = client.post(
        f"{url}hapus/",
        {"submit_token": _token(client, url), "reason": "permintaan subjek", "confirm": "on"},
    )
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE
    assert Person.objects.get(pk=subject.pk).name == "[dihapus]"


def test_an_unknown_nik_through_the_page_is_recorded_and_said(
    officer_bandung: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(officer_bandung)
    request = _record(client, "3273015506800009", "access")
    assert request.person is None
    page = client.get(f"/pdp/permintaan/{request.pk}/").content.decode()
    assert "NIK ini tidak ada di registri" in page
    assert "Buat berkas akses" not in page  # nothing to make a file of


def test_the_proposer_of_a_correction_sees_why_they_cannot_decide_it(
    subject: Person,
    officer_bandung: User,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    from sinergi.accounts.roles import Role
    from sinergi.pdp import services

    request = _record(client_for(officer_bandung), nik_of(subject), "correction")
    services.correction_propose(
        actor=officer_bandung, request_id=request.pk, changes={"birth_place": "Tasikmalaya"}
    )
    url = f"/pdp/permintaan/{request.pk}/"
    mine = client_for(officer_bandung).get(url).content.decode()
    assert "Anda mengusulkan perbaikan ini; petugas lain harus menyetujuinya." in mine
    assert f"/pdp/permintaan/{request.pk}/koreksi/putusan/" not in mine  # no decision form
    theirs = client_for(make_user(Role.SOCIAL_OFFICER, "32.73")).get(url).content.decode()
    assert f"/pdp/permintaan/{request.pk}/koreksi/putusan/" in theirs
    assert "Anda mengusulkan perbaikan ini" not in theirs
