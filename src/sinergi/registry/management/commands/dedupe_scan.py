from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Queue the full duplicate scan: one task per district of the area (all when no area), "
        "for any number of workers. --here runs it in this process instead, district by district."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--area", help="region code, e.g. 32 or 32.73 (default: the nation)")
        parser.add_argument("--here", action="store_true", help="run now, not on the task queue")

    def handle(self, *args: Any, **options: Any) -> None:
        from sinergi.engines import wilayah
        from sinergi.registry import tasks
        from sinergi.registry.dedupe import dedupe_district, districts

        area = options["area"]
        if area:
            try:
                area = wilayah.normalize_code(area)
            except wilayah.RegionCodeError as exc:
                raise CommandError(f"--area {area!r}: not a region code") from exc
        found = districts(area)
        if options["here"]:
            created = sum(dedupe_district(d) for d in found)
            self.stdout.write(f"{len(found)} districts scanned, {created} new possible duplicates")
            return
        for district in found:
            tasks.scan_district.enqueue(district)
        self.stdout.write(f"{len(found)} district scans queued")
