"""A browser session must have passed the second factor the account owes.

Signing in asks for it (accounts.signin); this covers sessions opened before the account owed
it — SINERGI_REQUIRE_2FA turned on, or the user's role gained the permission to reveal NIK:
such a session is ended at its next request and the person signs in again through the steps.
API calls with a bearer token are not sessions (the token was made with the code).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from sinergi.accounts import services
from sinergi.accounts.signin import SECOND_FACTOR_KEY


class SecondFactorSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.SINERGI_REQUIRE_2FA
            and user is not None
            and user.is_authenticated
            and not request.session.get(SECOND_FACTOR_KEY)
            and services.second_factor_required(user)
        ):
            logout(request)
            messages.info(
                request,
                _("Your account now signs in with a second factor: please sign in again."),
            )
        return self.get_response(request)
