"""Signing in and out, lockout, password change, API tokens, role/area rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from sinergi.accounts.models import ApiToken, User
from sinergi.accounts.roles import Role
from sinergi.accounts.services import api_token_create, roles_sync, user_create
from sinergi.core.errors import InvalidInput
from sinergi.wilayah.models import Region
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str) -> object:
    return client.post("/akun/masuk/", {"username": username, "password": password})


def test_sign_in_and_out(officer_bandung: User) -> None:
    client = Client()
    response = _login(client, officer_bandung.username, PASSWORD)
    # Everyone lands on what waits for them (core.inbox).
    assert response.status_code == 302 and response["Location"] == "/tugas/"  # type: ignore[index,attr-defined]
    dashboard = client.get("/").content.decode()
    assert "Selamat datang" in dashboard and "Kota Bandung" in dashboard
    client.post("/akun/keluar/")
    assert client.get("/").status_code == 302


def test_wrong_password_gets_a_clear_message(officer_bandung: User) -> None:
    response = _login(Client(), officer_bandung.username, "salah")
    body = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "nama pengguna dan sandi" in body.lower() or "kata sandi" in body.lower()
    assert "Traceback" not in body


def test_lockout_after_repeated_failures(officer_bandung: User) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, officer_bandung.username, "salah")
    locked = _login(client, officer_bandung.username, PASSWORD)
    assert locked.status_code == 429  # type: ignore[attr-defined]
    assert "Terlalu banyak percobaan" in locked.content.decode()  # type: ignore[attr-defined]
    # The API token endpoint obeys the same lock.
    api = client.post(
        "/api/v1/auth/token",
        {"username": officer_bandung.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert api.status_code == 429 and api.json()["code"] == "locked_out"
    assert not ApiToken.objects.exists()


def test_password_change(client_for: Callable[..., Client], officer_bandung: User) -> None:
    client = client_for(officer_bandung)
    bad = client.post(
        "/akun/sandi/",
        {"old_password": "salah", "new_password1": "x", "new_password2": "y"},
    )
    assert bad.status_code == 200 and "aria-invalid" in bad.content.decode()
    good = client.post(
        "/akun/sandi/",
        {
            "old_password": PASSWORD,
            "new_password1": "Kopi-Susu-Gula-Aren-77",
            "new_password2": "Kopi-Susu-Gula-Aren-77",
        },
    )
    assert good.status_code == 302
    officer_bandung.refresh_from_db()
    assert officer_bandung.check_password("Kopi-Susu-Gula-Aren-77")


def test_token_from_login_then_bearer_use_then_revoke(officer_bandung: User) -> None:
    client = Client()
    response = client.post(
        "/api/v1/auth/token",
        {"username": officer_bandung.username, "password": PASSWORD, "name": "laptop"},
        content_type="application/json",
    )
    assert response.status_code == 201
    raw = response.json()["token"]
    assert not ApiToken.objects.filter(key_hash=raw).exists()  # only the hash is stored
    me = client.get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert me["username"] == officer_bandung.username and me["area_code"] == "32.73"
    assert "accounts.view_user" in me["permissions"]
    token = ApiToken.objects.get(user=officer_bandung)
    session = Client()
    session.force_login(officer_bandung)
    session.post(f"/akun/profil/token/{token.pk}/cabut/")
    again = client.get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert again.status_code == 401


def test_wrong_credentials_on_the_api(officer_bandung: User) -> None:
    response = Client().post(
        "/api/v1/auth/token",
        {"username": officer_bandung.username, "password": "salah"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "The username or password is not correct."


def test_expired_and_foreign_tokens_do_not_work(officer_bandung: User, officer_bogor: User) -> None:
    token, raw = api_token_create(actor=officer_bandung, name="t")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    other = Client()
    other.force_login(officer_bogor)
    other.post(f"/akun/profil/token/{token.pk}/cabut/")
    token.refresh_from_db()
    assert token.revoked_at is None


def test_profile_shows_a_new_token_once(
    client_for: Callable[..., Client], officer_bandung: User
) -> None:
    client = client_for(officer_bandung)
    client.post("/akun/profil/token/", {"name": "kantor"})
    first = client.get("/akun/profil/").content.decode()
    assert 'id="new-token">sng_' in first
    assert 'id="new-token"' not in client.get("/akun/profil/").content.decode()


@pytest.mark.parametrize(
    ("role", "area", "ok"),
    [
        (Role.NATIONAL_ADMIN, None, True),
        (Role.NATIONAL_ADMIN, "32", False),
        (Role.SOCIAL_OFFICER, None, False),
        (Role.SOCIAL_OFFICER, "32", True),
        (Role.SOCIAL_OFFICER, "32.73", True),
        (Role.SOCIAL_OFFICER, "32.73.01", False),
        (Role.KUBE_OFFICER, "32", False),
        (Role.KUBE_OFFICER, "32.73", True),
        (Role.AUDITOR, None, True),
    ],
)
def test_each_role_works_at_its_levels(role: str, area: str | None, ok: bool) -> None:
    user = User(username="x", role=role, area=Region.objects.get(code=area) if area else None)
    if ok:
        user.full_clean(exclude=["password"])
    else:
        with pytest.raises(ValidationError) as info:
            user.full_clean(exclude=["password"])
        assert "area" in info.value.message_dict


def test_user_create_refuses_an_unknown_area() -> None:
    with pytest.raises(InvalidInput):
        user_create(
            actor=None, username="x", password=PASSWORD, role=Role.MENTOR, area_code="99.99"
        )
    assert not User.objects.filter(username="x").exists()


def test_roles_are_data_and_admin_changes_survive_migrate(officer_bandung: User) -> None:
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.get(name=Role.SOCIAL_OFFICER)
    export = Permission.objects.get(codename="export_user")
    assert export in group.permissions.all()
    group.permissions.remove(export)
    roles_sync()  # what every migrate runs
    assert export not in group.permissions.all()
    fresh = User.objects.get(pk=officer_bandung.pk)
    assert not fresh.has_perm("accounts.export_user")
    roles_sync(reset=True)
    assert export in group.permissions.all()


def test_production_hasher_is_argon2() -> None:
    assert "Argon2PasswordHasher" in settings.PASSWORD_HASHERS[1]
    from django.contrib.auth.hashers import make_password

    assert make_password("x", hasher="argon2").startswith("argon2$")
