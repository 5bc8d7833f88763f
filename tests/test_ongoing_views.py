"""Ongoing tasks (常态推进) where people look at single tasks: the list, the tree, `show`, the
填报表 and its merge, the 催办通知 and the 工作台账 read 常态推进 for the due date, show no
序时进度, and say a quiet one is 久未报进展 rather than 滞后 (the JSON keeps signal "behind")."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from conftest import as_json, ok, one_item_plan

DAY = ("--as-of", "2022-07-01")
PLAN = one_item_plan("og", "常态试验计划", "2022-03-01", [
    'kind = "ongoing"\nowner = "甲科"',          # 1.1: a note on 04-01, quiet by 07-01
    'due = 2022-06-30\nowner = "甲科"',           # 1.2: an ordinary task, done
    'kind = "ongoing"\neach = ["乙科", "丙科"]',  # 1.3: 丙科 noted on 06-20, 乙科 never
])


@pytest.fixture
def plan(run, tmp_path):
    path = tmp_path / "og.toml"
    path.write_text(PLAN, encoding="utf-8")
    ok(run, "--as-of", "2022-03-01", "import", path)
    ok(run, "--as-of", "2022-04-01", "note", "1.1", "学习一次", "--percent", "30")
    ok(run, "--as-of", "2022-06-20", "note", "1.3", "--unit", "丙科", "收集一次")
    ok(run, "--as-of", "2022-06-29", "done", "1.2")
    return path


def _line(text: str, task_id: str) -> str:
    return next(line for line in text.splitlines() if f" {task_id} " in line)


def test_list_reads_an_ongoing_task_as_ongoing_with_its_percent_alone_and_no_recent_note(
        run, plan, monkeypatch):
    narrow = ok(run, *DAY, "list", "-f", "table").stdout
    row = _line(narrow, "1.1")
    assert "常态推进" in row and "30%" in row and "久未报进展" in row
    assert "/" not in row and "滞后" not in narrow
    monkeypatch.setenv("COLUMNS", "200")
    wide = _line(ok(run, *DAY, "list", "-f", "table").stdout, "1.1")
    assert wide.count("%") == 1 and "常态推进" in wide and "久未报进展" in wide
    md = ok(run, *DAY, "list", "-f", "md").stdout
    assert "| 1.1 | 任务1 | 甲科 | 常态推进 |" in md and "| 30% |  | ◆ 久未报进展 |" in md
    records = {r["id"]: r for r in as_json(ok(run, *DAY, "list", "-f", "json"))}
    assert records["1.1"]["signal"] == "behind" and records["1.1"]["due"] is None
    assert records["1.1"]["expected_percent"] is None and records["1.1"]["ongoing"]


def test_tree_marks_ongoing_tasks_and_counts_them_apart_from_the_progress(run, plan):
    tree = ok(run, *DAY, "tree", "-f", "table").stdout
    assert "[1/1] 100% · 常态推进 2 项" in tree
    assert "1.1 ◆ 久未报进展 任务1（甲科 · 常态推进" in tree
    md = ok(run, *DAY, "tree", "-f", "md").stdout
    assert "常态推进 2 项" in md and "任务1 — 甲科 (" in md and ", 常态推进)" in md


def test_show_says_the_kind_the_last_note_and_the_days_without_a_note(run, plan):
    shown = ok(run, *DAY, "show", "1.1", "-f", "table").stdout
    assert "类型      常态推进" in shown and "最近进展  2022-04-01" in shown
    assert "已 91 天无进展记录（满 90 天即为滞后）" in shown
    assert "序时进度" not in shown and "久未报进展" in shown
    d = as_json(ok(run, *DAY, "show", "1.1", "-f", "json"))
    assert (d["ongoing"], d["last_note"], d["quiet_for"], d["quiet_days"]) == (
        True, "2022-04-01", 91, 90)
    shares = ok(run, *DAY, "show", "1.3", "-f", "md").stdout
    assert "- 乙科: 未开始 已 122 天无进展记录（满 90 天即为滞后） ◆ 久未报进展" in shares
    assert "- 丙科: 未开始 已 11 天无进展记录（满 90 天即为滞后） ● 正常" in shares


def test_form_row_of_an_ongoing_task_asks_for_progress_and_its_merge_records_the_note(
        run, plan, tmp_path):
    ok(run, *DAY, "collect", "--unit", "甲科", "-f", "csv", "-o", tmp_path / "csv")
    text = next((tmp_path / "csv").iterdir()).read_text(encoding="utf-8-sig")
    assert "1,1.1,任务1,常态推进,未开始,\"30%\n常态推进：请在“进展情况”栏填写本期进展\"" in text
    assert "序时" not in text
    ok(run, *DAY, "collect", "--unit", "乙科", "-o", tmp_path / "xlsx")
    path = next((tmp_path / "xlsx").iterdir())
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    assert [c.value for c in ws[5]][:4] == [1, "1.3", "任务3", "常态推进"]
    assert "常态推进：请在" in ws["F5"].value and "序时" not in ws["F5"].value
    ws["I5"] = "本月收集思想动态一次"
    wb.save(path)
    ok(run, "--as-of", "2022-07-02", "merge", path, "--yes")
    d = as_json(ok(run, "--as-of", "2022-07-02", "show", "1.3", "-f", "json"))
    share = next(s for s in d["units"] if s["unit"] == "乙科")
    assert "本月收集思想动态一次" in share["latest_note"]["text"]
    assert (share["last_note"], share["signal"]) == ("2022-07-02", "on_track")


def test_urge_lagging_chases_quiet_ongoing_tasks_and_shares_without_a_due_date(run, plan):
    out = ok(run, *DAY, "urge", "--lagging").stdout
    notices = out.split("-" * 40)
    lead = next(n for n in notices if "甲科：" in n)
    assert "1.1 任务1" in lead and "完成时限：常态推进（久未报进展）" in lead
    assert "序时进度" not in lead and "进度滞后或久未报" in lead
    share = next(n for n in notices if "乙科：" in n)
    assert "1.3 任务3" in share and "完成时限：常态推进（久未报进展）" in share
    assert not any("丙科：" in n for n in notices)
    md = ok(run, *DAY, "urge", "--lagging", "--force", "--unit", "甲科", "-f", "md").stdout
    assert "| 1 | 1.1 | 任务1 | 常态推进 | 久未报进展 |" in md


def test_ledger_marks_ongoing_tasks_and_leaves_them_out_of_the_rate(run, plan, tmp_path):
    out = tmp_path / "台账.xlsx"
    ok(run, *DAY, "export", "--format", "xlsx", "-o", out)
    wb = load_workbook(out)
    rows = {r[1]: r for r in wb.worksheets[0].iter_rows(min_row=4, values_only=True)}
    assert rows["1.1"][7] == "常态推进" and rows["1.1"][9] == "常态推进"
    assert rows["1.1"][10] == "◆ 久未报进展" and rows["1.2"][9] == "已完成"
    summary = list(wb.worksheets[1].iter_rows(values_only=True))
    assert summary[2] == ("部分", "任务数", "已完成", "已调整", "未完成", "逾期", "其中常态推进",
                          "完成率")
    assert summary[-1] == ("合计", 3, 1, 0, 2, 0, 2, 1)  # 1 done of the 1 ordinary task
