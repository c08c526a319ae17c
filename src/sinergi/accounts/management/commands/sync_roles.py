from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Create the role groups; --reset restores every role's default permissions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        from sinergi.accounts.services import roles_sync

        changed = roles_sync(reset=options["reset"])
        self.stdout.write("updated: " + (", ".join(changed) or "nothing"))
