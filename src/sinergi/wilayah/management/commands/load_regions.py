from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Load or refresh the official region list (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="queue it for the task worker instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from sinergi.wilayah.services import regions_load
        from sinergi.wilayah.tasks import load_regions

        if options["enqueue"]:
            result = load_regions.enqueue()
            self.stdout.write(f"queued as task {result.id}")
            return
        self.stdout.write(str(regions_load().as_dict()))
