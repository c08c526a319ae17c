#!/usr/bin/env python3
"""Set up Sinergi from the project's own files and run it.

    python3 run.py demo     set up, load the demo and serve it on http://127.0.0.1:8000
    python3 run.py test     set up, then lint, type-check and run the whole test suite
    python3 run.py setup    only set up (virtual environment, Python packages, front-end assets)

Needs nothing but Python 3.11 and the package registries: Python packages come from PyPI
through pip (pinned in requirements/lock.txt), front-end assets from the npm registry through
npm (pinned in package-lock.json) and are copied into the app's static folder, so nothing is
ever loaded from a CDN at run time. Setup is skipped when the lock files have not changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".sinergi-setup"
VENDOR = ROOT / "src" / "sinergi" / "core" / "static" / "vendor"
CHROMIUM = "/usr/bin/chromium"
LOCK_FILES = [
    ROOT / "requirements" / "lock.txt",
    ROOT / "pyproject.toml",
    ROOT / "package-lock.json",
]
# (file inside node_modules, name under static/vendor)
ASSETS = [
    ("htmx.org/dist/htmx.min.js", "htmx.min.js"),
    ("@picocss/pico/css/pico.min.css", "pico.min.css"),
    ("@picocss/pico/LICENSE.md", "pico.LICENSE.md"),
    ("htmx.org/LICENSE", "htmx.LICENSE"),
]


def say(message: str) -> None:
    print(f"\033[1m==> {message}\033[0m", flush=True)


def run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        sys.exit(result.returncode)


def fingerprint() -> str:
    digest = hashlib.sha256(sys.version.encode())
    for path in LOCK_FILES:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def setup() -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"Sinergi needs Python 3.11; this is {sys.version.split()[0]}.")
    wanted = fingerprint()
    assets_ok = all((VENDOR / name).exists() for _, name in ASSETS)
    if STAMP.exists() and STAMP.read_text() == wanted and assets_ok:
        return
    if not (BIN / "python").exists():
        say("Creating the virtual environment in .venv")
        venv.create(VENV, with_pip=True)
    say("Installing Python packages (requirements/lock.txt)")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "-r", "requirements/lock.txt")
    run(
        BIN / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "-e",
        ".",
    )
    install_assets()
    STAMP.write_text(wanted)


def install_assets() -> None:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm (Node.js 18+) is needed once at setup to fetch the front-end assets.")
    say("Installing front-end assets (package-lock.json)")
    run(npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
    VENDOR.mkdir(parents=True, exist_ok=True)
    for source, name in ASSETS:
        shutil.copyfile(ROOT / "node_modules" / source, VENDOR / name)


def install_chromium() -> None:
    """The browser tests drive Debian's Chromium; a browser build downloaded by Playwright
    is not allowed on these machines, so the distribution's package is installed instead."""
    if Path(CHROMIUM).exists():
        return
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        sys.exit(
            f"The browser tests need {CHROMIUM}: install Debian's chromium package "
            "(apt-get install -y chromium), or set SINERGI_SKIP_BROWSER=1 to leave them out."
        )
    say("Installing Debian's chromium for the browser tests")
    run(apt, "update", "-qq")
    run(apt, "install", "-y", "-qq", "--no-install-recommends", "chromium")


def sinergi(*args: str, env: dict[str, str] | None = None) -> None:
    run(BIN / "sinergi", *args, env=env)


def test(extra: list[str]) -> None:
    env = dict(os.environ)
    env.setdefault("SINERGI_ENV", "test")
    # The suite starts ~30 Python processes (xdist workers, servers, task workers); without
    # cached bytecode each compiles the application anew, and each worker its ~120 test files
    # with pytest's assertion rewriting (~10 CPU s of a worker's collection). __pycache__ is
    # git-ignored; makemigrations --check below writes the application's first.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    say(f"Database: {env.get('DATABASE_URL', 'sqlite (default)')}")
    if env.get("SINERGI_SKIP_LINT") != "1":
        say("ruff check")
        run(BIN / "ruff", "check", "src", "tests", "bench", "scripts", "run.py")
        say("ruff format --check")
        run(BIN / "ruff", "format", "--check", "src", "tests", "bench", "scripts", "run.py")
        say("mypy")
        run(BIN / "mypy")
    if env.get("SINERGI_SKIP_BROWSER") != "1":
        install_chromium()
    say("makemigrations --check")
    sinergi("manage", "makemigrations", "--check", "--dry-run", env=env)
    say("pytest")
    run(BIN / "pytest", *workers(extra), *extra, env=env)


def workers(extra: list[str]) -> list[str]:
    """Run the tests in parallel (pytest-xdist, one worker a core, at most 4) unless the
    arguments already say how; SINERGI_TEST_WORKERS overrides the count (0: one process)."""
    chosen = any(a.startswith(("-n", "--numprocesses", "no:xdist")) for a in extra)
    if chosen:
        return []
    count = os.environ.get("SINERGI_TEST_WORKERS") or str(min(os.cpu_count() or 1, 4))
    return ["-n", "0" if count == "1" else count]


def main(argv: list[str]) -> None:
    command = argv[0] if argv else "help"
    if command not in {"demo", "test", "setup"}:
        print(__doc__)
        sys.exit(0 if command in {"help", "-h", "--help"} else 2)
    setup()
    if command == "demo":
        sinergi("demo", *argv[1:])
    elif command == "test":
        test(argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
