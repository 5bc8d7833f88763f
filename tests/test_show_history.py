"""Say what was done, show what was written: `show` lists the done note among the notes,
`history` reads in words for people (one line per import, undo by what it undid, local times)
while JSON, CSV and TSV keep one row per event in UTC, and the dry run of an exported file
says what the real import would change: nothing. Real CLI, real SQLite file."""

from __future__ import annotations

import os
import re
import time
from datetime import datetime, timezone

import pytest

from conftest import PLAN_2022, as_json, dump, ok, rows

AS_OF = ("--as-of", "2022-07-01")
UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


@pytest.fixture
def shanghai(monkeypatch):
    """Local time is China Standard Time (UTC+8) for the test, then what it was before."""
    old = os.environ.get("TZ")
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    if old is None:
        monkeypatch.delenv("TZ", raising=False)
    else:
        monkeypatch.setenv("TZ", old)
    time.tzset()


@pytest.fixture
def clock_at(monkeypatch):
    """Pin the clock every command records its events with (``config.clock``)."""
    from jtdj import config

    def pin(moment: datetime) -> None:
        monkeypatch.setattr(config, "clock", lambda: moment)

    return pin


def section(text: str, heading: str, next_heading: str) -> str:
    """The part of a `show` between two headings."""
    start = text.index(heading) + len(heading)
    return text[start:text.index(next_heading, start)]


def md_rows(text: str) -> list[list[str]]:
    """The cells of a Markdown table's data rows."""
    return [[cell.strip() for cell in line.strip("|").split(" | ")]
            for line in text.splitlines()[2:] if line.startswith("|")]


# --- 1. show lists every note, the done note included ----------------------------------------

def test_show_lists_the_done_note_under_progress_in_table_md_and_json(run, imported, tmp_path):
    ok(run, *AS_OF, "note", "5.2", "已起草通知", "--percent", "50", "--by", "李干事")
    ok(run, "--as-of", "2022-07-03", "done", "5.2", "--note", "已印发通知")
    data = as_json(ok(run, "show", "5.2", *AS_OF, "-f", "json"))
    assert data["notes"] == [
        {"on": "2022-07-01", "by": "李干事", "text": "已起草通知", "percent": 50},
        {"on": "2022-07-03", "by": "tester", "text": "已印发通知", "percent": None}]
    # the same notes as the export's JSON gives the task
    dumped = as_json(ok(run, "export", "-f", "json", *AS_OF))
    [exported] = [t for s in dumped["sections"] for i in s["items"] for t in i["tasks"]
                  if t["id"] == "5.2"]
    assert exported["notes"] == data["notes"]

    table = ok(run, "show", "5.2", *AS_OF, "-f", "table").stdout
    notes = section(table, "进展情况", "变更记录")
    assert "2022-07-01 李干事 [50%]: 已起草通知" in notes
    assert "2022-07-03 tester: 已印发通知" in notes
    md = ok(run, "show", "5.2", *AS_OF, "-f", "md").stdout
    assert [line for line in section(md, "### 进展情况", "### 变更记录").splitlines() if line] == [
        "- 2022-07-01 李干事 [50%]: 已起草通知", "- 2022-07-03 tester: 已印发通知"]

    # reopened, it is no longer a done note: the notes are the written ones
    ok(run, "--as-of", "2022-07-04", "reopen", "5.2")
    reopened = as_json(ok(run, "show", "5.2", *AS_OF, "-f", "json"))
    assert [n["text"] for n in reopened["notes"]] == ["已起草通知"]


# --- 2. history for people: one line per import, undo in words, local time ---------------------

# the import's own message and docs/output.md: 新增 112, the plan's tasks; a recurring task's
# occurrence rows (4.11@2022-05 …, 29 of them for 4.5 and its family) are not tasks added
ADDED = "导入计划 2022：新增 112，登记单位 3"


def test_history_shows_one_line_per_import_and_all_shows_each_task(run, imported):
    md = ok(run, "history", "-f", "md").stdout
    assert md.splitlines()[0] == "| 时间 | 操作人 | 编号 | 操作 | 变更 |"
    assert [r[1:] for r in md_rows(md)] == [["tester", "", "导入", ADDED]]
    # wide enough for the line whole (a three-digit count wraps it at 80 columns)
    table = ok(run, "history", "-f", "table", env={"COLUMNS": "120"}).stdout
    assert table.count(ADDED) == 1
    assert "共 1 条记录" in table
    # --limit counts the lines people read: the import is whole, not its first event
    limited = ok(run, "history", "--limit", "1", "-f", "md").stdout
    assert [r[-1] for r in md_rows(limited)] == [ADDED]

    every = md_rows(ok(run, "history", "--all", "-f", "md").stdout)
    registered = [r for r in every if r[2] in ("各直属党组织", "退协", "关工委")]
    # the group the plan hands shares to (its name) and the 2 supporting units (name and kind)
    assert len(registered) == 1 + 2 * 2
    every = [r for r in every if r not in registered]
    # an event for each of the 112 tasks and each of the 29 occurrences of the recurring ones
    # (4.5 quarterly from Q2: 3; 4.11, 4.12, 4.14 monthly from May: 8 each; 4.13, 4.15: 1 each)
    assert len(every) == 112 + 3 + 3 * 8 + 2
    assert {(r[3], r[4]) for r in every} == {("导入", "状态: — → 未开始")}
    # by the plan's last day every occurrence has begun, so `list` shows each one
    listed = {t["id"] for t in as_json(
        ok(run, "--as-of", "2022-12-31", "list", "--status", "all", "-f", "json"))}
    assert {r[2] for r in every} == listed | {i.partition("@")[0] for i in listed}


def test_history_counts_what_a_reimport_changed_archived_and_restored(run, imported, tmp_path):
    text = PLAN_2022.read_text(encoding="utf-8")
    item = text.index("[[sections.items]]\nno = 4\n")
    start = text.index("[[sections.items.tasks]]\nno = 2\n", item)
    end = text.find("\n[[", start + 1)
    edited = (text[:start] + text[end + 1:]).replace(  # 4.2 gone, item 13 retitled
        'title = "做好老干部服务和关心下一代工作"', 'title = "做好老干部服务工作"', 1)
    assert edited.count("做好老干部服务工作") == 1
    path = tmp_path / "edited.toml"
    path.write_text(edited, encoding="utf-8")
    ok(run, "import", path)
    ok(run, "import")
    changes = [r[-1] for r in md_rows(ok(run, "history", "-f", "md").stdout)]
    assert changes == ["导入计划 2022：更新 1，恢复 1", "导入计划 2022：更新 1，归档 1", ADDED]


def test_undo_reads_as_what_it_undid_in_history_and_show(run, imported):
    ok(run, *AS_OF, "done", "5.2", "--note", "已印发通知")
    ok(run, *AS_OF, "undo")
    ok(run, *AS_OF, "assign", "--new-unit", "5.1", "5.3", "--to", "组织科")
    ok(run, *AS_OF, "undo")
    for fmt in ("md", "table"):
        out = ok(run, "history", *AS_OF, "-f", fmt).stdout
        assert "undo:" not in out
        assert out.count("撤销：5.2 完成") == 1, out
        assert out.count("撤销：5.1、5.3 分派") == 1, out
    undo_rows = [r for r in md_rows(ok(run, "history", *AS_OF, "-f", "md").stdout)
                 if r[3] == "撤销"]
    assert [r[-1] for r in undo_rows] == ["撤销：5.1、5.3 分派", "撤销：5.2 完成"]

    for fmt, prefix in (("table", "  "), ("md", "- ")):
        shown = ok(run, "show", "5.2", *AS_OF, "-f", fmt).stdout
        history = shown[shown.index("变更记录"):]
        assert "undo:" not in history
        assert history.count("撤销：5.2 完成") == 1
        assert f"{prefix}2022-07-01 tester 撤销：5.2 完成" in history


def test_an_undone_import_is_named_by_its_counts_without_archive_rows(run, imported):
    ok(run, "undo")
    md = ok(run, "history", "-f", "md").stdout
    assert "归档: 0 → 1" not in md and "undo:" not in md
    assert [r[-1] for r in md_rows(md)] == ["撤销：导入计划 2022（新增 112）", ADDED]
    en = ok(run, "--lang", "en", "history", "-f", "md").stdout
    assert [r[-1] for r in md_rows(en)] == ["undid: import of plan 2022 (112 added)",
                                            "imported plan 2022: 112 added, 3 units registered"]


def test_history_times_are_local_to_the_minute(run, shanghai, clock_at):
    clock_at(datetime(2022, 7, 1, 1, 30, 12, tzinfo=timezone.utc))  # 09:30 in Shanghai
    ok(run, *AS_OF, "import")
    clock_at(datetime(2022, 7, 2, 16, 5, tzinfo=timezone.utc))  # 00:05 on 07-03 in Shanghai
    ok(run, "--as-of", "2022-07-03", "done", "5.2")
    ok(run, "--as-of", "2022-07-03", "drop", "5.3", "--reason", "并入 5.2", "--on", "2022-06-30")
    md = md_rows(ok(run, "history", "--as-of", "2022-07-03", "-f", "md").stdout)
    # one line for the import, at the local time it was written
    assert [r for r in md if r[3] == "导入"] == [
        ["2022-07-01 09:30", "tester", "", "导入", ADDED]]
    assert {r[0] for r in md if r[3] != "导入"} == {"2022-07-03 00:05"}
    # the time is when it was written; the day it took effect (--on) is in its words
    assert "调整日期: — → 2022-06-30" in [r[-1] for r in md if r[2] == "5.3"]
    table = ok(run, "history", "--as-of", "2022-07-03", "-f", "table").stdout
    assert "2022-07-01 09:30" in table and "2022-07-03 00:05" in table
    # machines keep the recorded moment in UTC, as docs/output.md has it
    data = as_json(ok(run, "history", "--as-of", "2022-07-03", "-f", "json"))
    assert {e["at"] for e in data if e["action"] == "import"} == {"2022-07-01T01:30:12+00:00"}
    assert {e["at"] for e in data if e["action"] != "import"} == {"2022-07-02T16:05:00+00:00"}


def test_machine_formats_keep_one_row_per_event_in_utc(run, imported, db_path, shanghai):
    ok(run, "done", "5.2", "--note", "已印发通知")
    ok(run, "undo")
    events = rows(db_path, "SELECT id, at FROM events ORDER BY on_date DESC, id DESC")
    for flags in ((), ("--all",)):
        data = as_json(ok(run, "history", *flags, "-f", "json"))
        assert [e["id"] for e in data] == [e["id"] for e in events]
        assert [e["at"] for e in data] == [e["at"] for e in events]
        assert all(UTC.match(e["at"]) for e in data)
        assert set(data[0]) == {"id", "at", "on", "actor", "target", "action", "field", "old",
                                "new", "note", "batch", "unit", "source"}
        assert [e["action"] for e in data[:2]] == ["undo", "undo"]
        assert data[0]["note"].startswith("undo:")
        tsv = ok(run, "history", *flags, "-f", "tsv").stdout.splitlines()
        assert tsv[0].split("\t") == list(data[0])
        assert len(tsv) == 1 + len(events)
        assert [line.split("\t")[1] for line in tsv[1:]] == [e["at"] for e in events]
        csv = ok(run, "history", *flags, "-f", "csv").stdout.splitlines()
        assert len(csv) == 1 + len(events)
    # --limit counts events for machines
    assert len(as_json(ok(run, "history", "--limit", "3", "-f", "json"))) == 3


# --- 3. the dry run of an exported file ----------------------------------------------------

def dry_run_says_nothing(result) -> None:
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "更新" not in result.stdout and "恢复" not in result.stdout
    [counts] = [line for line in result.stderr.splitlines() if "试运行" in line]
    assert "将新增 0，更新 0，归档 0" in counts, result.stderr
    assert "状态字段" not in result.stderr, result.stderr


def test_dry_run_of_a_fresh_export_reports_nothing_to_change(run, db_path, tmp_path):
    ok(run, *AS_OF, "import")
    ok(run, "done", "5.2", "--note", "x")
    exported = tmp_path / "x.toml"
    ok(run, "export", "-o", exported)
    dry_run_says_nothing(run("import", exported, "--dry-run"))


def test_dry_run_of_an_export_after_the_clerks_work_is_what_the_import_does(run, db_path,
                                                                            tmp_path):
    ok(run, *AS_OF, "import")
    text = PLAN_2022.read_text(encoding="utf-8")
    item = text.index("[[sections.items]]\nno = 4\n")
    start = text.index("[[sections.items.tasks]]\nno = 2\n", item)
    without = tmp_path / "without.toml"
    without.write_text(text[:start] + text[text.find("\n[[", start + 1) + 1:], encoding="utf-8")
    for args in (("assign", "--new-unit", "5.1", "--to", "组织科", "--with", "宣传科"),
                 ("due", "5.5", "2022-09-30"), ("add", "5", "组织专题学习"),
                 ("done", "5.2", "--note", "已印发通知"), ("note", "5.3", "已部署"),
                 ("drop", "5.4", "--reason", "并入区级工作"), ("import", without)):
        ok(run, *AS_OF, *args)
    assert rows(db_path, "SELECT archived FROM tasks WHERE id = '4.2'") == [{"archived": 1}]
    exported = tmp_path / "export.toml"
    ok(run, "export", "-o", exported)
    before = dump(db_path)
    dry_run_says_nothing(run(*AS_OF, "import", exported, "--dry-run"))
    assert dump(db_path) == before

    events = rows(db_path, "SELECT count(*) AS n FROM events")
    real = ok(run, *AS_OF, "import", exported)
    assert "新增 0，更新 0，归档 0" in real.stderr and "状态字段" not in real.stderr
    assert rows(db_path, "SELECT count(*) AS n FROM events") == events  # nothing logged
    assert rows(db_path, "SELECT archived FROM tasks WHERE id = '4.2'") == [{"archived": 1}]
    assert rows(db_path, "SELECT owner FROM tasks WHERE id = '5.1'") == [{"owner": "组织科"}]
    # the plan file itself (the bundled one, 4.2 in it and no state) still brings 4.2 back
    back = ok(run, *AS_OF, "import", "--dry-run")
    assert any(line.startswith("恢复 4.2") for line in back.stdout.splitlines()), back.stdout
