"""API authentication by browser session (with CSRF); the bearer token is the accounts app's
(``accounts.api_auth.TokenAuth``), put together with this in ``config.api``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import SessionAuth


class ActiveSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None
