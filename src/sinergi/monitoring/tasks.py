"""Background work for monitoring: rebuilding the dashboards' figures, writing large exports."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def refresh_monitoring() -> dict[str, Any]:
    """Class every active group for last month, propose graduations, rebuild the summaries.

    Scheduled nightly in production (``sinergi manage refresh_monitoring`` from cron), and run
    whenever an officer presses "Refresh figures".
    """
    from sinergi.monitoring.services import refresh_all

    return refresh_all()


@task()
def run_export(job_id: int) -> None:
    from sinergi.monitoring.exports import run_job

    run_job(job_id)
