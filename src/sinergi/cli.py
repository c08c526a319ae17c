"""The ``sinergi`` command: the demo, Django's management commands, and the engines.

sinergi demo [--host H] [--port P] [--no-serve]
sinergi manage <django command> [...]
sinergi nik check [NIK ...] [--file F]          one JSON object per input, in order
sinergi kk check [KK ...] [--file F]
sinergi dedupe FILE --out PAIRS.csv [--candidates]
sinergi generate registry --households N --seed S --out F [--duplicates 0.02 --truth T]
sinergi import-registry F [--all-or-nothing] [--user USERNAME] [--profile NAME]
sinergi match-mentors --kube K.csv --mentors M.csv [--history H.csv] --out A.csv
sinergi allocate --demand D.csv --offers O.csv [--strategy cheapest|fair] --out A.csv
sinergi pdp export --nik N --out FILE.json [--user U]   a person's access file (UU PDP)
sinergi pdp erase --nik N --reason TEXT [--user U]      erase a person; 1 and the hold if refused
sinergi search TEXT --user U [--kinds K,..] [--limit N] [--language id|en] [--json]
sinergi search --number --user U        a whole NIK or KK, read from standard input
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.config.settings")
    import django

    django.setup()


def _numbers(values: list[str], file: Path | None) -> Iterator[str]:
    yield from values
    if file is not None:
        with file.open(encoding="utf-8-sig", errors="replace") as handle:
            for line in handle:
                line = line.rstrip("\r\n")
                if line.strip():
                    yield line


def _check_numbers(kind: str, values: list[str], file: Path | None) -> int:
    from sinergi.engines import nik

    is_nik = kind == "nik"
    check = nik.check_nik if is_nik else nik.check_kk
    out = sys.stdout
    for raw in _numbers(values, file):
        out.write(json.dumps(nik.as_json(check(raw), is_nik=is_nik)) + "\n")
    return 0


def _dedupe(path: Path, out: Path, candidates: bool) -> int:
    from sinergi.engines.dedupe import Record, find_pairs
    from sinergi.engines.registry_rows import COLUMNS, parse_date
    from sinergi.engines.tabular import TabularError, open_table

    try:
        table = open_table(path)
    except TabularError as exc:
        print(f"sinergi dedupe: {path}: {exc.code} {exc.detail}", file=sys.stderr)
        return 2
    header = [h.lower() for h in table.header]
    missing = [
        c
        for c in ("id_sumber", "nik", "nama", "jenis_kelamin", "tanggal_lahir", "kode_desa")
        if c not in header
    ]
    if missing:
        print(f"sinergi dedupe: {path}: missing columns {', '.join(missing)}", file=sys.stderr)
        return 2
    at = {name: header.index(name) for name in COLUMNS if name in header}

    def records() -> Iterator[Record]:
        for _n, cells in table.rows:
            cells = cells + [""] * (len(header) - len(cells))
            yield Record(
                id=cells[at["id_sumber"]].strip(),
                nik="".join(ch for ch in cells[at["nik"]] if ch.isdigit()),
                name=cells[at["nama"]],
                sex=cells[at["jenis_kelamin"]].strip().upper(),
                birth_date=parse_date(cells[at["tanggal_lahir"]]),
                village=cells[at["kode_desa"]].strip().replace(".", ""),
                kk=cells[at["no_kk"]].strip() if "no_kk" in at else "",
            )

    pairs = find_pairs(records(), include_candidates=candidates)
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id_a", "id_b", "score"])
        for pair in pairs:
            writer.writerow([pair.id_a, pair.id_b, f"{pair.score:.4f}"])
    print(f"{len(pairs)} pairs written to {out}", file=sys.stderr)
    return 0


class _Bar:
    def __init__(self, label: str) -> None:
        self.label = label
        self.started = time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else 0
        rate = done / max(time.perf_counter() - self.started, 1e-9)
        sys.stderr.write(
            f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} "
            f"({rate:,.0f} rows/s)"
        )
        sys.stderr.flush()

    def end(self) -> None:
        sys.stderr.write("\n")


def _layout(path: Path, actor: Any, profile: str) -> tuple[str, Any] | str:
    """(name, spec) of the layout ``profile`` names, checked against the whole file, or the
    sentence saying why it cannot read it."""
    from sinergi.core.errors import DomainError
    from sinergi.engines.tabular import TabularError, open_table
    from sinergi.registry import profiles

    try:
        if profile == profiles.AUTO:
            header = open_table(path).header
            found = profiles.layout_for_header(actor=actor, header=header)
            if found is None:
                return (
                    "no known layout has this file's columns: map them once on the import page "
                    "(and save the layout), or name a layout with --profile"
                )
        else:
            found = profiles.layout_get(actor=actor, name=profile)
        profiles.require_readable(path, found.spec)
    except profiles.LayoutRefused as exc:
        return "\n".join(message for _field, message in exc.problems)
    except DomainError as exc:
        return exc.message
    except TabularError as exc:
        from sinergi.registry.messages import problem_text

        return f"{problem_text(exc.code)} {exc.detail}".strip()
    return found.name, found.spec


def demo_base_url(host: str, port: int) -> str:
    """The address a person opens for ``sinergi demo --host H --port P``."""
    # Listening everywhere: this machine answers locally.
    if host in ("", "0.0.0.0", "::"):  # noqa: S104
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _import(path: Path, all_or_nothing: bool, username: str | None, profile: str = "") -> int:
    _django()
    from sinergi.accounts.models import User
    from sinergi.registry.dedupe import dedupe_new_rows
    from sinergi.registry.imports import ImportRefused, import_check, import_commit, import_create
    from sinergi.registry.messages import problem_text

    if not path.is_file():
        print(f"sinergi import-registry: {path}: no such file", file=sys.stderr)
        return 2
    actor = User.objects.filter(username=username).first() if username else None
    if username and actor is None:
        print(f"sinergi import-registry: no user {username!r}", file=sys.stderr)
        return 2
    layout = _layout(path, actor, profile) if profile else None
    if isinstance(layout, str):
        # Named before a row is checked, and nothing stored: fix the layout or the file.
        print(f"sinergi import-registry: {path}: {layout}", file=sys.stderr)
        return 2
    batch = import_create(
        actor=actor,
        source=path,
        file_name=path.name,
        all_or_nothing=all_or_nothing,
        layout=layout,
    )
    bar = _Bar("importing")
    batch = import_check(batch.pk, progress=bar, commit=True)
    bar.end()
    if batch.file_error:
        code, _, detail = batch.file_error.partition(":")
        print(f"{path}: {problem_text(code)} {detail}", file=sys.stderr)
        return 1
    if batch.all_or_nothing:
        try:
            bar = _Bar("saving   ")
            batch = import_commit(batch.pk, progress=bar)
            bar.end()
        except ImportRefused as exc:
            bar.end()
            print(
                f"not saved: {exc.code} (all or nothing, and some rows have problems)",
                file=sys.stderr,
            )
    candidates = dedupe_new_rows(batch).created if batch.rows_committed else 0
    summary = {
        "batch": str(batch.pk),
        "rows_read": batch.rows_read,
        "valid": batch.rows_valid,
        "committed": batch.rows_committed,
        "already_saved": batch.rows_skipped,
        "rejected": batch.rows_rejected,
        "rejected_by_reason": batch.rejected_by_reason,
        "duplicates": batch.rows_duplicate,
        "review_candidates": candidates,
    }
    print(json.dumps(summary, indent=2))
    return 0


def _match(kube: Path, mentors: Path, history: Path | None, out: Path) -> int:
    from sinergi.engines import matching_files as files
    from sinergi.engines.matching import match
    from sinergi.engines.wilayah import default_index

    index = default_index()
    problems: list[files.Problem] = []
    groups = files.read_groups(kube, index, problems)
    mentor_list = files.read_mentors(mentors, index, problems)
    pairs = files.read_history(history, problems) if history else []
    if problems:
        return _refuse("match-mentors", problems)
    started = time.perf_counter()
    result = match(groups, mentor_list, pairs)
    files.write_result(out, groups, result)
    print(
        f"assigned {result.assigned} of {len(groups)} groups; total cost {result.total_cost}"
        f" ({time.perf_counter() - started:.2f} s)"
    )
    return 0


def _allocate(demand: Path, offers: Path, strategy: str, out: Path, time_limit: float) -> int:
    from sinergi.engines import allocation_files as files
    from sinergi.engines.allocation import allocate
    from sinergi.engines.wilayah import default_index

    index = default_index()
    problems: list[files.Problem] = []
    demands = files.read_demands(demand, index, problems)
    offer_list = files.read_offers(offers, index, problems)
    if problems:
        return _refuse("allocate", problems)
    started = time.perf_counter()
    result = allocate(demands, offer_list, strategy, time_limit=time_limit)
    files.write_result(out, result)
    print(files.summary(demands, offer_list, strategy, result, time.perf_counter() - started))
    return 0


def _pdp(args: argparse.Namespace) -> int:
    """The access file and erasure of one person, audited like the pages (the actor is the
    system, or ``--user``: then that user's role and area apply)."""
    _django()
    from sinergi.accounts.models import User
    from sinergi.core.errors import DomainError
    from sinergi.pdp import services

    actor = None
    if args.user:
        actor = User.objects.filter(username=args.user, is_active=True).first()
        if actor is None:
            print(f"sinergi pdp: no active user {args.user!r}", file=sys.stderr)
            return 2
    try:
        if args.action == "export":
            data = services.access_export(actor=actor, nik=args.nik)
            args.out.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
            print(f"access file written to {args.out}", file=sys.stderr)
            return 0
        result = services.person_erase(actor=actor, nik=args.nik, reason=args.reason)
    except DomainError as exc:
        print(f"sinergi pdp {args.action}: {exc.message}", file=sys.stderr)
        return 1 if exc.status in (409, 404) else 2
    print(json.dumps(result, indent=2))
    return 0


def _search(args: argparse.Namespace) -> int:
    """The search box for one user (her role and area apply, as on the page). A NIK or KK is
    read from standard input, never from the command line: a shell keeps its lines in a
    history file and shows them to other users in the process list."""
    _django()
    from django.utils import translation

    from sinergi.accounts.models import User
    from sinergi.core.errors import DomainError
    from sinergi.search import providers, selectors

    with translation.override(args.language):
        actor = User.objects.filter(username=args.user, is_active=True).first()
        if actor is None:
            print(f"sinergi search: no active user {args.user!r}", file=sys.stderr)
            return 2
        try:
            if args.number:
                if args.text:
                    print("sinergi search: with --number, type the number on standard input, "
                          "not on the command line", file=sys.stderr)  # fmt: skip
                    return 2
                # A role that may search no number is refused before the number is read.
                selectors.require_number_search(actor)
                digits = providers.parse_number(sys.stdin.readline())
                results = selectors.search_number(actor=actor, digits=digits, limit=args.limit)
            else:
                query = providers.parse(args.text or "")
                results = selectors.search(
                    actor=actor, query=query, kinds=args.kinds, limit=args.limit
                )
        except DomainError as exc:
            print(f"sinergi search: {exc.message}", file=sys.stderr)
            return 2 if exc.status in (400, 422) else 1
        groups: list[dict[str, Any]] = [
            {
                "kind": g.code,
                "label": g.label,
                "hits": [
                    {"title": h.title, "detail": h.detail, "url": h.url, "rank": h.rank}
                    for h in g.hits
                ],
                "more": g.more,
                "timed_out": g.timed_out,
            }
            for g in results.groups
        ]
    if args.json:
        print(json.dumps(groups, ensure_ascii=False, indent=2))
        return 0
    for group in groups:
        print(f"{group['label']} ({len(group['hits'])}{'+' if group['more'] else ''})")
        for hit in group["hits"]:
            print(f"  {hit['title']} — {hit['detail']}  {hit['url']}")
    return 0


def _refuse(command: str, problems: list[Any]) -> int:
    for problem in problems[:50]:
        print(f"sinergi {command}: {problem}", file=sys.stderr)
    if len(problems) > 50:
        print(f"... and {len(problems) - 50} more problems", file=sys.stderr)
    print("Nothing written. Fix the rows above and run again.", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["manage"]:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.config.settings")
        from django.core.exceptions import ImproperlyConfigured
        from django.core.management import execute_from_command_line

        try:
            execute_from_command_line(["sinergi manage", *argv[1:]])
        except ImproperlyConfigured as exc:
            # A configuration mistake is the operator's to fix: say what, without a traceback.
            print(f"sinergi: {exc}", file=sys.stderr)
            return 2
        return 0

    parser = argparse.ArgumentParser(prog="sinergi", description="Sinergi command line")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="set up the demo database and serve it")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", default=8000, type=int)
    demo.add_argument("--no-serve", action="store_true", help="prepare the demo, do not serve")
    sub.add_parser("manage", help="Django management commands (sinergi manage help)")
    for kind in ("nik", "kk"):
        group = sub.add_parser(kind, help=f"{kind.upper()} number tools")
        actions = group.add_subparsers(dest="action", required=True)
        check = actions.add_parser("check", help=f"validate {kind.upper()} numbers")
        check.add_argument("numbers", nargs="*")
        check.add_argument("--file", type=Path, help="one number per line")
    dedupe = sub.add_parser("dedupe", help="find duplicate persons in an import file")
    dedupe.add_argument("file", type=Path)
    dedupe.add_argument("--out", type=Path, required=True)
    dedupe.add_argument(
        "--candidates",
        action="store_true",
        help="also write the weaker pairs a person should review",
    )
    generate = sub.add_parser("generate", help="write synthetic data")
    what = generate.add_subparsers(dest="what", required=True)
    registry = what.add_parser("registry", help="households and persons in the import format")
    registry.add_argument("--households", type=int, required=True)
    registry.add_argument("--seed", type=int, default=1)
    registry.add_argument("--out", type=Path, required=True)
    registry.add_argument(
        "--duplicates",
        type=float,
        default=0.0,
        help="share of persons written twice with typical errors",
    )
    registry.add_argument("--truth", type=Path, help="CSV of the planted duplicate pairs")
    importer = sub.add_parser("import-registry", help="check and save an import file")
    importer.add_argument("file", type=Path)
    importer.add_argument("--all-or-nothing", action="store_true")
    importer.add_argument("--user", help="act as this user (its area limits the rows)")
    importer.add_argument(
        "--profile",
        default="",
        help="the file's layout: sinergi, dtsen, kobo, a saved layout's name, or auto "
        "(recognised by its columns); default: Sinergi's own 14 columns in order",
    )
    matcher = sub.add_parser("match-mentors", help="optimal mentor-KUBE assignment")
    matcher.add_argument("--kube", type=Path, required=True, help="kube_id,kode_kecamatan,sektor")
    matcher.add_argument(
        "--mentors", type=Path, required=True, help="mentor_id,kode_kabupaten,sektor,kapasitas"
    )
    matcher.add_argument("--history", type=Path, help="kube_id,mentor_id pairs from before")
    matcher.add_argument("--out", type=Path, required=True)
    allocator = sub.add_parser("allocate", help="split buyers' demands over KUBE offers")
    allocator.add_argument(
        "--demand", type=Path, required=True,
        help="demand_id,kategori,jumlah,kode_kabupaten,harga_maks,lot_min",
    )  # fmt: skip
    allocator.add_argument(
        "--offers", type=Path, required=True, help="kube_id,kategori,tersedia,harga,kode_kabupaten"
    )
    allocator.add_argument("--strategy", choices=["cheapest", "fair"], default="cheapest")
    allocator.add_argument("--out", type=Path, required=True)
    allocator.add_argument(
        "--time-limit", type=float, default=30.0, help="seconds for the whole batch"
    )
    pdp = sub.add_parser("pdp", help="personal data: a person's access file, erasure")
    pdp_actions = pdp.add_subparsers(dest="action", required=True)
    pdp_export = pdp_actions.add_parser("export", help="write a person's access file (JSON)")
    pdp_export.add_argument("--nik", required=True)
    pdp_export.add_argument("--out", type=Path, required=True)
    pdp_export.add_argument("--user", help="act as this user (its role and area apply)")
    pdp_erase = pdp_actions.add_parser("erase", help="erase (anonymise) a person")
    pdp_erase.add_argument("--nik", required=True)
    pdp_erase.add_argument("--reason", required=True)
    pdp_erase.add_argument("--user", help="act as this user (its role and area apply)")
    finder = sub.add_parser("search", help="the search box, as one user sees it")
    finder.add_argument("text", nargs="?", default="", help="a name, a code or an order number")
    finder.add_argument("--user", required=True, help="search as this user (role and area)")
    finder.add_argument(
        "--number", action="store_true", help="a whole NIK or KK, read from standard input"
    )
    finder.add_argument("--kinds", action="append", default=[], help="e.g. kube,person")
    finder.add_argument("--limit", type=int, default=None, help="hits per kind (at most 50)")
    finder.add_argument("--language", choices=["id", "en"], default="id")
    finder.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    if args.command == "demo":
        # Links in the demo's mails point at the server it starts (the worker process inherits
        # this); an installation sets its own public address.
        os.environ.setdefault("SINERGI_BASE_URL", demo_base_url(args.host, args.port))
        _django()
        from sinergi.demo import run_demo

        return run_demo(host=args.host, port=args.port, serve=not args.no_serve)
    if args.command in ("nik", "kk"):
        if args.file is not None and not args.file.is_file():
            parser.error(f"--file {args.file}: no such file")
        return _check_numbers(args.command, args.numbers, args.file)
    if args.command == "dedupe":
        if not args.file.is_file():
            parser.error(f"{args.file}: no such file")
        return _dedupe(args.file, args.out, args.candidates)
    if args.command == "generate":
        from sinergi.synthetic.registry import write_registry

        if args.households < 1 or not 0 <= args.duplicates < 1:
            parser.error("--households must be at least 1 and --duplicates in [0, 1)")
        count = write_registry(
            args.out,
            households=args.households,
            seed=args.seed,
            duplicate_share=args.duplicates,
            truth_path=args.truth,
        )
        print(f"{count} persons written to {args.out}", file=sys.stderr)
        return 0
    if args.command == "import-registry":
        return _import(args.file, args.all_or_nothing, args.user, args.profile)
    if args.command == "allocate":
        return _allocate(args.demand, args.offers, args.strategy, args.out, args.time_limit)
    if args.command == "pdp":
        return _pdp(args)
    if args.command == "search":
        return _search(args)
    if args.command == "match-mentors":
        return _match(args.kube, args.mentors, args.history, args.out)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
