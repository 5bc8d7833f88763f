"""The 通报 (`jtdj report --by-unit`): each unit's tasks, done, % done, overdue, extensions,
催办 and forms back on time, ranked by % done then fewer overdue with competition places,
numbered 「第N期」 per plan, and true for its period however much happens later."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import as_json, ok, one_item_plan, rows

W27 = ("--week", "2022-W27")  # 2022-07-04 .. 2022-07-10
MADE = ("--as-of", "2022-07-11")

PLAN = one_item_plan("b2022", "通报试验计划", "2022-05-09", [
    f"due = {due}\n{who}" for due, who in [
        ("2022-06-30", 'owner = "甲科"'), ("2022-12-31", 'owner = "甲科"'),
        ("2022-12-31", 'owner = "乙科"'), ("2022-12-31", 'owner = "乙科"'),
        ("2022-12-31", 'owner = "丙科"'), ("2022-12-31", 'owner = "丙科"'),
        ("2022-06-30", 'owner = "丁科"'), ("2022-12-31", 'each = ["戊科", "己科"]'),
        ("2022-12-31", 'owner = "庚科"'), ("2022-12-31", 'each = ["戊科", "己科"]')]])


@pytest.fixture
def office(run, tmp_path):
    """甲科 2/2 done; 乙科 and 丙科 1/2; 戊科 done its share of 1.8 and had its share of 1.10
    dropped; 己科 and 庚科 nothing done, nothing overdue; 丁科 nothing done and 1.7 overdue;
    辛科 registered with no task."""
    path = tmp_path / "b2022.toml"
    path.write_text(PLAN, encoding="utf-8")
    ok(run, "--as-of", "2022-06-01", "import", path)
    ok(run, "units", "add", "辛科")
    on = ("--as-of", "2022-07-05")
    ok(run, *on, "done", "1.1", "1.2", "1.3", "1.5")
    ok(run, *on, "done", "1.8", "--unit", "戊科")
    ok(run, *on, "drop", "1.10", "--unit", "戊科", "--reason", "不再承办")
    return path


def bulletin(run, *args, made=MADE, week=W27):
    return as_json(ok(run, *made, "report", *week, "--by-unit", *args, "-f", "json"))


def places(data) -> list[tuple]:
    return [(u["rank"], u["unit"], u["percent_done"], u["overdue"]) for u in data["units"]]


def unit_ids(db_path) -> dict[str, int]:
    return {r["name"]: r["id"] for r in rows(db_path, "SELECT id, name FROM units")}


def test_units_are_ranked_by_percent_done_then_fewer_overdue_with_shared_places(run, office):
    data = bulletin(run)
    assert places(data) == [(1, "戊科", 100, 0), (1, "甲科", 100, 0), (3, "丙科", 50, 0),
                            (3, "乙科", 50, 0), (5, "己科", 0, 0), (5, "庚科", 0, 0),
                            (7, "丁科", 0, 1)]
    assert "辛科" not in {u["unit"] for u in data["units"]}  # no task: left out
    assert list(data["units"][0]) == ["rank", "unit", "tasks", "done", "percent_done", "overdue",
                                      "lagging", "review", "extensions", "urges", "forms_on_time",
                                      "forms_issued"]


def test_a_dropped_share_is_left_out_of_the_units_percent_done(run, office):
    wu = {u["unit"]: u for u in bulletin(run)["units"]}["戊科"]
    assert (wu["tasks"], wu["done"], wu["percent_done"]) == (2, 1, 100)


def test_extensions_count_due_dates_moved_later_by_the_clerk_not_earlier_nor_undone(
        run, office):
    on = ("--as-of", "2022-07-06")
    ok(run, *on, "due", "1.8", "--unit", "己科", "2023-01-31")  # a share's date, later
    ok(run, *on, "due", "1.4", "2023-01-31")  # 乙科's own task, later
    ok(run, *on, "due", "1.9", "2022-11-30")  # earlier: no extension
    ok(run, *on, "due", "1.6", "2023-02-01")
    ok(run, *on, "undo")  # undone: as if it never ran
    ok(run, "--as-of", "2022-07-12", "due", "1.3", "2023-03-01")  # after the period
    ext = {u["unit"]: u["extensions"] for u in bulletin(run, made=("--as-of", "2022-07-12"))["units"]}
    assert ext == {"戊科": 0, "甲科": 0, "丙科": 0, "乙科": 1, "己科": 1, "庚科": 0, "丁科": 0}


def test_a_task_date_moved_later_counts_for_each_share_that_keeps_the_tasks_date(run, office):
    on = ("--as-of", "2022-07-06")
    ok(run, *on, "due", "1.10", "2023-01-31")  # 戊科's share is dropped; 己科's follows the task
    ok(run, *on, "due", "1.8", "--unit", "己科", "2023-02-28")  # 己科's own date from now on
    ok(run, *on, "due", "1.8", "2023-03-31")  # 戊科's share (done) keeps the task's date
    ext = {u["unit"]: u["extensions"] for u in bulletin(run)["units"]}
    assert (ext["己科"], ext["戊科"]) == (2, 1)


def test_urges_are_counted_per_unit_from_the_events_recorded(run, office, db_path):
    ids = unit_ids(db_path)
    conn = sqlite3.connect(db_path)
    with conn:
        for batch, on, target, unit in [
                ("u1", "2022-07-07", "1.7", "丁科"), ("u2", "2022-07-08", "1.7", "丁科"),
                ("u3", "2022-07-08", f"1.8@{ids['己科']}", "己科"),
                ("u4", "2022-07-12", "1.7", "丁科"),  # after the period
                ("u5", "2022-07-08", "1.9", "庚科")]:  # undone below
            conn.execute("INSERT INTO events (batch, at, on_date, actor, plan, target, action,"
                         " unit) VALUES (?, ?, ?, 'clerk', 'b2022', ?, 'urge', ?)",
                         (batch, on + "T09:00:00+00:00", on, target, unit))
        conn.execute("INSERT INTO events (batch, at, on_date, actor, plan, target, action, note)"
                     " VALUES ('u6', '2022-07-09T09:00:00+00:00', '2022-07-09', 'clerk', 'b2022',"
                     " '1.9', 'undo', 'undo:u5')")
    conn.close()
    urges = {u["unit"]: u["urges"] for u in bulletin(run, made=("--as-of", "2022-07-13"))["units"]}
    assert (urges["丁科"], urges["己科"], urges["庚科"], urges["甲科"]) == (2, 1, 0, 0)


def _forms(db_path, forms):
    ids = unit_ids(db_path)
    conn = sqlite3.connect(db_path)
    with conn:
        for unit, as_of, reply_by, merged_on, filled_on in forms:
            conn.execute("INSERT INTO forms (plan, unit, collect, at, as_of, reply_by, merged_on,"
                         " filled_on) VALUES ('b2022', ?, 'c', ?, ?, ?, ?, ?)",
                         (ids[unit], as_of + "T08:00:00+00:00", as_of, reply_by, merged_on,
                          filled_on))
    conn.close()


def test_forms_back_on_time_are_counted_by_their_filled_day_and_the_late_units_named(
        run, office, db_path):
    _forms(db_path, [
        ("乙科", "2022-07-01", "2022-07-05", "2022-07-06", "2022-07-04"),  # filled in time
        ("甲科", "2022-07-01", "2022-07-05", "2022-07-05", None),
        ("乙科", "2022-07-06", "2022-07-08", "2022-07-09", None),  # merged late
        ("丙科", "2022-07-08", "2022-07-12", None, None)])  # not due by the period's end
    data = bulletin(run)
    back = {u["unit"]: (u["forms_on_time"], u["forms_issued"]) for u in data["units"]}
    assert (back["乙科"], back["甲科"], back["丙科"], back["丁科"]) == ((1, 2), (1, 1), (0, 0),
                                                                       (0, 0))
    assert data["late"] == ["乙科"]
    assert "各单位均按时反馈" in ok(run, "--as-of", "2022-07-04", "report", "--since",
                                   "2022-07-01", "--until", "2022-07-05", "--by-unit").stdout
    text = ok(run, *MADE, "report", *W27, "--by-unit", "-f", "text").stdout
    assert "未按时反馈：乙科" in text
    assert [line.split()[-1] for line in text.splitlines() if "乙科" in line.split()[:2]] == ["1/2"]
    later = bulletin(run, made=("--as-of", "2022-07-18"), week=("--week", "2022-W28"))
    assert {u["unit"]: u["forms_issued"] for u in later["units"]}["丙科"] == 1
    assert later["late"] == ["丙科", "乙科"]


def test_the_issue_number_is_kept_per_period_and_goes_on_from_the_last(run, office, db_path):
    weeks = {w: ("--week", f"2022-W{w}") for w in (27, 28, 29, 30)}
    assert bulletin(run, week=weeks[27])["issue_no"] == 1
    assert bulletin(run, week=weeks[27])["issue_no"] == 1  # the same period: the same number
    assert bulletin(run, made=("--as-of", "2022-07-18"), week=weeks[28])["issue_no"] == 2
    assert bulletin(run, week=weeks[27])["issue_no"] == 1
    assert bulletin(run, "--issue-no", "10", week=weeks[29])["issue_no"] == 10
    assert bulletin(run, week=weeks[30])["issue_no"] == 11
    assert bulletin(run, week=weeks[29])["issue_no"] == 10
    assert rows(db_path, "SELECT since, no FROM bulletins ORDER BY no") == [
        {"since": "2022-07-04", "no": 1}, {"since": "2022-07-11", "no": 2},
        {"since": "2022-07-18", "no": 10}, {"since": "2022-07-25", "no": 11}]
    assert "（第11期）" in ok(run, *MADE, "report", "--week", "2022-W30", "--by-unit").stdout


def test_a_bulletin_for_an_earlier_week_is_unchanged_by_what_happens_later(run, office, db_path):
    _forms(db_path, [("乙科", "2022-07-01", "2022-07-05", "2022-07-05", None)])
    before = bulletin(run)
    later = ("--as-of", "2022-07-13")
    ok(run, *later, "done", "1.4", "1.6", "1.7", "1.9")
    ok(run, *later, "done", "1.8", "1.10", "--unit", "己科")
    ok(run, *later, "due", "1.3", "2023-01-31")
    ok(run, *later, "drop", "1.2", "--reason", "调整")
    _forms(db_path, [("乙科", "2022-07-12", "2022-07-12", "2022-07-14", None)])
    again = bulletin(run, made=("--as-of", "2022-07-15"))
    assert (again["units"], again["late"], again["issue_no"]) == (
        before["units"], before["late"], before["issue_no"])
    now = bulletin(run, made=("--as-of", "2022-07-15"), week=("--week", "2022-W28"))
    assert now["units"] != before["units"]


def test_the_bulletin_is_written_as_text_markdown_html_and_json(run, office):
    text = ok(run, *MADE, "report", *W27, "--by-unit").stdout  # text in a pipe
    assert text.splitlines()[0] == "通报试验计划 工作落实情况通报（第1期）"
    assert "统计期间：2022-07-04 至 2022-07-10" in text
    header = next(line for line in text.splitlines() if line.startswith("位次"))
    assert header.split() == ["位次", "单位", "任务数", "已完成", "完成率", "逾期", "待审核",
                              "延期次数", "催办次数", "按时反馈"]
    assert "按时反馈" not in text.split("按时反馈", 1)[1]  # no form was due: no line about forms
    md = ok(run, *MADE, "report", *W27, "--by-unit", "-f", "md").stdout
    assert md.startswith("# 通报试验计划 工作落实情况通报（第1期）\n")
    assert "| 位次 | 单位 |" in md and "| 7 | 丁科 | 1 | 0 | 0% | 1 |" in md
    html = ok(run, *MADE, "report", *W27, "--by-unit", "-f", "html").stdout
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert html.count("<tr>") == 8 and ">戊科</td>" in html
    data = as_json(ok(run, *MADE, "report", *W27, "--by-unit", "-f", "json"))
    assert list(data) == ["plan", "title", "issuer", "doc_no", "as_of", "issue_no", "period",
                          "units", "late"]
    english = ok(run, "--lang", "en", *MADE, "report", *W27, "--by-unit").stdout
    assert "(No. 1)" in english and "Place" in english
