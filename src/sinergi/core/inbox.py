"""The task inbox: what waits for a person, computed from the records on every request.

Each domain app declares its providers in ``<app>/inbox.py`` with :func:`provider`;
``CoreConfig.ready`` loads those modules (as it does ``events`` and ``jobs``), so ``core`` names
no domain app. A provider is a function ``(user) -> Iterable[InboxItem]`` that reads through its
app's scoped selectors: an item exists exactly while the work waits (no to-do table that can
drift), and every ``url`` must open for that user.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class InboxItem:
    # A stable code for the kind of work ("kube.verify"); clients branch on it.
    kind: str
    # What to do, for which group or region, in the active language.
    title: str | Promise
    url: str
    # When the work started waiting for this person; the oldest come first.
    since: datetime.datetime
    due: datetime.date | None = None
    # The region code the work concerns ("32.73"), or "" when it concerns no area.
    area: str = ""


Provider = Callable[[Any], Iterable[InboxItem]]
_PROVIDERS: dict[str, Provider] = {}


def provider(code: str) -> Callable[[Provider], Provider]:
    """Register ``fn`` as the provider named ``code`` (the app's label and a word)."""

    def register(fn: Provider) -> Provider:
        _PROVIDERS[code] = fn
        return fn

    return register


def providers() -> dict[str, Provider]:
    return dict(_PROVIDERS)
