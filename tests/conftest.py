"""Shared fixtures: the real region list loaded once per run, and a user per role and area."""

from __future__ import annotations

import os
import time
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
    """In an xdist worker, the order units of work are dealt in (``--dist loadscope
    --no-loadscope-reorder``: a module, or a class, is one unit, so a module- or class-scoped
    fixture is built once; a worker is sent another unit when it has two tests or fewer left).
    Every worker sorts alike, so the controller sees one order."""
    if hasattr(config, "workerinput"):
        items[:] = [item for unit in dealing_order(items) for item in unit]


def dealing_order(items: list[pytest.Item]) -> list[list[pytest.Item]]:
    """The run's first ~30-40 CPU seconds build its test database (tests/testdb.py) while any
    other worker that needs one waits on the lock. So the first unit needs the database, holds
    more than two tests (its worker asks for nothing more while it builds) and is no slow one
    (a demo world's module would make its worker build that too); then come the units that
    need no database (the other worker runs them meanwhile), then the units marked ``slow``
    (real processes or a demo world: tens of seconds each), the longest first so that no
    worker ends alone with one, then the rest, the largest first; the browser tests last."""
    units: dict[str, list[pytest.Item]] = {}
    browser: dict[str, list[pytest.Item]] = {}
    for item in items:
        unit = item.nodeid.rsplit("::", 1)[0]
        # The browser tests come last: their session-wide Playwright keeps an event loop set
        # on the worker's thread, and every database test after them there would be refused
        # as called "from an async context" (Django's SynchronousOnlyOperation).
        (browser if unit.startswith("tests/browser/") else units).setdefault(unit, []).append(item)
    slow = sorted(
        (u for u in units.values() if any(_cost(i) for i in u)),
        key=lambda unit: max(_cost(i) for i in unit),
        reverse=True,
    )
    free = [u for u in units.values() if not any(_needs_database(i) for i in u)]
    rest = sorted(
        (u for u in units.values() if u not in slow and u not in free), key=len, reverse=True
    )
    starter = rest[:1] if rest and len(rest[0]) > 2 else []
    return starter + free + slow + rest[len(starter) :] + list(browser.values())


# Units that are long without being marked slow (their modules are other engineers'): dealt
# with the slow ones, or one of them, dealt last for having a single test, leaves its worker
# alone at the end (the schemathesis run, ~10 CPU s, measured with SINERGI_TEST_CPU).
LONG_UNITS = {"tests/core/test_schemathesis.py": 10.0}


def _cost(item: pytest.Item) -> float:
    """A ``slow`` unit's CPU seconds as its mark says (``slow(cpu=60)``, measured with
    ``SINERGI_TEST_CPU``; unsaid: 20), for the longest to go first."""
    mark = item.get_closest_marker("slow")
    if mark is None:
        return LONG_UNITS.get(item.nodeid.rsplit("::", 1)[0], 0.0)
    return float(mark.kwargs.get("cpu", 20))


def _needs_database(item: pytest.Item) -> bool:
    return bool(item.get_closest_marker("django_db")) or "django_db_setup" in getattr(
        item, "fixturenames", ()
    )


def pytest_collection_finish(session: pytest.Session) -> None:
    target = os.environ.get("SINERGI_TEST_CPU")
    if target:  # what this process spent before its first test: start-up and collection
        with Path(target).open("a") as out:
            worker = os.environ.get("PYTEST_XDIST_WORKER", "-")
            out.write(f"{_cpu_seconds():.2f} collect - {worker} {time.time():.1f}\n")


def pytest_sessionfinish(session: pytest.Session) -> None:
    testdb.finish(session.config)


def _cpu_logged(phase: str) -> Callable[[pytest.Item], Iterator[None]]:
    """``SINERGI_TEST_CPU=<file>``: append the CPU seconds of each test's set-up, call and
    teardown (this process and the processes it waited for) to the file, one ``seconds phase
    test worker end-time`` line each, to find what costs on a busy machine, where wall times
    say little, and how the workers' loads compare. The first set-up on a worker holds the
    test database's (tests/testdb.py)."""

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
                worker = os.environ.get("PYTEST_XDIST_WORKER", "-")
                spent = _cpu_seconds() - before
                out.write(f"{spent:.2f} {phase} {item.nodeid} {worker} {time.time():.1f}\n")

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


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: SQLite hands out row ids again after a test's
    rollback, so a value cached under an id (the inbox count keyed by the newest audit event)
    could outlive the rows it was made from and answer a later test."""
    from django.core.cache import cache

    cache.clear()


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
