"""No command reads the plan task by task, unit by unit or share by share (issue 14): each
reading command runs as many SQL statements for a plan of 200 tasks as for one of 20, with
units registered, tasks handed to them (`assign --each`), notes, check-offs, a form collected
and merged, reports waiting for review and one accepted — as of a mid-year day and as of a
past day (the history replay). Counted with sqlite3's trace callback on every connection jtdj
opens, through the real CLI in-process."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections import Counter
from datetime import date, timedelta

import openpyxl
import pytest
from conftest import ok

SMALL, BIG = 20, 200
MID_YEAR, PAST = "2022-07-01", "2022-05-20"
GROUP = "各直属党组织"
MEMBERS = ("甲校党支部", "乙校党支部", "丙校党委", "丁校党委")
OFFICES = ("组织科", "宣传科")
MORE_UNITS = 3  # the third database: BIG tasks, 3 × the members in the group
BIG_UNITS = "big, 3 × the units"


def _register(members) -> str:
    return "单位名称,简称,类别,联系人,邮箱,手机,分组\n" + "".join(
        f"{name},,党组织,联系人{k},u{k}@example.org,,{GROUP}\n" for k, name in enumerate(members)
    ) + "".join(f"{name},,科室,科员{k},k{k}@example.org,,各科室\n"
                for k, name in enumerate(OFFICES))


def _plan(path, tasks: int) -> None:
    """``tasks`` tasks, 5 an item over 2 sections, led by the two offices, due over the year;
    the fifth of each item has a progress note, the third was done by the plan file when it
    fell due before April."""
    items = tasks // 5
    out = ['format = 1', '', '[plan]', f'key = "s{tasks}"', f'title = "语句计数计划{tasks}"',
           'issued = 2022-01-01', 'due = 2022-12-31', '']
    for s in (1, 2):
        out += ['[[sections]]', f'no = {s}', f'title = "第{s}部分"', '']
        for i in range(s, items + 1, 2):
            out += ['[[sections.items]]', f'no = {i}', f'title = "条目{i}"', '']
            for k in range(1, 6):
                due = date(2022, 1, 10) + timedelta(days=((i - 1) * 5 + k) * 340 // tasks)
                out += ['[[sections.items.tasks]]', f'no = {k}', f'title = "工作任务{i}-{k}"',
                        f'due = {due}', f'owner = "{OFFICES[(i + k) % 2]}"']
                if k == 3 and due < date(2022, 4, 1):
                    out += ['status = "done"', f'done_on = {due}']
                if k % 5 == 0:
                    out += ['', '[[sections.items.tasks.notes]]', 'on = 2022-02-01',
                            f'text = "进展{i}-{k}"', 'percent = 40']
                out.append('')
    path.write_text("\n".join(out), encoding="utf-8")


def _fill_first_row(path) -> None:
    """A unit fills its form: the first row 已完成 on 2022-05-06 with a note and evidence."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    sheet["C3"] = dt.date(2022, 5, 8)
    sheet["G5"], sheet["M5"] = "已完成", dt.date(2022, 5, 6)
    sheet["I5"], sheet["L5"] = "已完成部署", "部署通知.pdf"
    book.save(path)


def _runner():
    """conftest's ``run``, for a fixture made once for the module: the CLI in-process."""
    import click
    from click.testing import CliRunner

    from jtdj.cli import main

    @click.command(context_settings={"ignore_unknown_options": True, "help_option_names": []})
    @click.argument("argv", nargs=-1, type=click.UNPROCESSED)
    def entry(argv):
        main(list(argv))

    runner = CliRunner()
    return lambda *args, env=None: runner.invoke(entry, [str(a) for a in args], env=env,
                                                 catch_exceptions=False)


def _env(root, size) -> dict:
    """What conftest's ``isolated`` sets, for the database named ``size``."""
    return {"JTDJ_DB": str(root / f"db{size}" / "jtdj.db"),
            "JTDJ_CONFIG": str(root / "config.toml"), "JTDJ_USER": "tester",
            "JTDJ_LANG": "zh", "COLUMNS": "80", "LINES": "50", "NO_COLOR": "1",
            "TERM": "dumb", "XDG_DATA_HOME": str(root / "xdg-data"),
            "XDG_CONFIG_HOME": str(root / "xdg-config")}


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    """Three databases made the same way, {key: env}: SMALL tasks, BIG tasks, and BIG tasks
    with MORE_UNITS times the members in the group (key BIG_UNITS). What grows with the plan
    grows in step: the items handed to each member of the group (every third item, so the
    shares grow with the tasks and the members), those checked off (every third, on two
    days), the shares reported done awaiting review."""
    run = _runner()
    made = {}
    root = tmp_path_factory.mktemp("counts")
    more = MEMBERS + tuple(f"第{k}中学党委" for k in range(len(MEMBERS) * (MORE_UNITS - 1)))
    for key, size, members in ((SMALL, SMALL, MEMBERS), (BIG, BIG, MEMBERS),
                               (BIG_UNITS, BIG, more)):
        env = _env(root, len(members) * 1000 + size)
        register = root / f"单位名单{len(members)}.csv"
        register.write_text(_register(members), encoding="utf-8")
        plan = root / f"plan{size}.toml"
        _plan(plan, size)
        items = size // 5
        shared = [str(i) for i in range(1, items + 1, 3)]
        ok(run, "--as-of", "2022-01-05", "import", plan, env=env)
        ok(run, "--as-of", "2022-01-05", "units", "import", register, env=env)
        ok(run, "--as-of", "2022-02-01", "assign", *shared, "--each", GROUP, env=env)
        ok(run, "--as-of", "2022-03-01", "done", *[str(i) for i in range(2, items + 1, 3)],
           "--note", "已完成", "--on", "2022-03-01", env=env)
        ok(run, "--as-of", "2022-03-02", "note", "2.1", "召开推进会", "--percent", "30", env=env)
        forms = root / f"forms{len(members)}-{size}"
        out = ok(run, "--as-of", "2022-05-01", "collect", "--reply-by", "2022-05-10", "-o",
                 forms, env=env).stdout
        form = next(p for p in out.splitlines() if MEMBERS[0] in p)
        _fill_first_row(form)
        ok(run, "--as-of", "2022-05-10", "merge", form, "--yes", env=env)
        ok(run, "--as-of", "2022-06-01", "done", *shared, "--unit", MEMBERS[1], "--reported",
           "--note", "电话报告", env=env)
        ok(run, "--as-of", "2022-06-05", "accept", "1.1", "--unit", MEMBERS[1], env=env)
        ok(run, "--as-of", "2022-06-20", "done", *[str(i) for i in range(3, items + 1, 3)],
           "--note", "按期完成", env=env)
        ok(run, "--as-of", "2022-06-21", "drop", "3.4", "--reason", "合并", env=env)
        made[key] = env
    return made



# (name, argv): every command the issue names; OUT is replaced by a file in tmp_path
COMMANDS = [
    ("export json", ("export", "-f", "json")),
    ("export csv", ("export", "-f", "csv")),
    ("export toml", ("export", "-f", "toml")),
    ("export xlsx", ("export", "-f", "xlsx", "-o", "OUT")),
    ("report json", ("report", "--week", "-f", "json")),
    ("report text", ("report", "--week")),
    ("report --by-unit", ("report", "--week", "--by-unit")),
    ("report --unit", ("report", "--week", "--unit", MEMBERS[1])),
    ("summary json", ("summary", "-f", "json")),
    ("list all json", ("list", "--status", "all", "-f", "json")),
    ("list --owner", ("list", "--owner", MEMBERS[1])),
    ("show", ("show", "1.1")),
    ("history", ("history",)),
    ("urge", ("urge", "--force")),
    ("review", ("review",)),
]
XFAIL: dict[str, str] = {}
XFAIL_UNITS: dict[str, str] = {}
# A report's lists are cut at --limit (the text and HTML report's default); a list that is cut
# counts what it left out with one query of its own (store.period_lists.completed_between), run only
# then: at 20 tasks a list may not be full, at 200 it is. One statement per list, five lists
# at most (done, notes, overdue, due soon, lagging), however large the plan.
MARGIN = {"report text": 5}


@pytest.fixture
def traced(monkeypatch):
    """Every SQL statement run from now on, on every connection jtdj opens."""
    statements: list[str] = []
    real_connect = sqlite3.connect

    def connect(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect)
    return statements


# Commands that write the first time they run for a day and a period: the 通报 takes its
# issue number (第N期), `urge` records its events (then --force repeats it). Each is run once
# before it is counted, so every database is counted in the same state whatever ran before.
WARM = {"report --by-unit", "urge"}


def _count(run, traced, env, as_of, argv, out, name="") -> list[str]:
    if name in WARM:
        ok(run, "--as-of", as_of, *[out if a == "OUT" else a for a in argv], env=env)
    traced.clear()
    ok(run, "--as-of", as_of, *[out if a == "OUT" else a for a in argv], env=env)
    assert traced, "the trace callback saw no statement"
    return list(traced)


def _shape(statement: str) -> str:
    """A statement with its literals blanked: the same query for another task reads the same."""
    text = re.sub(r"'[^']*'|\b\d+\b", "?", " ".join(statement.split()))
    return re.sub(r"\?(,\s*\?)+", "?…", text)[:160]


@pytest.mark.parametrize("as_of", [MID_YEAR, PAST], ids=["mid-year", "past-day"])
@pytest.mark.parametrize("name, argv", [
    pytest.param(name, argv, id=name.replace(" ", "-"), marks=[pytest.mark.xfail(
        strict=True, reason=XFAIL[name])] if name in XFAIL else [])
    for name, argv in COMMANDS])
def test_a_command_runs_as_many_statements_for_200_tasks_as_for_20(plans, run, traced,
                                                                   tmp_path, name, argv, as_of):
    small = _count(run, traced, plans[SMALL], as_of, argv, tmp_path / "small.xlsx", name)
    big = _count(run, traced, plans[BIG], as_of, argv, tmp_path / "big.xlsx", name)
    grown = Counter(map(_shape, big)) - Counter(map(_shape, small))
    assert len(big) <= len(small) + MARGIN.get(name, 0), (
        f"{name} as of {as_of}: {len(small)} statements for {SMALL} tasks, {len(big)} for "
        f"{BIG}; the ones that grew: {grown.most_common(5)}")


@pytest.mark.parametrize("as_of", [MID_YEAR, PAST], ids=["mid-year", "past-day"])
@pytest.mark.parametrize("name, argv", [
    pytest.param(name, argv, id=name.replace(" ", "-"), marks=[pytest.mark.xfail(
        strict=True, reason=XFAIL_UNITS[name])] if name in XFAIL_UNITS else [])
    for name, argv in COMMANDS])
def test_a_command_runs_as_many_statements_for_three_times_the_units_and_shares(
        plans, run, traced, tmp_path, name, argv, as_of):
    few = _count(run, traced, plans[BIG], as_of, argv, tmp_path / "few.xlsx", name)
    many = _count(run, traced, plans[BIG_UNITS], as_of, argv, tmp_path / "many.xlsx", name)
    grown = Counter(map(_shape, many)) - Counter(map(_shape, few))
    assert len(many) <= len(few), (
        f"{name} as of {as_of}: {len(few)} statements for {len(MEMBERS)} members of the "
        f"group, {len(many)} for {len(MEMBERS) * MORE_UNITS}; the ones that grew: "
        f"{grown.most_common(5)}")


def _ongoing_plan(path, tasks: int) -> None:
    """``tasks`` ongoing tasks (常态推进), 5 an item, and one ordinary task an item."""
    out = ['format = 1', '[plan]', f'key = "o{tasks}"', f'title = "常态计划{tasks}"',
           'issued = 2022-01-01', 'due = 2022-12-31', '[[sections]]', 'no = 1',
           'title = "第1部分"']
    for i in range(1, tasks // 5 + 1):
        out += ['[[sections.items]]', f'no = {i}', f'title = "条目{i}"']
        for k in range(1, 6):
            out += ['[[sections.items.tasks]]', f'no = {k}', f'title = "常态任务{i}-{k}"',
                    'kind = "ongoing"', f'owner = "{OFFICES[(i + k) % 2]}"']
            if k == 1:
                out += ['[[sections.items.tasks.notes]]', 'on = 2022-03-02', 'text = "学习研讨"']
        out += ['[[sections.items.tasks]]', 'no = 6', f'title = "工作任务{i}"', 'due = 2022-09-30']
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def ongoing_plans(tmp_path_factory):
    """Two databases, {ongoing tasks: env}: the ongoing tasks of every third item handed to the
    group, each item's first task noted (in the plan file) and the second on a member's
    share."""
    run = _runner()
    made = {}
    root = tmp_path_factory.mktemp("ongoing")
    register = root / "单位名单.csv"
    register.write_text(_register(MEMBERS), encoding="utf-8")
    for size in (SMALL, BIG):
        env = _env(root, size)
        plan = root / f"plan{size}.toml"
        _ongoing_plan(plan, size)
        items = range(1, size // 5 + 1)
        ok(run, "--as-of", "2022-01-05", "import", plan, env=env)
        ok(run, "--as-of", "2022-01-05", "units", "import", register, env=env)
        ok(run, "--as-of", "2022-02-01", "assign", *[f"{i}.2" for i in items[::3]], "--each",
           GROUP, env=env)
        for i in items[::3]:
            ok(run, "--as-of", "2022-06-22", "note", f"{i}.2", "--unit", MEMBERS[1],
               "收集思想动态", env=env)
        block = json.loads(ok(run, "--as-of", MID_YEAR, "summary", "-f", "json",
                              env=env).stdout)["ongoing"]
        assert (block["tasks"], sum(r["unit"] is not None for r in block["rows"])) == (
            size, len(items[::3]))
        made[size] = env
    return made


ONGOING_COMMANDS = [
    ("summary json", ("summary", "-f", "json")),
    ("summary md", ("summary", "-f", "md")),
    ("report json", ("report", "--week", "-f", "json")),
    ("report text", ("report", "--week", "--limit", "0")),
    ("report --unit", ("report", "--week", "--unit", MEMBERS[1])),
]


@pytest.mark.parametrize("as_of", [MID_YEAR, PAST], ids=["mid-year", "past-day"])
@pytest.mark.parametrize("name, argv", [pytest.param(n, a, id=n.replace(" ", "-"))
                                        for n, a in ONGOING_COMMANDS])
def test_the_ongoing_block_runs_as_many_statements_for_200_ongoing_tasks_as_for_20(
        ongoing_plans, run, traced, tmp_path, name, argv, as_of):
    small = _count(run, traced, ongoing_plans[SMALL], as_of, argv, tmp_path / "s.xlsx")
    big = _count(run, traced, ongoing_plans[BIG], as_of, argv, tmp_path / "b.xlsx")
    grown = Counter(map(_shape, big)) - Counter(map(_shape, small))
    assert len(big) <= len(small), (
        f"{name} as of {as_of}: {len(small)} statements for {SMALL} ongoing tasks, {len(big)}"
        f" for {BIG}; the ones that grew: {grown.most_common(5)}")


def _recurring_plan(path, tasks: int) -> None:
    """``tasks`` monthly tasks (every = "month"), 2 an item, the second of each item handed
    to 甲校 and 乙校 (``each``: registered by the import), and one ordinary task an item."""
    out = ['format = 1', '[plan]', f'key = "r{tasks}"', f'title = "周期计划{tasks}"',
           'issued = 2022-01-01', 'due = 2022-12-31', '[[sections]]', 'no = 1',
           'title = "第1部分"']
    for i in range(1, tasks // 2 + 1):
        out += ['[[sections.items]]', f'no = {i}', f'title = "条目{i}"',
                '[[sections.items.tasks]]', 'no = 1', f'title = "每月例会{i}"',
                'every = "month"', f'owner = "{OFFICES[i % 2]}"',
                '[[sections.items.tasks]]', 'no = 2', f'title = "主题党日{i}"',
                'every = "month"', 'each = ["甲校", "乙校"]',
                '[[sections.items.tasks]]', 'no = 3', f'title = "工作任务{i}"',
                'due = 2022-09-30']
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def recurring_plans(tmp_path_factory):
    """Two databases, {recurring tasks: env}: imported on 2022-03-10, then on 2022-06-10 each
    item's first task checked off (its earliest open month) and 甲校's share of each second
    task's February."""
    run = _runner()
    made = {}
    root = tmp_path_factory.mktemp("recurring")
    for size in (SMALL, BIG // 2):
        env = _env(root, size)
        plan = root / f"plan{size}.toml"
        _recurring_plan(plan, size)
        items = range(1, size // 2 + 1)
        ok(run, "--as-of", "2022-03-10", "import", plan, env=env)
        ok(run, "--as-of", "2022-06-10", "done", *[f"{i}.1" for i in items], env=env)
        ok(run, "--as-of", "2022-06-10", "done", *[f"{i}.2@2022-02" for i in items], "--unit",
           "甲校", env=env)
        block = json.loads(ok(run, "--as-of", MID_YEAR, "summary", "-f", "json",
                              env=env).stdout)["occurrences"]
        assert len(block["tasks"]) == size and block["units"][1]["done"] == size // 2
        made[size] = env
    return made


RECURRING_COMMANDS = [
    ("summary json", ("summary", "-f", "json")),
    ("report json", ("report", "--week", "-f", "json")),
    ("report text", ("report", "--week", "--limit", "0")),
    ("report --by-unit", ("report", "--week", "--by-unit")),
    ("report --unit", ("report", "--week", "--unit", "甲校")),
]


@pytest.mark.parametrize("as_of", [MID_YEAR, PAST], ids=["mid-year", "past-day"])
@pytest.mark.parametrize("name, argv", [pytest.param(n, a, id=n.replace(" ", "-"))
                                        for n, a in RECURRING_COMMANDS])
def test_recurring_tasks_count_with_as_many_statements_for_100_of_them_as_for_20(
        recurring_plans, run, traced, tmp_path, name, argv, as_of):
    small = _count(run, traced, recurring_plans[SMALL], as_of, argv, tmp_path / "s.xlsx", name)
    big = _count(run, traced, recurring_plans[BIG // 2], as_of, argv, tmp_path / "b.xlsx", name)
    grown = Counter(map(_shape, big)) - Counter(map(_shape, small))
    assert len(big) <= len(small), (
        f"{name} as of {as_of}: {len(small)} statements for {SMALL} recurring tasks, "
        f"{len(big)} for {BIG // 2}; the ones that grew: {grown.most_common(5)}")
