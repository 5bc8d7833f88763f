"""Start-up guard (not a timed test): the fast paths do not load what they do not use.

A clerk runs jtdj dozens of times a day; every module loaded on start is paid each time. These
checks look at sys.modules in a fresh interpreter, so they hold on any machine however loaded.
"""

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

HEAVY = ("sqlite_utils", "rich", "dateutil", "pydantic", "smtplib", "ssl", "email", "openpyxl",
         "pluggy", "tomli", "csv", "tempfile")


def loaded_after(code: str, env: dict | None = None) -> set[str]:
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, timeout=60)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in HEAVY}


def test_importing_the_cli_loads_nothing_heavy():
    assert heavy(loaded_after("import jtdj.cli")) == set()


@pytest.mark.parametrize("argv, allowed", [
    (["list"], set()),                              # piped: TSV, no Rich
    (["list", "--unassigned", "--search", "党建"], set()),
    (["summary", "--format", "json"], set()),
    (["report", "--format", "text"], set()),
    (["show", "5.2", "--format", "json"], set()),
    (["done", "5.2"], set()),
    (["list", "--format", "table"], {"rich"}),       # a table is what Rich is for
])
def test_a_command_loads_only_what_it_uses(argv, allowed, tmp_path):
    env = {"JTDJ_DB": str(tmp_path / "j.db"), "JTDJ_TODAY": "2022-07-01",
           "JTDJ_CONFIG": str(tmp_path / "c.toml")}
    first = subprocess.run([sys.executable, "-m", "jtdj", "import"], cwd=ROOT, capture_output=True,
                           env={**os.environ, **env}, timeout=60)
    assert first.returncode == 0, first.stderr
    code = ("import sys\nfrom jtdj.cli import main\n"
            f"sys.argv = ['jtdj'] + {argv!r}\n"
            "import io, contextlib\n"
            "out = io.StringIO()\n"
            "try:\n    with contextlib.redirect_stdout(out):\n        main()\n"
            "except SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n")
    loaded = heavy(loaded_after(code, env))
    assert {m.split(".")[0] for m in loaded} <= allowed, sorted(loaded)


def test_the_collector_is_paused_for_a_command_and_back_on_after_it(run, imported):
    """A command runs without the cyclic garbage collector (its objects hold no cycles); a
    program calling jtdj.cli.main in-process gets it back afterwards, even after an error."""
    import gc

    from jtdj.cli.session import Session

    seen = []
    real = Session.show

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    Session.show = spy
    try:
        assert run("list").exit_code == 0
    finally:
        Session.show = real
    assert seen == [False] and gc.isenabled()
    assert run("show", "99.99").exit_code != 0 and gc.isenabled()


def test_each_command_is_found_in_the_module_the_start_up_map_names():
    """`jtdj CMD` imports only CMD's module (cli.COMMAND_MODULES): the map must name, for every
    command, the module that registers it (each module is imported alone in a fresh
    interpreter), and list them in the order help shows them; and ``cli.COMMAND_HELP`` the help
    line each declares, which `jtdj --help` lists without importing them."""
    from jtdj.cli import COMMAND_HELP, COMMAND_MODULES, full_app
    from jtdj.i18n import t

    app = full_app()
    names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
    assert names == list(COMMAND_MODULES) == list(COMMAND_HELP)
    helps = {c.name: c.help for c in app.registered_commands}
    helps.update((g.name, g.typer_instance.info.help) for g in app.registered_groups)
    assert helps == {name: t(key) for name, key in COMMAND_HELP.items()}
    for module in sorted(set(COMMAND_MODULES.values())):
        probe = (f"import json\nfrom jtdj.cli.app import app\nimport jtdj.cli.{module}\n"
                 "print(json.dumps([c.name for c in app.registered_commands]"
                 " + [g.name for g in app.registered_groups]))")
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                              cwd=ROOT, timeout=60)
        assert done.returncode == 0, done.stderr
        assert sorted(json.loads(done.stdout)) == sorted(
            n for n, m in COMMAND_MODULES.items() if m == module), module
