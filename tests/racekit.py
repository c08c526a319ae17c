"""Shared set-up for the PostgreSQL race scripts: a fresh database, regions, one active group.

Row locks need committed data that two connections can see, which a test transaction cannot
give, so each race runs in its own process and database and prints its findings as JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path
from typing import Any

BASE = "postgresql://postgres@127.0.0.1:5432/"
PASSWORD = "uji-sandi-panjang-2026"


def fresh_database(database: str) -> None:
    import psycopg

    with psycopg.connect(BASE + "postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}"')
        admin.execute(f'CREATE DATABASE "{database}"{_template("postgres")}')
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ["SINERGI_ENV"] = "test"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.config.settings")
    import django

    django.setup()
    migrate()


def _template(vendor: str) -> str:
    """``TEMPLATE "<the run's migrated database>"`` when the test run made one (tests/testdb.py;
    a copy is much cheaper than migrating), else nothing."""
    name = os.environ.get("SINERGI_TEST_MIGRATED_DB", "")
    if vendor != "postgres" or not name or name.endswith(".sqlite3"):
        return ""
    return f' TEMPLATE "{name}"'


def migrate() -> None:
    """Apply what the copied template lacks (all of it without one)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", verbosity=0)


def drop_database(database: str) -> None:
    import psycopg
    from django.db import connection

    connection.close()
    with psycopg.connect(BASE + "postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}"')


def worker_world(
    vendor: str, database: str, sqlite_file: Path, env: dict[str, str]
) -> dict[str, str]:
    """Settings for real worker processes, a fresh database (PostgreSQL, or a SQLite file the
    workers share), migrated and with Bandung's regions; ``env`` is exported for the workers."""
    env = {"SINERGI_ENV": "test", "DJANGO_SETTINGS_MODULE": "sinergi.config.settings", **env}
    if vendor == "postgres":
        import psycopg

        with psycopg.connect(BASE + "postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{database}"{_template(vendor)}')
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    else:
        template = os.environ.get("SINERGI_TEST_MIGRATED_DB", "")
        if template.endswith(".sqlite3") and Path(template).exists():
            shutil.copyfile(template, sqlite_file)
        env["DATABASE_URL"] = f"sqlite:///{sqlite_file}"
    os.environ.update(env)
    import django

    django.setup()
    migrate()
    load_regions()
    return env


def load_regions() -> None:
    """The regions down to one village of Kota Bandung (the full list is not needed here)."""
    from sinergi.wilayah.models import Region

    parent = None
    for level, code, name in [
        (1, "32", "Jawa Barat"),
        (2, "32.73", "Kota Bandung"),
        (3, "32.73.01", "Sukasari"),
        (4, "32.73.01.1001", "Sukarasa"),
    ]:
        parent = Region.objects.create(
            code=code, level=level, name=name, parent=parent, decree="test"
        )


def make_group(regency_officer: Any, index: int = 0) -> Any:
    """An active six-member group of heads in Sukarasa, formed through the real services.

    ``index`` (0-7) gives another group of other people, for races that need several.
    """
    from sinergi.kube.models import Status
    from sinergi.kube.services import kube_create, kube_transition
    from sinergi.registry import services as registry

    heads = []
    for i in range(1, 7):
        household = registry.household_create(
            actor=regency_officer,
            kk=f"3273010101{2 + index}{i:05d}",
            village_code="3273011001",
            desil=2,
            desil_date=date.today(),
        )
        heads.append(
            registry.person_create(
                actor=regency_officer,
                household_id=household.pk,
                nik=f"327301050580{index}{i:03d}",
                name=f"Kepala {i}",
                sex="L",
                birth_place="",
                birth_date=date(1980, 5, 5),
                relation="kepala",
                is_head=True,
            )
        )
    kube, failures = kube_create(
        actor=regency_officer,
        name=f"KUBE Uji {index}" if index else "KUBE Uji",
        business_type="jasa",
        village_code="3273011001",
        member_ids=[p.pk for p in heads],
        officers={"ketua": heads[0].pk, "sekretaris": heads[1].pk, "bendahara": heads[2].pk},
    )
    assert not failures, failures
    # Four eyes: another officer of the office verifies what this one submitted.
    from sinergi.accounts.models import User
    from sinergi.accounts.services import user_create

    name = f"checker-{regency_officer.username}"
    checker = User.objects.filter(username=name).first() or user_create(
        actor=None,
        username=name,
        password="uji-sandi-panjang-2026",
        role="social_officer",
        area_code=regency_officer.area_code,
    )
    for step, actor in (
        (Status.SUBMITTED, regency_officer),
        (Status.VERIFIED, checker),
        (Status.ACTIVE, regency_officer),
    ):
        kube_transition(actor=actor, kube_id=kube.pk, to_status=step)
    return kube


def race(actions: list[Any]) -> list[str]:
    """Run the actions in threads released together; each says "ok" or "refused: <why>"."""
    return sorted(race_each(actions))


def race_each(actions: list[Any]) -> list[str]:
    """Like ``race``, in the actions' order; anything but a refusal is "error: <type>"."""
    from django.db import connection

    from sinergi.core.errors import InvalidInput

    connection.close()
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = ["error: not run"] * len(actions)

    def run(index: int, action: Any) -> None:
        from django.db import connection as own

        barrier.wait()
        try:
            action()
            outcomes[index] = "ok"
        except InvalidInput as exc:
            outcomes[index] = "refused: " + exc.message
        except Exception as exc:  # a crash is an outcome to report, not a lost thread
            outcomes[index] = f"error: {type(exc).__name__}"
        finally:
            own.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def run_race(module: str, name: str) -> dict[str, Any]:
    """Run a race script in its own process and database; its last line of JSON."""
    root = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-m", module, f"{name}_{os.getpid()}"],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return report
