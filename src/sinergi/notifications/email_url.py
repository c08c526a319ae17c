"""``SINERGI_EMAIL_URL`` → Django's ``EMAIL_*`` settings (read by config/settings.py).

- ``console://`` prints each message on the server's standard output (the demo's default);
- ``locmem://`` keeps them in ``django.core.mail.outbox`` (benchmarks);
- ``smtp://host:port`` plain SMTP; ``smtp+tls://user:pass@host:port`` SMTP with STARTTLS;
  ``smtps://user:pass@host:port`` SMTP over TLS from the first byte.

No Django import: settings load this before Django is configured.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
}


def email_settings(url: str, *, timeout: int = 10) -> dict[str, Any]:
    """The ``EMAIL_*`` settings that ``url`` describes; an unknown scheme is a ValueError."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in BACKENDS:
        raise ValueError(
            f"SINERGI_EMAIL_URL: unknown scheme {scheme!r}; use smtp://, smtp+tls://, "
            "smtps:// or console://"
        )
    out: dict[str, Any] = {"EMAIL_BACKEND": BACKENDS[scheme]}
    if scheme.startswith("smtp"):
        out.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or {"smtp": 25, "smtp+tls": 587, "smtps": 465}[scheme],
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_TLS=scheme == "smtp+tls",
            EMAIL_USE_SSL=scheme == "smtps",
            EMAIL_TIMEOUT=timeout,
        )
    return out
