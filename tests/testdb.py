"""The test database of a run: migrated and filled with the regions once, then copied.

Migrating from nothing costs 15-25 CPU seconds here and loading the 91,599 official regions
another 5; run in parallel (pytest-xdist), every worker would pay both, and so would every test
that starts its own processes on a fresh database (tests/racekit.py). Instead the first process
of a run that needs a database builds two templates, under a file lock in the run's shared
temporary folder:

- ``migrated``: the schema and what the migrations seed (roles), no regions; a test that starts
  real worker processes copies it instead of migrating (``SINERGI_TEST_MIGRATED_DB``,
  tests/racekit.py);
- ``regions``: that plus every region; each worker's test database is a copy of it.

SQLite: each worker's test database stays in memory (Django's default) and is filled from the
template file with SQLite's backup API. PostgreSQL: ``CREATE DATABASE test_<name>_<worker>
TEMPLATE test_<name>_regions``; the templates are dropped when the run ends (``finish``, called
by the controlling process) and by the next run's builder if a run died.

The demo world (``demo_world``: the demo's seeding at a small size, ~7 CPU seconds) that the
permission and idempotency matrices, the query counts and the inbox each test on is built once a
run too, by the first of them, and kept as a third template (SQLite file or PostgreSQL
database); each of them copies it into its worker's database, and the regions template is
copied back after it.

``--reuse-db`` and ``--nomigrations`` keep pytest-django's own way (one database, built here;
the demo world seeded in a transaction rolled back after).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ALIAS = "default"
MARKER = "sinergi-testdb.json"
WORLD = "sinergi-world.json"
ENV = "SINERGI_TEST_MIGRATED_DB"


def shared_folder(config: pytest.Config) -> Path:
    """The run's temporary folder, the same for the controller and every xdist worker."""
    factory = config._tmp_path_factory  # type: ignore[attr-defined]
    base = Path(factory.getbasetemp())
    return base.parent if hasattr(config, "workerinput") else base


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    with (folder / "sinergi-testdb.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def setup(request: pytest.FixtureRequest) -> Callable[[], None]:
    """Give this process its test database; returns the teardown."""
    from django.db import connections
    from pytest_django.fixtures import _get_databases_for_setup

    config = request.config
    verbosity = int(config.option.verbose)
    aliases, serialized = _get_databases_for_setup(request.session.items)
    plain = (
        config.getvalue("reuse_db")
        or config.getvalue("nomigrations")
        or set(connections) != {ALIAS}
        or connections[ALIAS].vendor not in {"sqlite", "postgresql"}
    )
    if plain:
        return _plain(config, verbosity, aliases, serialized)
    connection = connections[ALIAS]
    old_name = connection.settings_dict["NAME"]
    folder = shared_folder(config)
    with _locked(folder):
        marker = folder / MARKER
        if marker.exists():
            templates = json.loads(marker.read_text())
        else:
            templates = _build(connection, folder, verbosity)
            marker.write_text(json.dumps(templates))
        if templates.get("worker_pid") != os.getpid():
            _copy(connection, templates)
    os.environ[ENV] = templates["migrated"]
    if ALIAS in serialized:
        contents = connection.creation.serialize_db_to_string()
        connection._test_serialized_contents = contents  # type: ignore[attr-defined]

    def teardown() -> None:
        connection.creation.destroy_test_db(old_name, verbosity)

    return teardown


def _plain(
    config: pytest.Config, verbosity: int, aliases: Any, serialized: Any
) -> Callable[[], None]:
    """pytest-django's own set-up (one database per process), then the regions."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations

    from sinergi.wilayah.services import regions_load, regions_loaded

    if config.getvalue("nomigrations"):
        _disable_migrations()
    keepdb = bool(config.getvalue("reuse_db") and not config.getvalue("create_db"))
    configs = setup_databases(
        verbosity=verbosity,
        interactive=False,
        aliases=aliases,
        serialized_aliases=serialized,
        keepdb=keepdb,
    )
    if not regions_loaded():
        regions_load()

    def teardown() -> None:
        if not keepdb:
            teardown_databases(configs, verbosity=verbosity)

    return teardown


def _test_name(connection: Any) -> str:
    return str(connection.creation._get_test_db_name())


def _build(connection: Any, folder: Path, verbosity: int) -> dict[str, Any]:
    """Migrate this process's test database, keep a template, load the regions, keep another."""
    from sinergi.wilayah.services import regions_load

    creation = connection.creation
    if connection.vendor == "sqlite":
        creation.create_test_db(verbosity=verbosity, autoclobber=True, serialize=False)
        migrated = folder / "sinergi-migrated.sqlite3"
        _save_sqlite(connection, migrated)
        regions_load()
        full = folder / "sinergi-regions.sqlite3"
        _save_sqlite(connection, full)
        # This process keeps the in-memory database it built.
        return {
            "vendor": "sqlite",
            "migrated": str(migrated),
            "regions": str(full),
            "worker_pid": os.getpid(),
        }
    worker_db = _test_name(connection)
    base = _base_name(connection, worker_db)
    names = {"migrated": f"{base}_migrated", "regions": f"{base}_regions"}
    for name in names.values():
        _pg(connection, f"DROP DATABASE IF EXISTS {_q(connection, name)}")
    connection.settings_dict["TEST"]["NAME"] = names["migrated"]
    try:
        creation.create_test_db(verbosity=verbosity, autoclobber=True, serialize=False)
    finally:
        connection.settings_dict["TEST"]["NAME"] = worker_db
    connection.close()
    _pg_clone(connection, names["migrated"], names["regions"])
    _use(connection, names["regions"])
    regions_load()
    connection.close()
    return {"vendor": "postgresql", **names}


def _copy(connection: Any, templates: dict[str, Any]) -> None:
    """This process's test database as a copy of the regions template."""
    name = _test_name(connection)
    connection.close()
    if connection.vendor == "sqlite":
        _use(connection, name)
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{templates['regions']}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        _pg_clone(connection, templates["regions"], name)
        _use(connection, name)
        connection.ensure_connection()


def _seed_world() -> None:
    from sinergi.synthetic import demo

    demo.seed_demo()
    demo.seed_registry(households=30)
    demo.seed_kube()
    demo.seed_aid()
    demo.seed_mentoring()
    demo.seed_market()
    demo.seed_monitoring()


@contextlib.contextmanager
def demo_world(config: pytest.Config, media: Path) -> Iterator[None]:
    """This process's test database holds the demo world while the block runs, its files in
    ``media`` (MEDIA_ROOT meanwhile); the caller's transaction goes inside. The world is as the
    module-scoped fixtures seeded it in their own rolled-back transaction: the seeding's
    on-commit work (none ran then) is dropped when it is kept."""
    from django.db import connections, transaction
    from django.test import override_settings

    connection = connections[ALIAS]
    folder = shared_folder(config)
    run = folder / MARKER
    if not run.exists():  # pytest-django's own database (--reuse-db ...): seeded, rolled back
        with override_settings(MEDIA_ROOT=str(media)), transaction.atomic():
            _seed_world()
            yield
            transaction.set_rollback(True)
        return
    templates = json.loads(run.read_text())
    files = folder / "sinergi-world-media"
    with _locked(folder):
        kept = folder / WORLD
        if kept.exists():
            world = json.loads(kept.read_text())["world"]
            _fill(connection, templates, world)
        else:
            with override_settings(MEDIA_ROOT=str(files)), transaction.atomic():
                _seed_world()
                connection.run_on_commit = []
            world = _keep_world(connection, folder, templates)
            kept.write_text(json.dumps({"world": world}))
    if files.exists():
        shutil.copytree(files, media, dirs_exist_ok=True)
    try:
        with override_settings(MEDIA_ROOT=str(media)):
            yield
    finally:
        _fill(connection, templates, templates["regions"])


def _keep_world(connection: Any, folder: Path, templates: dict[str, Any]) -> str:
    """The world just seeded in this process's database, kept as the run's world template."""
    if templates["vendor"] == "sqlite":
        path = folder / "sinergi-world.sqlite3"
        _save_sqlite(connection, path)
        return str(path)
    name = templates["regions"].removesuffix("_regions") + "_world"
    current = connection.settings_dict["NAME"]
    connection.close()
    _pg_clone(connection, current, name)
    return name


def _fill(connection: Any, templates: dict[str, Any], source: str) -> None:
    """This process's test database becomes a copy of ``source`` (a template of the run)."""
    if templates["vendor"] == "sqlite":
        connection.ensure_connection()
        origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            origin.backup(connection.connection)
        finally:
            origin.close()
        return
    name = connection.settings_dict["NAME"]
    connection.close()
    _pg_clone(connection, source, name)
    connection.ensure_connection()


def _use(connection: Any, name: str) -> None:
    from django.conf import settings

    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name


def _save_sqlite(connection: Any, path: Path) -> None:
    connection.ensure_connection()
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    target = sqlite3.connect(partial)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    partial.replace(path)


def _base_name(connection: Any, worker_db: str) -> str:
    """test_<name> without the xdist worker's suffix (pytest-django adds ``_gw0``...)."""
    suffix = os.environ.get("PYTEST_XDIST_WORKER")
    if suffix and worker_db.endswith(f"_{suffix}"):
        return worker_db[: -len(suffix) - 1]
    return worker_db


def _q(connection: Any, name: str) -> str:
    return str(connection.ops.quote_name(name))


def _pg(connection: Any, sql: str) -> None:
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(sql)


def _pg_clone(connection: Any, template: str, name: str) -> None:
    _pg(connection, f"DROP DATABASE IF EXISTS {_q(connection, name)}")
    _pg(connection, f"CREATE DATABASE {_q(connection, name)} TEMPLATE {_q(connection, template)}")


def finish(config: pytest.Config) -> None:
    """In the controlling process, once every worker is done: remove the run's templates."""
    if hasattr(config, "workerinput") or not hasattr(config, "_tmp_path_factory"):
        return
    marker = shared_folder(config) / MARKER
    if not marker.exists():
        return
    templates = json.loads(marker.read_text())
    marker.unlink()
    world = shared_folder(config) / WORLD
    if world.exists():
        templates["world"] = json.loads(world.read_text())["world"]
        world.unlink()
    if templates["vendor"] == "sqlite":
        for key in ("migrated", "regions", "world"):
            if key in templates:
                Path(templates[key]).unlink(missing_ok=True)
        return
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    connection = connections[ALIAS]
    with config.stash[blocking_manager_key].unblock():
        for key in ("world", "regions", "migrated"):
            if key in templates:
                _pg(connection, f"DROP DATABASE IF EXISTS {_q(connection, templates[key])}")
