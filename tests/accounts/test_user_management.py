"""Offices manage the users of their own area: only roles they may grant, only areas inside
their own, never deleting; invitations; CSV import, all or nothing; required password change."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.http import Http404
from django.test import Client
from django.utils import translation

from sinergi.accounts import services
from sinergi.accounts.models import Invitation, User
from sinergi.accounts.roles import GRANTABLE, RECORD_BOUND_ROLES, Role
from sinergi.core.errors import Forbidden, InvalidInput
from sinergi.core.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Services' refusals read in English here; pages follow the request's language."""
    with translation.override("en"):
        yield


SITE = "http://testserver/"
NEW = "Kopi-Susu-Gula-Aren-77"


def test_grantable_never_above_own_role() -> None:
    assert Role.NATIONAL_ADMIN not in GRANTABLE[Role.SOCIAL_OFFICER]
    assert Role.AUDITOR not in GRANTABLE[Role.SOCIAL_OFFICER]
    assert GRANTABLE[Role.NATIONAL_ADMIN] >= RECORD_BOUND_ROLES
    assert GRANTABLE[Role.PARTNER_COORDINATOR] == {Role.MENTOR}
    assert services.grantable_roles(Role.FACILITATOR) == frozenset()


def test_officer_cannot_grant_a_role_above_their_own(officer_bandung: User) -> None:
    with pytest.raises(Forbidden, match="National admin"):
        services.user_create(
            actor=officer_bandung,
            username="calon.admin",
            password=None,
            role=Role.NATIONAL_ADMIN,
            area_code="32.73",
            email="a@example.org",
        )
    with pytest.raises(Forbidden):
        services.user_create(
            actor=officer_bandung,
            username="calon.auditor",
            password=None,
            role=Role.AUDITOR,
            area_code="32.73",
            email="a@example.org",
        )
    assert not User.objects.filter(username__startswith="calon.").exists()


def test_area_outside_own_is_refused(officer_bandung: User, officer_jabar: User) -> None:
    with pytest.raises(Forbidden, match="inside your own area"):
        services.user_create(
            actor=officer_bandung,
            username="di.bogor",
            password=None,
            role=Role.FACILITATOR,
            area_code="32.01",
            email="b@example.org",
        )
    # The province's officer may place a facilitator in any of its regencies.
    user = services.user_create(
        actor=officer_jabar,
        username="di.bogor",
        password=None,
        role=Role.FACILITATOR,
        area_code="32.01",
        email="b@example.org",
    )
    assert user.area_code == "32.01" and not user.has_usable_password()
    created = AuditEvent.objects.get(event_type="accounts.user.created", object_id=str(user.pk))
    assert created.actor_id == officer_jabar.pk
    assert created.data["changes"]["role"] == [None, Role.FACILITATOR]


def test_regency_officer_cannot_touch_another_regency(
    officer_bandung: User, officer_bogor: User, make_user: Callable[..., User]
) -> None:
    bogor_fac = make_user(Role.FACILITATOR, "32.01")
    for step in (
        lambda: services.user_change(
            actor=officer_bandung, user_id=bogor_fac.pk, role="facilitator"
        ),
        lambda: services.user_set_active(actor=officer_bandung, user_id=bogor_fac.pk, active=False),
        lambda: services.user_require_password_reset(actor=officer_bandung, user_id=bogor_fac.pk),
        lambda: services.invitation_send(actor=officer_bandung, user_id=bogor_fac.pk, site=SITE),
    ):
        with pytest.raises(Http404):
            step()
    bogor_fac.refresh_from_db()
    assert bogor_fac.is_active and not bogor_fac.must_change_password


def test_change_role_only_among_grantable_and_audited(
    officer_bandung: User, make_user: Callable[..., User]
) -> None:
    fac = make_user(Role.FACILITATOR, "32.73")
    auditor = make_user(Role.AUDITOR, "32.73")
    with pytest.raises(Forbidden, match="above your own"):
        services.user_change(actor=officer_bandung, user_id=fac.pk, role=Role.NATIONAL_ADMIN)
    # An auditor in the officer's regency is still not theirs to change.
    with pytest.raises(Forbidden, match="Auditor"):
        services.user_change(actor=officer_bandung, user_id=auditor.pk, role=Role.FACILITATOR)
    with pytest.raises(Forbidden):
        services.user_change(actor=officer_bandung, user_id=officer_bandung.pk, role="facilitator")
    services.user_change(actor=officer_bandung, user_id=fac.pk, role=Role.SOCIAL_OFFICER)
    event = AuditEvent.objects.get(event_type="accounts.user.changed", object_id=str(fac.pk))
    assert event.data["changes"] == {"role": [Role.FACILITATOR, Role.SOCIAL_OFFICER]}


def test_deactivate_keeps_history_and_stops_sign_in(
    officer_bandung: User, make_user: Callable[..., User]
) -> None:
    fac = make_user(Role.FACILITATOR, "32.73")
    _token, raw = services.api_token_create(actor=fac, name="hp")
    services.user_set_active(actor=officer_bandung, user_id=fac.pk, active=False, reason="pindah")
    fac.refresh_from_db()
    assert User.objects.filter(pk=fac.pk).exists() and not fac.is_active
    assert AuditEvent.objects.filter(object_id=str(fac.pk)).count() >= 2  # created + deactivated
    event = AuditEvent.objects.get(event_type="accounts.user.deactivated")
    assert event.reason == "pindah" and event.data["changes"] == {"is_active": [True, False]}
    signed = Client().post("/akun/masuk/", {"username": fac.username, "password": PASSWORD})
    assert signed.status_code == 200  # the sign-in page again
    assert Client().get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_pages_refuse_with_the_reason(
    officer_bandung: User,
    client_for: Callable[..., Client],
    facilitator_bandung: User,
    make_user: Callable[..., User],
) -> None:
    client = client_for(officer_bandung)
    page = client.get("/akun/pengguna/baru/")
    assert page.status_code == 200
    offered = re.findall(r'<option value="(\w+)"', page.content.decode())
    assert set(offered) == {
        Role.SOCIAL_OFFICER, Role.FACILITATOR, Role.KUBE_OFFICER, Role.MENTOR
    }  # fmt: skip
    # A role typed into the form by hand is refused by the form; one above theirs by the API.
    refused = client.post(
        "/api/v1/users/",
        {"username": "x.admin", "role": "national_admin", "area_code": "32.73", "email": "x@e.org"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert "Admin nasional" in refused.json()["detail"]
    # The facilitator's role may not manage users at all.
    assert client_for(facilitator_bandung).get("/akun/pengguna/baru/").status_code == 403


def test_create_from_page_invites_and_link_works_once(
    officer_bandung: User,
    client_for: Callable[..., Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(officer_bandung)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            "/akun/pengguna/baru/",
            {
                "username": "rina.pendamping",
                "first_name": "Rina",
                "email": "rina@example.org",
                "role": "facilitator",
                "area": "32.73",
            },
        )
    assert created.status_code == 302, created.content.decode()[:3000]
    user = User.objects.get(username="rina.pendamping")
    assert (user.role, user.area_code, user.has_usable_password()) == (
        "facilitator",
        "32.73",
        False,
    )
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["rina@example.org"]
    body = str(mail.outbox[0].body)
    link = re.search(r"http://testserver(/akun/undangan/\S+/)", body)
    assert link is not None
    assert "Buka tautan ini" in body and "Open this link" in body
    path = link.group(1)
    anon = Client()
    assert anon.get(path).status_code == 200
    done = anon.post(path, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    again = anon.get(path)
    assert again.status_code == 410
    assert "sudah dipakai" in again.content.decode()
    assert (
        Client().post("/akun/masuk/", {"username": user.username, "password": NEW}).status_code
        == 302
    )


def test_expired_and_replaced_invitations_say_so(
    officer_bandung: User, make_user: Callable[..., User], django_capture_on_commit_callbacks: Any
) -> None:
    fac = make_user(Role.FACILITATOR, "32.73", email="f@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(actor=officer_bandung, user_id=fac.pk, site=SITE)
        services.invitation_send(actor=officer_bandung, user_id=fac.pk, site=SITE)
    first, second = (
        re.search(r"(/akun/undangan/\S+/)", str(m.body)).group(1)  # type: ignore[union-attr]
        for m in mail.outbox
    )
    replaced = Client().get(first, HTTP_ACCEPT_LANGUAGE="en")
    assert replaced.status_code == 410
    assert Invitation.objects.filter(user=fac, revoked_at__isnull=False).count() == 1
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=8)
    with time_machine.travel(later):
        expired = Client().get(second, headers={"Cookie": "sinergi_language=en"})
    assert expired.status_code == 410
    assert "expired" in expired.content.decode()


def test_require_password_change_at_next_sign_in(
    officer_bandung: User, make_user: Callable[..., User]
) -> None:
    fac = make_user(Role.FACILITATOR, "32.73")
    services.user_require_password_reset(actor=officer_bandung, user_id=fac.pk)
    client = Client()
    signed = client.post("/akun/masuk/", {"username": fac.username, "password": PASSWORD})
    assert signed.status_code == 302 and signed["Location"] == "/akun/masuk/sandi-baru/"
    assert client.get("/akun/profil/").status_code == 302  # not signed in half-way
    # The API will not hand out a token on the old password either.
    token = Client().post(
        "/api/v1/auth/token",
        {"username": fac.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert token.status_code == 403
    done = client.post("/akun/masuk/sandi-baru/", {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert client.get("/akun/profil/").status_code == 200
    fac.refresh_from_db()
    assert not fac.must_change_password and fac.check_password(NEW)


CSV_GOOD = (
    "username,first_name,last_name,email,role,area_code\n"
    "ani.fac,Ani,Lestari,ani@example.org,facilitator,32.73\n"
    "budi.off,Budi,,budi@example.org,Social office officer,32.73\n"
)


def test_csv_import_all_or_nothing_with_a_report(
    officer_bandung: User,
    client_for: Callable[..., Client],
    make_user: Callable[..., User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    make_user(Role.FACILITATOR, "32.73", username="sudah.ada")
    bad = (
        "username;email;role;area_code\n"
        "baru.satu;satu@example.org;facilitator;32.73\n"
        "sudah.ada;x@example.org;facilitator;32.73\n"
        "baru.dua;;auditor;32.01\n"
        "baru.satu;y@example.org;pendamping;99.99\n"
    )
    report = services.users_import(actor=officer_bandung, data=bad.encode(), site=SITE)
    assert not report.ok and report.created == 0
    by_line = {row.line: " | ".join(row.errors) for row in report.rows}
    assert by_line[2] == ""
    assert "username" in by_line[3]
    assert "email" in by_line[4] and "role" in by_line[4] and "area_code" in by_line[4]
    assert "line 2" in by_line[5] and "99.99" in by_line[5]
    assert not User.objects.filter(username__startswith="baru.").exists()
    # The page shows the same report, and nothing was sent.
    client = client_for(officer_bandung)
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post("/akun/pengguna/impor/", {"file": SimpleUploadedFile("u.csv", bad.encode())})
    assert page.status_code == 400 and "baru.dua" in page.content.decode()
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(
            "/akun/pengguna/impor/", {"file": SimpleUploadedFile("u.csv", CSV_GOOD.encode())}
        )
    assert ok.status_code == 200
    users = User.objects.filter(username__in=["ani.fac", "budi.off"]).order_by("username")
    assert [(u.role, u.area_code) for u in users] == [
        ("facilitator", "32.73"),
        ("social_officer", "32.73"),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["ani@example.org", "budi@example.org"]
    assert AuditEvent.objects.filter(event_type="accounts.users.imported").count() == 1


def test_csv_import_through_the_api(
    admin_user: User, client_for: Callable[..., Client], django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(admin_user)
    missing = client.post(
        "/api/v1/users/import", {"file": SimpleUploadedFile("u.csv", b"username,email\nx,y\n")}
    )
    assert missing.status_code == 400, missing.json()
    assert missing.json()["file_errors"], missing.json()
    for junk in (b"\xff\xfe not text", b"username,email\nab\x00c,d\n"):
        refused = client.post("/api/v1/users/import", {"file": SimpleUploadedFile("u.csv", junk)})
        assert refused.status_code == 400 and refused.json()["field"] == "file"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            "/api/v1/users/import", {"file": SimpleUploadedFile("u.csv", CSV_GOOD.encode())}
        )
    assert done.status_code == 200 and done.json()["created"] == 2
    assert len(mail.outbox) == 2


def test_lapsed_invitation_waits_in_the_managers_inbox(
    officer_bandung: User,
    officer_bogor: User,
    admin_user: User,
    client_for: Callable[..., Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from sinergi.accounts.inbox import invitations

    fac = services.user_create(
        actor=officer_bandung,
        username="lupa.undangan",
        password=None,
        role=Role.FACILITATOR,
        area_code="32.73",
        email="l@example.org",
        invite_site=SITE,
    )
    assert list(invitations(officer_bandung)) == []  # not expired yet
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=8)
    with time_machine.travel(later):
        items = list(invitations(officer_bandung))
        assert [i.url for i in items] == [f"/akun/pengguna/{fac.pk}/"]
        assert items[0].area == "32.73"
        assert client_for(officer_bandung).get(items[0].url).status_code == 200
        assert [i.url for i in invitations(admin_user)] == [items[0].url]
        # Another regency's officer does not manage this user.
        assert list(invitations(officer_bogor)) == []
        # Sent again: the item is gone.
        with django_capture_on_commit_callbacks(execute=True):
            services.invitation_send(actor=officer_bandung, user_id=fac.pk, site=SITE)
        assert list(invitations(officer_bandung)) == []


def test_user_steps_through_the_api(
    officer_jabar: User,
    make_user: Callable[..., User],
    client_for: Callable[..., Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    fac = make_user(Role.FACILITATOR, "32.01", email="fac@example.org")
    client = client_for(officer_jabar)
    with django_capture_on_commit_callbacks(execute=True):
        invited = client.post(f"/api/v1/users/{fac.pk}/invite")
    assert invited.status_code == 200 and len(mail.outbox) == 1
    required = client.post(
        f"/api/v1/users/{fac.pk}/require-password-change", {"reason": "bocor"}, "application/json"
    )
    assert required.status_code == 200
    fac.refresh_from_db()
    assert fac.must_change_password
    assert client.post(f"/api/v1/users/{fac.pk}/remove-second-factor").status_code == 200
    # Created without a password: invited by e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            "/api/v1/users/",
            {
                "username": "baru.api",
                "role": "facilitator",
                "area_code": "32.01",
                "email": "n@e.org",
            },
            "application/json",
        )
    assert created.status_code == 201 and mail.outbox[-1].to == ["n@e.org"]
    # Without an e-mail there is nobody to invite: refused, nothing created.
    lost = client.post(
        "/api/v1/users/",
        {"username": "tanpa.surel", "role": "facilitator", "area_code": "32.01"},
        "application/json",
    )
    assert lost.status_code == 400 and lost.json()["field"] == "email"
    assert not User.objects.filter(username="tanpa.surel").exists()


def test_user_page_shows_the_history_in_words(
    officer_jabar: User, make_user: Callable[..., User], client_for: Callable[..., Client]
) -> None:
    fac = make_user(Role.FACILITATOR, "32.73", username="rina.kota")
    services.user_change(actor=officer_jabar, user_id=fac.pk, area_code="32.01")
    services.user_set_active(actor=officer_jabar, user_id=fac.pk, active=False, reason="pindah")
    page = client_for(officer_jabar).get(f"/akun/pengguna/{fac.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "KOTA BANDUNG" in html.upper() and "BOGOR" in html.upper()  # areas by name
    assert "Pengguna dinonaktifkan" in html and "pindah" in html
    assert "Aktifkan kembali" in html  # the step a deactivated user offers
    assert "facilitator" not in html.replace('value="facilitator"', "")  # no raw codes


# --- Accounts bound to a group or a mentor profile -------------------------------------------


def test_officer_creates_a_kube_officer_bound_to_a_group_of_their_area(
    officer_bandung: User,
    officer_bogor: User,
    client_for: Callable[..., Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from tests.factories import KubeFactory

    kube: Any = KubeFactory()  # Kota Bandung
    # Without the group, or with a group outside the area: refused, nothing made.
    with pytest.raises(InvalidInput, match="Choose the KUBE"):
        services.user_create(
            actor=officer_bandung, username="ketua.mawar", password=None,
            role=Role.KUBE_OFFICER, area_code="32.73", email="k@example.org",
        )  # fmt: skip
    with pytest.raises(InvalidInput, match="no KUBE"):
        services.user_create(
            actor=officer_bogor, username="ketua.mawar", password=None,
            role=Role.KUBE_OFFICER, area_code="32.01", email="k@example.org", kube_id=kube.pk,
        )  # fmt: skip
    with pytest.raises(InvalidInput, match="Only a KUBE officer or a mentor"):
        services.user_create(
            actor=officer_bandung, username="ketua.mawar", password=None,
            role=Role.FACILITATOR, area_code="32.73", email="k@example.org", kube_id=kube.pk,
        )  # fmt: skip
    assert not User.objects.filter(username="ketua.mawar").exists()
    # From the page: the group is picked, the area follows it, an invitation leaves.
    page = client_for(officer_bandung)
    with django_capture_on_commit_callbacks(execute=True):
        answer = page.post(
            "/akun/pengguna/baru/",
            {"username": "ketua.mawar", "email": "k@example.org", "role": Role.KUBE_OFFICER,
             "kube": str(kube.pk)},
        )  # fmt: skip
    assert answer.status_code == 302, answer.content.decode()[:2000]
    made = User.objects.get(username="ketua.mawar")
    assert (made.kube_id, made.area_code, made.role) == (kube.pk, "32.73", Role.KUBE_OFFICER)
    assert [m.to for m in mail.outbox] == [["k@example.org"]]
    assert kube.name in page.get(f"/akun/pengguna/{made.pk}/").content.decode()
    # It sees its own group only.
    from sinergi.kube.models import Kube

    KubeFactory()  # another group of the same regency
    assert list(Kube.objects.for_user(made)) == [kube]
    # Bound for life: not turned into another role, nor moved (the page left Indonesian on).
    with translation.override("en"), pytest.raises(Forbidden, match="deactivate this account"):
        services.user_change(actor=officer_bandung, user_id=made.pk, role=Role.FACILITATOR)
    with translation.override("en"), pytest.raises(Forbidden, match="group or mentor"):
        services.user_change(actor=officer_bandung, user_id=made.pk, area_code="32")


def test_coordinator_creates_mentor_accounts_and_sees_only_those(
    make_user: Callable[..., User],
    officer_bandung: User,
    facilitator_bandung: User,
    client_for: Callable[..., Client],
) -> None:
    from tests.factories import MentorFactory

    coordinator = make_user(Role.PARTNER_COORDINATOR, "32")
    mentor: Any = MentorFactory(name="Rina Mentor")
    api = client_for(coordinator)
    made = api.post(
        "/api/v1/users/",
        {"username": "rina.mentor", "email": "rina@example.org", "role": Role.MENTOR,
         "mentor_id": mentor.pk},
        content_type="application/json",
    )  # fmt: skip
    assert made.status_code == 201, made.content
    user = User.objects.get(username="rina.mentor")
    assert (user.mentor_id, user.area_code, user.role) == (mentor.pk, "32.73", Role.MENTOR)
    # One account a mentor: a second is refused with the holder's name.
    again = api.post(
        "/api/v1/users/",
        {"username": "rina.lagi", "email": "r2@example.org", "role": Role.MENTOR,
         "mentor_id": mentor.pk},
        content_type="application/json",
    )  # fmt: skip
    assert again.status_code == 409 and "rina.mentor" in again.json()["detail"]
    # Nothing else is hers to give, and the offices' people are not hers to see.
    other = api.post(
        "/api/v1/users/",
        {"username": "calon.fasil", "email": "f@example.org", "role": Role.FACILITATOR,
         "area_code": "32.73"},
        content_type="application/json",
    )  # fmt: skip
    assert other.status_code == 403
    listed = {u["username"] for u in api.get("/api/v1/users/").json()["items"]}
    assert listed == {"rina.mentor"}
    assert api.get(f"/api/v1/users/{facilitator_bandung.pk}").status_code == 404
    # The social office may make mentor accounts too.
    second: Any = MentorFactory(name="Sari Mentor")
    services.user_create(
        actor=officer_bandung, username="sari.mentor", password=None, role=Role.MENTOR,
        email="sari@example.org", mentor_id=second.pk,
    )  # fmt: skip
    assert User.objects.get(username="sari.mentor").mentor_id == second.pk


def test_csv_import_binds_kube_officers_and_mentors_to_their_records(
    officer_bandung: User, officer_bogor: User, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.factories import KubeFactory, MentorFactory

    kube: Any = KubeFactory()  # Kota Bandung
    mentor: Any = MentorFactory(name="Rina Mentor")
    far: Any = KubeFactory(village_code="32.01.01.1001")  # Kabupaten Bogor
    bad = (
        "username,email,role,area_code,kube_id,mentor_id\n"
        f"ketua.a,a@example.org,kube_officer,,,\n"
        f"ketua.b,b@example.org,kube_officer,32.73,{far.pk},\n"
        f"ketua.c,c@example.org,kube_officer,32.73,dua,\n"
        f"rina.satu,r1@example.org,mentor,,,{mentor.pk}\n"
        f"rina.dua,r2@example.org,mentor,,,{mentor.pk}\n"
        f"fasil.x,f@example.org,facilitator,32.73,{kube.pk},\n"
    )
    with translation.override("en"):
        report = services.users_import(actor=officer_bandung, data=bad.encode(), site=SITE)
    assert not report.ok and report.created == 0
    by_line = {row.line: " | ".join(row.errors) for row in report.rows}
    assert "kube_id" in by_line[2] and "/kube/<number>/" in by_line[2]
    assert "kube_id" in by_line[3] and f"no KUBE {far.pk}" in by_line[3]
    assert "kube_id" in by_line[4] and "“dua” is not a record number" in by_line[4]
    assert by_line[5] == ""
    assert "mentor_id" in by_line[6] and "line 5" in by_line[6]
    assert "Only a KUBE officer or a mentor" in by_line[7]
    assert not User.objects.filter(email__endswith="@example.org").exists()

    good = (
        "username;email;role;area_code;kube_id;mentor_id\n"
        f"ketua.mawar;k@example.org;Pengurus KUBE;;{kube.pk};\n"
        f"rina.mentor;r@example.org;mentor;32.73.01;;#{mentor.pk}\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        done = services.users_import(actor=officer_bandung, data=good.encode(), site=SITE)
    assert done.ok and done.created == 2, [r.errors for r in done.rows]
    made = {u.username: u for u in User.objects.filter(username__in=["ketua.mawar", "rina.mentor"])}
    # The area follows the record, whatever the row said.
    assert (made["ketua.mawar"].kube_id, made["ketua.mawar"].area_code) == (kube.pk, "32.73")
    assert (made["rina.mentor"].mentor_id, made["rina.mentor"].area_code) == (mentor.pk, "32.73")
    assert sorted(m.to[0] for m in mail.outbox) == ["k@example.org", "r@example.org"]
    # Bogor's officer cannot bind an account to Bandung's group by its number.
    stolen = (
        f"username,email,role,area_code,kube_id\nketua.lain,l@example.org,kube_officer,,{kube.pk}\n"
    )
    with translation.override("en"):
        refused = services.users_import(actor=officer_bogor, data=stolen.encode(), site=SITE)
    assert refused.created == 0 and f"no KUBE {kube.pk}" in refused.rows[0].errors[0]
