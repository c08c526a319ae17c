"""The role backend's one-statement permission read gives what Django's two queries give."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sinergi.accounts.backends import RoleBackend
from sinergi.accounts.models import User
from sinergi.accounts.roles import Role


def _orm_permissions(user: User, source: str) -> set[str]:
    """What ``ModelBackend`` reads for ``source``, through the ORM."""
    backend = RoleBackend()
    rows = getattr(backend, f"_get_{source}_permissions")(user)
    return {f"{ct}.{name}" for ct, name in rows.values_list("content_type__app_label", "codename")}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.SOCIAL_OFFICER, Role.MENTOR, Role.BUYER, ""])
def test_one_statement_reads_both_sources(make_user: Callable[..., User], role: str) -> None:
    user = make_user(role or Role.SOCIAL_OFFICER, "32.73")
    if not role:
        User.objects.filter(pk=user.pk).update(role="")
    extra = Permission.objects.get(codename="view_auditevent")
    user.user_permissions.add(extra)
    user = User.objects.get(pk=user.pk)  # no per-request caches yet
    with CaptureQueriesContext(connection) as queries:
        everything = user.get_all_permissions()
        own = RoleBackend().get_user_permissions(user)
        from_role = RoleBackend().get_group_permissions(user)
    assert len(queries) == 1
    assert own == _orm_permissions(user, "user") == {"core.view_auditevent"}
    assert from_role == _orm_permissions(user, "group")
    assert bool(from_role) == bool(role)
    assert everything == own | from_role
    assert user.has_perm("core.view_auditevent")


@pytest.mark.django_db
def test_inactive_and_superuser_keep_djangos_answers(make_user: Callable[..., User]) -> None:
    user = make_user(Role.SOCIAL_OFFICER, "32.73")
    user.is_active = False
    assert user.get_all_permissions() == set()
    User.objects.filter(pk=user.pk).update(is_superuser=True)
    boss = User.objects.get(pk=user.pk)
    assert len(boss.get_all_permissions()) == Permission.objects.count()


@pytest.mark.django_db
def test_get_user_reads_the_whole_user_or_nobody(make_user: Callable[..., User]) -> None:
    user = make_user(Role.SOCIAL_OFFICER, "32.73", first_name="Asep")
    read = RoleBackend().get_user(user.pk)
    assert read is not None and read.pk == user.pk
    fields = [f.attname for f in User._meta.concrete_fields]
    assert [getattr(read, f) for f in fields] == [getattr(user, f) for f in fields]
    assert read.get_deferred_fields() == set()
    assert RoleBackend().get_user(user.pk + 1000) is None
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert RoleBackend().get_user(user.pk) is None
