"""Field encryption (AES-GCM, key ids for rotation) and keyed hashes for exact lookups.

NIK and KK numbers are stored as ``<key id>:<base64(nonce + ciphertext)>``; the field name is
authenticated data, so a NIK ciphertext cannot be pasted into the KK column. Lookups and
uniqueness use an HMAC-SHA256 of the digits under a separate key, so equal numbers can be found
without decrypting anything. Keys come from the environment in production; demo and test
generate a local key file beside the database, whose key ids are derived from the keys, so a
lost file is never silently replaced by a new key under the old id (``missing_key_ids`` and the
``sinergi.E001`` check then refuse to start and say how to recover).
"""

from __future__ import annotations

import base64
import binascii
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
from django.utils.translation import gettext as _

from sinergi.core.errors import DomainError


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    active: str
    hmac_key: bytes


GENERATE = (
    'python3 -c "import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())"'
)
PRODUCTION_KEYS_HELP = (
    "Production mode needs the personal-data keys: SINERGI_PII_KEYS=<id>:<key> (several "
    "comma-separated while rotating, e.g. k2026:<key>,k2027:<key>), SINERGI_PII_KEY_ID=<id> (the "
    "key new data is encrypted with) and SINERGI_PII_HMAC_KEY=<key> (for exact look-ups; never "
    f"change it). Generate each key (32 random bytes, base64) with: {GENERATE}. Keep them in the "
    "deployment's secret store and its backups: data encrypted under a lost key cannot be read."
)


class MissingKey(DomainError):
    """Data encrypted under a key this server does not hold (a lost or replaced key file, a key
    dropped from SINERGI_PII_KEYS). Nothing can be decrypted until the key is back."""

    status = 503
    code = "missing_key"


def missing_key_message(kid: str) -> str:
    return _(
        "Personal data is encrypted with key %(kid)s, which this server does not have. "
        "Restore the key (the file %(file)s from a backup, or SINERGI_PII_KEYS in production); "
        "on a demo without a backup, delete the demo database and run the demo again."
    ) % {"kid": kid, "file": settings.DATA_DIR / KEY_FILE}


def _b64(raw: str, name: str) -> bytes:
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise ImproperlyConfigured(
            f"{name} must be 32 random bytes, base64-encoded. Generate one with: {GENERATE}"
        )
    return key


def environment_keyring() -> KeyRing | None:
    """The keys from the environment, or None when none are set; half a setting is an error."""
    spec = os.environ.get("SINERGI_PII_KEYS", "").strip()
    active = os.environ.get("SINERGI_PII_KEY_ID", "").strip()
    hmac_raw = os.environ.get("SINERGI_PII_HMAC_KEY", "").strip()
    if not (spec or active or hmac_raw):
        return None
    keys = {}
    for item in spec.split(","):
        kid, _sep, raw = item.strip().partition(":")
        if not kid or not raw:
            raise ImproperlyConfigured(PRODUCTION_KEYS_HELP)
        keys[kid] = _b64(raw, f"The key {kid} in SINERGI_PII_KEYS")
    if active not in keys or not hmac_raw:
        raise ImproperlyConfigured(
            "Set SINERGI_PII_KEY_ID to one of the ids in SINERGI_PII_KEYS, and "
            "SINERGI_PII_HMAC_KEY. " + PRODUCTION_KEYS_HELP
        )
    return KeyRing(keys, active, _b64(hmac_raw, "SINERGI_PII_HMAC_KEY"))


def require_production_keys() -> None:
    """Refuse to start in production without the keys (read by the settings module), rather
    than start, pass ``check --deploy`` and fail at the first number someone reveals."""
    if environment_keyring() is None:
        raise ImproperlyConfigured(PRODUCTION_KEYS_HELP)


KEY_FILE = "pii_keys.json"


def key_id(key: bytes) -> str:
    """A key's id, derived from the key itself: a regenerated key never takes an old key's id,
    so rows under a lost key are recognised as such instead of failing as "corrupt"."""
    return "k" + hashlib.sha256(b"sinergi key id:" + key).hexdigest()[:10]


def _local_file() -> KeyRing:
    path = settings.DATA_DIR / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        kid = key_id(key)
        data = {
            "keys": {kid: base64.b64encode(key).decode()},
            "active": kid,
            "hmac": base64.b64encode(secrets.token_bytes(32)).decode(),
        }
        path.write_text(json.dumps(data))
        path.chmod(0o600)
    data = json.loads(path.read_text())
    return KeyRing(
        {kid: _b64(raw, str(path)) for kid, raw in data["keys"].items()},
        data["active"],
        _b64(data["hmac"], str(path)),
    )


@cache
def keyring() -> KeyRing:
    ring = environment_keyring()
    if ring is not None:
        return ring
    if settings.PRODUCTION:
        raise ImproperlyConfigured(PRODUCTION_KEYS_HELP)
    return _local_file()


@cache
def _cipher(kid: str) -> AESGCM:
    key = keyring().keys.get(kid)
    if key is None:
        raise MissingKey(missing_key_message(kid))
    return AESGCM(key)


def encrypt(value: str, *, field: str) -> str:
    ring = keyring()
    nonce = secrets.token_bytes(12)
    sealed = _cipher(ring.active).encrypt(nonce, value.encode(), field.encode())
    return f"{ring.active}:{base64.b64encode(nonce + sealed).decode()}"


def encrypt_many(values: list[str], *, field: str) -> list[str]:
    """``encrypt`` of every value (bulk imports): the random nonces in one draw from the
    operating system instead of one system call a value; each value still has its own."""
    ring = keyring()
    seal = _cipher(ring.active).encrypt
    aad, prefix = field.encode(), ring.active + ":"
    nonces = secrets.token_bytes(12 * len(values))
    out = []
    for at, value in enumerate(values):
        nonce = nonces[12 * at : 12 * at + 12]
        out.append(
            prefix
            + binascii.b2a_base64(nonce + seal(nonce, value.encode(), aad), newline=False).decode()
        )
    return out


def decrypt(token: str, *, field: str) -> str:
    kid, _sep, body = token.partition(":")
    raw = base64.b64decode(body)
    return _cipher(kid).decrypt(raw[:12], raw[12:], field.encode()).decode()


def key_id_of(token: str) -> str:
    return token.partition(":")[0]


# Every column holding ciphertext from encrypt(): (app label, model, field).
ENCRYPTED_COLUMNS = (
    ("registry", "Household", "kk_cipher"),
    ("registry", "Person", "nik_cipher"),
    ("monitoring", "MemberIncome", "income_cipher"),
    ("monitoring", "MemberIncome", "per_capita_cipher"),
    # Authenticator secrets (accounts.TotpDevice): rotated with the rest, or an old key could
    # never be dropped without signing everyone with a second factor out.
    ("accounts", "TotpDevice", "secret_cipher"),
)


def missing_key_ids() -> list[str]:
    """Key ids used by stored rows that the key ring lacks.

    Reads the oldest and the newest row of each encrypted column (two index look-ups, so it
    can run at every start): a lost or replaced key file, or a key dropped from
    SINERGI_PII_KEYS while old rows still use it, shows in the oldest rows. A key missing only
    in between is still named, clearly, by decrypt() when such a row is read.
    """
    from django.apps import apps
    from django.db import DatabaseError

    known = set(keyring().keys)
    missing: set[str] = set()
    for app_label, model_name, field in ENCRYPTED_COLUMNS:
        model = apps.get_model(app_label, model_name)
        try:
            for order in ("pk", "-pk"):
                token = model._default_manager.order_by(order).values_list(field, flat=True).first()
                if token and key_id_of(token) not in known:
                    missing.add(key_id_of(token))
        except DatabaseError:  # tables not created yet (before the first migrate)
            continue
    return sorted(missing)


def lookup_hash(value: str, *, field: str) -> str:
    """Keyed hash for exact lookups; the field name keeps NIK and KK hashes apart.

    128 bits of HMAC-SHA256 (32 hex characters): collision-free in practice for any registry
    size, and half the index of the full digest, which is what bulk imports pay for.
    """
    return hmac.digest(keyring().hmac_key, f"{field}:{value}".encode(), "sha256")[:16].hex()


def lookup_hashes(values: list[str], *, field: str) -> list[str]:
    """``lookup_hash`` of every value (bulk imports).

    HMAC (RFC 2104) from SHA-256 states that have taken the padded key already: copying two
    states costs a third of setting up ``hmac.digest`` for each of a million values.
    """
    inner, outer = _hmac_states(keyring().hmac_key)
    out = []
    for value in values:
        state = inner.copy()
        state.update(f"{field}:{value}".encode())
        final = outer.copy()
        final.update(state.digest())
        out.append(final.digest()[:16].hex())
    return out


@cache
def _hmac_states(key: bytes) -> tuple[hashlib._Hash, hashlib._Hash]:
    block = 64  # SHA-256's block size
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    return (
        hashlib.sha256(bytes(b ^ 0x36 for b in key)),
        hashlib.sha256(bytes(b ^ 0x5C for b in key)),
    )


# --- Key rotation ------------------------------------------------------------------------------
# Rotating the encryption key: add the new key beside the old one and make it the active one
# (SINERGI_PII_KEYS=old:<key>,new:<key> and SINERGI_PII_KEY_ID=new in production; ``sinergi
# manage rotate_pii_key --new-key`` for the local key file), restart, then run ``sinergi manage
# rotate_pii_key``: it re-encrypts every stored value under the active key in batches, each
# batch one transaction with its progress, so an interrupted run continues where it stopped.
# Reads accept every key of the ring meanwhile and new writes use the active key, so the site
# keeps running. ``key_usage`` says when no value is left under an old key: then it can go.
#
# The HMAC key (SINERGI_PII_HMAC_KEY) is not rotated: it is not an encryption key but the key of
# the exact look-ups and the uniqueness of NIK and KK (nik_hash, kk_hash, nik_prefix_key);
# changing it would need every hash re-computed from the decrypted numbers while both keys
# answer look-ups. Keep it secret and out of the database's backups (docs/security.md).

# The associated data (``field=`` of ``encrypt``) of each column in ``ENCRYPTED_COLUMNS``.
COLUMN_FIELDS = {
    ("registry", "Household", "kk_cipher"): "kk",
    ("registry", "Person", "nik_cipher"): "nik",
    ("monitoring", "MemberIncome", "income_cipher"): "income",
    ("monitoring", "MemberIncome", "per_capita_cipher"): "income",
    ("accounts", "TotpDevice", "secret_cipher"): "accounts.totp",
}


def column_label(column: tuple[str, str, str]) -> str:
    return ".".join(column)


def reencrypt_many(tokens: list[str], *, field: str) -> list[str | None]:
    """Each token under the active key (None where it already is): decrypted with its own key
    id, sealed again with a fresh nonce."""
    active = keyring().active
    stale = [t for t in tokens if key_id_of(t) != active]
    fresh = iter(encrypt_many([decrypt(t, field=field) for t in stale], field=field))
    return [None if key_id_of(t) == active else next(fresh) for t in tokens]


@dataclass
class RotationBatch:
    column: tuple[str, str, str]
    scanned: int  # rows read in this batch
    rotated: int  # rows re-encrypted
    last_pk: int  # the batch's last primary key: the next batch starts after it
    done: bool  # no row after this batch


def rotate_batch(column: tuple[str, str, str], *, after: int, size: int) -> RotationBatch:
    """Re-encrypt the next ``size`` rows of ``column`` after primary key ``after``.

    One UPDATE a row, guarded by the old value: a value written meanwhile by the site (already
    under the active key) is never overwritten with a stale one. The row's other columns, its
    ``updated_at`` and its history are untouched: the data did not change, only its sealing.
    Run it inside a transaction together with the saved progress.
    """
    from django.apps import apps
    from django.db import connection

    app_label, model_name, field = column
    model = apps.get_model(app_label, model_name)
    rows = list(
        model._default_manager.filter(pk__gt=after).order_by("pk").values_list("pk", field)[:size]
    )
    if not rows:
        return RotationBatch(column, 0, 0, after, True)
    new = reencrypt_many([token for _pk, token in rows], field=COLUMN_FIELDS[column])
    changes = [(n, pk, old) for (pk, old), n in zip(rows, new, strict=True) if n is not None]
    if changes:
        qn = connection.ops.quote_name
        meta = model._meta
        column_name = qn(meta.get_field(field).column)
        # Table and column names come from the model (quoted), the values are parameters.
        sql = (
            f"UPDATE {qn(meta.db_table)} SET {column_name} = %s "  # noqa: S608
            f"WHERE {qn(meta.pk.column)} = %s AND {column_name} = %s"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, changes)
    return RotationBatch(column, len(rows), len(changes), int(rows[-1][0]), len(rows) < size)


def key_usage() -> dict[str, dict[str, int]]:
    """For each encrypted column, how many values are sealed under each key id (a key id not
    in the ring shows too). A key other than the active one may be removed when no column
    counts a value under it (and no sealed upload uses it: ``sealed_key_usage``)."""
    from django.apps import apps

    ring = keyring()
    usage: dict[str, dict[str, int]] = {}
    for column in ENCRYPTED_COLUMNS:
        app_label, model_name, field = column
        manager = apps.get_model(app_label, model_name)._default_manager
        total = manager.count()
        counts: dict[str, int] = {}
        for kid in ring.keys:
            n = manager.filter(**{f"{field}__startswith": f"{kid}:"}).count()
            if n:
                counts[kid] = n
        unknown = total - sum(counts.values())
        if unknown:
            counts["?"] = unknown
        usage[column_label(column)] = counts
    return usage


def sealed_key_usage(folder: str = "imports") -> dict[str, int]:
    """How many sealed files (uploads kept for an import, ``core.sealed``) use each key id;
    they are deleted when their import is saved or cancelled, or after a day."""
    from django.core.files.storage import default_storage

    counts: dict[str, int] = {}
    try:
        _dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return counts
    for name in files:
        if not name.endswith(".sealed"):
            continue
        try:
            with default_storage.open(f"{folder}/{name}", "rb") as handle:
                head = handle.read(5 + 255)
        except OSError:
            continue
        if len(head) >= 5 and head[:4] == b"SGF1":
            kid = head[5 : 5 + head[4]].decode("ascii", "replace")
            counts[kid] = counts.get(kid, 0) + 1
    return counts


def removable_keys() -> list[str]:
    """Key ids of the ring that no stored value and no sealed file uses any more."""
    used: set[str] = set(sealed_key_usage())
    for counts in key_usage().values():
        used.update(counts)
    ring = keyring()
    return sorted(kid for kid in ring.keys if kid != ring.active and kid not in used)


def add_local_key() -> str:
    """A new key in the local key file (demo, development), made the active one; the old keys
    stay for reading. Production keys live in the environment: this refuses there."""
    if environment_keyring() is not None or settings.PRODUCTION:
        raise ImproperlyConfigured(
            "The keys come from the environment: add the new key to SINERGI_PII_KEYS, set "
            "SINERGI_PII_KEY_ID to its id and restart, then rotate. " + PRODUCTION_KEYS_HELP
        )
    ring = _local_file()  # creates the file if there is none yet
    path = settings.DATA_DIR / KEY_FILE
    key = secrets.token_bytes(32)
    kid = key_id(key)
    data = json.loads(path.read_text())
    data["keys"][kid] = base64.b64encode(key).decode()
    data["active"] = kid
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    tmp.chmod(0o600)
    tmp.replace(path)  # the old file stays whole until the new one is complete
    keyring.cache_clear()
    _cipher.cache_clear()
    assert ring.active in keyring().keys
    return kid
