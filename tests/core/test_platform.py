"""Settings modes, error pages, static assets, audit trail, history and background tasks."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from sinergi.accounts.models import User
from sinergi.core.models import AuditEvent
from sinergi.wilayah.models import Region

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SINERGI_ENV"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "sinergi.cli", "manage", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        check=False,
    )


def test_production_requires_a_secret_key(tmp_path: Path) -> None:
    result = _manage(
        "check",
        SINERGI_ENV="production",
        ALLOWED_HOSTS="sinergi.example",
        SINERGI_DATA_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_passes_the_deploy_check(tmp_path: Path) -> None:
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SINERGI_ENV="production",
        ALLOWED_HOSTS="sinergi.example",
        SECRET_KEY="k" + "x7Hq2!pZ9mW#4rT8vL0sY6nB3cF1dG5jK" * 2,
        SINERGI_DATA_DIR=str(tmp_path),
        # Production refuses to start without the personal-data keys (tests/core/test_keys.py).
        SINERGI_PII_KEYS="k1:" + "A" * 43 + "=",
        SINERGI_PII_KEY_ID="k1",
        SINERGI_PII_HMAC_KEY="B" * 43 + "=",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_unknown_mode_is_refused(tmp_path: Path) -> None:
    result = _manage("check", SINERGI_ENV="staging", SINERGI_DATA_DIR=str(tmp_path))
    assert result.returncode != 0 and "SINERGI_ENV='staging'" in result.stderr


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.core.crash_urls")
def test_a_crash_shows_an_apology_with_a_reference_not_a_trace() -> None:
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Terjadi kesalahan" in body and response["X-Request-ID"] in body
    assert "3273014107900001" not in body and "Traceback" not in body


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client_for: Callable[..., Client]) -> None:
    response = client_for(None).get("/tidak-ada/")
    assert response.status_code == 404 and "Tidak ditemukan" in response.content.decode()
    api = client_for(None).get("/api/v1/tidak-ada")
    assert api.status_code == 404 and "detail" in api.json()


def test_templates_load_nothing_from_the_internet() -> None:
    for template in (ROOT / "src" / "sinergi").rglob("templates/**/*.html"):
        text = template.read_text()
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, template


@pytest.mark.django_db
def test_vendored_assets_are_served_locally(client_for: Callable[..., Client]) -> None:
    for asset in ("vendor/htmx.min.js", "vendor/pico.min.css", "core/sinergi.css"):
        response = client_for(None).get(f"/static/{asset}")
        assert response.status_code == 200, asset


@pytest.mark.django_db
def test_forms_carry_csrf_and_csrf_is_enforced(officer_bandung: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_bandung)
    assert "csrfmiddlewaretoken" in client.get("/akun/profil/").content.decode()
    assert client.post("/akun/profil/token/", {"name": "x"}).status_code == 403


@pytest.mark.django_db
def test_admin_edit_records_history_with_the_user(
    client_for: Callable[..., Client], admin_user: User
) -> None:
    from django.contrib.auth.models import Permission

    admin_user.user_permissions.add(Permission.objects.get(codename="change_region"))
    region = Region.objects.get(code="32.73.01.1001")
    client = client_for(admin_user)
    response = client.post(
        f"/admin/wilayah/region/{region.pk}/change/",
        {"name": "Sukarasa Baru", "decree": region.decree, "replaced_by": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = region.history.latest()
    assert latest.name == "Sukarasa Baru" and latest.history_user == admin_user


@pytest.mark.django_db
def test_audit_trail_is_scoped(
    client_for: Callable[..., Client],
    make_user: Callable[..., User],
    officer_bandung: User,
) -> None:
    from sinergi.accounts.roles import Role
    from sinergi.core.events import event_type

    auditor_jabar = make_user(Role.AUDITOR, "32")
    auditor_jateng = make_user(Role.AUDITOR, "33")
    AuditEvent.record(event_type("uji.bandung", "Uji Bandung"), area_code="32.73")
    AuditEvent.record(event_type("uji.semarang", "Uji Semarang"), area_code="33.74")
    seen = {e.event_type for e in client_for(auditor_jabar).get("/audit/").context["page"]}
    assert "uji.bandung" in seen and "uji.semarang" not in seen
    seen = {e.event_type for e in client_for(auditor_jateng).get("/audit/").context["page"]}
    assert "uji.semarang" in seen and "uji.bandung" not in seen
    assert client_for(officer_bandung).get("/audit/").status_code == 403


@pytest.mark.django_db
def test_region_load_runs_through_the_database_task_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The worker closes connections it finds in a transaction, which every test runs in;
    # a real worker runs in autocommit, so only that housekeeping is switched off here.
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    ):
        from sinergi.wilayah.tasks import load_regions

        result = load_regions.enqueue()
        assert DBTaskResult.objects.filter(id=result.id, status="READY").exists()
        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL
        assert result.return_value["unchanged"] == Region.objects.count()
