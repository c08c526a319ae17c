"""Idempotent writes: the same key twice is done once and answered twice alike.

The offline app keeps what a field user records in a queue on the phone and sends it again
until the server answers; a phone that loses the signal after sending cannot tell whether the
write arrived. Integrators retry the same way. So every write (POST, PUT, PATCH, DELETE) of a
signed-in user may carry a key — the ``Idempotency-Key`` header, or a form's
``idempotency_key`` field — and :class:`IdempotencyMiddleware` makes it safe to send twice:

1. before the view runs, the key is claimed in a transaction of its own (a row of
   ``core.IdempotencyKey``, unique per user and key), so a racing twin finds it at once;
2. the view runs; its answer is kept on the row (status, the headers that matter, the body
   encrypted) unless it was a failure the client should retry (5xx, 401, 429, a refused CSRF
   token), in which case the claim is released;
3. a later request with the key gets the kept answer, marked ``Idempotent-Replayed: true``; one
   with the key but another method, path or body is refused (422), and one arriving while the
   first still runs is told to wait (409).

A claim whose request died without an answer (a killed worker) is taken over after
``STALE_AFTER``. Rows are deleted after ``SINERGI_IDEMPOTENCY_DAYS`` by :func:`prune`, run
nightly (``sinergi manage idempotency_prune`` from cron, or the task
:func:`nightly_prune`). docs/api.md describes the contract.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task

from sinergi.core import crypto
from sinergi.core.errors import envelope
from sinergi.core.middleware import scrub
from sinergi.core.models import IdempotencyKey
from sinergi.core.tasks import recordable_failure

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
REPLAYED_HEADER = "Idempotent-Replayed"
ERROR_HEADER = "Idempotency-Error"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
# A kept answer larger than this is kept as its status only (a report page, an export).
MAX_BODY = 1024 * 1024
# A claim this old without an answer belongs to a request that died: the next one takes it.
STALE_AFTER = timedelta(minutes=10)
# Failures a retry with the same key may cure: the claim is released, nothing is kept.
RETRYABLE = frozenset({401, 408, 429})
# Form fields that change from one sending of the same form to the next without changing it.
_VOLATILE_FIELDS = frozenset({"csrfmiddlewaretoken", FORM_FIELD})
# The answer's headers a replay repeats: what the client reads to know where the write went.
_KEPT_HEADERS = ("Content-Type", "Location", "HX-Redirect", "HX-Location", "HX-Refresh")
_CIPHER_FIELD = "core.idempotencykey.body"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_SECRET_FIELD = re.compile(r"password|^otp", re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    """The row this request holds while its view runs."""

    pk: int
    started_at: datetime
    # The request carried a password or a code: its answer may be a secret (a new token).
    secret: bool = False


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _raw_key(request: HttpRequest) -> str | None:
    key = request.headers.get(HEADER)
    if key is None and not _is_api(request) and request.content_type in _FORM_TYPES:
        key = request.POST.get(FORM_FIELD)
    return key


def _user(request: HttpRequest) -> Any:
    """The signed-in user, or for the API the bearer token's (ninja authenticates it only
    inside the view); None for the anonymous, whose writes are not tracked."""
    authorization = request.headers.get("Authorization", "")
    if _is_api(request) and authorization[:7].lower() == "bearer ":
        authenticate: Callable[[str], Any] = import_string(settings.SINERGI_API_TOKEN_USER)
        by_token = authenticate(authorization[7:].strip())
        if by_token is not None:
            return by_token
        # A wrong token: the API goes on to the browser session, and so do the keys.
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        return user
    return None


def _file_digest(upload: Any) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return f"{upload.name}:{upload.size}:{digest.hexdigest()}"


def fingerprint(request: HttpRequest) -> str:
    """SHA-256 of what makes the request this request: method, path with its query, and the
    body — JSON parsed (key order and spacing aside), a form's fields and files (the CSRF token
    and the key aside, which a resent form may carry anew), anything else byte for byte."""
    digest = hashlib.sha256(f"{request.method}\n{request.get_full_path()}\n".encode())
    if request.content_type in _FORM_TYPES:
        fields = sorted(
            (name, values) for name, values in request.POST.lists() if name not in _VOLATILE_FIELDS
        )
        files = sorted(
            (name, [_file_digest(f) for f in uploads]) for name, uploads in request.FILES.lists()
        )
        digest.update(json.dumps([fields, files], ensure_ascii=False).encode())
    else:
        body = request.body
        if request.content_type == "application/json":
            with contextlib.suppress(ValueError):  # not JSON after all: the bytes as sent
                body = json.dumps(json.loads(body), sort_keys=True, ensure_ascii=False).encode()
        digest.update(body)
    return digest.hexdigest()


def _carries_secret(request: HttpRequest) -> bool:
    """Whether the request sends a password or a one-time code (a sign-in step, a token
    made with the password): its answer is kept as its status only."""
    if request.content_type in _FORM_TYPES:
        names: list[str] = list(request.POST)
    elif request.content_type == "application/json":
        try:
            body = json.loads(request.body)
        except ValueError:
            return False
        names = list(body) if isinstance(body, dict) else []
    else:
        return False
    return any(_SECRET_FIELD.search(name) for name in names)


def claim(
    *,
    user: Any,
    key: str,
    fingerprint: str,
    method: str,
    path: str,
    secret: bool = False,
    again: bool = True,
) -> Claim | IdempotencyKey:
    """Claim ``key`` for this request (a :class:`Claim`), or the row of the earlier request
    that holds it. The claim commits at once, in a transaction of its own, so a twin arriving
    on another worker sees it before this request's work is done."""
    now = timezone.now()
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(
                user=user,
                key=key,
                fingerprint=fingerprint,
                method=method,
                path=path[:500],
                started_at=now,
            )
        return Claim(row.pk, now, secret)
    except IntegrityError:
        if not again:
            raise
    earlier = IdempotencyKey.objects.filter(user=user, key=key).first()
    if earlier is None:  # released by a failed first request in between: claim it now
        return claim(
            user=user,
            key=key,
            fingerprint=fingerprint,
            method=method,
            path=path,
            secret=secret,
            again=False,
        )
    if (
        earlier.status is None
        and earlier.fingerprint == fingerprint
        and earlier.started_at < now - STALE_AFTER
    ):
        # The first request died without an answer. Taken over by one twin only: the update
        # matches while nobody else has taken it.
        taken = IdempotencyKey.objects.filter(
            pk=earlier.pk, status__isnull=True, started_at=earlier.started_at
        ).update(started_at=now)
        if taken:
            return Claim(earlier.pk, now, secret)
    return earlier


def _keeps_body(held: Claim, response: HttpResponse) -> bool:
    """Whether the answer's body is kept for a replay, or only its status: not a file (read it
    again), not more than ``MAX_BODY``, and nothing that must not outlive the moment — an
    answer marked no-store, one to a request carrying a password, one holding a NIK or KK
    number (a reveal: kept, it would outlast an erasure of the person)."""
    if response.streaming or "attachment" in response.get("Content-Disposition", ""):
        return False
    if held.secret or "no-store" in response.get("Cache-Control", ""):
        return False
    if len(response.content) > MAX_BODY:
        return False
    text = response.content.decode("utf-8", "replace")
    return scrub(text) == text


def _releases(response: HttpResponse) -> bool:
    """Whether the answer is a failure that a retry with the same key may cure."""
    status = response.status_code
    if status >= 500 or status in RETRYABLE:
        return True
    if status == 403 and response.get("Content-Type", "").startswith("application/json"):
        # The API's CSRF refusal (a browser-session write without a valid token): the
        # client fetches a token and sends the same key again.
        try:
            return json.loads(response.content).get("code") == "csrf_failed"
        except (ValueError, AttributeError):
            return False
    return False


def finish(held: Claim, response: HttpResponse) -> None:
    """Keep the answer on the claimed row, or release the claim for a retry."""
    rows = IdempotencyKey.objects.filter(pk=held.pk, started_at=held.started_at)
    if _releases(response):
        rows.delete()
        return
    kept = _keeps_body(held, response)
    body = (
        crypto.encrypt(base64.b64encode(response.content).decode(), field=_CIPHER_FIELD)
        if kept
        else ""
    )
    headers = {name: response[name] for name in _KEPT_HEADERS if name in response}
    rows.update(status=response.status_code, headers=headers, body_cipher=body, body_kept=kept)


def replay(request: HttpRequest, row: IdempotencyKey) -> HttpResponse:
    """The first request's answer again, marked as a replay."""
    body: bytes | None = None
    if row.body_kept:
        try:
            body = base64.b64decode(crypto.decrypt(row.body_cipher, field=_CIPHER_FIELD))
        except crypto.MissingKey:
            body = None  # the key was retired since: say so rather than fail
    assert row.status is not None
    if body is None:
        response = _without_body(request, row.status)
    else:
        response = HttpResponse(body, status=row.status)
        for name, value in row.headers.items():
            response[name] = value
    if not _is_api(request) and ("Location" in row.headers or "HX-Redirect" in row.headers):
        messages.info(
            request,
            _("This form had already been sent; nothing was saved twice. Here is its result."),
        )
    response[REPLAYED_HEADER] = "true"
    return response


def _without_body(request: HttpRequest, status: int) -> HttpResponse:
    message = _(
        "This request had already been done once; its answer (a file, or too large) was not "
        "kept. Open the record again to see it."
    )
    if _is_api(request):
        return JsonResponse(
            envelope(status, message, code="idempotent_replay_without_body"), status=status
        )
    return _page(request, status, _("Already done"), message)


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    from sinergi.core.views import _error  # the error page of every module

    return _error(request, status, title, message)


def _refusal(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(envelope(status, message, code=code, field=HEADER), status=status)
    response = _page(request, status, _("Form already sent"), message)
    # The page is for the person; the offline app's queue, which sent the form, tells a busy
    # key (try again) from a refusal by the code, in a header and in the page's text.
    response[ERROR_HEADER] = code
    marker = f"<!-- {code} -->\n".encode()
    content = response.content
    at = content.rfind(b"</body>")
    response.content = content[:at] + marker + content[at:] if at >= 0 else content + marker
    return response


def _bad_key(request: HttpRequest) -> HttpResponse:
    message = _(
        "The idempotency key must be 1 to 100 characters: letters, digits and . _ : - "
        "(a UUID is a good key)."
    )
    if _is_api(request):
        return JsonResponse(
            envelope(422, message, field=HEADER, errors=[{"field": HEADER, "message": message}]),
            status=422,
        )
    return _page(request, 400, _("Bad request"), message)


class IdempotencyMiddleware:
    """Claims a write's idempotency key before its view runs and keeps the answer after.

    The claim is taken in ``process_view``, after the CSRF and sign-in middleware have done
    their part (a form refused for its CSRF token never claims the key), and the answer is
    kept in ``__call__`` once the view has answered.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        held: Claim | None = getattr(request, "_idempotency_claim", None)
        if held is not None:
            finish(held, response)
        return response

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.method not in WRITE_METHODS:
            return None
        key = _raw_key(request)
        if key is None:
            return None
        user = _user(request)
        if user is None:
            return None  # the anonymous: the view refuses or serves them as always
        if not KEY_PATTERN.match(key):
            return _bad_key(request)
        sent = fingerprint(request)
        outcome = claim(
            user=user,
            key=key,
            fingerprint=sent,
            method=request.method or "",
            path=request.get_full_path(),
            secret=_carries_secret(request),
        )
        if isinstance(outcome, Claim):
            request._idempotency_claim = outcome  # type: ignore[attr-defined]  # for __call__
            return None
        if outcome.fingerprint != sent:
            return _refusal(
                request,
                422,
                "idempotency_key_reused",
                _(
                    "This idempotency key was already used for another request (%(method)s "
                    "%(path)s). Send a new key with each new request."
                )
                % {"method": outcome.method, "path": outcome.path},
            )
        if outcome.status is None:
            return _refusal(
                request,
                409,
                "idempotency_key_in_progress",
                _(
                    "A request with this idempotency key is still being processed. Wait a "
                    "moment and send it again."
                ),
            )
        return replay(request, outcome)


def prune(*, now: datetime | None = None) -> int:
    """Delete the keys older than ``SINERGI_IDEMPOTENCY_DAYS`` with their kept answers."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SINERGI_IDEMPOTENCY_DAYS)
    deleted, _per_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@task()
@recordable_failure
def nightly_prune() -> int:
    """The nightly task (django_tasks): the expired keys deleted; their number returned."""
    return prune()
