"""``sinergi demo``: migrate, load regions through the task worker, seed, print logins, serve."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command

from sinergi.synthetic.demo import (
    DEMO_PASSWORD,
    seed_aid,
    seed_demo,
    seed_kube,
    seed_market,
    seed_mentoring,
    seed_monitoring,
    seed_registry,
)


def _say(text: str) -> None:
    print(f"  {text}", flush=True)


def run_demo(*, host: str, port: int, serve: bool) -> int:
    from sinergi.wilayah.services import regions_loaded
    from sinergi.wilayah.tasks import load_regions

    print(f"Sinergi demo — database: {settings.DATABASES['default']['NAME']}", flush=True)
    _say("applying migrations…")
    call_command("migrate", interactive=False, verbosity=0)
    from sinergi.core.checks import key_problems

    problems = key_problems()
    if problems:  # before seeding writes anything under a new key
        print("\n".join(problems), file=sys.stderr, flush=True)
        return 1
    if not regions_loaded():
        _say("loading the official region list (38 provinces … 83,762 villages)…")
        started = time.perf_counter()
        result = load_regions.enqueue()
        # The demo runs the queued task now so the first page already has regions; the
        # same task runs in the background worker in production.
        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
        result.refresh()
        _say(f"  {result.status} in {time.perf_counter() - started:.1f} s: {result.return_value}")
    logins = seed_demo()
    started = time.perf_counter()
    registry = seed_registry()
    _say(f"registry: {registry} ({time.perf_counter() - started:.1f} s)")
    _say(f"KUBE: {seed_kube()}")
    _say(f"aid: {seed_aid()}")
    _say(f"mentoring: {seed_mentoring()}")
    _say(f"market: {seed_market()}")
    _say(f"monitoring: {seed_monitoring()}")
    from sinergi.letters.demo import seed_letters

    _say(f"letters: {seed_letters()}")
    from sinergi.synthetic.waiting import seed_waiting

    _say(f"waiting work for the task inbox: {seed_waiting()}")
    print("\nLogins (password for all: " + DEMO_PASSWORD + ")", flush=True)
    for login in logins:
        print(f"  {login.username:<20} {login.role:<20} {login.area_code or 'nasional'}")
    if not serve:
        return 0
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sinergi.cli",
            "manage",
            "db_worker",
            "--queue-name",
            "*",
            "--no-reload",
            "--verbosity",
            "0",
        ]
    )
    print(f"\nOpen http://{host}:{port}/  (Ctrl+C to stop)\n", flush=True)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # so the worker below is stopped on SIGTERM too

    signal.signal(signal.SIGTERM, stop)
    try:
        call_command("runserver", f"{host}:{port}", use_reloader=False)
    except KeyboardInterrupt:
        pass
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    return 0
