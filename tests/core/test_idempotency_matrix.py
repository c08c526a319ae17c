"""Every write, sent twice with one idempotency key, is done once and answered alike.

The writes are the permission matrix's (tests/core/test_permission_matrix.py): every form POST
and every API POST/PUT/PATCH/DELETE of the OpenAPI document, with its sample body, on the
same world. Each is sent by the first role its WRITE spec lets through, twice with the same
key (the header for the API, the ``idempotency_key`` field for a form, as the offline app
sends them): the rows of every table (audit trail and key included) change on the first
request only, and the second answer is the first — status, body, redirect — marked as a
replay. A write answered with a file or a secret comes back as its status only.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from django.test import Client

from sinergi.core.models import AuditEvent, IdempotencyKey
from tests.core import test_permission_matrix as matrix
from tests.core.test_permission_matrix import (
    ROLES,
    WRITE,
    Endpoint,
    World,
    api_endpoints,
    expected_write,
    html_endpoints,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow(cpu=10)]  # the matrix's demo world
# The permission matrix's world (module-scoped fixture): built once for this module too.
world = matrix.world


def _rows() -> dict[str, int]:
    return {**matrix._counts(), "core.AuditEvent": AuditEvent.objects.count()}


@functools.cache
def _schemas() -> dict[str, Any]:
    """The OpenAPI document's schemas, made once: each making costs ~0.3 CPU s, and asked
    for each of ~300 sendings it was most of this module's time."""
    from sinergi.config.api import api

    return dict(api.get_openapi_schema()["components"]["schemas"])


def _send(client: Client, endpoint: Endpoint, key: str, world: World) -> Any:
    if endpoint.api_op is None:
        return client.post(endpoint.path, {"idempotency_key": key})
    client.defaults["HTTP_IDEMPOTENCY_KEY"] = key
    try:
        return matrix._send(client, endpoint, _schemas(), world.ids)
    finally:
        del client.defaults["HTTP_IDEMPOTENCY_KEY"]


def _allowed_role(endpoint: Endpoint, world: World) -> str | None:
    """The first signed-in role the endpoint's WRITE spec lets past its checks."""
    expected = expected_write(endpoint, world)
    return next((r for r in ROLES if r in world.users and expected[r] == "ok"), None)


def _difference(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before[k] for k in after if after[k] != before[k]}


def test_every_write_sent_twice_with_one_key_is_done_once(world: World) -> None:
    endpoints = [e for e in html_endpoints(world.ids) if e.writes] + [
        e for e in api_endpoints(world.ids) if e.method != "GET"
    ]
    problems: list[str] = []
    wrote = 0  # writes whose first sending changed rows beyond the key: the test is not idle
    tried = 0
    unkept = 0  # answers kept as their status only
    for n, endpoint in enumerate(endpoints):
        if endpoint.key not in WRITE:
            continue  # the permission matrix asks for its line
        role = _allowed_role(endpoint, world)
        if role is None:
            continue  # nobody signed in gets past its checks (sign-in steps, made-up links)
        client = world.clients[role]
        key = f"matrix-{n}"
        with matrix._undone(client):
            before = _rows()
            first = _send(client, endpoint, key, world)
            after_first = _rows()
            second = _send(client, endpoint, key, world)
            after_second = _rows()
            kept = list(IdempotencyKey.objects.filter(key=key).values_list("body_kept", flat=True))
        tried += 1
        where = f"{endpoint.key} as {role}"
        if first.status_code >= 500:
            problems.append(f"{where}: the first sending failed ({first.status_code})")
            continue
        if _difference(before, after_first).keys() - {"core.IdempotencyKey"}:
            wrote += 1
        if _difference(before, after_first).get("core.IdempotencyKey") != 1:
            problems.append(f"{where}: the key was not kept ({first.status_code})")
        if after_second != after_first:
            problems.append(
                f"{where}: the second sending changed {_difference(after_first, after_second)}"
            )
        if second.get("Idempotent-Replayed") != "true":
            problems.append(f"{where}: the second answer is not a replay ({second.status_code})")
        if second.status_code != first.status_code:
            problems.append(f"{where}: answered {first.status_code}, then {second.status_code}")
        if first.get("Location") != second.get("Location"):
            problems.append(f"{where}: went to {first.get('Location')}, then elsewhere")
        if kept == [True]:
            if (first.content, first["Content-Type"]) != (second.content, second["Content-Type"]):
                problems.append(f"{where}: the second answer's body differs from the first")
        else:
            # A file, a secret or a NIK: the replay says the answer was not kept.
            unkept += 1
            if endpoint.api_op is not None and "idempotent_replay_without_body" not in str(
                second.content
            ):
                problems.append(f"{where}: a body not kept is replayed without saying so")
    assert not problems, "\n".join(problems)
    assert tried > 150, tried
    assert wrote > 20, wrote
    assert unkept < tried // 10, unkept  # the exception, not the rule
