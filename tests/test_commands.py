"""The clerk's commands: tree, show, history, assign/unassign, add, start/done/reopen/drop, note,
due — what each changes, what it records, and how it answers when there is nothing to do."""

from __future__ import annotations

import pytest
from conftest import as_json, ok, rows

AS_OF = "2022-07-01"


def task(run, task_id, as_of=AS_OF) -> dict:
    return as_json(ok(run, "show", task_id, "--as-of", as_of, "--format", "json"))


def events(db_path, target=None) -> list[dict]:
    sql = "SELECT * FROM events WHERE action != 'import'"
    if target:
        return rows(db_path, sql + " AND target = ? ORDER BY id", target)
    return rows(db_path, sql + " ORDER BY id")


# --- tree --------------------------------------------------------------------------------------

def test_tree_progress_labels(run, plan22):
    # 10.1 and 10.6 are ongoing (常态推进): out of the base of the %, named apart in the label
    ok(run, "--as-of", AS_OF, "done", "10.2", "10.3", "10.4")
    table = ok(run, "--as-of", AS_OF, "tree", "--item", "10", "--format", "table").stdout
    # item 10 has 8 tasks since 10.7 was split (10.8, 年度考核): 3 of 8 - 2 ongoing
    assert "10. 加强全面从严治党 [3/6] 50% · 常态推进 2 项" in table
    assert "四、" in table and "[3/6] 50%" in table
    assert "11." not in table  # the filter leaves other items out
    ok(run, "--as-of", AS_OF, "drop", "10.5", "--reason", "并入 10.4")
    table = ok(run, "--as-of", AS_OF, "tree", "--item", "10", "--format", "table").stdout
    assert "[3/5] 60%" in table  # dropped tasks leave the denominator


def test_tree_json_shape_and_filters(run, plan22):
    ok(run, "--as-of", AS_OF, "done", "2.1")
    data = as_json(ok(run, "tree", "--as-of", AS_OF, "--tag", "思政课", "--format", "json"))
    assert [s["section"] for s in data] == [1]
    section = data[0]
    assert set(section) == {"section", "title", "done", "total", "dropped", "percent", "items"}
    assert [i["id"] for i in section["items"]] == ["2"]
    item = section["items"][0]
    assert set(item) == {"id", "title", "done", "total", "dropped", "percent", "tasks"}
    assert [t["id"] for t in item["tasks"]] == ["2.10", "2.11", "2.12", "2.13"]
    assert (item["done"], item["total"], item["percent"]) == (0, 4, 0)
    whole = as_json(ok(run, "tree", "--as-of", AS_OF, "--format", "json"))
    assert sum(s["total"] for s in whole) == 112  # tree shows done tasks too
    assert whole[0]["items"][1]["done"] == 1


def test_tree_tsv_rows(run, plan22):
    out = ok(run, "tree", "--as-of", AS_OF, "--item", "8", "--format", "tsv").stdout
    lines = out.splitlines()
    assert lines[0].split("\t") == ["kind", "id", "title", "done", "total", "dropped", "percent",
                                    "status", "owner", "due", "light"]
    assert [line.split("\t")[:2] for line in lines[1:3]] == [["section", "3"], ["item", "8"]]
    # 8.6 (the 表彰 split from 8.5) is item 8's last, due 07-15 as 8.5 is
    assert lines[-1].split("\t")[:2] == ["task", "8.6"] and lines[-1].endswith("yellow")
    assert lines[-2].split("\t")[:2] == ["task", "8.5"] and lines[-2].endswith("yellow")


# --- show and history --------------------------------------------------------------------------

def test_show_task_has_words_notes_evidence_and_history(run, plan22):
    ok(run, "--as-of", "2022-07-02", "assign", "--new-unit", "8.5", "--to", "组织科", "--with", "宣传科",
       "--by", "王科长")
    ok(run, "--as-of", "2022-07-05", "note", "8.5", "已部署", "--percent", "30", "--by", "李干事")
    ok(run, "--as-of", "2022-07-10", "done", "8.5", "--evidence", "https://example.cn/a.pdf",
       "--note", "表彰决定已印发")
    data = task(run, "8.5", "2022-07-10")
    assert data["when"] == "“七一”前后" and data["start"] == "2022-06-15"
    assert data["owner"] == "组织科" and data["support"] == ["宣传科"]
    assert data["status"] == "done" and data["done_on"] == "2022-07-10"
    assert data["evidence"] == ["https://example.cn/a.pdf"]
    assert data["item_text"].startswith("加大党员教育管理。")
    assert data["notes"] == [{"on": "2022-07-05", "by": "李干事", "text": "已部署", "percent": 30},
                             {"on": "2022-07-10", "by": "tester", "text": "表彰决定已印发",
                              "percent": None}]
    dates = [e["on"] for e in data["history"]]
    assert dates == sorted(dates, reverse=True)  # newest first
    assert {e["actor"] for e in data["history"] if e["on"] == "2022-07-02"} == {"王科长"}
    table = ok(run, "show", "8.5", "--as-of", "2022-07-10", "--format", "table").stdout
    for words in ("“七一”前后", "2022-06-15", "组织科", "宣传科", "https://example.cn/a.pdf",
                  "2022-07-05 李干事 [30%]: 已部署", "条目原文", "加大党员教育管理。",
                  "表彰决定已印发", "变更记录"):
        assert words in table, words
    assert table.index("2022-07-10 tester") < table.index("2022-07-02 王科长")


def test_show_item(run, plan22):
    ok(run, "--as-of", AS_OF, "done", "5.1")
    ok(run, "--as-of", AS_OF, "note", "5", "全面推进", "--percent", "40")
    data = as_json(ok(run, "show", "5", "--as-of", AS_OF, "--format", "json"))
    assert data["kind"] == "item" and data["title"] == "加强党建品牌阵地建设"
    assert data["text"].startswith("加强党建品牌阵地建设。深入抓好")
    assert (data["done"], data["total"], data["percent"]) == (1, 6, 17)
    assert [t["id"] for t in data["tasks"]] == [f"5.{n}" for n in range(1, 7)]
    assert data["notes"][0]["text"] == "全面推进" and data["notes"][0]["percent"] == 40
    assert {e["target"] for e in data["history"]} >= {"5", "5.1"}
    table = ok(run, "show", "５", "--as-of", AS_OF, "-f", "table").stdout
    assert "[1/6] 17%" in table and "辐射引领教育党建工作水平不断提升" in table.replace("\n", "")


def test_history_newest_first_and_since(run, plan22):
    ok(run, "--as-of", "2022-07-01", "start", "3.1")
    ok(run, "--as-of", "2022-07-05", "done", "3.1")
    ok(run, "--as-of", "2022-07-09", "due", "3.2", "2022-10-01")
    data = as_json(ok(run, "history", "--as-of", "2022-07-10", "--format", "json"))
    assert [e["on"] for e in data[:2]] == ["2022-07-09", "2022-07-05"]
    assert set(data[0]) == {"id", "at", "on", "actor", "target", "action", "field", "old", "new",
                            "note", "unit", "source", "batch"}
    since = as_json(ok(run, "history", "--since", "2022-07-05", "--as-of", "2022-07-10",
                       "--format", "json"))
    assert {e["on"] for e in since} == {"2022-07-05", "2022-07-09"}  # the day itself counts
    relative = as_json(ok(run, "history", "--since", "-1d", "--as-of", "2022-07-10", "-f", "json"))
    assert [e["target"] for e in relative] == ["3.2"]
    one = as_json(ok(run, "history", "3.1", "--as-of", "2022-07-10", "--format", "json"))
    assert {e["target"] for e in one} == {"3.1"}
    assert [e["action"] for e in one][:2] == ["done", "done"]
    assert ok(run, "history", "3.1", "--since", "today", "--as-of", "2022-07-10",
              "-f", "json").stdout.strip() == "[]"


# --- assign / unassign -------------------------------------------------------------------------

def test_assign_item_means_all_its_tasks_with_repeated_with(run, plan22, db_path):
    ok(run, "--as-of", AS_OF, "assign", "--new-unit", "6", "--to", "组织科", "--with", "宣传科", "--with", "各学校")
    got = rows(db_path, "SELECT id, owner, support FROM tasks WHERE item = 6 ORDER BY no")
    assert len(got) == 6
    assert {(r["owner"], r["support"]) for r in got} == {("组织科", '["宣传科", "各学校"]')}
    assert rows(db_path, "SELECT count(*) AS n FROM tasks WHERE owner IS NOT NULL")[0]["n"] == 6
    # owner and support for each task (the three new units' registration is the register's)
    assert len([e for e in events(db_path) if e["plan"] == "2022"]) == 12


def test_assign_without_with_keeps_support_and_unassign_clears(run, plan22, db_path):
    ok(run, "--as-of", AS_OF, "assign", "--new-unit", "13.5", "--to", "老干部科")
    assert task(run, "13.5")["support"] == ["退协", "关工委"]
    ok(run, "--as-of", AS_OF, "unassign", "13.5")
    record = task(run, "13.5")
    assert record["owner"] is None and record["support"] == []
    assert "13.5" in [r["id"] for r in as_json(ok(run, "--as-of", AS_OF, "list", "--unassigned",
                                                  "-f", "json"))]


def test_assign_requires_to(run, plan22):
    assert run("assign", "--new-unit", "5.1").exit_code == 2


# --- add ---------------------------------------------------------------------------------------

def test_add_gives_the_next_number_and_appears_in_list(run, plan22, db_path):
    result = ok(run, "--as-of", AS_OF, "add", "2", "开展网络安全宣传周活动", "--due", "2022-09-30",
                "--when", "9月", "--owner", "宣传科")
    # the item's next free number: 2.14 is 2.7's split part
    assert result.stdout.strip() == "2.15"
    record = task(run, "2.15")
    assert (record["title"], record["due"], record["when"], record["owner"], record["origin"]) == (
        "开展网络安全宣传周活动", "2022-09-30", "9月", "宣传科", "added")
    listed = [r["id"] for r in as_json(ok(run, "list", "--as-of", AS_OF, "-i", "2", "-f", "json"))]
    assert listed[-2:] == ["2.13", "2.15"]
    assert ok(run, "add", "2", "再加一项").stdout.strip() == "2.16"
    assert task(run, "2.16")["due"] == "2022-12-31"  # the plan's due
    assert events(db_path, "2.15")[0]["action"] == "add"


def test_add_checks_its_input(run, plan22, db_path):
    assert run("add", "2.1", "任务").exit_code == 2
    assert run("add", "99", "任务").exit_code == 1
    assert run("add", "2", "任务", "--due", "明年").exit_code == 2
    assert run("add", "2", "  ").exit_code == 2
    # 112 tasks and the 29 occurrence rows of the six recurring ones (3 + 8 + 8 + 1 + 8 + 1)
    assert rows(db_path, "SELECT count(*) AS n FROM tasks")[0]["n"] == 112 + 29


# `jtdj add --when` fills dates from timing words the way the plan file does, so an exported
# plan re-imports to the same task.

def test_add_with_summer_timing_gets_the_summer_dates(run, imported):
    result = run("--as-of", "2022-06-01", "add", "7", "暑期新增培训", "--when", "暑期")
    assert result.exit_code == 0, result.output
    task_id = result.stdout.strip()
    shown = as_json(run("show", task_id, "--format", "json"))
    assert (shown["start"], shown["due"], shown["when"]) == ("2022-07-01", "2022-08-31", "暑期")


def test_add_with_timing_round_trips_through_export(run, imported, tmp_path):
    run("--as-of", "2022-06-01", "add", "8", "“七一”走访慰问", "--when", "“七一”前后")
    first = run("export", "--format", "toml")
    assert first.exit_code == 0, first.output
    plan_file = tmp_path / "exported.toml"
    plan_file.write_text(first.stdout, encoding="utf-8")
    other_db = tmp_path / "other.db"
    assert run("--db", other_db, "import", plan_file).exit_code == 0
    second = run("--db", other_db, "export", "--format", "toml")
    assert second.stdout == first.stdout


# --- status changes ----------------------------------------------------------------------------

def test_start_done_reopen_drop_cycle(run, plan22, db_path):
    ok(run, "--as-of", AS_OF, "start", "1.1")
    assert task(run, "1.1")["status"] == "doing"
    ok(run, "--as-of", "2022-07-03", "done", "1.1", "--on", "2022-07-02")
    record = task(run, "1.1", "2022-07-03")
    assert (record["status"], record["done_on"], record["light"]) == ("done", "2022-07-02", "grey")
    ok(run, "--as-of", "2022-07-04", "reopen", "1.1")
    record = task(run, "1.1", "2022-07-04")
    assert (record["status"], record["done_on"]) == ("todo", None)
    ok(run, "--as-of", "2022-07-04", "drop", "1.1", "--reason", "上级通知取消")
    record = task(run, "1.1", "2022-07-04")
    assert (record["status"], record["drop_reason"], record["light"]) == (
        "dropped", "上级通知取消", "grey")
    actions = [e["action"] for e in events(db_path, "1.1")]
    assert actions[0] == "start" and "done" in actions and "reopen" in actions
    assert actions[-1] == "drop"


def test_drop_requires_a_reason(run, plan22, db_path):
    assert run("drop", "1.1").exit_code == 2
    assert run("drop", "1.1", "--reason", "  ").exit_code == 2
    assert events(db_path) == []


def test_done_on_a_future_date_is_refused(run, plan22, db_path):
    result = run("--as-of", AS_OF, "done", "1.1", "--on", "2022-07-02")
    assert result.exit_code == 2 and "2022-07-02" in result.stderr
    assert events(db_path) == []


@pytest.mark.parametrize("args, before", [
    (("done", "4.1"), ("done", "4.1")),
    (("start", "4.1"), ("start", "4.1")),
    (("reopen", "4.1"), None),
    (("drop", "4.1", "--reason", "取消"), ("drop", "4.1", "--reason", "取消")),
    (("assign", "--new-unit", "4.1", "--to", "组织科"), ("assign", "--new-unit", "4.1", "--to", "组织科")),
    (("unassign", "4.1"), None),
    (("due", "4.1", "2022-12-31"), None),
])
def test_a_change_already_so_writes_nothing_says_so_and_exits_0(run, plan22, db_path, args,
                                                                 before):
    if before:
        ok(run, "--as-of", AS_OF, *before)
    count = len(events(db_path))
    result = run("--as-of", AS_OF, *args)
    assert result.exit_code == 0, result.output
    assert "4.1" in result.stderr and result.stdout == ""
    assert len(events(db_path)) == count


def test_item_id_changes_only_what_is_not_already_so(run, plan22, db_path):
    ok(run, "--as-of", AS_OF, "done", "12.1")
    result = ok(run, "--as-of", AS_OF, "done", "12")
    assert "12.1" in result.stderr
    # item 12 has 7 tasks since 12.5 was split (12.7 stands beside it)
    assert len([e for e in events(db_path) if e["field"] == "status"]) == 7
    assert [r["id"] for r in as_json(ok(run, "list", "--as-of", AS_OF, "--status", "done",
                                        "-f", "json"))] == [
        "12.1", "12.2", "12.3", "12.4", "12.5", "12.7", "12.6"]


def test_events_record_the_actor(run, plan22, db_path, monkeypatch):
    ok(run, "--as-of", AS_OF, "start", "1.1")
    ok(run, "--as-of", AS_OF, "start", "1.2", "--by", "赵主任")
    ok(run, "--by", "钱科员", "--as-of", AS_OF, "start", "1.3")
    monkeypatch.setenv("JTDJ_USER", "孙老师")
    ok(run, "--as-of", AS_OF, "start", "1.4")
    actors = {e["target"]: e["actor"] for e in events(db_path)}
    assert actors == {"1.1": "tester", "1.2": "赵主任", "1.3": "钱科员", "1.4": "孙老师"}
    assert {e["on_date"] for e in events(db_path)} == {AS_OF}


# --- note and due ------------------------------------------------------------------------------

def test_note_with_percent(run, plan22, db_path):
    ok(run, "--as-of", AS_OF, "note", "7.6", "已制定培训方案", "--percent", "0")
    ok(run, "--as-of", "2022-07-20", "note", "7.6", "第一期已开班", "-p", "50")
    record = task(run, "7.6", "2022-07-20")
    assert record["percent"] == 50 and record["status"] == "todo"
    assert [(n["on"], n["percent"]) for n in record["notes"]] == [(AS_OF, 0), ("2022-07-20", 50)]
    ok(run, "--as-of", "2022-07-21", "note", "7.6", "无百分比的进展")
    assert task(run, "7.6", "2022-07-21")["percent"] == 50


@pytest.mark.parametrize("value", ["101", "-1", "abc"])
def test_note_percent_out_of_range_is_usage_error(run, plan22, db_path, value):
    result = run("note", "7.6", "进展", "--percent", value)
    assert result.exit_code == 2
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1
    assert rows(db_path, "SELECT count(*) AS n FROM notes")[0]["n"] == 0


def test_note_needs_text(run, plan22):
    assert run("note", "7.6", " ").exit_code == 2


def test_due_changes_the_light(run, plan22):
    ok(run, "--as-of", AS_OF, "due", "3.1", "7月10日")
    assert task(run, "3.1")["due"] == "2022-07-10" and task(run, "3.1")["light"] == "yellow"
    ok(run, "--as-of", AS_OF, "due", "3.1", "-1d")
    assert task(run, "3.1")["light"] == "red"
    assert run("due", "3.1", "someday").exit_code == 2
    ok(run, "--as-of", AS_OF, "due", "3", "2022-09-01")  # an item: all its tasks
    listed = as_json(ok(run, "list", "--as-of", AS_OF, "--item", "3", "-f", "json"))
    assert {r["due"] for r in listed} == {"2022-09-01"} and len(listed) == 6  # 3.5 split: 3.6


# --- as-of semantics ---------------------------------------------------------------------------

def test_a_task_done_later_is_open_at_an_earlier_date(run, plan22):
    ok(run, "--as-of", "2022-07-12", "done", "8.5", "--on", "2022-07-10")
    assert task(run, "8.5", "2022-07-01")["status"] == "todo"
    assert task(run, "8.5", "2022-07-09")["light"] == "yellow"
    assert task(run, "8.5", "2022-07-10")["status"] == "done"
    early = [r["id"] for r in as_json(ok(run, "list", "--as-of", "2022-07-01", "-f", "json"))]
    late = [r["id"] for r in as_json(ok(run, "list", "--as-of", "2022-07-10", "-f", "json"))]
    assert "8.5" in early and "8.5" not in late
    done_at = as_json(ok(run, "list", "--as-of", "2022-07-10", "--status", "done", "-f", "json"))
    assert [(r["id"], r["done_on"]) for r in done_at] == [("8.5", "2022-07-10")]


def test_a_task_dropped_later_counts_as_open_before(run, plan22):
    ok(run, "--as-of", "2022-08-01", "drop", "7.6", "--reason", "疫情取消")
    assert task(run, "7.6", "2022-07-31")["status"] == "todo"
    assert task(run, "7.6", "2022-08-01")["status"] == "dropped"


# --- counting rules ----------------------------------------------------------------------------

@pytest.mark.parametrize("as_of, light", [
    ("2022-06-30", "green"),   # due 07-15 > D + 14
    ("2022-07-01", "yellow"),  # due == D + 14
    ("2022-07-15", "yellow"),  # due == D
    ("2022-07-16", "red"),     # due < D
])
def test_traffic_light_boundaries(run, plan22, as_of, light):
    assert task(run, "8.5", as_of)["light"] == light


def test_closed_tasks_are_grey_even_when_late(run, plan22):
    ok(run, "--as-of", "2022-07-20", "done", "8.5")
    ok(run, "--as-of", "2022-07-20", "drop", "7.6", "--reason", "取消")
    assert task(run, "8.5", "2022-07-20")["light"] == "grey"
    assert task(run, "7.6", "2022-09-01")["light"] == "grey"
    assert task(run, "8.5", "2022-07-19")["light"] == "red"  # still open then


def test_percent_done_leaves_dropped_out_and_rounds_half_up(run, plan22):
    from jtdj.views import percent

    assert [percent(1, 8), percent(5, 8), percent(3, 7), percent(2, 3), percent(0, 0)] == [
        13, 63, 43, 67, 0]
    ok(run, "--as-of", AS_OF, "done", "9.1")          # item 9 has 8 tasks (9.6 split: 9.8)
    ok(run, "--as-of", AS_OF, "drop", "9.2", "9.3", "9.4", "9.5", "9.6", "9.8", "--reason", "合并")
    data = as_json(ok(run, "show", "9", "--as-of", AS_OF, "-f", "json"))
    assert (data["done"], data["total"], data["dropped"], data["percent"]) == (1, 8, 6, 50)
    ok(run, "--as-of", AS_OF, "drop", "9.7", "--reason", "合并")
    assert as_json(ok(run, "show", "9", "--as-of", AS_OF, "-f", "json"))["percent"] == 100


# --- what a change says ------------------------------------------------------------------------

def test_confirmations_name_the_change(run, plan22):
    """With -v (or at a terminal) each change says what it did, ids joined with 、."""
    due = ok(run, "-v", "--as-of", AS_OF, "due", "5.5", "9月30日")
    assert due.stderr.strip() == "5.5 完成时限 2022-12-31 → 2022-09-30"
    dropped = ok(run, "-v", "--as-of", AS_OF, "drop", "5.3", "5.4", "--reason", "上级取消")
    assert dropped.stderr.strip() == "已调整 2 项（原因：上级取消）：5.3、5.4"
    assigned = ok(run, "-v", "--as-of", AS_OF, "assign", "--new-unit", "6.1", "6.2", "--to", "组织科",
                  "--with", "宣传科", "--with", "各学校")
    assert "已分派 2 项给 组织科（配合单位：宣传科、各学校）：6.1、6.2" in assigned.stderr
    item = ok(run, "-v", "--as-of", AS_OF, "due", "8", "2022-10-31")
    # 8.1 is ongoing (常态推进, no due date): a date makes it an ordinary task
    assert item.stderr.strip().splitlines() == [
        "8.1 完成时限 常态推进 → 2022-10-31",
        "8.2、8.3、8.4 完成时限 2022-12-31 → 2022-10-31",
        "8.5、8.6 完成时限 2022-07-15 → 2022-10-31"]  # 8.6: 8.5's 表彰, split off


def test_a_unit_not_registered_is_refused_with_the_closest_unless_new_unit(run, plan22):
    ok(run, "--as-of", AS_OF, "assign", "5.1", "--to", "组织科", "--new-unit")
    typo = run("--as-of", AS_OF, "assign", "5.2", "--to", "组织课")
    assert typo.exit_code == 1 and "没有名为“组织课”的单位" in typo.stderr and "组织科" in typo.stderr
    assert task(run, "5.2")["owner"] is None
    fresh = ok(run, "--as-of", AS_OF, "assign", "5.2", "--to", "组织课", "--new-unit")
    assert "已登记新单位或分组：组织课" in fresh.stderr
    assert task(run, "5.2")["owner"] == "组织课"
    again = ok(run, "--as-of", AS_OF, "assign", "5.3", "--to", "组织科")
    assert "已登记" not in again.stderr and task(run, "5.3")["owner"] == "组织科"


@pytest.mark.parametrize("typed", ["40", "40%", "４０％", " 40 % "])
def test_a_percent_is_read_however_it_is_typed(run, plan22, typed):
    ok(run, "--as-of", AS_OF, "note", "5.3", "已召开动员会", "--percent", typed)
    assert task(run, "5.3")["percent"] == 40


@pytest.mark.parametrize("bad", ["140", "四十", "-5"])
def test_a_percent_out_of_range_is_a_usage_error(run, plan22, bad):
    result = run("--as-of", AS_OF, "note", "5.3", "进展", "--percent", bad)
    assert result.exit_code == 2 and bad in result.stderr


def test_a_day_before_the_plan_or_after_its_year_is_taken_with_a_warning(run, plan22):
    early = ok(run, "--as-of", AS_OF, "due", "5.5", "2021-09-30")
    assert early.stderr.strip() == "注意：日期 2021-09-30 早于计划印发日期 2022-05-09"
    assert task(run, "5.5")["due"] == "2021-09-30"
    late = ok(run, "--as-of", AS_OF, "add", "5", "新增任务", "--due", "2023-03-01")
    assert "2023-03-01 不在计划年度 2022 年内" in late.stderr
    assert ok(run, "--as-of", AS_OF, "done", "5.1", "--on", "2022-06-30").stderr == ""
