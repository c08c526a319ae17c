"""Retention: each category's period in force; the nightly run deletes or anonymises what passed
it, leaves what did not, and reports what it did as a Job (and on /pdp/retensi/)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.core import jobs
from sinergi.core.models import AuditEvent, Job, JobStatus
from sinergi.pdp import retention
from sinergi.pdp.models import (
    DataSubjectRequest,
    RequestStatus,
    RetentionCategory,
    RetentionRule,
)
from sinergi.registry.models import Household, Person
from tests.pdp.conftest import NAME

pytestmark = pytest.mark.django_db


def test_defaults_are_seeded_per_category() -> None:
    rules = {r.category: r for r in RetentionRule.objects.all()}
    assert set(rules) == set(RetentionCategory.values)
    assert rules["aid_records"].action == "hold" and rules["aid_records"].days == 3650
    assert RetentionRule.in_force("export_files", datetime.date(2024, 1, 1)) is None


def test_a_later_rule_takes_over_from_its_date() -> None:
    RetentionRule.objects.create(
        category="export_files", days=7, action="delete", valid_from=datetime.date(2026, 6, 1)
    )
    rule = RetentionRule.in_force("export_files", datetime.date(2026, 6, 2))
    assert rule is not None and rule.days == 7
    old = RetentionRule.in_force("export_files", datetime.date(2026, 5, 31))
    assert old is not None and old.days == 30


def test_the_nightly_run_removes_what_passed_its_period(
    subject: Person, officer_bandung: User, tmp_path: Any, settings: Any
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    now = timezone.now()
    old_job = jobs.create("monitoring.export", actor=officer_bandung, status="succeeded")
    jobs.save_result(old_job, ContentFile(b"a;b"), download_name="old.csv")
    Job.objects.filter(pk=old_job.pk).update(created_at=now - datetime.timedelta(days=31))
    fresh = jobs.create("monitoring.export", actor=officer_bandung, status="succeeded")
    old_file = Job.objects.get(pk=old_job.pk).result_file.name
    # A household that graduated six years ago: its persons are anonymised.
    Household.objects.filter(pk=subject.household_id).update(
        graduated_on=(now - datetime.timedelta(days=6 * 365)).date()
    )
    closed = DataSubjectRequest.objects.create(
        kind="access",
        channel="letter",
        received_on=datetime.date(2020, 1, 1),
        due_on=datetime.date(2020, 1, 4),
        status=RequestStatus.DONE,
        closed_at=now - datetime.timedelta(days=6 * 365),
    )

    out: list[str] = []
    call_command("pdp_retention", stdout=type("W", (), {"write": out.append})())
    job = Job.objects.filter(kind="pdp.retention").get()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["export_files"]["deleted"] == 1
    assert job.result["former_households"] == {"anonymised": 1, "held": 0, "days": 1825}
    assert job.result["closed_requests"]["deleted"] == 1
    assert job.result["aid_records"] == {"skipped": True}
    assert not Job.objects.filter(pk=old_job.pk).exists()
    assert Job.objects.filter(pk=fresh.pk).exists()
    from django.core.files.storage import default_storage

    assert old_file and not default_storage.exists(old_file)
    assert Person.objects.get(pk=subject.pk).name != NAME
    assert not DataSubjectRequest.objects.filter(pk=closed.pk).exists()
    assert AuditEvent.objects.filter(event_type="pdp.retention.run").count() == 1
    # A second night finds nothing more to do.
    again = retention.run_now()
    assert again.result["export_files"]["deleted"] == 0
    assert again.result["former_households"]["anonymised"] == 0


def test_the_retention_page_shows_rules_and_runs(
    officer_bandung: User, admin_user: User, client_for: Callable[[User], Client]
) -> None:
    retention.run_now(actor=admin_user)
    page = client_for(officer_bandung).get("/pdp/retensi/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Berkas ekspor dan berkas akses" in text
    assert "Masa retensi" in text
    # Only a role allowed to run it may start it.
    assert client_for(officer_bandung).post("/pdp/retensi/", {}).status_code == 403
    admin = client_for(admin_user)
    token = re.search(
        r'name="submit_token" value="([^"]+)"', admin.get("/pdp/retensi/").content.decode()
    )
    assert token is not None
    response = admin.post("/pdp/retensi/", {"submit_token": token.group(1)})
    assert response.status_code == 302
    assert Job.objects.filter(kind="pdp.retention").count() == 2
