"""Background work for regions: the load runs in the task worker, not in a web request."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django_tasks import task

from sinergi.core.tasks import recordable_failure
from sinergi.wilayah.services import regions_load


@task()
@recordable_failure
def load_regions(actor_id: int | None = None) -> dict[str, Any]:
    """Load or refresh the shipped region data; safe to run again (idempotent).

    The actor is found through ``get_user_model()``: regions sit below accounts, so this
    module names no accounts model."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return regions_load(actor=actor).as_dict()
