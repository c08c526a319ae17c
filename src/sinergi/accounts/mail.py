"""Mails of accounts (invitations, password resets): rendered now, queued as messages of the
notifications app (``delivery.queue_mail``): a ``Message`` row in the step's transaction, tried
as soon as it commits, retried with backoff while the mail server is down or refuses, and
logged like every message (who, what kind, status, error; never the address, and the one-time
link only until the mail is sent or given up). A mail server that is down never undoes the
step that caused the mail. The messages carry a link and no personal data.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation


def render_in(languages: list[str], template: str, context: dict[str, Any]) -> str:
    """The template rendered in each language, one after the other (an invitation goes to a
    person whose language is not known yet)."""
    parts = []
    for code in languages:
        with translation.override(code):
            parts.append(render_to_string(template, context).strip())
    return "\n\n-----\n\n".join(parts)


def send_later(*, kind: str, user_id: int, subject: str, body: str) -> None:
    """Queue the mail in the current transaction; it leaves once the transaction commits."""
    from sinergi.notifications import delivery

    delivery.queue_mail(user_id, kind=f"accounts.{kind}", subject=subject, body=body)
