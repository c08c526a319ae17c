"""``sinergi manage idempotency_prune``: the nightly deletion of expired idempotency keys (cron)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from sinergi.core import idempotency


class Command(BaseCommand):
    help = "Delete idempotency keys (and the answers kept with them) older than the set days."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = idempotency.prune()
        days = settings.SINERGI_IDEMPOTENCY_DAYS
        self.stdout.write(f"{deleted} idempotency keys older than {days} days deleted")
