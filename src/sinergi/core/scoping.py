"""The one scoping rule: what a user may see is filtered by role permission and area.

Every scoped model's manager is built from :class:`ScopedQuerySet`, naming in ``scope_field`` the
lookup that leads to a Kemendagri region code (``"area_code"``, ``"area__code"``…); a child
table names the way through its parent (``"kube__area_code"``) and takes the parent's
permissions (``permission_model``), as NetBox's ``RestrictedQuerySet.restrict()`` does. Selectors
start from ``Model.objects.for_user(actor, action)``; the UI, the API, exports and tasks all go
through selectors, so the rule holds on every path. Codes are fixed-width and dotted, so "in
area 32.73" is the prefix test ``code = '32.73' OR code LIKE '32.73.%'``, which an index serves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

if TYPE_CHECKING:
    from sinergi.accounts.models import User

M = TypeVar("M", bound=models.Model)


def area_q(field: str, area_code: str | None, *, by_range: bool = False) -> Q:
    """Q object: ``field`` (a region code) lies in the area; None means the whole nation.

    ``by_range`` states the same test as one range, ``area_code <= field < area_code + "/"``
    ("/" sorts right after "."; codes hold digits and dots only). One range is one index scan
    that also yields the list's order, where the equality OR prefix pair makes the database
    either merge two scans and sort, or walk the whole index filtering. It holds only where the
    column sorts byte by byte: SQLite's default, and on PostgreSQL the columns a migration sets
    to ``COLLATE "C"`` (see ``ScopedQuerySet.scope_by_range``).
    """
    if area_code is None:
        return Q()
    if by_range:
        return Q(**{f"{field}__gte": area_code, f"{field}__lt": area_code + "/"})
    return Q(**{field: area_code}) | Q(**{f"{field}__startswith": area_code + "."})


def user_area(user: Any) -> str | None:
    """The area code a user works in; None is the whole nation."""
    return getattr(user, "area_code", None) or None


class ScopedQuerySet(models.QuerySet[M]):
    scope_field: ClassVar[str] = "area_code"
    # The lookup from a row to its KUBE, for users bound to one group (a KUBE's officers see
    # their own group only); empty when the model has nothing to do with a group.
    kube_field: ClassVar[str] = ""
    # The same for mentors' accounts: the lookup from a row to the mentor who may see it, plus
    # conditions that must hold on the same join (a group is a mentor's only while the
    # assignment is accepted); empty when mentors have no business with the model.
    mentor_field: ClassVar[str] = ""
    mentor_conditions: ClassVar[dict[str, Any]] = {}
    # True where ``scope_field`` is a column of the model itself collated "C" on PostgreSQL (a
    # migration does it; tests/core/test_query_counts.py checks it), so scoping is one range.
    scope_by_range: ClassVar[bool] = False
    # A child table scoped through its parent is also guarded by the parent's permissions
    # ("kube.kube": a membership is seen by who may view the group, changed by who may change
    # it); empty means the model's own (``app.action_model``).
    permission_model: ClassVar[str] = ""

    def for_user(
        self, user: User | Any, action: str = "view", *, permission: str = ""
    ) -> ScopedQuerySet[M]:
        """Rows ``user`` may ``action`` (view/change/delete/export): none without permission.

        ``permission`` replaces the model's own when another module reads these rows for its
        purpose (the mentoring pages list groups to people who may not open the KUBE pages).
        """
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if not user.has_perm(permission or self.permission_for(action)):
            return self.none()
        qs = self.filter(area_q(self.scope_field, user_area(user), by_range=self.scope_by_range))
        kube_id = getattr(user, "kube_id", None)
        if kube_id is not None:
            qs = qs.filter(**{self.kube_field: kube_id}) if self.kube_field else qs.none()
        mentor_id = getattr(user, "mentor_id", None)
        if mentor_id is not None:
            if not self.mentor_field:
                return qs.none()
            qs = qs.filter(**{self.mentor_field: mentor_id, **self.mentor_conditions})
        return qs

    def permission_for(self, action: str) -> str:
        """The permission ``action`` needs on these rows: the model's own, or its parent's."""
        meta = self.model._meta
        app_label, _sep, model_name = (
            self.permission_model or f"{meta.app_label}.{meta.model_name}"
        ).partition(".")
        return f"{app_label}.{action}_{model_name}"


def access(
    source: models.Manager[M] | models.QuerySet[M],
    *,
    actor: Any,
    for_write: bool = False,
    lock: bool = False,
    permission: str = "",
    **lookup: Any,
) -> M:
    """Fetch one row the actor may see (or change), else 404: outside scope looks like absent.

    With ``for_write`` (needs the change permission) or ``lock`` (a step such as a
    recommendation that viewers of the row may take) the row is locked until the transaction
    ends, so the service re-checks state on the locked row. ``permission`` is passed on to
    ``for_user`` when another module reads these rows for its own purpose.
    """
    qs = cast(ScopedQuerySet[M], source.all()).for_user(
        actor, "change" if for_write else "view", permission=permission
    )
    if for_write or lock:
        # Only the row itself: a scope through a nullable relation (a user's area) is an
        # outer join, which PostgreSQL refuses to lock.
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
