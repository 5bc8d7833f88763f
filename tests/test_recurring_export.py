"""A recurring task in `show` (its occurrences: past, current, next; its status and pace as they
make them) and in the plan file an export writes (every, day, each, and the occurrences whose
state is not the default), which an import into an empty database takes back byte for byte."""

from __future__ import annotations

import pytest

from conftest import RECURRING_PLAN, as_json, ok

PLAN = RECURRING_PLAN  # (its 4.4 is an ordinary task)
DAY = ("--as-of", "2022-07-05")


@pytest.fixture
def worked(run, tmp_path):
    path = tmp_path / "rc.toml"
    path.write_text(PLAN, encoding="utf-8")
    ok(run, "--as-of", "2022-04-20", "import", path)
    ok(run, *DAY, "done", "4.1")                       # the earliest open one: 2022-04
    ok(run, *DAY, "note", "4.1@2022-07", "已发通知")
    ok(run, *DAY, "due", "4.2@三季度", "2022-09-25")
    ok(run, *DAY, "done", "4.3@2022-05", "--unit", "乙校", "--note", "已开展")
    ok(run, *DAY, "note", "4.3@5月", "筹备中", "--unit", "甲校", "-p", "40")
    ok(run, *DAY, "drop", "4.1@2022-08", "--reason", "与九月合并召开")
    return path


def test_show_lists_every_occurrence_and_the_status_and_pace_they_give_the_task(run, worked):
    d = as_json(ok(run, *DAY, "show", "4.1", "-f", "json"))
    assert (d["every"], d["day"], d["status"], d["signal"], d["light"]) == (
        "month", None, "doing", "overdue", "red")  # 04 done; 05 and 06 open past their day
    assert [(o["id"], o["status"], o["due"]) for o in d["occurrences"]] == [
        ("4.1@2022-04", "done", "2022-04-30"), ("4.1@2022-05", "todo", "2022-05-31"),
        ("4.1@2022-06", "todo", "2022-06-30"), ("4.1@2022-07", "todo", "2022-07-31"),
        ("4.1@2022-08", "dropped", "2022-08-31"), ("4.1@2022-09", "todo", "2022-09-30"),
        ("4.1@2022-10", "todo", "2022-10-31"), ("4.1@2022-11", "todo", "2022-11-30"),
        ("4.1@2022-12", "todo", "2022-12-31")]
    # done 1 of 9; due by the day 3 of 9 (April to June)
    assert (d["percent"], d["expected_percent"]) == (11, 33)
    shown = ok(run, *DAY, "show", "4.2", "-f", "table").stdout
    assert "周期      每季度（20 日前）" in shown and "各期" in shown
    assert "4.2@2022-Q3" in shown and "2022-09-25" in shown
    md = ok(run, *DAY, "show", "4.2", "-f", "md").stdout
    assert "- 4.2@2022-Q2 完成时限 2022-06-20: 未开始 ▲ 逾期" in md


def test_an_occurrence_is_shown_as_a_task_of_its_own_with_its_notes(run, worked):
    d = as_json(ok(run, *DAY, "show", "4.1@2022-07", "-f", "json"))
    assert (d["id"], d["period"], d["start"], d["due"]) == (
        "4.1@2022-07", "2022-07", "2022-07-01", "2022-07-31")
    assert [n["text"] for n in d["notes"]] == ["已发通知"]
    later = as_json(ok(run, *DAY, "show", "4.1@十二月", "-f", "json"))  # not begun: still shown
    assert (later["id"], later["status"]) == ("4.1@2022-12", "todo")


def test_the_plan_file_keeps_every_day_each_and_the_occurrences_that_differ(run, worked):
    text = ok(run, "export", "--format", "toml").stdout
    task_41 = text[text.index('title = "召开支部委员会"'):text.index('title = "召开党员大会"')]
    assert 'every = "month"' in task_41 and "due =" not in task_41.split("[[")[0]
    assert ('[[sections.items.tasks.occurrences]]\nperiod = "2022-04"\nstatus = "done"\n'
            "done_on = 2022-07-05") in task_41
    assert 'period = "2022-08"\nstatus = "dropped"' in task_41
    assert 'period = "2022-07"\n\n[[sections.items.tasks.occurrences.notes]]' in task_41
    assert 'period = "2022-05"' not in task_41  # as the plan made it: not written
    assert 'every = "quarter"\nday = 20' in text
    assert 'period = "2022-Q3"\ndue = 2022-09-25' in text
    assert 'each = ["甲校", "乙校"]' in text
    assert 'period = "2022-05"\nunit = "乙校"\nstatus = "done"' in text


def test_an_exported_plan_imported_into_an_empty_database_exports_the_same_bytes(
        run, worked, tmp_path, monkeypatch):
    first = ok(run, "export", "--format", "toml").stdout
    path = tmp_path / "export.toml"
    path.write_text(first, encoding="utf-8")
    monkeypatch.setenv("JTDJ_DB", str(tmp_path / "again" / "jtdj.db"))
    ok(run, *DAY, "import", path)
    assert ok(run, "export", "--format", "toml").stdout == first
    # the state came back with the occurrences and the units' shares of them
    rows = {r["id"]: r["status"] for r in as_json(ok(
        run, *DAY, "list", "--status", "all", "-f", "json"))}
    assert rows["4.1@2022-04"] == "done" and rows["4.3@2022-05"] == "doing"
    mine = {r["id"]: r["status"] for r in as_json(ok(
        run, *DAY, "list", "--owner", "乙校", "--status", "all", "-f", "json"))}
    assert mine["4.3@2022-05"] == "done"


def test_a_plan_file_with_occurrences_for_an_ordinary_task_is_refused(run, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(PLAN + '[[sections.items.tasks]]\nno = 5\ntitle = "年终总结"\n'
                    '[[sections.items.tasks.occurrences]]\nperiod = "2022-07"\n', encoding="utf-8")
    result = run("import", path)
    assert result.exit_code == 2 and "occurrences" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_ledger_has_a_row_per_begun_occurrence_and_counts_each_task_once(
        run, worked, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "台账.xlsx"
    ok(run, *DAY, "export", "-f", "xlsx", "-o", path)
    book = load_workbook(path)
    ids = [r[1] for r in book.worksheets[0].iter_rows(min_row=4, values_only=True) if r[1]]
    assert ids == ["4.1@2022-04", "4.1@2022-05", "4.1@2022-06", "4.1@2022-07",
                   "4.2@2022-Q2", "4.2@2022-Q3",
                   "4.3@2022-04", "4.3@2022-05", "4.3@2022-06", "4.3@2022-07", "4.4"]
    summary = [r for r in book.worksheets[1].iter_rows(values_only=True) if r[0] == "合计"][0]
    # four tasks; the three recurring ones overdue by an open occurrence past its day
    assert summary[1:6] == (4, 0, 0, 4, 3)


def test_the_json_and_csv_exports_write_every_occurrence_as_a_task_of_its_own(run, worked):
    import csv
    import io

    data = as_json(ok(run, *DAY, "export", "-f", "json"))
    tasks = {t["id"]: t for s in data["sections"] for i in s["items"] for t in i["tasks"]}
    assert [i for i in tasks if i.startswith("4.2")] == [
        "4.2", "4.2@2022-Q2", "4.2@2022-Q3", "4.2@2022-Q4"]
    assert (tasks["4.1@2022-04"]["status_as_of"], tasks["4.1@2022-04"]["archived"]) == (
        "done", False)
    assert {s["unit"] for s in tasks["4.3@2022-05"]["shares"]} == {"甲校", "乙校"}
    text = ok(run, *DAY, "export", "-f", "csv").stdout.lstrip("\ufeff")
    table = {(r["id"], r["unit"]): r for r in csv.DictReader(io.StringIO(text))}
    assert table[("4.3@2022-05", "乙校")]["status"] == "done"
    assert table[("4.1@2022-12", "")]["status"] == "todo"  # not begun: written all the same


def test_a_re_import_keeps_the_dates_the_office_gave_an_occurrence(run, worked):
    ok(run, *DAY, "extend", "4.1@2022-07", "2022-08-15", "--reason", "暑期推迟")
    ok(run, *DAY, "accept", "4.1@2022-07")  # the new date granted
    ok(run, *DAY, "import", worked)  # the same file again
    dues = {r["id"]: r["due"] for r in as_json(ok(
        run, *DAY, "list", "--status", "all", "-f", "json"))}
    assert dues["4.1@2022-07"] == "2022-08-15" and dues["4.2@2022-Q3"] == "2022-09-25"


def test_taking_a_recurring_task_back_from_a_unit_leaves_the_occurrences_it_worked_on(
        run, worked):
    result = ok(run, *DAY, "unassign", "4.3", "--unit", "乙校")
    assert "4.3@2022-05 乙校" in result.stderr  # done there: kept, said as unchanged
    mine = {r["id"]: r["status"] for r in as_json(ok(
        run, "--as-of", "2022-12-31", "list", "--owner", "乙校", "--status", "all", "-f", "json"))}
    assert mine == {"4.3@2022-05": "done"}
    ok(run, "units", "add", "丙校")
    refused = run(*DAY, "unassign", "4.3", "--unit", "丙校")  # it holds none of it
    assert refused.exit_code == 1 and "丙校 没有承办 4.3" in refused.stderr


def test_the_summarys_overdue_list_names_each_recurring_task_once_by_its_first_late_occurrence(
        run, worked):
    data = as_json(ok(run, *DAY, "summary", "-f", "json"))
    assert [r["id"] for r in data["overdue"]] == ["4.3@2022-04", "4.1@2022-05", "4.2@2022-Q2"]
    assert data["totals"]["overdue"] == len(data["overdue"])  # as many as the counts say


def test_the_trees_progress_counts_a_recurring_task_once_as_the_summary_does(run, worked):
    tree = ok(run, *DAY, "tree", "-f", "table").stdout
    assert "三会一课 [0/4]" in tree and "4.1@2022-07" in tree


def test_show_of_a_recurring_task_reads_it_even_when_every_begun_occurrence_is_done(run, worked):
    """`show 4.1` is a read: with every begun occurrence done there is no current one to pick,
    and it still shows the task and its series (as it does while one is open)."""
    ok(run, *DAY, "done", "4.1@2022-05", "4.1@2022-06", "4.1@2022-07")
    d = as_json(ok(run, *DAY, "show", "4.1", "-f", "json"))
    assert d["id"] == "4.1" and d["every"] == "month"
    assert [o["status"] for o in d["occurrences"]][:4] == ["done"] * 4
