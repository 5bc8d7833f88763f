"""A full list in JSON or TSV is written by SQLite, one line per record (``store.lines``); the
bytes are those the Python writers make from ``task_record``'s dicts, for every kind of row:
ongoing tasks with and without notes, recurring tasks' occurrences, shares, done, dropped and
started tasks, reported percents, a task added by the clerk, and titles, owners, timing words,
support and tags holding quotes, backslashes, tabs, line breaks, control and bidi characters."""

from __future__ import annotations

import pytest

from conftest import ok
from jtdj.store.tasks import TaskStream

HOSTILE = r'引号\"反斜杠\\制表\t换行\n回车\r退出\u001b[2J删除\u007f控制\u0085反转\u202e尾'  # TOML
PLAN = f"""format = 1
[plan]
key = "ln"
title = "测试计划"
issued = 2022-01-10
due = 2022-12-31
[[sections]]
no = 1
title = "一、组织"
[[sections.items]]
no = 1
title = "条目一"
[[sections.items.tasks]]
no = 1
title = "{HOSTILE}"
owner = "组织科\\t一"
support = ["宣传科", "{HOSTILE}", "纪检组"]
tags = ["工委", "重\\"点\\""]
when = "上半年\\n前后"
[[sections.items.tasks]]
no = 2
title = "按时完成的　任务"
owner = "组织科"
due = 2022-03-31
[[sections.items.tasks]]
no = 3
title = "常态推进的任务"
kind = "ongoing"
owner = "宣传科"
[[sections.items.tasks]]
no = 4
title = "无人负责的任务"
due = 2022-09-30
start = 2022-05-01
[[sections.items.tasks]]
no = 5
title = "每月一次"
every = "month"
each = ["甲校", "乙校"]
[[sections.items]]
no = 2
title = "条目二"
[[sections.items.tasks]]
no = 1
title = "分给各单位的任务"
each = ["甲校", "乙校"]
due = 2022-06-30
[[sections.items.tasks]]
no = 2
title = "要放弃的任务"
due = 2022-11-30
[[sections.items.tasks]]
no = 3
title = "已开始的任务"
due = 2022-08-31
tags = []
support = []
"""


@pytest.fixture
def ledger(run, tmp_path):
    plan = tmp_path / "ln.toml"
    plan.write_text(PLAN, encoding="utf-8")
    ok(run, "--as-of", "2022-01-10", "import", str(plan))
    ok(run, "--as-of", "2022-03-20", "done", "1.2")
    ok(run, "--as-of", "2022-04-01", "note", "1.1", "过半", "--percent", "60")
    ok(run, "--as-of", "2022-04-02", "note", "1.3", "一次交流")
    ok(run, "--as-of", "2022-05-03", "drop", "2.2", "--reason", "不再需要")
    ok(run, "--as-of", "2022-05-04", "start", "2.3")
    ok(run, "--as-of", "2022-05-05", "note", "2.3", "三成", "--percent", "30")
    ok(run, "--as-of", "2022-05-06", "done", "2.1", "--unit", "甲校")
    ok(run, "--as-of", "2022-05-07", "note", "1.4", "起步", "--percent", "5")
    ok(run, "--as-of", "2022-05-08", "add", "2", "临时加的\t任务", "--due", "2022-07-15",
       "--owner", "办公室")


ARGVS = [
    ["--status", "all"], [], ["--status", "done"], ["--sort", "due"], ["--sort", "owner"],
    ["--sort", "status", "--status", "all"], ["--overdue"], ["--lagging"], ["--item", "2"],
    ["--search", "任务"], ["--tag", "工委"], ["--status", "all", "--archived"],
    # a unit that holds no share: the tasks it leads, with its name and role (lead)
    ["--owner", "组织科", "--status", "all"], ["--owner", "组织科\t一"], ["--owner", "宣传科"],
    ["--owner", "宣传科", "--sort", "due", "--status", "all"],
]
DAYS = ["2022-02-01", "2022-04-15", "2022-06-30", "2022-07-01", "2022-12-31"]


@pytest.mark.parametrize("fmt", ["json", "tsv"])
def test_the_lines_sqlite_writes_are_the_python_writers_bytes(ledger, run, monkeypatch, fmt):
    written = []
    real = TaskStream.written

    def spy(self, *args):
        lines = real(self, *args)
        written.append(lines is not None)
        return lines

    monkeypatch.setattr(TaskStream, "written", spy)
    fast = {(day, i): ok(run, "--as-of", day, "list", *argv, "--format", fmt).stdout
            for day in DAYS for i, argv in enumerate(ARGVS)}
    assert written and all(written)  # every one of them was written by SQLite
    monkeypatch.setattr(TaskStream, "written", lambda self, *args: None)
    for (day, i), text in fast.items():
        slow = ok(run, "--as-of", day, "list", *ARGVS[i], "--format", fmt).stdout
        assert text == slow, (day, ARGVS[i])
    everything = fast[("2022-06-30", 0)]
    # the rows are all there, and the hostile text came through escaped or shown
    assert "1.5@2022-06" in everything and "临时加的" in everything
    assert "\x1b" not in everything and "\u202e" not in everything
    if fmt == "tsv":
        lines = everything.splitlines()
        assert {line.count("\t") for line in lines} == {lines[0].count("\t")}
        assert "<U+202E>" in everything and "\\x1b" in everything
    else:
        assert "\\u202e" in everything and "\\u001b" in everything
    assert "按时完成的\u3000任务" in everything  # a full-width space is text: kept as it is


def test_the_lines_have_the_keys_of_every_record(ledger, db_path):
    from datetime import date

    from jtdj.store import Store
    from jtdj.store.lines import RECORD_KEYS
    from jtdj.store.tasks import TaskFilter

    store = Store.open(db_path)
    records = store.select_tasks("ln", TaskFilter(status="all", occurrences=True), date(2022, 6, 30))
    assert {tuple(r) for r in records} == {RECORD_KEYS}
    store.close()


SORTS = ["id", "due", "owner", "status"]


@pytest.mark.parametrize("owner", ["组织科", "组织科\t一", "宣传科", "办公室", "甲校"])
def test_a_units_list_is_its_rows_whichever_way_it_is_read(ledger, db_path, owner):
    """`list --owner U` for a unit that holds no share streams the tasks it leads as `list`
    does (``unit_list.owner_list``); its records are those ``owner_rows`` makes, in the same
    order, on every day and in every order."""
    from datetime import date

    from jtdj import unit_list
    from jtdj.store import Store
    from jtdj.store.tasks import TaskFilter

    store = Store.open(db_path)
    for day in DAYS:
        for status in ("open", "all"):
            for sort in SORTS:
                f = TaskFilter(owner=owner, status=status, occurrences=True)
                on = date.fromisoformat(day)
                rows = unit_list.owner_list(store, "ln", f, on, sort)
                assert isinstance(rows, TaskStream) == (owner != "甲校")
                assert list(rows) == unit_list.owner_rows(store, "ln", f, on, sort), (day, sort)
    store.close()


def test_a_list_cut_to_other_keys_or_formats_is_written_in_python(ledger, run, monkeypatch):
    """CSV, tables and the --owner list of a unit holding shares do not ask SQLite for
    lines."""
    asked = []
    real = TaskStream.written
    monkeypatch.setattr(TaskStream, "written",
                        lambda self, fmt, *a: asked.append(fmt) or real(self, fmt, *a))
    csv = ok(run, "--as-of", "2022-06-30", "list", "--format", "csv").stdout
    assert csv.startswith("\ufeffid,item,section,title") and "1.4" in csv
    assert asked == []
    owner = ok(run, "--as-of", "2022-06-30", "list", "--owner", "甲校", "--format", "json")
    assert '"id": "1.5@2022-06"' in owner.stdout and '"role": "share"' in owner.stdout
    assert asked == []


@pytest.mark.parametrize("fmt", ["json", "tsv"])
def test_a_full_list_is_written_for_stdout_s_own_encoding(ledger, db_path, fmt):
    """SQLite's lines reach stdout as UTF-8 bytes; a stdout of another encoding (a GBK
    console) gets the same text in its own, not UTF-8 bytes it would misread."""
    import os
    import subprocess
    import sys

    def listed(encoding: str) -> bytes:
        env = dict(os.environ, JTDJ_DB=str(db_path), PYTHONIOENCODING=encoding,
                   JTDJ_TODAY="2022-06-30")
        return subprocess.run([sys.executable, "-m", "jtdj", "list", "--status", "all",
                               "--format", fmt], env=env, capture_output=True,
                              check=True).stdout

    utf8, gbk = listed("utf-8"), listed("gb18030")
    assert utf8 != gbk and gbk.decode("gb18030") == utf8.decode("utf-8")
    assert "按时完成的\u3000任务" in utf8.decode("utf-8")
