from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Class active groups for last month, propose graduations and rebuild dashboard figures."

    def handle(self, *args: Any, **options: Any) -> None:
        from sinergi.monitoring.services import refresh_all

        result = refresh_all()
        self.stdout.write(
            f"classed {result['classed']} groups, {result['proposed']} new graduation "
            f"proposals, figures rebuilt in {result['seconds']} s, "
            f"{result['exports_pruned']} old exports deleted"
        )
