"""Reactions to other modules' events, so that KUBE need not know about mentoring."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from sinergi.kube.models import Status, Transition
from sinergi.mentoring.services import close_for_group


@receiver(post_save, sender=Transition, dispatch_uid="mentoring_group_closed")
def group_closed(sender: Any, instance: Transition, created: bool, **kwargs: Any) -> None:
    if created and instance.to_status in (Status.GRADUATED, Status.DISSOLVED):
        close_for_group(instance.kube_id, timezone.localdate(), instance.reason)
