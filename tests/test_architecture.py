"""The layers of docs/architecture.md, checked by reading the source with ``ast``.

Every import counts, the lazy ones inside functions too: a rule that holds only for the imports
at the top of a module would not hold at run time.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "jtdj"
BASE = {"jtdj", "jtdj.errors", "jtdj.i18n", "jtdj.config", "jtdj.parse", "jtdj.recurrence",
        "jtdj.tuples"}
CORE = {"jtdj.plan", "jtdj.importer", "jtdj.actions", "jtdj.views", "jtdj.report",
        "jtdj.export", "jtdj.mail", "jtdj.smtp", "jtdj.delivery", "jtdj.planfile",
        "jtdj.plancheck", "jtdj.occurrences", "jtdj.importshares",
        "jtdj.plantoml", "jtdj.units", "jtdj.tables", "jtdj.forms", "jtdj.shares",
        "jtdj.share_tally", "jtdj.collect", "jtdj.merge",
        "jtdj.unit_list", "jtdj.urge", "jtdj.bulletin", "jtdj.unit_brief", "jtdj.review",
        "jtdj.robots", "jtdj.notify_message", "jtdj.webhook", "jtdj.robot_delivery",
        "jtdj.draft_read", "jtdj.draft_structure",
        "jtdj.draft_tasks"}
# what each layer may import (besides itself)
MAY_IMPORT = {"base": {"base"}, "store": {"base"}, "render": {"base"},
              "core": {"base", "store", "render"},
              "web": {"base", "store", "render", "core"},  # jtdj/web: the Datasette plugin
              "cli": {"base", "store", "render", "core", "web"}}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(name: str) -> str:
    if name in BASE:
        return "base"
    if name in CORE:
        return "core"
    if name == "jtdj.__main__" or name.startswith("jtdj.cli"):
        return "cli"
    for package in ("store", "render", "web"):
        if name == f"jtdj.{package}" or name.startswith(f"jtdj.{package}."):
            return package
    raise AssertionError(f"{name} belongs to no layer: add it to docs/architecture.md and here")


def sources(root: Path = PACKAGE) -> dict[str, ast.Module]:
    return {module_name(p): ast.parse(p.read_text(encoding="utf-8"), str(p))
            for p in sorted(root.rglob("*.py"))}


def imports(tree: ast.Module, modules: set[str]) -> set[str]:
    """The jtdj modules a module imports anywhere in it (``from jtdj.render import report``
    imports the module jtdj.render.report, ``from jtdj.render import formats`` the package)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in modules else node.module)
    return {name for name in found if name == "jtdj" or name.startswith("jtdj.")}


def third_party(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def calls(tree: ast.Module):
    """(dotted name, line) of every call: ``conn.execute`` → "conn.execute"."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            parts = []
            func = node.func
            while isinstance(func, ast.Attribute):
                parts.append(func.attr)
                func = func.value
            if isinstance(func, ast.Name):
                parts.append(func.id)
            yield ".".join(reversed(parts)), node.lineno


def _script_lines(tree: ast.Module) -> set[int]:
    """Lines of a module's ``if __name__ == "__main__":`` block (a script may print)."""
    lines = set()
    for node in tree.body:
        if (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)
                and getattr(node.test.left, "id", None) == "__name__"):
            lines |= set(range(node.lineno, node.end_lineno + 1))
    return lines


# --- the rules, each a function of the sources, so that a test can show it catches a break --

def cli_frameworks_outside_cli(src: dict[str, ast.Module]) -> list[str]:
    return [f"{name} imports {sorted(third_party(tree) & {'typer', 'click'})}"
            for name, tree in src.items()
            if layer(name) != "cli" and third_party(tree) & {"typer", "click"}]


def sql_outside_store(src: dict[str, ast.Module]) -> list[str]:
    sql = ("execute", "executemany", "executescript")
    return [f"{name}:{line} calls {call}" for name, tree in src.items() if layer(name) != "store"
            for call, line in calls(tree) if call.rsplit(".", 1)[-1] in sql]


def clock_outside_config(src: dict[str, ast.Module]) -> list[str]:
    clocks = ("date.today", "datetime.now", "datetime.today", "datetime.utcnow", "time.time")
    return [f"{name}:{line} calls {call}" for name, tree in src.items() if name != "jtdj.config"
            for call, line in calls(tree) if call.endswith(clocks)]


def upward_imports(src: dict[str, ast.Module]) -> list[str]:
    problems = []
    for name, tree in src.items():
        mine = layer(name)
        for target in imports(tree, set(src)):
            theirs = layer(target)
            if theirs != mine and theirs not in MAY_IMPORT[mine]:
                problems.append(f"{name} ({mine}) imports {target} ({theirs})")
    return problems


def import_circles(src: dict[str, ast.Module]) -> list[str]:
    graph = {name: imports(tree, set(src)) - {name} for name, tree in src.items()}
    circles, state = [], {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                circles.append(" → ".join(path[path.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return circles


def printing_outside_cli(src: dict[str, ast.Module]) -> list[str]:
    return [f"{name}:{line} calls {call}" for name, tree in src.items() if layer(name) != "cli"
            for call, line in calls(tree)
            if (call == "print" or call.startswith(("sys.stdout", "sys.stderr")))
            and line not in _script_lines(tree)]


RULES = [cli_frameworks_outside_cli, sql_outside_store, clock_outside_config, upward_imports,
         import_circles, printing_outside_cli]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_the_source_keeps_the_layer_rules(rule):
    assert rule(sources()) == []


# Each rule catches a break of it: the real sources with one scratch line added.
BREAKS = {
    cli_frameworks_outside_cli: ("jtdj.render.records", "import typer"),
    sql_outside_store: ("jtdj.views", "def f(store):\n    store.conn.execute('SELECT 1')"),
    clock_outside_config: ("jtdj.report", "def f():\n    return date.today()"),
    upward_imports: ("jtdj.store.counts", "from jtdj.report import counts"),
    import_circles: ("jtdj.parse", "def f():\n    from jtdj.config import clock"),
    printing_outside_cli: ("jtdj.actions", "def f():\n    print('done')"),
}


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_each_rule_fails_when_it_is_broken(rule):
    module, scratch = BREAKS[rule]
    src = sources()
    src[module] = ast.parse(ast.unparse(src[module]) + "\n" + scratch + "\n")
    assert rule(src), f"{rule.__name__} did not notice: {scratch!r} in {module}"


def test_every_module_belongs_to_a_layer_and_stays_short():
    for path in sorted(PACKAGE.rglob("*.py")):
        layer(module_name(path))
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines <= 400, f"{path.relative_to(ROOT)} has {lines} lines: split it"
