"""Key rotation: every stored value re-encrypted under the new key, in batches; a run killed
halfway continues where it stopped; every value stays readable throughout; look-ups by keyed
hash keep working; the old key is reported removable only when nothing uses it."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable, Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from sinergi.core import crypto
from sinergi.core.models import AuditEvent, Job, JobStatus
from sinergi.registry import key_rotation, selectors
from sinergi.registry.models import Household, Person
from tests.factories import PersonFactory

HMAC = base64.b64encode(secrets.token_bytes(32)).decode()
OLD = base64.b64encode(secrets.token_bytes(32)).decode()
NEW = base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def ring(monkeypatch: Any) -> Iterator[Callable[..., crypto.KeyRing]]:
    """Keys from the environment, as production has them; ``ring("old")`` or
    ``ring("old", "new", active="new")`` restarts the server with that ring."""

    def load(*ids: str, active: str | None = None) -> crypto.KeyRing:
        keys = {"old": OLD, "new": NEW}
        monkeypatch.setenv("SINERGI_PII_KEYS", ",".join(f"{i}:{keys[i]}" for i in ids))
        monkeypatch.setenv("SINERGI_PII_KEY_ID", active or ids[-1])
        monkeypatch.setenv("SINERGI_PII_HMAC_KEY", HMAC)  # never rotated
        crypto.keyring.cache_clear()
        crypto._cipher.cache_clear()
        return crypto.keyring()

    load("old")
    yield load
    crypto.keyring.cache_clear()
    crypto._cipher.cache_clear()


def _plain() -> dict[str, str]:
    """Every stored number, decrypted (whatever key each is under)."""
    out = {}
    for pk, token in Person.objects.values_list("pk", "nik_cipher"):
        out[f"nik{pk}"] = crypto.decrypt(token, field="nik")
    for pk, token in Household.objects.values_list("pk", "kk_cipher"):
        out[f"kk{pk}"] = crypto.decrypt(token, field="kk")
    return out


def _kids() -> set[str]:
    tokens = list(Person.objects.values_list("nik_cipher", flat=True)) + list(
        Household.objects.values_list("kk_cipher", flat=True)
    )
    return {crypto.key_id_of(t) for t in tokens}


class Crash(Exception):
    pass


def test_rotation_interrupted_halfway_resumes_and_every_value_stays_readable(
    db: Any, ring: Callable[..., crypto.KeyRing], monkeypatch: Any
) -> None:
    people: list[Any] = [PersonFactory() for _ in range(7)]
    before = _plain()
    nik = before[f"nik{people[3].pk}"]
    assert _kids() == {"old"}

    ring("old", "new", active="new")  # the new key added and made active; the server restarted
    real = crypto.rotate_batch
    calls = {"n": 0}

    def crashing(*args: Any, **kwargs: Any) -> crypto.RotationBatch:
        calls["n"] += 1
        if calls["n"] == 3:  # the process is killed in its third batch
            raise Crash
        return real(*args, **kwargs)

    monkeypatch.setattr(crypto, "rotate_batch", crashing)
    with pytest.raises(Crash):
        key_rotation.rotate(batch_size=3)
    job = Job.objects.get(kind="registry.key_rotation")
    assert job.status == JobStatus.RUNNING
    assert job.result["columns"]["registry.Household.kk_cipher"] == {
        "after": max(p.household_id for p in people[:6]),
        "rotated": 6,
        "done": False,
    }
    assert _kids() == {"old", "new"}  # half way: both keys in use...
    assert _plain() == before  # ...and every value readable

    # The site keeps writing meanwhile: under the new key.
    late: Any = PersonFactory()
    assert crypto.key_id_of(late.nik_cipher) == "new"
    before = _plain()

    monkeypatch.setattr(crypto, "rotate_batch", real)
    done = key_rotation.rotate(batch_size=3)
    assert done.pk == job.pk and done.status == JobStatus.SUCCEEDED  # continued, not restarted
    assert done.result["columns"]["registry.Household.kk_cipher"]["rotated"] == 7
    assert done.result["columns"]["registry.Person.nik_cipher"]["rotated"] == 7
    assert sum(done.result["left"].values()) == 0
    assert _kids() == {"new"} and _plain() == before
    assert crypto.removable_keys() == ["old"]
    assert AuditEvent.objects.filter(event_type="registry.pii_key.rotation_finished").count() == 1

    # Look-ups by keyed hash still find the person (the HMAC key did not change).
    officer = _officer()
    assert list(selectors.person_list(actor=officer, q=nik)) == [people[3]]

    # The old key removed from the ring: nothing needs it.
    ring("new")
    assert crypto.missing_key_ids() == [] and _plain() == before


def _officer() -> Any:
    from tests.factories import UserFactory

    return UserFactory(role="social_officer", area_code="32.73")


def test_a_value_the_site_rewrites_during_a_batch_is_never_overwritten(
    db: Any, ring: Callable[..., crypto.KeyRing], monkeypatch: Any
) -> None:
    person: Any = PersonFactory()
    ring("old", "new", active="new")
    real = crypto.reencrypt_many
    written = crypto.encrypt("3273011506850099", field="nik")

    def meanwhile(tokens: list[str], *, field: str) -> list[str | None]:
        out = real(tokens, field=field)
        if field == "nik":  # an officer saves a new NIK between the read and the write
            Person.objects.filter(pk=person.pk).update(nik_cipher=written)
        return out

    monkeypatch.setattr(crypto, "reencrypt_many", meanwhile)
    key_rotation.rotate(batch_size=10)
    person.refresh_from_db()
    assert person.nik_cipher == written
    assert crypto.decrypt(person.nik_cipher, field="nik") == "3273011506850099"


def test_the_check_says_which_key_may_go(db: Any, ring: Callable[..., crypto.KeyRing]) -> None:
    PersonFactory()
    ring("old", "new", active="new")
    out = StringIO()
    call_command("rotate_pii_key", "--check", stdout=out)
    report = out.getvalue()
    assert "registry.Person.nik_cipher: old: 1" in report and "old" in report.split("\n")[-2]
    assert crypto.removable_keys() == []
    out = StringIO()
    call_command("rotate_pii_key", "--batch-size", "2", stdout=out)
    assert crypto.removable_keys() == ["old"]
    assert "registry.Person.nik_cipher: new: 1" in out.getvalue()
