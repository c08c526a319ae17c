"""``sinergi manage pdp_retention``: the nightly retention run (cron), recorded as a Job."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from sinergi.pdp import retention


class Command(BaseCommand):
    help = "Delete or anonymise what has passed its retention period, and report it."

    def handle(self, *args: Any, **options: Any) -> None:
        job = retention.run_now()
        self.stdout.write(json.dumps({"job": job.pk, "result": job.result}, indent=2))
