"""Request ids: every request gets one, every log line carries it, errors show it."""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from sinergi.core.errors import envelope
from sinergi.core.request_context import _request_id, current_request_id

# Re-exported: the id lives in core.request_context so core.errors can read it without a circle.
__all__ = ["current_request_id"]


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        # A leading letter keeps a reference from ever looking like a 16-digit NIK.
        rid = incoming if incoming.isalnum() and len(incoming) <= 32 else "r" + secrets.token_hex(8)
        request.request_id = rid  # type: ignore[attr-defined]  # read by error views
        token = _request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


class ApiErrorMiddleware:
    """Every error under /api/ is the JSON envelope of ``core.errors.envelope``.

    The API's own handlers already answer so; this catches the rest — the resolver's 404 for
    an unknown path, ninja's plain-text 405 for a wrong method (``Allow`` is kept), a debug
    traceback — and completes a JSON error written elsewhere (e.g. the lockout's 429) with the
    keys it lacks. Never a page, never a trace.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or not request.path.startswith("/api/"):
            return response
        body: object = None
        if response.get("Content-Type", "").startswith("application/json"):
            try:
                body = json.loads(response.content)
            except ValueError:
                body = None
        if isinstance(body, dict) and {"detail", "code", "field", "request_id"} <= body.keys():
            return response
        if isinstance(body, dict) and isinstance(body.get("detail"), str):
            extra = {k: v for k, v in body.items() if k not in {"detail", "code", "field"}}
            extra.pop("request_id", None)
            fixed = envelope(
                response.status_code,
                body["detail"],
                code=body.get("code"),
                field=body.get("field"),
                **extra,
            )
        else:
            fixed = envelope(response.status_code)
        replacement = JsonResponse(fixed, status=response.status_code)
        for header in ("Allow", "Retry-After", "WWW-Authenticate", "Vary"):
            if header in response:
                replacement[header] = response[header]
        return replacement


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


# Sixteen digits, each optionally followed by one separator people or URLs put in a number
# (space, dot, dash, slash, "+", "%20"): a NIK or KK number however it was typed. Letters and
# digits around it do not count, so request ids ("r" + hex) and longer numbers stay as they are.
_PERSONAL_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:[0-9](?:[ .\-/+]|%20)?){15}[0-9](?![0-9A-Za-z])")
REDACTED = "[NIK/KK]"


def scrub(text: str) -> str:
    return _PERSONAL_NUMBER.sub(REDACTED, text)


class PersonalNumberLogFilter(logging.Filter):
    """Remove NIK/KK-like numbers from every log line, whatever logger wrote it.

    Attached to the handlers (a logger's own filters do not see records propagated from its
    children): the message with its arguments, the traceback and the stack are rendered once
    here and scrubbed, so no formatter renders the originals later.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: log the pieces rather than nothing
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
            record.exc_info = None  # the formatter would otherwise keep the raw frames' text
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class LanguageMiddleware(LocaleMiddleware):
    """Bahasa Indonesia unless the person chose otherwise; API clients may ask per request.

    Many office browsers in Indonesia are set to English, so the web UI ignores the browser's
    Accept-Language and follows only the language cookie set by the switcher. The API keeps
    Django's negotiation (cookie, then Accept-Language), since a program asks on purpose.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = code
