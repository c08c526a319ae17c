"""The market's picker kind (core.pickers): ``product``, the products of the groups the actor
works with, by name with the group and price underneath; ``kube=<id>`` narrows to one group."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from sinergi.core import pickers
from sinergi.core.money import rupiah
from sinergi.core.numbers import ascii_id
from sinergi.market import selectors
from sinergi.market.models import Product


def _option(product: Product) -> pickers.Option:
    return pickers.Option(
        str(product.pk),
        product.name,
        f"{product.kube.name} · Rp{rupiah(product.price)} / {product.unit}",
    )


def _products(actor: Any, q: str, params: dict[str, str]) -> Any:
    qs = selectors.products_for(actor)
    kube = params.get("kube", "")
    if ascii_id(kube) is not None:
        qs = qs.filter(kube_id=int(kube))
    for word in q.split()[:5]:
        qs = qs.filter(name__icontains=word)
    return qs


def _resolve(actor: Any, value: str, **params: str) -> pickers.Option | None:
    if ascii_id(value) is None:
        return None
    product = _products(actor, "", params).filter(pk=int(value)).first()
    return _option(product) if product is not None else None


@pickers.register("product", label=_("product"), params=("kube",), resolve=_resolve)
def products(actor: Any, q: str, *, limit: int, **params: str) -> list[pickers.Option]:
    return [_option(p) for p in _products(actor, q, params)[:limit]]
