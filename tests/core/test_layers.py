"""The house rules, checked on the source (Zulip keeps such rules in a lint script).

- Views and API modules read through selectors and write through services: they never touch
  ``Model.objects``, ``for_user`` or ``access`` themselves.
- HTML writes go through Django forms: a view never reads ``request.POST`` by hand.
- The area test is written once (``core.scoping.area_q``); nothing spells the prefix test again.
- Every audit event is a declared ``EventType`` (``<app>/events.py``), never a bare string.
- ``core`` imports no domain app, and no modules import each other in a circle (function-level
  imports count: they were how circles were hidden).

``ALLOWED`` lists what is not yet converted, file by file; it may only shrink. A rule broken in
a file not listed fails with the file and line.
"""

from __future__ import annotations

import ast
import functools
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PKG = SRC / "sinergi"
DOMAIN_APPS = {
    "accounts",
    "wilayah",
    "registry",
    "kube",
    "aid",
    "mentoring",
    "market",
    "monitoring",
}

# rule -> files (relative to src/sinergi) still breaking it. Remove a file once it is converted.
ALLOWED: dict[str, set[str]] = {
    "area-test-again": {
        # Finding regions by a typed code prefix is a search of the public region list, not
        # a test of whose data a user may see.
        "wilayah/selectors.py",
    },
    "core-imports-domain": set(),
    "domain-signal": {
        # Revoking API tokens when a password changes is account security, not domain logic,
        # and must hold however the password is changed (admin, shell, reset).
        "accounts/apps.py",
    },
    "event-as-string": set(),
    "objects-in-view": set(),
    "post-by-hand": set(),
    "scope-in-view": set(),
}
# Known import circles (each a frozenset of module names); may only shrink.
ALLOWED_CIRCLES: list[set[str]] = []


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG)
        if "migrations" in rel.parts or rel.parts[0] in {"synthetic"}:
            continue
        yield str(rel), path


def _is_view_or_api(rel: str) -> bool:
    parts = Path(rel).parts
    return parts[-1] in {"views.py", "api.py"} or (len(parts) > 2 and parts[-2] in {"views", "api"})


def _typing_only(tree: ast.AST) -> set[int]:
    """ids of the import nodes under ``if TYPE_CHECKING:`` (never run, so never a circle)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                skip.update(id(n) for n in ast.walk(inner))
    return skip


def _violations() -> dict[str, dict[str, list[int]]]:
    found: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))

    def hit(rule: str, rel: str, node: ast.AST) -> None:
        found[rule][rel].append(getattr(node, "lineno", 0))

    for rel, path in _modules():
        tree = ast.parse(path.read_text(), filename=rel)
        app = Path(rel).parts[0]
        view = _is_view_or_api(rel)
        typing_only = _typing_only(tree)
        for node in ast.walk(tree):
            if view and isinstance(node, ast.Attribute) and node.attr == "objects":
                hit("objects-in-view", rel, node)
            if view and isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in {"for_user", "access"}:
                    hit("scope-in-view", rel, node)
            if (
                view
                and isinstance(node, ast.Attribute)
                and node.attr == "POST"
                and isinstance(node.value, ast.Name)
                and node.value.id == "request"
            ):
                hit("post-by-hand", rel, node)
            if rel != "core/scoping.py":
                if isinstance(node, ast.keyword) and (node.arg or "").endswith(
                    ("code__startswith", "code__gte", "code__lt")
                ):
                    hit("area-test-again", rel, node)
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and node.value.endswith(("code__startswith", "area_code__gte"))
                ):
                    hit("area-test-again", rel, node)
            if isinstance(node, ast.Call):
                func = node.func
                if (
                    isinstance(func, ast.Attribute)
                    and func.attr == "record"
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "AuditEvent"
                    and node.args
                    and isinstance(node.args[0], ast.Constant | ast.JoinedStr)
                ):
                    hit("event-as-string", rel, node)
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name == "receiver" or (name == "connect" and app not in {"core"}):
                    text = ast.unparse(node)
                    if "post_save" in text or "pre_save" in text or "post_delete" in text:
                        hit("domain-signal", rel, node)
            if (
                app == "core"
                and isinstance(node, ast.Import | ast.ImportFrom)
                and id(node) not in typing_only
            ):
                for target in _import_targets(node, rel):
                    parts = target.split(".")
                    if len(parts) > 1 and parts[0] == "sinergi" and parts[1] in DOMAIN_APPS:
                        hit("core-imports-domain", rel, node)
    return found


def _module_name(rel: str) -> str:
    parts = list(Path(rel).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(["sinergi", *parts])


def _import_targets(node: ast.Import | ast.ImportFrom, rel: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    base = node.module or ""
    if node.level:
        here = _module_name(rel).split(".")
        if not rel.endswith("__init__.py"):
            here = here[:-1]
        here = here[: len(here) - node.level + 1]
        base = ".".join([*here, base] if base else here)
    return [f"{base}.{a.name}" for a in node.names] + [base]


def _import_graph() -> dict[str, set[str]]:
    modules = {_module_name(rel) for rel, _ in _modules()}
    graph: dict[str, set[str]] = defaultdict(set)
    for rel, path in _modules():
        me = _module_name(rel)
        tree = ast.parse(path.read_text())
        typing_only = _typing_only(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in typing_only:
                if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                    continue
                for target in _import_targets(node, rel):
                    # "from pkg import module" names the module; "from module import name"
                    # names the module itself.
                    while target and target not in modules:
                        target = target.rpartition(".")[0]
                    if target and target != me and not me.startswith(target + "."):
                        graph[me].add(target)
    return graph


def _circles(graph: dict[str, set[str]]) -> list[set[str]]:
    # Tarjan's strongly connected components; a component of two or more is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[set[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    for v in list(graph):
        if v not in index:
            visit(v)
    return out


# Found once, by the first test that asks: at import it was paid by every xdist worker while
# collecting (~1.5 CPU s each), though only one of them runs these tests.
violations = functools.cache(_violations)


@pytest.mark.parametrize("rule", sorted(ALLOWED))
def test_rule_holds_outside_the_listed_files(rule: str) -> None:
    broken = {
        f"{rel}:{lines[0]}"
        for rel, lines in violations().get(rule, {}).items()
        if rel not in ALLOWED[rule]
    }
    assert not broken, f"{rule} in {sorted(broken)}"


@pytest.mark.parametrize("rule", sorted(ALLOWED))
def test_listed_files_still_need_their_exemption(rule: str) -> None:
    # Keeps the list honest: a converted file must leave it.
    stale = {rel for rel in ALLOWED[rule] if rel not in violations().get(rule, {})}
    assert not stale, f"remove {sorted(stale)} from ALLOWED[{rule!r}]"


def test_no_import_circles() -> None:
    circles = [c for c in _circles(_import_graph()) if c not in ALLOWED_CIRCLES]
    assert not circles, f"import circles: {[sorted(c) for c in circles]}"
