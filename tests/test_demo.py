"""The demo: the same logins every time, one per role, and the first README command works."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.synthetic.demo import DEMO_LOGINS, DEMO_PASSWORD, seed_demo
from sinergi.synthetic.people import PeopleFactory


@pytest.mark.django_db
def test_seed_is_idempotent_and_covers_every_role() -> None:
    seed_demo()
    names = dict(User.objects.values_list("username", "first_name"))
    seed_demo()
    assert dict(User.objects.values_list("username", "first_name")) == names
    assert {login.role for login in DEMO_LOGINS} == set(Role.values)
    admin = User.objects.get(username="admin")
    assert admin.check_password(DEMO_PASSWORD) and admin.is_staff and admin.area is None
    assert User.objects.get(username="dinsos.bandung").area_code == "32.73"


def test_people_are_the_same_for_the_same_seed() -> None:
    first = [PeopleFactory(7).person() for _ in range(1)] + [PeopleFactory(7).person()]
    assert first[0] == first[1]
    assert PeopleFactory(7).person() != PeopleFactory(8).person()
    phone = PeopleFactory(1).phone()
    assert phone.startswith("08") and phone.isdigit() and 11 <= len(phone) <= 13


@pytest.mark.slow(cpu=17)
def test_demo_command_prepares_a_fresh_database(tmp_path: Path, db_template: str) -> None:
    """What the README's first command runs, minus serving: fresh SQLite, regions, logins.

    On a SQLite run the database starts as a copy of the run's migrated template (schema and
    roles, no regions: tests/testdb.py built it by migrating from nothing on SQLite, which is
    the part a copy skips), so the demo's own migrate only finds nothing left to apply. A
    PostgreSQL run has no SQLite template and migrates from nothing here."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SINERGI_ENV"}}
    env["SINERGI_DATA_DIR"] = str(tmp_path)
    if db_template.endswith(".sqlite3") and Path(db_template).exists():
        shutil.copyfile(db_template, tmp_path / "sinergi.sqlite3")
    result = subprocess.run(
        [sys.executable, "-m", "sinergi.cli", "demo", "--no-serve"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=900,  # migrating from nothing under load (the PostgreSQL pass) took over 300 s
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "SUCCESSFUL" in result.stdout and "'village': 83762" in result.stdout
    for login in DEMO_LOGINS:
        assert login.username in result.stdout
    assert DEMO_PASSWORD in result.stdout
    assert (tmp_path / "sinergi.sqlite3").exists() and (tmp_path / "secret_key").exists()
    # Every dashboard chart has data: each monthly series, each class, aid, graduations, KPIs.
    import json
    import sqlite3

    with sqlite3.connect(tmp_path / "sinergi.sqlite3") as db:
        series = db.execute(
            "SELECT sum(sessions), sum(sales), sum(turnover), sum(reports), sum(graduations)"
            " FROM monitoring_regencymonth"
        ).fetchone()
        standing = db.execute(
            "SELECT sum(class_tumbuh), sum(class_berkembang), sum(class_maju), sum(members),"
            " sum(groups_mentored), sum(aid_approved), sum(aid_disbursed),"
            " sum(households_graduated), sum(graduations_open), sum(overdue_actions)"
            " FROM monitoring_regencyfigures"
        ).fetchone()
        result = db.execute(
            "SELECT result FROM core_job WHERE kind = 'monitoring.summary' AND status = 'succeeded'"
        ).fetchone()
    assert all(value and value > 0 for value in series), series
    assert all(value and value > 0 for value in standing), standing
    assert result is not None and json.loads(result[0])["kpis"]
