"""The ``sinergi`` command: the demo, Django's management commands, and the engines.

sinergi demo [--host H] [--port P] [--no-serve]
sinergi manage <django command> [...]
"""

from __future__ import annotations

import argparse
import os
import sys


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.config.settings")
    import django

    django.setup()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["manage"]:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.config.settings")
        from django.core.management import execute_from_command_line

        execute_from_command_line(["sinergi manage", *argv[1:]])
        return 0

    parser = argparse.ArgumentParser(prog="sinergi", description="Sinergi command line")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="set up the demo database and serve it")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", default=8000, type=int)
    demo.add_argument("--no-serve", action="store_true", help="prepare the demo, do not serve")
    sub.add_parser("manage", help="Django management commands (sinergi manage help)")
    args = parser.parse_args(argv)

    if args.command == "demo":
        _django()
        from sinergi.demo import run_demo

        return run_demo(host=args.host, port=args.port, serve=not args.no_serve)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
