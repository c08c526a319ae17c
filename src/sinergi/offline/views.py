"""The installable app's own addresses: manifest, service worker, offline page and queue page.

The service worker is served from the site root (not /static/) so that its scope is the whole
site; it and the manifest are rendered, so every asset URL in them is the build's (hashed in
production) and a new build changes the worker's bytes, which is what makes browsers install
the new one. What a device keeps and sends is decided in the worker and the page scripts
(static/offline/); docs in the README ("Install on a phone / work offline").
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

import sinergi

THEME_COLOUR = "#0b6e4f"  # the brand green of core/static/core/sinergi.css
BACKGROUND_COLOUR = "#ffffff"

# What the worker keeps from the first visit on, whatever page comes next: the page shell's
# styles and scripts and the icons. Pages and the sync list are fetched after sign-in.
SHELL_ASSETS = (
    "vendor/pico.min.css",
    "core/sinergi.css",
    "vendor/htmx.min.js",
    "core/sinergi.js",
    "core/favicon.svg",
    "offline/queue.js",
    "offline/offline.js",
    "offline/offline.css",
    "offline/icons/icon-192.png",
)


def offline_days() -> int:
    """How long a device keeps offline pages and data (queued work is kept until sent)."""
    return int(settings.SINERGI_OFFLINE_DAYS)


@functools.cache
def build_version() -> str:
    """A short fingerprint of the static files this process serves.

    In production the hashed-names manifest (staticfiles.json) changes whenever any asset
    does; elsewhere (demo, tests) the app folders are served as they are, so their files'
    sizes and times stand in for it. Read once per process.
    """
    digest = hashlib.sha256(sinergi.__name__.encode())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if settings.PRODUCTION and manifest.exists():
        digest.update(manifest.read_bytes())
    else:
        for finder in finders.get_finders():
            for path, storage in finder.list([]):
                full = Path(storage.path(path))
                stat = full.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        digest.update(Path(__file__).with_name("templates").joinpath("offline/sw.js").read_bytes())
    return digest.hexdigest()[:12]


@require_safe
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: installs Sinergi on a phone's home screen, opening on the task
    list. Indonesian first, like the site; the name is the same in every language."""
    icon = static
    body = {
        "id": "/",
        "name": "Sinergi",
        "short_name": "Sinergi",
        "description": (
            "Pendampingan dan pemberdayaan KUBE: tugas, kelompok, sesi, laporan dan "
            "penjualan — juga saat tidak ada sinyal."
        ),
        "lang": "id",
        "dir": "ltr",
        "start_url": reverse("core:inbox"),
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "categories": ["business", "productivity"],
        "icons": [
            {"src": icon("offline/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": icon("offline/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": icon("offline/icons/maskable-192.png"),
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "maskable",
            },
            {
                "src": icon("offline/icons/maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
        "shortcuts": [
            {"name": "Tugas", "url": reverse("core:inbox")},
            {"name": "Antrian kirim", "url": reverse("offline:queue")},
        ],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=1),
        content_type="application/manifest+json; charset=utf-8",
    )


@require_safe
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker script, for the whole site (``Service-Worker-Allowed: /``).

    Never cached by the browser's HTTP cache, so a new build reaches phones on their next
    visit; the worker itself keeps its files in caches named after the build.
    """
    response = render(
        request,
        "offline/sw.js",
        {
            "build": build_version(),
            "shell": [static(asset) for asset in SHELL_ASSETS],
            "queue_js": static("offline/queue.js"),
            "offline_url": reverse("offline:offline"),
            "queue_url": reverse("offline:queue"),
            "sync_url": "/api/v1/sync/",
            "login_url": reverse("accounts:login"),
            "static_url": settings.STATIC_URL,
            "days": offline_days(),
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    return response


@require_safe
def offline_page(request: HttpRequest) -> HttpResponse:
    """What the worker shows for a page this device has not kept: no data, only what to do.
    Open to everyone (it holds nothing), so it can be kept at the first visit."""
    # Rendered as for nobody (no menu, no name, no user in the page scripts' config): the worker
    # keeps one copy for every account of the device, beside the static files.
    return render(
        request,
        "offline/offline.html",
        {
            "days": offline_days(),
            "user": AnonymousUser(),
            "nav_items": [],
            "nav_menu": [],
            "breach_clocks": None,
            "offline_neutral": True,
        },
    )


@require_safe
@login_required
def queue_page(request: HttpRequest) -> HttpResponse:
    """The device's queue of work recorded offline. The server knows nothing of it: the page
    is a frame the page script fills from the device's own storage."""
    return render(request, "offline/queue.html", {"days": offline_days()})
