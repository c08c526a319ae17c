"""Officers who may reveal NIK sign in with a TOTP second factor (RFC 6238) and one-time
recovery codes; API tokens follow the same rule."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pyotp
import pytest
import time_machine
from django.test import Client, override_settings

from sinergi.accounts import services
from sinergi.accounts.models import RecoveryCode, TotpDevice, User
from sinergi.core.models import AuditEvent
from tests.conftest import PASSWORD
from tests.core.test_key_rotation import ring  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_rule_on")]

NOW = datetime.datetime(2026, 5, 4, 8, 0, 10, tzinfo=datetime.UTC)


@pytest.fixture
def _rule_on() -> Any:
    with override_settings(SINERGI_REQUIRE_2FA=True):
        yield


def _secret(uri: str) -> str:
    found = re.search(r"secret=([A-Z2-7]+)", uri)
    assert found is not None
    return found.group(1)


def _enrolled(user: User) -> tuple[pyotp.TOTP, list[str]]:
    totp = pyotp.TOTP(_secret(services.totp_begin(user=user)))
    codes = services.totp_confirm(user=user, code=totp.now())
    return totp, codes


def _sign_in(client: Client, user: User) -> Any:
    return client.post("/akun/masuk/", {"username": user.username, "password": PASSWORD})


def test_who_is_asked(officer_bandung: User, facilitator_bandung: User, admin_user: User) -> None:
    # The social officer and the national admin may reveal NIK; the facilitator may not.
    assert services.second_factor_required(officer_bandung)
    assert services.second_factor_required(admin_user)
    assert not services.second_factor_required(facilitator_bandung)
    with override_settings(SINERGI_REQUIRE_2FA=False):
        assert not services.second_factor_asked(officer_bandung)


def test_first_sign_in_enrols_then_asks_for_the_code(officer_bandung: User) -> None:
    client = Client()
    signed = _sign_in(client, officer_bandung)
    assert signed.status_code == 302 and signed["Location"] == "/akun/masuk/pasang-kode/"
    # Half-way is not signed in.
    assert client.get("/akun/profil/").status_code == 302
    page = client.get("/akun/masuk/pasang-kode/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html  # the QR code, drawn on the server
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html)
    assert secret is not None
    totp = pyotp.TOTP(secret.group(1).replace(" ", ""))
    wrong = client.post("/akun/masuk/pasang-kode/", {"code": "000000"})
    assert wrong.status_code == 400
    confirmed = client.post("/akun/masuk/pasang-kode/", {"code": totp.now()})
    assert confirmed.status_code == 302 and confirmed["Location"] == "/akun/kode-cadangan/"
    shown = client.get("/akun/kode-cadangan/")
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", shown.content.decode())
    assert len(codes) == 10
    assert client.get("/akun/profil/").status_code == 200  # signed in now
    # Only hashes are kept, and the codes are not shown twice.
    assert not RecoveryCode.objects.filter(code_hash__in=codes).exists()
    assert client.get("/akun/kode-cadangan/").status_code == 302
    assert AuditEvent.objects.filter(event_type="accounts.2fa.enrolled").count() == 1


def test_sign_in_needs_the_code_and_a_code_works_once(officer_bandung: User) -> None:
    with time_machine.travel(NOW, tick=False):
        totp, _codes = _enrolled(officer_bandung)
    with time_machine.travel(NOW + datetime.timedelta(seconds=60), tick=False):
        client = Client()
        assert _sign_in(client, officer_bandung)["Location"] == "/akun/masuk/kode/"
        code = totp.now()
        assert client.post("/akun/masuk/kode/", {"code": "123456"}).status_code == 400
        done = client.post("/akun/masuk/kode/", {"code": code})
        assert done.status_code == 302
        assert client.get("/akun/profil/").status_code == 200
        # The same code again (a replay) is refused.
        other = Client()
        _sign_in(other, officer_bandung)
        assert other.post("/akun/masuk/kode/", {"code": code}).status_code == 400
        assert other.get("/akun/profil/").status_code == 302


def test_recovery_code_works_once(officer_bandung: User) -> None:
    _totp, codes = _enrolled(officer_bandung)
    first = Client()
    _sign_in(first, officer_bandung)
    assert first.post("/akun/masuk/kode/", {"code": codes[0].upper()}).status_code == 302
    assert first.get("/akun/profil/").status_code == 200
    again = Client()
    _sign_in(again, officer_bandung)
    assert again.post("/akun/masuk/kode/", {"code": codes[0]}).status_code == 400
    used = AuditEvent.objects.get(event_type="accounts.2fa.recovery_code_used")
    assert used.data == {"left": 9}


def test_too_many_wrong_codes_drop_the_sign_in(officer_bandung: User) -> None:
    _enrolled(officer_bandung)
    client = Client()
    _sign_in(client, officer_bandung)
    for _ in range(4):
        assert client.post("/akun/masuk/kode/", {"code": "999999"}).status_code == 400
    last = client.post("/akun/masuk/kode/", {"code": "999999"})
    assert last.status_code == 302 and last["Location"] == "/akun/masuk/"
    assert client.get("/akun/masuk/kode/")["Location"] == "/akun/masuk/"


def test_api_token_needs_the_code(officer_bandung: User, facilitator_bandung: User) -> None:
    def ask(user: User, **extra: str) -> Any:
        return Client().post(
            "/api/v1/auth/token",
            {"username": user.username, "password": PASSWORD, **extra},
            content_type="application/json",
        )

    # Not enrolled yet: told to set it up on the web first.
    assert ask(officer_bandung).json()["code"] == "otp_required"
    with time_machine.travel(NOW, tick=False):
        totp, _codes = _enrolled(officer_bandung)
    with time_machine.travel(NOW + datetime.timedelta(seconds=60), tick=False):
        missing = ask(officer_bandung)
        assert missing.status_code == 401 and missing.json()["code"] == "otp_required"
        assert ask(officer_bandung, otp="000000").status_code == 401
        assert ask(officer_bandung, otp=totp.now()).status_code == 201
    # A role that may not reveal NIK gets its token by password alone.
    assert ask(facilitator_bandung).status_code == 201


def test_profile_token_needs_a_session_opened_with_the_code(
    officer_bandung: User, client_for: Callable[..., Client]
) -> None:
    _enrolled(officer_bandung)
    # The rule is off, but the officer set a second factor up: a session that did not pass
    # it (here opened without signing in) makes no token.
    with override_settings(SINERGI_REQUIRE_2FA=False):
        client = client_for(officer_bandung)
        refused = client.post("/akun/profil/token/", {"name": "laptop"})
    assert refused.status_code == 403
    assert not officer_bandung.api_tokens.exists()


def test_a_session_opened_before_the_rule_is_ended(
    officer_bandung: User, facilitator_bandung: User, client_for: Callable[..., Client]
) -> None:
    client = client_for(officer_bandung)
    ended = client.get("/akun/profil/")
    assert ended.status_code == 302 and ended["Location"].startswith("/akun/masuk/")
    assert client.get("/akun/profil/").status_code == 302  # signed out for good
    # A role that owes no second factor keeps its session.
    assert client_for(facilitator_bandung).get("/akun/profil/").status_code == 200


def test_admin_login_goes_through_sinergi_sign_in(admin_user: User) -> None:
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/?next=")


def test_manager_removes_a_lost_authenticator(
    officer_jabar: User, officer_bandung: User, make_user: Callable[..., User]
) -> None:
    _enrolled(officer_bandung)
    services.second_factor_remove(actor=officer_jabar, user_id=officer_bandung.pk)
    assert not TotpDevice.objects.filter(user=officer_bandung).exists()
    assert not RecoveryCode.objects.filter(user=officer_bandung).exists()
    # Next sign-in sets up a new one.
    assert _sign_in(Client(), officer_bandung)["Location"] == "/akun/masuk/pasang-kode/"


def test_rule_off_signs_in_by_password(officer_bandung: User) -> None:
    with override_settings(SINERGI_REQUIRE_2FA=False):
        signed = _sign_in(Client(), officer_bandung)
    assert signed.status_code == 302 and "/akun/masuk/" not in signed["Location"]


def test_wrong_codes_block_the_account_for_a_while(officer_bandung: User) -> None:
    with time_machine.travel(NOW, tick=False):
        totp, _codes = _enrolled(officer_bandung)
    with time_machine.travel(NOW + datetime.timedelta(seconds=60), tick=False):
        for _ in range(services.MAX_WRONG_CODES):
            assert not services.second_factor_verify(user=officer_bandung, code="000000")
        # Even the right code is refused now, on the page and through the API.
        client = Client()
        _sign_in(client, officer_bandung)
        blocked = client.post("/akun/masuk/kode/", {"code": totp.now()})
        assert blocked.status_code == 429
        token = Client().post(
            "/api/v1/auth/token",
            {"username": officer_bandung.username, "password": PASSWORD, "otp": totp.now()},
            content_type="application/json",
        )
        assert token.status_code == 429 and token.json()["code"] == "otp_blocked"
    later = NOW + datetime.timedelta(minutes=services.BLOCKED_MINUTES + 2)
    with time_machine.travel(later, tick=False):
        assert services.second_factor_verify(user=officer_bandung, code=totp.now())


def test_key_rotation_reseals_the_authenticator_secret(
    officer_bandung: User,
    ring: Callable[..., Any],  # noqa: F811 (the key-ring fixture of the key-rotation tests)
) -> None:
    """``rotate_pii_key`` covers the TOTP secrets: after it the old key may go, and the
    authenticator still signs in."""
    from sinergi.core import crypto
    from sinergi.registry import key_rotation

    with time_machine.travel(NOW, tick=False):
        totp, _codes = _enrolled(officer_bandung)
    device = TotpDevice.objects.get(user=officer_bandung)
    assert crypto.key_id_of(device.secret_cipher) == "old"
    ring("old", "new", active="new")
    # Before the rotation the old key still seals a secret: it may not go.
    assert "old" not in crypto.removable_keys()
    assert crypto.key_usage()["accounts.TotpDevice.secret_cipher"] == {"old": 1}
    job = key_rotation.rotate(batch_size=2)
    assert job.result["columns"]["accounts.TotpDevice.secret_cipher"]["rotated"] == 1
    device.refresh_from_db()
    assert crypto.key_id_of(device.secret_cipher) == "new"
    assert crypto.removable_keys() == ["old"]
    ring("new")  # the old key dropped from the ring
    assert crypto.missing_key_ids() == []
    with time_machine.travel(NOW + datetime.timedelta(seconds=60), tick=False):
        client = Client()
        assert _sign_in(client, officer_bandung)["Location"] == "/akun/masuk/kode/"
        assert client.post("/akun/masuk/kode/", {"code": totp.now()}).status_code == 302
        assert client.get("/akun/profil/").status_code == 200
