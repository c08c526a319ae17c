"""Mails of accounts (invitations, password resets): rendered now, sent once the transaction
that caused them commits, through Django's e-mail framework (configured from SINERGI_EMAIL_URL).

A mail server that is down never undoes the step that caused the mail: the failure is logged
(the user's id and the kind of mail, never the address or the link) and the person asking can
send the link again. The messages carry a link and no personal data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def render_in(languages: list[str], template: str, context: dict[str, Any]) -> str:
    """The template rendered in each language, one after the other (an invitation goes to a
    person whose language is not known yet)."""
    parts = []
    for code in languages:
        with translation.override(code):
            parts.append(render_to_string(template, context).strip())
    return "\n\n-----\n\n".join(parts)


def send_later(*, kind: str, user_id: int, to: str, subject: str, body: str) -> None:
    """Send after commit; a refusal of the mail server is logged, never raised."""

    def send() -> None:
        try:
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to]).send()
        except Exception:  # any transport error: the step itself has succeeded
            logger.warning("accounts mail %s to user %s could not be sent", kind, user_id)

    on_commit: Callable[[Callable[[], None]], None] = transaction.on_commit
    on_commit(send)
