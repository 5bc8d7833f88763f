"""Tests run against a real SQLite file in tmp_path and the real CLI, isolated from the machine."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLAN_2022 = ROOT / "plans" / "2022.toml"
SAMPLE_2023 = ROOT / "tests" / "data" / "sample-2023.toml"


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Point the database and config at tmp_path; fixed width, no colour, Chinese, fixed user."""
    for var in list(os.environ):
        if var.startswith("JTDJ_") or var in ("LANG", "LC_ALL", "LC_MESSAGES", "FORCE_COLOR"):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("JTDJ_DB", str(tmp_path / "data" / "jtdj.db"))
    monkeypatch.setenv("JTDJ_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("JTDJ_USER", "tester")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "50")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    from jtdj.i18n import set_language

    set_language("zh")
    yield
    set_language("zh")


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "data" / "jtdj.db"


@pytest.fixture
def run():
    """Run the real CLI in-process: run("list", "--format", "json") -> Result with exit_code,
    stdout and stderr. It goes through jtdj.cli.main, the console script's entry point, so error
    handling and exit codes are those a user sees."""
    import click
    from click.testing import CliRunner

    from jtdj.cli import main

    @click.command(context_settings={"ignore_unknown_options": True, "help_option_names": []})
    @click.argument("argv", nargs=-1, type=click.UNPROCESSED)
    def entry(argv):
        main(list(argv))

    runner = CliRunner()

    def _run(*args, input=None, env=None):
        from jtdj.cli.session import OPENED

        try:
            return runner.invoke(entry, [str(a) for a in args], input=input, env=env,
                                 catch_exceptions=False)
        finally:  # as the process of a real run does when it ends (``cli.entry``): a store
            for store in list(OPENED):  # left to the garbage collector checkpoints its WAL
                store.close()  # into the file whenever it is collected, under a later step

    return _run


@pytest.fixture
def imported(run):
    """The bundled 2022 plan imported into a fresh database."""
    result = run("import")
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def plan22(run):
    """The bundled plan imported on 2022-06-01, so every event has a 2022 date."""
    result = run("--as-of", "2022-06-01", "import")
    assert result.exit_code == 0, result.output
    return result


def ok(run, *args, **kw):
    """run(*args, **kw), asserting exit code 0 (the output is the failure message)."""
    result = run(*args, **kw)
    assert result.exit_code == 0, result.output
    return result


def rows(db_path: Path, sql: str, *params) -> list[dict]:
    """Read the database directly (for checks that must not go through the CLI)."""
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def dump(db_path: Path) -> list[str]:
    """Every row of every table as SQL text: equal dumps mean an unchanged database."""
    conn = sqlite3.connect(db_path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def as_json(result) -> object:
    return json.loads(result.stdout)


def one_item_plan(key: str, title: str, issued: str, tasks: list[str]) -> str:
    """A plan file of one section and one item, issued on ``issued`` and due at the year's end,
    whose tasks are numbered from 1, each given by its extra TOML lines (due, owner, each …)."""
    head = (f'format = 1\n\n[plan]\nkey = "{key}"\ntitle = "{title}"\nissued = {issued}\n'
            'due = 2022-12-31\n\n[[sections]]\nno = 1\ntitle = "第一部分"\n\n'
            '[[sections.items]]\nno = 1\ntitle = "条目一"\n')
    return head + "".join(f'\n[[sections.items.tasks]]\nno = {no}\ntitle = "任务{no}"\n{lines}\n'
                          for no, lines in enumerate(tasks, 1))


# A plan of recurring obligations (issued 2022-04-15): 4.1 monthly (组织科), 4.2 quarterly due on
# day 20, 4.3 monthly handed to 甲校 and 乙校, and 4.4 an ordinary task due 2022-12-20.
RECURRING_PLAN = """format = 1
[plan]
key = "rc"
title = "测试计划"
issued = 2022-04-15
due = 2022-12-31
[[sections]]
no = 1
title = "一、组织"
[[sections.items]]
no = 4
title = "三会一课"
text = "认真落实“三会一课”"
[[sections.items.tasks]]
no = 1
title = "召开支部委员会"
every = "month"
owner = "组织科"
[[sections.items.tasks]]
no = 2
title = "召开党员大会"
every = "quarter"
day = 20
[[sections.items.tasks]]
no = 3
title = "开展主题党日"
every = "month"
each = ["甲校", "乙校"]
[[sections.items.tasks]]
no = 4
title = "年度述职"
due = 2022-12-20
"""


# A plan with ongoing tasks (常态推进, issued 2022-03-01): 1.1 and 1.3 (组织科) ongoing, 1.2 due
# 2022-06-30.
ONGOING_PLAN = """format = 1
[plan]
key = "og"
title = "测试计划"
issued = 2022-03-01
due = 2022-12-31
[[sections]]
no = 1
title = "一、思想"
[[sections.items]]
no = 1
title = "学习"
text = "深刻领悟“两个确立”"
[[sections.items.tasks]]
no = 1
title = "深刻领悟“两个确立”决定性意义"
kind = "ongoing"
[[sections.items.tasks]]
no = 2
title = "召开专题会议"
due = 2022-06-30
[[sections.items.tasks]]
no = 3
title = "常态化收集分析党员干部思想动态"
kind = "ongoing"
owner = "组织科"
"""
