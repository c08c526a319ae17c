"""The lease of a running import: a dead run is resumed, an officer resumes or cancels (page and
API, scoped), the pool's processes die with their parent, a failure is always recordable."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.core.tasks import TaskFailed, recordable_failure
from sinergi.registry.imports import import_create
from sinergi.registry.models import ImportBatch, ImportStatus, Person
from sinergi.synthetic.registry import RegistryGenerator

pytestmark = pytest.mark.django_db


def _dead_run(actor: User, write_csv: Callable[..., Path], job: str = "check") -> ImportBatch:
    """A batch as a killed worker leaves it: running, its heartbeat long silent."""
    rows = list(RegistryGenerator(3, areas=["32.73"]).rows(3))
    batch = import_create(actor=actor, source=write_csv(rows), file_name="a.csv")
    status = ImportStatus.CHECKING if job == "check" else ImportStatus.COMMITTING
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=status,
        step=job,
        run_token="dead",
        heartbeat_at=timezone.now() - timedelta(hours=1),
        rows_read=len(rows),
    )
    batch.refresh_from_db()
    return batch


def test_opening_the_page_of_a_dead_run_resumes_it(
    officer_bandung: User,
    write_csv: Callable[..., Path],
    client_for: Callable[..., Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    batch = _dead_run(officer_bandung, write_csv)
    with django_capture_on_commit_callbacks(execute=True):
        page = client_for(officer_bandung).get(f"/registri/impor/{batch.pk}/")
    assert page.status_code == 200
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED and batch.rows_valid > 0
    assert batch.run_token == "" and batch.issues.filter(is_warning=False).count() == 0


def test_a_live_run_is_not_resumed_and_a_dead_one_only_once(
    officer_bandung: User, write_csv: Callable[..., Path], client_for: Callable[..., Any]
) -> None:
    batch = _dead_run(officer_bandung, write_csv)
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now())
    client = client_for(officer_bandung)
    refused = client.post(f"/api/v1/registry/imports/{batch.pk}/resume")
    assert refused.status_code == 400
    assert ImportBatch.objects.get(pk=batch.pk).run_token == "dead"  # untouched


def test_resume_and_cancel_through_the_api_are_scoped(
    officer_bandung: User,
    officer_bogor: User,
    partners: list[User],
    write_csv: Callable[..., Path],
    client_for: Callable[..., Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    batch = _dead_run(officer_bandung, write_csv, job="commit")
    ImportBatch.objects.filter(pk=batch.pk).update(rows_valid=batch.rows_read)
    for outsider, status in [(officer_bogor, 404), (partners[0], 403), (None, 401)]:
        for action in ("resume", "cancel"):
            answer = client_for(outsider).post(f"/api/v1/registry/imports/{batch.pk}/{action}")
            assert answer.status_code == status, (outsider, action)
    assert ImportBatch.objects.get(pk=batch.pk).run_token == "dead"
    client = client_for(officer_bandung)
    with django_capture_on_commit_callbacks(execute=True):
        resumed = client.post(f"/api/v1/registry/imports/{batch.pk}/resume")
    assert resumed.status_code == 202
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED and Person.objects.count() == batch.rows_read
    assert batch.file_path == ""
    finished = client.post(f"/api/v1/registry/imports/{batch.pk}/cancel")
    assert finished.status_code == 400


def test_cancel_from_the_page_deletes_the_file_and_stops_the_run(
    officer_bandung: User, write_csv: Callable[..., Path], client_for: Callable[..., Any]
) -> None:
    batch = _dead_run(officer_bandung, write_csv)
    name = batch.file_path
    response = client_for(officer_bandung).post(f"/registri/impor/{batch.pk}/batalkan/")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CANCELLED and batch.run_token == ""
    assert batch.file_path == "" and not default_storage.exists(name)
    from sinergi.registry.imports import import_check

    # The old run, were it alive, may not take the batch back.
    assert import_check(batch.pk, token="dead").status == ImportStatus.CANCELLED


def test_a_failure_holding_a_nul_is_raised_as_storable_text() -> None:
    @recordable_failure
    def breaks() -> None:
        raise ValueError("header \x00i\x00d\ud800")

    with pytest.raises(TaskFailed) as caught:
        breaks()
    text = "".join(traceback.format_exception(caught.value))
    assert "\x00" not in text and "ValueError" in text
    text.encode("utf-8")  # no unpaired surrogate left


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead, only not yet reaped.
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_pool_processes_die_with_the_worker(tmp_path: Path) -> None:
    script = tmp_path / "pool.py"
    script.write_text(
        "import multiprocessing, os, sys, time\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "import django\n"
        "django.setup()\n"
        "from sinergi.registry.imports import die_with_parent\n"
        "pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context('fork'),\n"
        "                           initializer=die_with_parent, initargs=(os.getpid(),))\n"
        "list(pool.map(abs, range(4)))\n"
        "print(' '.join(str(p) for p in pool._processes), flush=True)\n"
        "time.sleep(600)\n"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="sinergi.config.settings")
    parent = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert parent.stdout is not None
    children = [int(p) for p in parent.stdout.readline().split()]
    assert len(children) == 2 and all(_alive(p) for p in children)
    parent.kill()
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in children) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not any(_alive(p) for p in children)
