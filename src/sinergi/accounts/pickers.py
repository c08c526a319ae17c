"""Pickers of user management (core.pickers): ``account_kube``, the groups of the manager's
area that a KUBE officer's account can be bound to (searched by name, resolved by id)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from sinergi.core import pickers
from sinergi.core.numbers import ascii_id
from sinergi.kube import selectors


def _option(kube: Any) -> pickers.Option:
    return pickers.Option(str(kube.pk), kube.name, f"{kube.village.name} · {kube.area_code}")


def _resolve(actor: Any, value: str, **params: str) -> pickers.Option | None:
    if ascii_id(value) is None:
        return None
    kube = selectors.kube_list(actor=actor).filter(pk=int(value)).first()
    return _option(kube) if kube is not None else None


@pickers.register("account_kube", label=gettext_lazy("KUBE"), resolve=_resolve)
def account_kubes(actor: Any, q: str, *, limit: int, **params: str) -> list[pickers.Option]:
    return [_option(k) for k in selectors.kube_list(actor=actor, q=q)[:limit]]
