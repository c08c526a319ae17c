"""Field encryption (AES-GCM, key ids for rotation) and keyed hashes for exact lookups.

NIK and KK numbers are stored as ``<key id>:<base64(nonce + ciphertext)>``; the field name is
authenticated data, so a NIK ciphertext cannot be pasted into the KK column. Lookups and
uniqueness use an HMAC-SHA256 of the digits under a separate key, so equal numbers can be found
without decrypting anything. Keys come from the environment in production; demo and test
generate a local key file beside the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    active: str
    hmac_key: bytes


def _b64(raw: str) -> bytes:
    key = base64.b64decode(raw)
    if len(key) != 32:
        raise ImproperlyConfigured("PII keys must be 32 bytes, base64-encoded.")
    return key


def _from_environment() -> KeyRing | None:
    spec = os.environ.get("SINERGI_PII_KEYS")
    if not spec:
        return None
    keys = {}
    for item in spec.split(","):
        kid, _, raw = item.strip().partition(":")
        keys[kid] = _b64(raw)
    active = os.environ.get("SINERGI_PII_KEY_ID") or next(iter(keys))
    hmac_raw = os.environ.get("SINERGI_PII_HMAC_KEY")
    if active not in keys or not hmac_raw:
        raise ImproperlyConfigured(
            "Set SINERGI_PII_KEY_ID to one of SINERGI_PII_KEYS, and SINERGI_PII_HMAC_KEY."
        )
    return KeyRing(keys, active, _b64(hmac_raw))


def _local_file() -> KeyRing:
    path = settings.DATA_DIR / "pii_keys.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "keys": {"k1": base64.b64encode(secrets.token_bytes(32)).decode()},
            "active": "k1",
            "hmac": base64.b64encode(secrets.token_bytes(32)).decode(),
        }
        path.write_text(json.dumps(data))
        path.chmod(0o600)
    data = json.loads(path.read_text())
    return KeyRing(
        {kid: _b64(raw) for kid, raw in data["keys"].items()}, data["active"], _b64(data["hmac"])
    )


@cache
def keyring() -> KeyRing:
    ring = _from_environment()
    if ring is not None:
        return ring
    if settings.PRODUCTION:
        raise ImproperlyConfigured(
            "SINERGI_PII_KEYS, SINERGI_PII_KEY_ID and SINERGI_PII_HMAC_KEY must be set in "
            "production mode."
        )
    return _local_file()


@cache
def _cipher(kid: str) -> AESGCM:
    return AESGCM(keyring().keys[kid])


def encrypt(value: str, *, field: str) -> str:
    ring = keyring()
    nonce = secrets.token_bytes(12)
    sealed = _cipher(ring.active).encrypt(nonce, value.encode(), field.encode())
    return f"{ring.active}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str, *, field: str) -> str:
    kid, _, body = token.partition(":")
    raw = base64.b64decode(body)
    return _cipher(kid).decrypt(raw[:12], raw[12:], field.encode()).decode()


def lookup_hash(value: str, *, field: str) -> str:
    """Keyed hash for exact lookups; the field name keeps NIK and KK hashes apart.

    128 bits of HMAC-SHA256 (32 hex characters): collision-free in practice for any registry
    size, and half the index of the full digest, which is what bulk imports pay for.
    """
    digest = hmac.new(keyring().hmac_key, f"{field}:{value}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]
