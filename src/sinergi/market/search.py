"""Products and orders in the search box (sinergi.search).

Products: a group's own side (its officer, its mentor) finds its groups' products, listed or
not, and opens them on its products page; everyone else who may view products finds the listed
ones of the catalogue in their area and opens their catalogue page. Orders are found by their
number ("12", "#12", "pesanan 12") among the orders the actor may open (``order_list``: the
buyer's own, the coordinators' and offices' area, a group's through its part).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sinergi.market import selectors
from sinergi.market.models import Order, Product
from sinergi.search import providers, ranking
from sinergi.search.providers import Hit, Query


def _group_side(actor: Any) -> bool:
    return bool(actor.has_perm("market.add_product"))


def _may_see_products(actor: Any) -> bool:
    return bool(actor.has_perm("market.view_product"))


def _product_hit(product: Product, rank: int, *, own: bool) -> Hit:
    if own:
        url = f"{reverse('market:my_products')}?{urlencode({'ubah': product.pk})}"
    else:
        url = reverse("market:product_detail", args=[product.pk])
    price = f"Rp{product.price:,}".replace(",", ".")
    return Hit(
        kind="product",
        title=product.name,
        url=url,
        detail=f"{product.kube.name} · {price}/{product.unit}",
        rank=rank,
    )


@providers.provider("product", label=_("Products"), order=50, allowed=_may_see_products)
def products(actor: Any, query: Query, *, limit: int) -> list[Hit]:
    if not _may_see_products(actor):
        return []
    own = _group_side(actor)
    scoped = Product.objects.for_user(actor)
    if not own:
        # Others open a product on the public catalogue: only what it lists.
        scoped = scoped & selectors.public_products()
    scoped = scoped.prefetch_related(None).select_related("kube")
    found = ranking.by_name(scoped, query, limit=limit, tiebreak=("-active", "-updated_at"))
    return [_product_hit(r.row, r.rank, own=own) for r in found]


def _may_see_orders(actor: Any) -> bool:
    return bool(actor.has_perm("market.view_order"))


def _order_hit(order: Order) -> Hit:
    demand = order.demand
    return Hit(
        kind="order",
        title=gettext("Order #%(n)s") % {"n": order.pk},
        url=reverse("market:order_detail", args=[order.pk]),
        detail=" · ".join(
            [
                f"{demand.category.label} × {demand.quantity} {demand.unit}",
                str(order.get_status_display()),
            ]
        ),
    )


@providers.provider("order", label=_("Orders"), order=60, allowed=_may_see_orders)
def orders(actor: Any, query: Query, *, limit: int) -> list[Hit]:
    number = query.order_number
    if number is None or not _may_see_orders(actor):
        return []
    return [_order_hit(o) for o in selectors.order_list(actor).filter(pk=number)[:1]]
