"""Pick, don't type: one searchable list for every region, village, person, group, mentor…

An app registers a *kind* with the function that searches it for an actor, from its
``<app>/pickers.py`` (``CoreConfig.ready`` loads every app's ``pickers`` module, as it does for
``events``), so ``core`` imports no domain app::

    from sinergi.core import pickers

    @pickers.register("village", label=_("village"))
    def villages(actor, q, *, limit, **params):
        return [pickers.Option(r.code, r.name, r.code) for r in selectors.region_list(q=q)[:limit]]

The search function applies the actor's scope through the app's selectors: what it does not
return cannot be chosen (``resolve`` is the same search by value, so a form refuses a value typed
into the page by hand). ``/pilih/<kind>/?q=`` serves the options as an HTML fragment for htmx, or
as JSON (``?format=json``); the form field is :class:`sinergi.core.widgets.PickerField`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.views.decorators.http import require_GET

from sinergi.core.errors import DomainError

# How many options a search shows; a longer list is narrowed by typing more.
LIMIT = 20
# A kind whose whole list for the actor is at most this long is a plain <select>: no search.
SMALL = 30
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,60}$")


@dataclass(frozen=True)
class Option:
    """One choice: ``value`` is what the form sends (a code or an id), ``label`` the name a
    person reads, ``secondary`` the code or masked number under it, ``disabled`` why it cannot
    be chosen (empty when it can)."""

    value: str
    label: str
    secondary: str = ""
    disabled: str = ""


class Search(Protocol):
    def __call__(self, actor: Any, q: str, *, limit: int, **params: str) -> list[Option]: ...


class Resolve(Protocol):
    def __call__(self, actor: Any, value: str, **params: str) -> Option | None: ...


@dataclass(frozen=True)
class Kind:
    name: str
    label: str | Promise
    search: Search
    resolve: Resolve | None
    # GET parameters the endpoint passes on to the search (e.g. a region level or a district).
    params: tuple[str, ...] = ()

    def find(self, actor: Any, value: str, **params: str) -> Option | None:
        """The option with ``value`` if the actor may choose it, else None."""
        if not value:
            return None
        if self.resolve is not None:
            try:
                return self.resolve(actor, value, **params)
            except DomainError:
                return None
        return next(
            (o for o in self.search(actor, value, limit=LIMIT, **params) if o.value == value), None
        )


_REGISTRY: dict[str, Kind] = {}


def register(
    name: str,
    *,
    label: str | Promise,
    params: tuple[str, ...] = (),
    resolve: Resolve | None = None,
) -> Callable[[Search], Search]:
    """Decorator: ``search`` answers for kind ``name``. ``resolve(actor, value)`` finds one
    chosen value (default: search for it and keep an exact match)."""

    def wrap(search: Search) -> Search:
        if name in _REGISTRY and _REGISTRY[name].search is not search:
            known = _REGISTRY[name].search
            if getattr(known, "__qualname__", "") != getattr(search, "__qualname__", ""):
                raise ValueError(f"picker kind {name!r} registered twice")
        _REGISTRY[name] = Kind(name, label, search, resolve, params)
        return search

    return wrap


def get(name: str) -> Kind:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise LookupError(f"no picker kind {name!r}; register it in <app>/pickers.py") from None


def kinds() -> list[str]:
    return sorted(_REGISTRY)


def search(
    name: str, actor: Any, q: str = "", *, limit: int = LIMIT, params: dict[str, str] | None = None
) -> list[Option]:
    """The options of kind ``name`` matching ``q`` for ``actor``; none when a narrowing
    parameter is not valid (a malformed region code from the address)."""
    kind = get(name)
    wanted = {k: v for k, v in (params or {}).items() if k in kind.params and v}
    try:
        return kind.search(actor, " ".join(q.split())[:100], limit=limit, **wanted)
    except DomainError:
        return []


@login_required
@require_GET
def options(request: HttpRequest, kind: str) -> HttpResponse:
    """The options of ``kind`` matching ``?q=`` for the signed-in user: an HTML fragment
    (radio buttons named ``?name=``, for the picker field) or JSON with ``?format=json``."""
    try:
        picker = get(kind)
    except LookupError:
        raise Http404 from None
    name = request.GET.get("name", "")
    if name and not _NAME.match(name):
        name = ""
    # The picker's search box sends itself as ``<name>__q``; other callers send ``q``.
    q = request.GET.get("q") or (request.GET.get(f"{name}__q", "") if name else "")
    params = {p: request.GET.get(p, "")[:20] for p in picker.params}
    found = search(kind, request.user, q or "", params=params)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "kind": kind,
                "results": [
                    {
                        "value": o.value,
                        "label": o.label,
                        "secondary": o.secondary,
                        "disabled": o.disabled,
                    }
                    for o in found
                ],
            }
        )
    return render(
        request,
        "partials/picker_options.html",
        {"options": found, "name": name or kind, "q": q, "limit": LIMIT},
    )
