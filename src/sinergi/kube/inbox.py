"""KUBE groups waiting for verification or activation (core.inbox)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.core.inbox import (
    InboxItem,
    batch_provider,
    bounded,
    by_audience,
    kind,
    personal_ids,
    provider,
)
from sinergi.core.templatetags.fast_lists import row_url
from sinergi.kube import selectors
from sinergi.kube.models import Status, Transition

VERIFY = kind("kube.verify", gettext_lazy("KUBE to verify"))
ACTIVATE = kind("kube.activate", gettext_lazy("KUBE to activate"))


@provider("kube.steps")
def steps(user: Any) -> Iterable[InboxItem]:
    items: list[InboxItem] = []
    for status, code in ((Status.SUBMITTED, VERIFY), (Status.VERIFIED, ACTIVATE)):
        qs = selectors.waiting_for_step(actor=user, status=status)
        items += bounded(qs, _item(code), _more(code, status))
    return items


def _item(code: str) -> Any:
    def make(kube: Any) -> InboxItem:
        text = (_("Verify %(name)s") if code == VERIFY else _("Activate %(name)s")) % {
            "name": kube.name
        }
        return InboxItem(
            code, text, row_url("kube:kube_detail", kube.pk), kube.updated_at,
            area=kube.area_code,
        )  # fmt: skip

    return make


def _more(code: str, status: str) -> Any:
    def make(count: str, kube: Any) -> InboxItem:
        text = (
            _("%(n)s more KUBE to verify") if code == VERIFY else _("%(n)s more KUBE to activate")
        ) % {"n": count}
        return InboxItem(
            code, text, reverse("kube:kube_list") + f"?status={status}", kube.updated_at
        )

    return make


@batch_provider("kube.steps")
def steps_for_users(users: Sequence[Any]) -> Mapping[int, Iterable[InboxItem]]:
    # Personal: who brought a group now waiting at a step to that step (four eyes).
    own = Q()
    for status, (_permission, earlier) in selectors.WAITING_STEPS.items():
        own |= Q(to_status=earlier, kube__status=status)
    mine = personal_ids(Transition.objects.filter(own), "actor_id", users)
    return by_audience("kube.steps", users, steps, personal=mine)
