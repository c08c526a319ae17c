from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Send the messages that are due and not taken by a worker: the end of someone's quiet "
        "hours, a retry, a task the queue lost. Schedule it every few minutes (cron)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from sinergi.notifications import delivery

        counts = delivery.send_due()
        self.stdout.write(
            "messages: " + (", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "none due")
        )
