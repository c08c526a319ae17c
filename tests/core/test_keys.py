"""Personal-data keys: production refuses to start without them; a lost demo key is never
replaced under its old id, and rows under a missing key stop the start with a way to recover."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from sinergi.accounts.models import User
from sinergi.core import crypto
from sinergi.registry.services import household_create

GENERATE = "base64.b64encode(secrets.token_bytes(32))"


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SINERGI_", "DATABASE_"))}
    clean.update(
        SINERGI_ENV="production",
        SINERGI_DATA_DIR=str(tmp_path),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="sinergi.example",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "sinergi.cli", "manage", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_keys(tmp_path: Path) -> None:
    run = _manage(tmp_path, "check", "--deploy")
    assert run.returncode != 0
    for name in ("SINERGI_PII_KEYS", "SINERGI_PII_KEY_ID", "SINERGI_PII_HMAC_KEY", GENERATE):
        assert name in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "pii_keys.json").exists()  # no key file made up in production
    half = _manage(tmp_path, "check", "--deploy", SINERGI_PII_KEYS=f"k1:{_key()}")
    assert half.returncode != 0 and "SINERGI_PII_HMAC_KEY" in half.stderr
    short = _manage(
        tmp_path,
        "check",
        SINERGI_PII_KEYS="k1:c2hvcnQ=",
        SINERGI_PII_KEY_ID="k1",
        SINERGI_PII_HMAC_KEY=_key(),
    )
    assert short.returncode != 0 and "32 random bytes" in short.stderr


def test_production_starts_with_keys(tmp_path: Path) -> None:
    run = _manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SINERGI_PII_KEYS=f"k2026:{_key()},k2027:{_key()}",
        SINERGI_PII_KEY_ID="k2027",
        SINERGI_PII_HMAC_KEY=_key(),
    )
    assert run.returncode == 0, run.stderr
    assert "no issues" in run.stdout


@pytest.fixture
def fresh_keys(
    settings: Any, tmp_path: Path, monkeypatch: Any
) -> Iterator[Callable[[], crypto.KeyRing]]:
    """Demo keys in a temporary folder (a new key file now); ``load()`` reads the file again as
    a new start of the server would."""

    def load() -> crypto.KeyRing:
        crypto.keyring.cache_clear()
        crypto._cipher.cache_clear()
        return crypto.keyring()

    for name in ("SINERGI_PII_KEYS", "SINERGI_PII_KEY_ID", "SINERGI_PII_HMAC_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings.DATA_DIR = tmp_path
    load()
    yield load
    crypto.keyring.cache_clear()
    crypto._cipher.cache_clear()


def test_a_lost_demo_key_file_gets_a_new_key_id(
    db: Any, settings: Any, fresh_keys: Callable[[], crypto.KeyRing]
) -> None:
    first = fresh_keys()
    token = crypto.encrypt("3273011203700001", field="nik")
    assert token.startswith(first.active + ":")
    assert fresh_keys() == first  # the same file, the same keys
    (settings.DATA_DIR / "pii_keys.json").unlink()
    second = fresh_keys()
    assert second.active != first.active
    assert first.active not in second.keys
    with pytest.raises(crypto.MissingKey) as refused:
        crypto.decrypt(token, field="nik")
    assert first.active in refused.value.message


def test_rows_under_a_missing_key_stop_the_start_and_the_reveal_says_why(
    settings: Any,
    officer_bandung: User,
    fresh_keys: Callable[[], crypto.KeyRing],
    client_for: Callable[..., Client],
) -> None:
    household_bandung = household_create(
        actor=officer_bandung,
        kk="3273010101200001",
        village_code="3273011001",
        desil=2,
        desil_date=date(2026, 3, 31),
    )
    old = crypto.key_id_of(household_bandung.kk_cipher)
    assert crypto.missing_key_ids() == []
    (settings.DATA_DIR / "pii_keys.json").unlink()
    fresh_keys()  # the key file is gone: a new one is generated under a new id
    assert crypto.missing_key_ids() == [old]
    with pytest.raises(SystemCheckError) as stopped:
        call_command("check")
    assert old in str(stopped.value) and "sinergi.E001" in str(stopped.value)

    client = client_for(officer_bandung)
    client.cookies["sinergi_language"] = "en"
    page = client.post(
        f"/registri/ungkap/kk/{household_bandung.pk}/", {"reason": "verifikasi data"}
    )
    text = page.content.decode()
    assert page.status_code == 503 and old in text and "Restore the key" in text
    api = client.post(
        "/api/v1/registry/reveal",
        {"kind": "kk", "id": household_bandung.pk, "reason": "verifikasi data"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert api.status_code == 503 and api.json()["code"] == "missing_key"
    assert old in api.json()["detail"]
