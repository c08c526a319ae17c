"""The two ways a message leaves Sinergi: e-mail and the WhatsApp/SMS gateway.

E-mail goes through Django's e-mail framework (``SINERGI_EMAIL_URL`` → ``EMAIL_*``).
WhatsApp/SMS goes through one small adapter: a JSON ``{"to", "text"}`` POSTed to
``SINERGI_SMS_URL`` (any 2xx is success); a real provider's client replaces
:func:`send_sms` alone. ``console://`` prints the message (the demo's default).
Both raise :class:`GatewayError` with a short reason on any failure; the caller retries.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

logger = logging.getLogger(__name__)


class GatewayError(Exception):
    """A message that did not go out (the server is down, refused it, or timed out)."""


def send_email(to: str, subject: str, body: str, *, connection: Any = None) -> None:
    """One e-mail; through ``connection`` when given (a batch shares one SMTP session)."""
    try:
        sent = EmailMessage(
            subject, body, settings.DEFAULT_FROM_EMAIL, [to], connection=connection
        ).send()
    except Exception as exc:
        if connection is not None:
            # A broken session is dropped; the next message opens a new one.
            with contextlib.suppress(Exception):
                connection.close()
        raise GatewayError(f"{type(exc).__name__}: {exc}") from exc
    if not sent:
        raise GatewayError("the mail server accepted nothing")


@contextlib.contextmanager
def email_session() -> Iterator[Any]:
    """One connection to the mail server for many messages (a batch of the daily digest): one
    SMTP handshake instead of one each. A server that is down now is not an error here: each
    message then fails on its own and is retried."""
    connection = get_connection()
    with contextlib.suppress(Exception):
        connection.open()
    try:
        yield connection
    finally:
        with contextlib.suppress(Exception):
            connection.close()


def send_sms(to: str, text: str) -> None:
    url = settings.SINERGI_SMS_URL
    if url.startswith("console:"):
        sys.stdout.write(f"[WhatsApp/SMS] {text}\n")
        return
    if not url.startswith(("http://", "https://")):
        raise GatewayError("SINERGI_SMS_URL must be an http(s):// address or console://")
    request = urllib.request.Request(  # noqa: S310 (http(s) only, checked above)
        url,
        data=json.dumps({"to": to, "text": text}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.SINERGI_SMS_TIMEOUT) as answer:  # noqa: S310
            status = answer.status
    except urllib.error.HTTPError as exc:
        raise GatewayError(f"gateway answered {exc.code}") from exc
    except (OSError, ValueError) as exc:
        raise GatewayError(f"gateway unreachable: {type(exc).__name__}") from exc
    if not 200 <= status < 300:
        raise GatewayError(f"gateway answered {status}")
