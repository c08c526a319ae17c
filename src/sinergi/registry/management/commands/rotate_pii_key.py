"""sinergi manage rotate_pii_key [--new-key] [--check] [--batch-size N]

Re-encrypts every stored personal value (NIK, KK number, member incomes) under the active key,
in batches, resumably (see ``registry.key_rotation``); ``--check`` says which keys are still in
use and which may be removed; ``--new-key`` adds a key to the local key file (demo) first.
"""

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored NIK, KK number and income under the active personal-data key, "
        "in batches; an interrupted run continues where it stopped. --check tells which old "
        "keys are still used and which may be removed."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--batch-size", type=int, default=5000, help="rows per transaction")
        parser.add_argument(
            "--check", action="store_true", help="only report the keys in use; change nothing"
        )
        parser.add_argument(
            "--new-key",
            action="store_true",
            help="first add a new key to the local key file and make it active (not production)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from sinergi.core import crypto
        from sinergi.registry.key_rotation import rotate

        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        if options["new_key"]:
            try:
                kid = crypto.add_local_key()
            except ImproperlyConfigured as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(_("New active key: %(kid)s") % {"kid": kid})
        if options["check"]:
            self._report(crypto)
            return
        missing = crypto.missing_key_ids()
        if missing:
            raise CommandError(crypto.missing_key_message(missing[0]))
        target = crypto.keyring().active
        self.stdout.write(_("Re-encrypting under key %(kid)s…") % {"kid": target})
        last = [-1]

        def progress(label: str, done: int, total: int) -> None:
            percent = 100 * done // total if total else 100
            if percent >= last[0] + 10 or done >= total:
                last[0] = percent
                self.stdout.write(f"  {label}: {done:,}/{total:,} ({percent}%)")

        job = rotate(batch_size=options["batch_size"], progress=progress)
        rotated = sum(s["rotated"] for s in job.result["columns"].values())
        self.stdout.write(
            _("Done: %(n)s values re-encrypted (job %(job)s).")
            % {"n": f"{rotated:,}", "job": job.pk}
        )
        left = sum(job.result["left"].values())
        if left:
            self.stdout.write(
                _(
                    "%(n)s values were written under an old key during the run (a server not "
                    "yet restarted with the new key): restart every server, then run again."
                )
                % {"n": left}
            )
        self._report(crypto)

    def _report(self, crypto: Any) -> None:
        ring = crypto.keyring()
        for label, counts in crypto.key_usage().items():
            shown = ", ".join(f"{kid}: {n:,}" for kid, n in sorted(counts.items())) or "-"
            self.stdout.write(f"  {label}: {shown}")
        files = crypto.sealed_key_usage()
        if files:
            shown = ", ".join(f"{kid}: {n}" for kid, n in sorted(files.items()))
            self.stdout.write(
                _("  sealed import files (deleted when their import ends): %(files)s")
                % {"files": shown}
            )
        removable = crypto.removable_keys()
        old = sorted(kid for kid in ring.keys if kid != ring.active)
        self.stdout.write(_("Active key: %(kid)s") % {"kid": ring.active})
        if removable:
            self.stdout.write(
                _("No value is left under %(kids)s: it can be removed from the key ring.")
                % {"kids": ", ".join(removable)}
            )
        still = [kid for kid in old if kid not in removable]
        if still:
            self.stdout.write(
                _("Still in use, keep: %(kids)s (run rotate_pii_key).") % {"kids": ", ".join(still)}
            )
        if not old:
            self.stdout.write(_("The key ring holds only the active key."))
