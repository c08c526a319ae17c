"""Browse and search the region hierarchy."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sinergi.core.errors import DomainError
from sinergi.core.numbers import ascii_int
from sinergi.wilayah import selectors
from sinergi.wilayah.models import Level
from sinergi.wilayah.services import shipped_metadata


def _level(raw: str | None) -> int | None:
    level = ascii_int(raw or "")
    return level if level in Level.values else None


@login_required
@permission_required("wilayah.view_region", raise_exception=True)
def index(request: HttpRequest) -> HttpResponse:
    """Provinces, or search results when a query is given (htmx asks for the results only)."""
    q = request.GET.get("q", "").strip()[:100]
    level = _level(request.GET.get("tingkat"))
    if q:
        results = selectors.region_list(q=q, level=level)
        page = Paginator(results, settings.SINERGI_PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        page = None
    context = {
        "q": q,
        "level": level,
        "levels": Level.choices,
        "page": page,
        "provinces": selectors.region_list(level=Level.PROVINCE) if not q else None,
        "meta": shipped_metadata(),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "wilayah/index.html#results", context)
    return render(request, "wilayah/index.html", context)


@login_required
@permission_required("wilayah.view_region", raise_exception=True)
def detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        region = selectors.region_get(code)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    if region.code != code:
        # One canonical address per region: plain 3273011001 goes to 32.73.01.1001.
        return redirect("wilayah:detail", code=region.code, permanent=True)
    children = region.children.order_by("code")
    page = Paginator(children, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "wilayah/detail.html",
        {
            "region": region,
            "path": selectors.region_path(region),
            "page": page,
            "in_area": selectors.region_in_user_area(region, request.user),
            "meta": shipped_metadata(),
        },
    )
