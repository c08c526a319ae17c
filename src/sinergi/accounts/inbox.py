"""Accounts work waiting for a person (core.inbox): invitations that expired unused, for
whoever manages those users, to send again."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.accounts import selectors
from sinergi.accounts.models import Invitation
from sinergi.core.inbox import (
    InboxItem,
    any_row,
    batch_provider,
    bounded,
    by_audience,
    kind,
    personal_ids,
    provider,
)
from sinergi.core.templatetags.fast_lists import row_url

INVITATION_LAPSED = kind("accounts.invitation", gettext_lazy("Invitations to send again"))


@provider("accounts.invitations")
def invitations(user: Any) -> Iterable[InboxItem]:
    def one(person: Any) -> InboxItem:
        return InboxItem(
            INVITATION_LAPSED,
            _("%(user)s never used the invitation and it expired: send it again")
            % {"user": person},
            row_url("accounts:user_detail", person.pk),
            person.lapsed_at,
            area=person.area_code or "",
        )

    def more(count: str, person: Any) -> InboxItem:
        return InboxItem(
            INVITATION_LAPSED,
            _("%(n)s more expired invitations to send again") % {"n": count},
            reverse("accounts:user_list"),
            person.lapsed_at,
        )

    from django.utils import timezone

    def lapsed() -> bool:
        return any_row(Invitation, used_at=None, revoked_at=None, expires_at__lte=timezone.now())

    return bounded(selectors.invitations_lapsed(actor=user), one, more, guard=lapsed)


@batch_provider("accounts.invitations")
def invitations_for_users(users: Sequence[Any]) -> Mapping[int, Iterable[InboxItem]]:
    from django.utils import timezone

    # Personal: whose own invitation lapsed (a manager is never listed her own).
    lapsed = Invitation.objects.filter(
        used_at__isnull=True, revoked_at__isnull=True, expires_at__lte=timezone.now()
    )
    mine = personal_ids(lapsed, "user_id", users)
    return by_audience("accounts.invitations", users, invitations, personal=mine)
