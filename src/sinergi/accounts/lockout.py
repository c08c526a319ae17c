"""What a locked-out caller gets: the lockout page in the UI, a JSON error on the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

LOCKED_STATUS = 429


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "detail": _(
                    "Too many failed sign-in attempts. This account is locked for a while; "
                    "try later."
                ),
                "code": "locked_out",
            },
            status=LOCKED_STATUS,
        )
    return render(request, "accounts/locked_out.html", status=LOCKED_STATUS)
