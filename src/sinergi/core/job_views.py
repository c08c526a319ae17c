"""Pages of one background job: its progress (the partial the other pages poll) and its file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from sinergi.core import jobs


@login_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    item = jobs.get_visible(request.user, pk)
    if getattr(request, "htmx", False):
        return render(request, "partials/job_progress.html", {"job": item})
    return render(request, "core/job.html", {"job": item})


@login_required
def job_file(request: HttpRequest, pk: int) -> FileResponse:
    """The job's file streamed from the storage, for the person who asked for it."""
    item, handle = jobs.open_file(request.user, pk)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=item.result_name or f"{item.kind}-{item.pk}",
    )
