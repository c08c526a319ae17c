"""Signing in in steps: the password first, then what the account still owes before a
session is opened — a second factor (set up the first time), a new password an officer
required.

Until every step is done the browser holds only a *pending* sign-in in its session (who,
since when, where to go after): ``request.user`` stays anonymous, so nothing is reachable
half-way. A pending sign-in lasts ``PENDING_SECONDS``; too many wrong codes drop it and the
password must be given again (where django-axes counts failures). A session opened through
the second factor is marked ``SECOND_FACTOR_KEY``: creating an API token on the profile page
needs that mark when the account is asked for a second factor.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from sinergi.accounts import selectors, services
from sinergi.accounts.models import User

PENDING_KEY = "sinergi_signin_pending"
SECOND_FACTOR_KEY = "sinergi_2fa_at"
PENDING_SECONDS = 600
MAX_TRIES = 5


def _safe_next(request: HttpRequest, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def next_step(user: User, *, verified: bool) -> str:
    """The URL name of the step still due, or "" when the session may be opened."""
    if services.second_factor_asked(user) and not verified:
        if services.second_factor_enrolled(user):
            return "accounts:signin_code"
        return "accounts:signin_enrol"
    if user.must_change_password:
        return "accounts:signin_password"
    return ""


def begin(request: HttpRequest, user: User, next_url: str) -> str | None:
    """After the password: the URL of the next step (a pending sign-in is kept), or None
    when nothing is due (the caller opens the session as Django does)."""
    step = next_step(user, verified=False)
    if not step:
        return None
    request.session[PENDING_KEY] = {
        "uid": user.pk,
        "backend": getattr(user, "backend", ""),
        "since": time.time(),
        "next": _safe_next(request, next_url),
        "verified": False,
        "tries": 0,
    }
    return reverse(step)


def pending(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    """The user half-way through signing in in this browser, with the pending state."""
    state = request.session.get(PENDING_KEY)
    if not isinstance(state, dict) or time.time() - state.get("since", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user = selectors.user_for_signin(state.get("uid"))
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return None
    return user, state


def save(request: HttpRequest, state: dict[str, Any]) -> None:
    request.session[PENDING_KEY] = state
    request.session.modified = True


def failed_try(request: HttpRequest, state: dict[str, Any]) -> bool:
    """Count a wrong code; True when there were too many (the pending sign-in is dropped)."""
    state["tries"] = int(state.get("tries", 0)) + 1
    if state["tries"] >= MAX_TRIES:
        request.session.pop(PENDING_KEY, None)
        return True
    save(request, state)
    return False


def advance(request: HttpRequest, user: User, state: dict[str, Any]) -> str:
    """The URL after a step is done: the next step, or — all done — the session is opened
    and the page the person was going to."""
    step = next_step(user, verified=bool(state.get("verified")))
    if step:
        save(request, state)
        return reverse(step)
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=state.get("backend") or None)
    if state.get("verified"):
        request.session[SECOND_FACTOR_KEY] = int(time.time())
    return str(state.get("next") or resolve_url(settings.LOGIN_REDIRECT_URL))


def second_factor_done(request: HttpRequest) -> bool:
    """Whether this session was opened through the second factor (or set one up since)."""
    return bool(request.session.get(SECOND_FACTOR_KEY))
