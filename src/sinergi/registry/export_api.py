"""``POST /api/v1/registry/exports``: start an export of the registry; its progress and file
are those of every background job (``GET /api/v1/jobs/{id}/``, ``download_url``)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from sinergi.core.api_perms import require_perm
from sinergi.core.jobs_api import JobOut
from sinergi.registry import export
from sinergi.registry.export import REASON_MAX
from sinergi.wilayah import selectors as wilayah_selectors

router = Router(tags=["registry"])


class ExportIn(Schema):
    format: Literal["csv", "xlsx"] = "xlsx"
    area: str = Field(
        "", max_length=100, description="A region code or name inside your area; empty: all of it"
    )
    reveal: bool = Field(
        False,
        description="Full NIK and KK numbers (needs registry.reveal_identifier and a purpose)",
    )
    purpose: str = Field(
        "",
        max_length=REASON_MAX,
        description="Why the file is needed; at least 10 characters when reveal is true",
    )


@router.post(
    "",
    response={202: JobOut},
    summary="Export households and persons of your area in the import format (a job)",
)
def export_create(request: HttpRequest, payload: ExportIn) -> Any:
    """One row per person in the columns ``POST /registry/imports`` reads; NIK and KK are
    masked unless ``reveal`` with a ``purpose``. Follow the job at ``/api/v1/jobs/{id}/``;
    when it has succeeded, its ``download_url`` gives the file (to you only)."""
    require_perm(request, export.EXPORT_PERMISSION)
    area = wilayah_selectors.area_from_text(actor=request.user, text=payload.area)
    job = export.export_start(
        actor=request.user,
        fmt=payload.format,
        reveal=payload.reveal,
        purpose=payload.purpose,
        area=area,
    )
    return Status(202, job)
