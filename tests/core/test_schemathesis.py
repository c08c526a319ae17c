"""schemathesis against the OpenAPI, bounded: every operation, a few examples, a fixed seed.

Each request goes through the real WSGI application as the national admin (the widest reads)
inside the test's transaction; a 5xx or a response that does not match the documented schema
fails the run. Kept under a few minutes: three generated examples per operation, no shrinking.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from sinergi.accounts.models import User
from sinergi.accounts.services import api_token_create
from tests.kube.test_services import _form, _heads

pytestmark = pytest.mark.django_db

EXAMPLES = 3


@pytest.fixture
def keep_the_test_connection() -> Any:
    """The requests run inside the test's transaction, on its connection. Django closes a
    connection older than CONN_MAX_AGE at the end of a request (on PostgreSQL, 60 s — this run
    is longer), which would close the test's own: as Django's test client does, keep it open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("keep_the_test_connection")
def test_every_operation_answers_within_its_schema(
    admin_user: User, officer_bandung: User, make_user: Callable[..., User]
) -> None:
    # A group exists, so detail endpoints that hit id 1 (schemathesis tries small ids)
    # return a real body that is checked against the schema, not only 404s.
    _form(officer_bandung, _heads(officer_bandung, 6))
    _token, raw = api_token_create(actor=admin_user, name="schemathesis")
    headers = {"Authorization": f"Bearer {raw}", "Accept-Language": "id"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    failures: list[str] = []
    for result in schema.get_all_operations():
        # An operation whose schema is invalid raises here (Err has no ok()): that fails too.
        operation = result.ok()  # type: ignore[union-attr]

        @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,  # a fixed seed: the same requests on every run
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        try:
            check()
        except Exception as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:2000])
    assert failures == [], "\n\n".join(failures)
