"""A matching run is recorded as a core.Job (kind mentoring.matching) with its own page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.models import User
from sinergi.core.models import JobStatus
from sinergi.mentoring import services
from tests.samples import main_of

pytestmark = pytest.mark.django_db


def test_a_matching_run_is_a_finished_job_shown_on_its_page(
    group_in: Callable[..., Any],
    make_mentor: Callable[..., Any],
    coordinator: User,
    client_for: Callable[..., Client],
) -> None:
    group_in("32.73.01.1001", "makanan_minuman", "KUBE Bandung Makanan")
    group_in("32.01.01.1001", "kerajinan", "KUBE Bogor Kerajinan")
    make_mentor("Rina", "32.73", ["makanan_minuman"], capacity=1)
    run = services.match_run(actor=coordinator)
    job = run.job
    assert job is not None and job.kind == "mentoring.matching"
    assert (job.status, job.progress_done, job.progress_total) == (JobStatus.SUCCEEDED, 2, 2)
    assert (job.area_code, job.created_by_id, job.result) == ("32", coordinator.pk, {"assigned": 1})
    client = client_for(coordinator)
    client.cookies["sinergi_language"] = "en"
    page = main_of(client.get(f"/pendampingan/pencocokan/{run.pk}/").content.decode())
    assert "Finished" in page and "hx-trigger" not in page
    assert client.get(f"/api/v1/jobs/{job.pk}/").json()["kind_label"] == "Matching run"
