"""Permissions come from the group named after the user's role (roles are data)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import QuerySet


class RoleBackend(ModelBackend):
    def _get_group_permissions(self, user_obj: Any) -> QuerySet[Permission]:
        return (
            Permission.objects.filter(group__name=user_obj.role)
            if user_obj.role
            else (Permission.objects.none())
        )
