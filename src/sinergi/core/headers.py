"""Browser-side limits on every response: what a page may load and run, which devices it may use.

The Content-Security-Policy allows scripts and styles from Sinergi's own origin only (no inline
script, no inline style, no ``eval``), so even markup that slipped past escaping cannot run. The
site's own templates hold no inline script or handler (a test scans them); the admin and the API
docs, served by Django and django-ninja from local static files, need no exception.
Responses that set their own policy (a served upload is sandboxed) keep it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)

# File inputs ask for the camera (``capture``) on the site's own pages; nothing else here needs a
# device, a location or a payment, and no embedded frame gets any of them.
PERMISSIONS_POLICY = ", ".join(
    (
        "accelerometer=()",
        "autoplay=()",
        "camera=(self)",
        "display-capture=()",
        "geolocation=()",
        "gyroscope=()",
        "hid=()",
        "magnetometer=()",
        "microphone=()",
        "midi=()",
        "payment=()",
        "serial=()",
        "usb=()",
    )
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
