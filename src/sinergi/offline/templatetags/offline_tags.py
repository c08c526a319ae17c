"""``{% offline_head %}`` in the base template's <head>: the installable app's links and what
the page scripts need to know (who is signed in, how long data is kept, their words)."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.signals import setting_changed
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import json_script
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sinergi.offline.views import THEME_COLOUR, offline_days

register = template.Library()


def strings() -> dict[str, str]:
    """The page scripts' words in the reader's language; ``{n}``-style holes are filled there."""
    return {
        "waiting": _("Waiting to send ({n})"),
        "to_correct": _("To correct ({n})"),
        "sent_now": _("Sent ({n}) ✓"),
        "queued": _(
            "No connection: saved on this phone. It will be sent by itself when the "
            "connection returns."
        ),
        "see_queue": _("See what waits to be sent"),
        "no_room": _(
            "There is no room on this phone to keep this form ({need} needed, {free} free). "
            "Nothing was saved: free some space (old photos, videos) or send it when "
            "connected. What you typed is still in the form."
        ),
        "not_kept": _(
            "This phone could not keep the form ({why}). Nothing was saved; what you typed "
            "is still in the form."
        ),
        "preparing": _("Preparing the photos…"),
        "offline_page": _(
            "No connection: this page is the copy kept on this phone. What you record is "
            "kept and sent when the connection returns."
        ),
        "status_waiting": _("Waiting to send"),
        "status_failed": _("Not sent yet: will be tried again"),
        "status_signin": _("Waiting for you to sign in again"),
        "status_refused": _("Refused by the server"),
        "status_sent": _("Sent ✓"),
        "recorded": _("Recorded {when}"),
        "tried": _("tried {n}×, last {when}"),
        "files": _("{n} file(s)"),
        "open_result": _("Open the result"),
        "correct": _("Open & correct"),
        "discard": _("Discard"),
        "discard_sure": _("Discard for good? It will never be sent"),
        "send_now": _("Send now"),
        "remove_sent": _("Remove the sent ones from this list"),
        "empty": _("Nothing recorded on this phone waits to be sent."),
        "other_user": _(
            "{n} item(s) recorded by another account wait on this phone; they are sent when "
            "that account signs in here again."
        ),
        "net_error": _("no connection"),
        "server_error": _("the server answered {status}; it will be tried again"),
        "busy": _("the server is still handling the first attempt"),
        "no_reason": _(
            "The server refused it (status {status}) without a reason this phone could read."
        ),
        "prefill": _(
            "Filled in from the queue. Correct what the server refused and send again; the "
            "refused copy then leaves the queue."
        ),
        "logout_unsent": _(
            "{n} item(s) recorded on this phone have not been sent yet. Signing out deletes "
            "them from this phone. Sign out anyway?"
        ),
        "no_storage": _("This browser cannot keep work offline (no IndexedDB)."),
    }


# Stands where the page's config goes while the rest of the head is rendered once per key.
_CONFIG_HOLE = "\x00sinergi-offline-config\x00"
_heads: dict[tuple[Any, ...], tuple[str, str]] = {}


@register.simple_tag(takes_context=True)
def offline_head(context: template.Context) -> SafeString:
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    neutral = bool(context.get("offline_neutral"))
    # Everything but the user's number is the same for every page in one language: the words
    # (about forty gettext calls), the addresses and the rendered links are made once per key
    # (what they read) and only the config, whose first key is the user, per request.
    key = (get_language(), signed_in, neutral, offline_days(), get_script_prefix(), get_urlconf())
    common = _common.get(key)
    if common is None:
        common = {
            "neutral": neutral,
            "days": offline_days(),
            "sw": reverse("offline:service_worker"),
            "queue": reverse("offline:queue"),
            "login": reverse("accounts:login"),
            "logout": reverse("accounts:logout"),
            "strings": strings() if signed_in else {},
        }
        html = render_to_string(
            "offline/head.html",
            {"config_script": mark_safe(_CONFIG_HOLE), "theme": THEME_COLOUR},  # noqa: S308
        )
        before, _hole, after = html.partition(_CONFIG_HOLE)
        _heads[key] = (before, after)
        _common[key] = common
    # First key on purpose: the service worker reads the page's user from it.
    config = {"user": user.pk if signed_in and user is not None else None, **common}
    before, after = _heads[key]
    return mark_safe(before + json_script(config, "sinergi-offline-config") + after)  # noqa: S308


_common: dict[tuple[Any, ...], dict[str, Any]] = {}


def _forget(**kwargs: Any) -> None:
    # A test that overrides a setting (static storage, URLs, offline days) must not read a head
    # rendered under the previous one.
    _common.clear()
    _heads.clear()


setting_changed.connect(_forget)
