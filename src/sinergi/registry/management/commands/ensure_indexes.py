from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Build the person and household indexes a first import left out, should its run have "
        "stopped before building them (safe to run any time: nothing to do is the usual "
        "answer). Waits for a running import's own end unless --force."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="build them even while an import is running"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from sinergi.registry import deferred_indexes

        built = deferred_indexes.ensure(force=options["force"])
        left = deferred_indexes.pending()
        self.stdout.write(
            f"{len(built)} indexes built" + (f", {len(left)} left out" if left else "")
        )
