"""Background work for regions: the load runs in the task worker, not in a web request."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from sinergi.wilayah.services import regions_load


@task()
def load_regions(actor_id: int | None = None) -> dict[str, Any]:
    """Load or refresh the shipped region data; safe to run again (idempotent)."""
    from sinergi.accounts.models import User

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return regions_load(actor=actor).as_dict()
