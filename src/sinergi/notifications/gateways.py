"""The two ways a message leaves Sinergi: e-mail and the WhatsApp/SMS gateway.

E-mail goes through Django's e-mail framework (``SINERGI_EMAIL_URL`` → ``EMAIL_*``).
WhatsApp/SMS goes through one small adapter: a JSON ``{"to", "text"}`` POSTed to
``SINERGI_SMS_URL`` (any 2xx is success); a real provider's client replaces
:func:`send_sms` alone. ``console://`` prints the message (the demo's default).
Both raise :class:`GatewayError` with a short reason on any failure; the caller retries.
"""

from __future__ import annotations

import json
import logging
import sys
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage

logger = logging.getLogger(__name__)


class GatewayError(Exception):
    """A message that did not go out (the server is down, refused it, or timed out)."""


def send_email(to: str, subject: str, body: str) -> None:
    try:
        sent = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to]).send()
    except Exception as exc:
        raise GatewayError(f"{type(exc).__name__}: {exc}") from exc
    if not sent:
        raise GatewayError("the mail server accepted nothing")


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
