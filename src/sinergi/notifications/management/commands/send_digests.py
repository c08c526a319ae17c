import datetime
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Send each user who has waiting work one digest for the day (count, the first items, "
        "a link to /tugas/) on their channels. Run it again the same day: nothing more is sent. "
        "Schedule it once a day (cron or a systemd timer)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--day", help="the day, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="queue batches of users for the task workers instead of running here",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from sinergi.notifications import services

        day = None
        if options["day"]:
            try:
                day = datetime.date.fromisoformat(options["day"])
            except ValueError as exc:
                raise CommandError("--day: give the day as YYYY-MM-DD") from exc
        if options["queue"]:
            from django.utils import timezone

            from sinergi.notifications import tasks

            batches = tasks.queue_digests(day or timezone.localdate())
            self.stdout.write(f"digests: {batches} batches queued")
            return
        counts = services.send_digests(day=day)
        self.stdout.write(f"digests: {counts['sent']} sent, {counts['users']} users looked at")
