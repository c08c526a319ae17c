"""Shared fixtures: the real region list loaded once per run, and a user per role and area."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.accounts.services import user_create
from tests import testdb

PASSWORD = "uji-sandi-panjang-2026"


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """The test database with all 91,599 official regions, built once a run and copied for each
    xdist worker (tests/testdb.py); tests run in transactions on top of it."""
    with django_db_blocker.unblock():
        teardown = testdb.setup(request)
    yield
    with django_db_blocker.unblock():
        teardown()


@pytest.fixture(scope="session")
def db_template(django_db_setup: None) -> str:
    """For a test whose own processes need a fresh database: the run's migrated template,
    which tests/racekit.py copies instead of migrating again ("" when there is none)."""
    return os.environ.get(testdb.ENV, "")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In an xdist worker: the modules of tests marked ``slow`` (real processes, tens of seconds)
    are handed out first (``--dist loadscope --no-loadscope-reorder``: a module is one unit, so
    a module- or class-scoped fixture is built once), so no worker ends alone with one."""
    if hasattr(config, "workerinput"):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_sessionfinish(session: pytest.Session) -> None:
    testdb.finish(session.config)


def _cpu_logged(phase: str) -> Callable[[pytest.Item], Iterator[None]]:
    """``SINERGI_TEST_CPU=<file>``: append the CPU seconds of each test's set-up, call and
    teardown (this process and the processes it waited for) to the file, one ``seconds phase
    test`` line each, to find what costs on a busy machine, where wall times say little. The
    first set-up on a worker holds the test database's (tests/testdb.py)."""

    @pytest.hookimpl(wrapper=True)
    def hook(item: pytest.Item) -> Iterator[None]:
        target = os.environ.get("SINERGI_TEST_CPU")
        if not target:
            return (yield)
        before = _cpu_seconds()
        try:
            return (yield)
        finally:
            with Path(target).open("a") as out:
                out.write(f"{_cpu_seconds() - before:.2f} {phase} {item.nodeid}\n")

    return hook


pytest_runtest_setup = _cpu_logged("setup")
pytest_runtest_call = _cpu_logged("call")
pytest_runtest_teardown = _cpu_logged("teardown")


def _cpu_seconds() -> float:
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Each test starts in the default language: a request in English activates English for
    the thread (Django's middleware never switches back), which made a later test that reads
    a message outside a request see English, depending on the order tests ran in."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(role: str, area_code: str | None = None, **extra: Any) -> User:
        return user_create(
            actor=None,
            username=extra.pop("username", f"{role}-{area_code or 'nas'}-{next(counter)}"),
            password=PASSWORD,
            role=role,
            area_code=area_code,
            **extra,
        )

    return make


@pytest.fixture
def admin_user(make_user: Callable[..., User]) -> User:
    return make_user(Role.NATIONAL_ADMIN, None, is_staff=True, first_name="Admin")


@pytest.fixture
def officer_bandung(make_user: Callable[..., User]) -> User:
    """Social office officer of Kota Bandung (32.73)."""
    return make_user(Role.SOCIAL_OFFICER, "32.73", first_name="Asep")


@pytest.fixture
def officer_bogor(make_user: Callable[..., User]) -> User:
    """Social office officer of Kabupaten Bogor (32.01): same province, other regency."""
    return make_user(Role.SOCIAL_OFFICER, "32.01", first_name="Ujang")


@pytest.fixture
def officer_jabar(make_user: Callable[..., User]) -> User:
    """Social office officer of the province of Jawa Barat (32)."""
    return make_user(Role.SOCIAL_OFFICER, "32", first_name="Dewi")


@pytest.fixture
def facilitator_bandung(make_user: Callable[..., User]) -> User:
    return make_user(Role.FACILITATOR, "32.73", first_name="Rina")


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    def make(user: User | None) -> Client:
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        return client

    return make
