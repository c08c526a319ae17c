"""Permissions come from the group named after the user's role (roles are data)."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import QuerySet


class RoleBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        # Once per signed-in request (the session's user): a written-out statement, since the
        # ORM's compile of ``get(pk=…)`` over the user's twenty columns cost more than its run.
        users = list(get_user_model()._default_manager.raw(_user_sql(), [user_id]))
        return users[0] if users and self.user_can_authenticate(users[0]) else None

    def _get_group_permissions(self, user_obj: Any) -> QuerySet[Permission]:
        return (
            Permission.objects.filter(group__name=user_obj.role)
            if user_obj.role
            else (Permission.objects.none())
        )

    def _get_permissions(self, user_obj: Any, obj: Any, from_name: str) -> set[str]:
        # Every signed-in request reads the user's permissions (the menu, the views' checks).
        # Django builds two ORM queries for it, one per source, and compiling them cost more CPU
        # than running them: here both sources come from one written-out statement, the same
        # rows the two queries give, and fill both of Django's per-request caches at once.
        if (
            user_obj.is_active
            and not user_obj.is_anonymous
            and obj is None
            and not user_obj.is_superuser
            and not hasattr(user_obj, f"_{from_name}_perm_cache")
        ):
            sources: dict[str, set[str]] = {"user": set(), "group": set()}
            with connection.cursor() as cursor:
                cursor.execute(_permissions_sql(), [user_obj.pk, user_obj.role or None])
                for source, app_label, codename in cursor.fetchall():
                    sources[source].add(f"{app_label}.{codename}")
            user_obj._user_perm_cache = sources["user"]
            user_obj._group_perm_cache = sources["group"]
        result: set[str] = super()._get_permissions(user_obj, obj, from_name)  # type: ignore[misc]
        return result


@cache
def _user_sql() -> str:
    meta = get_user_model()._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in meta.concrete_fields)
    table, pk = quote(meta.db_table), quote(str(meta.pk.column))
    return f"SELECT {columns} FROM {table} WHERE {pk} = %s"  # noqa: S608 - names from the model


@cache
def _permissions_sql() -> str:
    """The user's own permissions and their role group's, each row marked with its source."""
    through = get_user_model().user_permissions.through._meta.db_table
    group_through = Group.permissions.through._meta.db_table
    permission, content_type = Permission._meta.db_table, ContentType._meta.db_table
    # Table names come from the models, never from a request.
    return (
        f"SELECT 'user', ct.app_label, p.codename FROM {permission} p"  # noqa: S608
        f" JOIN {content_type} ct ON ct.id = p.content_type_id"
        f" JOIN {through} up ON up.permission_id = p.id WHERE up.user_id = %s"
        " UNION ALL"
        f" SELECT 'group', ct.app_label, p.codename FROM {permission} p"
        f" JOIN {content_type} ct ON ct.id = p.content_type_id"
        f" JOIN {group_through} gp ON gp.permission_id = p.id"
        f" JOIN {Group._meta.db_table} g ON g.id = gp.group_id WHERE g.name = %s"
    )
