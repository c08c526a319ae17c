from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Class active groups for last month, propose graduations and rebuild dashboard figures."

    def handle(self, *args: Any, **options: Any) -> None:
        from sinergi.monitoring.summaries import refresh_all
        from sinergi.registry.imports import tidy

        imports = tidy()  # imports whose worker died resume; expired upload files go
        self.stdout.write(
            f"{imports['imports_resumed']} imports resumed, "
            f"{imports['import_files_deleted']} import files deleted"
        )
        result = refresh_all()
        self.stdout.write(
            f"classed {result['classed']} groups, {result['proposed']} new graduation "
            f"proposals, figures rebuilt in {result['seconds']} s, "
            f"{result['exports_pruned']} old exports deleted"
        )
