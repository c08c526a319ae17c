"""A changed password ends the API tokens and the other sessions, on every path that changes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.test import Client

from sinergi.accounts.models import ApiToken, User
from sinergi.accounts.services import api_token_create
from sinergi.core.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "Kopi-Susu-Gula-Aren-77"


def works(raw: str) -> bool:
    response = Client().get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code in (200, 401)
    return response.status_code == 200


def signed_in(client: Client) -> bool:
    return client.get("/akun/profil/").status_code == 200


def test_profile_page_change_ends_tokens_and_other_sessions(officer_bandung: User) -> None:
    _token, raw = api_token_create(actor=officer_bandung, name="laptop")
    _other_token, other_raw = api_token_create(actor=officer_bandung, name="phone")
    here, elsewhere = Client(), Client()
    for client in (here, elsewhere):
        assert (
            client.post(
                "/akun/masuk/", {"username": officer_bandung.username, "password": PASSWORD}
            ).status_code
            == 302
        )
    assert works(raw) and works(other_raw) and signed_in(elsewhere)
    changed = here.post(
        "/akun/sandi/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert changed.status_code == 302
    assert not works(raw) and not works(other_raw)
    assert signed_in(here)  # the page that changed it keeps its session
    assert not signed_in(elsewhere)
    event = AuditEvent.objects.get(event_type="accounts.tokens.revoked")
    assert event.data == {"tokens": 2, "reason": "password_changed"}
    assert event.actor_id == officer_bandung.pk
    # A token made after the change works.
    assert works(api_token_create(actor=officer_bandung, name="new")[1])


def test_admin_change_and_disable(
    officer_bandung: User, admin_user: User, client_for: Callable[..., Client]
) -> None:
    admin = client_for(admin_user)
    url = f"/admin/accounts/user/{officer_bandung.pk}/password/"
    _token, raw = api_token_create(actor=officer_bandung, name="t")
    response = admin.post(url, {"usable_password": "true", "password1": NEW, "password2": NEW})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not works(raw)
    assert AuditEvent.objects.get(event_type="accounts.tokens.revoked").actor_id == admin_user.pk
    # "Disable password-based authentication" also ends the tokens.
    _token, raw = api_token_create(actor=officer_bandung, name="t2")
    disabled = admin.post(url, {"usable_password": "false", "unset-password": "1"})
    assert (
        disabled.status_code == 302
        and not User.objects.get(pk=officer_bandung.pk).has_usable_password()
    )
    assert not works(raw)


def test_changepassword_command(officer_bandung: User, monkeypatch: Any) -> None:
    _token, raw = api_token_create(actor=officer_bandung, name="t")
    # The command reads the new password twice from the terminal.
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW)
    call_command("changepassword", officer_bandung.username, stdout=None)
    officer_bandung.refresh_from_db()
    assert officer_bandung.check_password(NEW)
    assert not works(raw)


def test_set_password_in_code(officer_bandung: User) -> None:
    _token, raw = api_token_create(actor=officer_bandung, name="t")
    user = User.objects.get(pk=officer_bandung.pk)
    user.set_password(NEW)
    user.save(update_fields=["password"])
    assert not works(raw)
    assert ApiToken.objects.get(user=officer_bandung).revoked_at is not None


def test_other_saves_and_hash_upgrades_keep_tokens(officer_bandung: User) -> None:
    _token, raw = api_token_create(actor=officer_bandung, name="t")
    officer_bandung.first_name = "Asep Baru"
    officer_bandung.save()
    assert works(raw)
    # A hash from an older hasher is re-hashed at the next sign-in: same password, same tokens.
    User.objects.filter(pk=officer_bandung.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )
    signed = Client().post(
        "/akun/masuk/", {"username": officer_bandung.username, "password": PASSWORD}
    )
    assert signed.status_code == 302
    rehashed = User.objects.get(pk=officer_bandung.pk).password
    assert not rehashed.startswith("pbkdf2_sha256$")  # the upgrade did happen
    assert works(raw)
    assert not AuditEvent.objects.filter(event_type="accounts.tokens.revoked").exists()
