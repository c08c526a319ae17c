"""API of background jobs: /api/v1/jobs/ (yours and your area's, by kind) and one job."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema
from ninja.pagination import paginate

from sinergi.core import jobs
from sinergi.core.api_schemas import Id, Pages
from sinergi.core.models import Job

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    progress_done: int
    progress_total: int
    percent: int
    error: str
    area_code: str
    params: dict[str, Any]
    result: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    # Where the requester downloads the result file (empty when there is none for you).
    download_url: str

    @staticmethod
    def resolve_status_label(obj: Job) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_download_url(obj: Job, context: Any) -> str:
        request = context["request"]
        if obj.status != "succeeded" or not obj.result_file:
            return ""
        if obj.created_by_id != request.user.pk:
            return ""
        return reverse("core:job_file", args=[obj.pk])


@router.get("/", response=list[JobOut], summary="Background jobs you may see")
@paginate(Pages, page_size=50)
def job_list(request: HttpRequest, kind: str = "", status: str = "") -> Any:
    """Imports, exports, figure refreshes and matching runs of your area your role may see
    (exports of personal data: only your own), newest first. Filter by ``kind``/``status``."""
    return jobs.listed(request.user, kind=kind[:40], status=status[:10])


@router.get("/{job_id}/", response=JobOut, summary="One background job: status and progress")
def job_detail(request: HttpRequest, job_id: Id) -> Job:
    return jobs.get_visible(request.user, job_id)
