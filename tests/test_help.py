"""Guard tests that keep the command-line surface honest: help with an example for every command,
help for every option, `python -m jtdj`, `--version`."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from jtdj import __version__


def _commands():
    import typer

    from jtdj.cli import full_app

    group = typer.main.get_command(full_app())
    return group, group.commands


def test_there_are_commands():
    _, commands = _commands()
    assert {"import", "list", "tree", "show", "done", "export"} <= set(commands)


def test_every_command_has_help_with_an_example():
    _, commands = _commands()
    missing = [name for name, cmd in commands.items()
               if not (cmd.help or "").strip() or not any(w in cmd.help for w in ("示例", "Example"))]
    assert missing == []


def test_every_option_and_argument_has_help():
    group, commands = _commands()
    missing = []
    for name, cmd in [("(global)", group), *commands.items()]:
        for param in cmd.params:
            if param.param_type_name == "option" and param.hidden:
                continue
            if not (getattr(param, "help", None) or "").strip():
                missing.append(f"{name} {param.name}")
    assert missing == []


def test_every_command_help_page_renders(run):
    _, commands = _commands()
    for name in commands:
        result = run(name, "--help")
        assert result.exit_code == 0, (name, result.output)
        assert name in result.stdout


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JTDJ_", "LC_", "LANG"))}
    env.update(extra)
    return env


@pytest.mark.slow
def test_python_dash_m_jtdj_help(tmp_path):
    result = subprocess.run([sys.executable, "-m", "jtdj", "--help"], capture_output=True,
                            text=True, encoding="utf-8", env=_env(JTDJ_DB=str(tmp_path / "x.db")),
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert "export" in result.stdout and "示例" in result.stdout
    assert not (tmp_path / "x.db").exists()  # help never touches the database


@pytest.mark.slow
def test_help_in_english_from_the_environment(tmp_path):
    result = subprocess.run([sys.executable, "-m", "jtdj", "export", "--help"],
                            capture_output=True, text=True, encoding="utf-8",
                            env=_env(JTDJ_LANG="en", JTDJ_DB=str(tmp_path / "x.db")), timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Example" in result.stdout and "示例" not in result.stdout


def test_version(run):
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"jtdj {__version__}"
