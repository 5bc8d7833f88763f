"""常态推进: tasks of kind = "ongoing" — no due date, never overdue, judged by the age of their
last note ([lights] ongoing_quiet_days), out of the base of the % done, switched with
`add --ongoing` / `due --ongoing` / `due ID DATE` and by a re-import, kept by a round trip."""

from __future__ import annotations

import pytest

from conftest import ONGOING_PLAN, as_json, dump, ok, rows

# issued 2022-03-01: an ongoing task's window starts then, so it turns 滞后 on day 90
PLAN = ONGOING_PLAN
ONGOING_13 = 'kind = "ongoing"\nowner = "组织科"'
EDGE = "2022-05-30"        # 2022-03-01 + 90 days: the first 滞后 day
EVE = "2022-05-29"         # 2022-03-01 + 89 days: still 正常


def write(tmp_path, text, name="og.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def plan(run, tmp_path):
    path = write(tmp_path, PLAN)
    ok(run, "--as-of", "2022-03-01", "import", path)
    return path


def records(run, day, *args):
    return {r["id"]: r for r in as_json(ok(run, "--as-of", day, "list", "--status", "all",
                                           *args, "-f", "json"))}


def record(run, task_id, day):
    return records(run, day)[task_id]


def light(run, task_id, day):
    r = record(run, task_id, day)
    return r["signal"], r["light"]


def totals(run, day):
    return as_json(ok(run, "--as-of", day, "summary", "-f", "json"))["totals"]


def config(tmp_path, text):
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")  # conftest's JTDJ_CONFIG


# ---- the plan file ----------------------------------------------------------------------

def test_a_plan_task_of_kind_ongoing_imports_without_a_due_date(run, plan):
    got = records(run, "2022-03-01")
    assert [(got[i]["ongoing"], got[i]["due"]) for i in ("1.1", "1.2", "1.3")] == [
        (True, None), (False, "2022-06-30"), (True, None)]


def test_an_unknown_kind_is_a_one_line_error_naming_its_path_and_nothing_is_written(
        run, tmp_path, db_path):
    path = write(tmp_path, PLAN.replace('kind = "ongoing"', 'kind = "sometimes"', 1))
    result = run("import", path)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "sections[1].items[1].tasks[1].kind" in lines[0], lines
    assert "sometimes" in lines[0]
    assert not db_path.exists() or rows(db_path, "SELECT * FROM tasks") == []


def test_an_ongoing_task_with_a_due_date_is_an_error_naming_its_due(run, tmp_path, db_path):
    path = write(tmp_path, PLAN.replace(ONGOING_13, ONGOING_13 + "\ndue = 2022-09-30"))
    result = run("import", path)
    assert result.exit_code == 2
    assert "sections[1].items[1].tasks[3].due" in result.stderr
    assert not db_path.exists() or rows(db_path, "SELECT * FROM tasks") == []


def test_the_timing_words_of_an_ongoing_task_set_only_its_start(run, tmp_path):
    ok(run, "import", write(tmp_path, PLAN.replace(ONGOING_13, ONGOING_13 + '\nwhen = "暑期"')))
    r = record(run, "1.3", "2022-07-01")
    assert (r["ongoing"], r["when"], r["start"], r["due"]) == (True, "暑期", "2022-07-01", None)


# ---- never overdue ----------------------------------------------------------------------

@pytest.mark.parametrize("day", ["2022-12-31", "2023-02-01"])
def test_an_ongoing_task_is_never_overdue_even_after_the_plan_is_due(run, plan, day):
    ok(run, "--as-of", "2022-03-01", "done", "1.2")
    assert as_json(ok(run, "--as-of", day, "list", "--overdue", "-f", "json")) == []
    assert totals(run, day)["overdue"] == 0
    assert {record(run, i, day)["light"] for i in ("1.1", "1.3")} == {"yellow"}


# ---- quiet days -------------------------------------------------------------------------

def test_an_ongoing_task_turns_behind_on_the_90th_quiet_day_from_its_window_start(run, plan):
    assert light(run, "1.1", EVE) == ("on_track", "green")
    assert light(run, "1.1", EDGE) == ("behind", "yellow")
    r = record(run, "1.1", EDGE)
    assert (r["expected_percent"], r["lag"]) == (None, None)


def test_a_note_resets_the_quiet_days_and_counts_only_from_its_own_day(run, plan):
    ok(run, "--as-of", "2022-06-01", "note", "1.1", "召开学习会")
    assert light(run, "1.1", "2022-06-01") == ("on_track", "green")
    assert record(run, "1.1", "2022-06-01")["last_note"] == "2022-06-01"
    assert light(run, "1.1", "2022-08-29") == ("on_track", "green")   # 89 days after the note
    assert light(run, "1.1", "2022-08-30") == ("behind", "yellow")    # 90 days after
    # as of a day before the note, the note did not exist yet: behind as it was then
    assert light(run, "1.1", "2022-05-31") == ("behind", "yellow")
    assert record(run, "1.1", "2022-05-31")["last_note"] is None
    assert light(run, "1.1", EVE) == ("on_track", "green")


def test_ongoing_quiet_days_in_the_config_moves_the_edge(run, plan, tmp_path):
    config(tmp_path, "[lights]\nongoing_quiet_days = 30\n")
    assert light(run, "1.1", "2022-03-30")[0] == "on_track"   # 29 days
    assert light(run, "1.1", "2022-03-31")[0] == "behind"     # 30 days
    config(tmp_path, "[lights]\nongoing_quiet_days = 0\n")
    assert light(run, "1.1", "2023-02-01") == ("on_track", "green")   # 0: never behind


@pytest.mark.parametrize("value", ["-1", '"x"', "367", "true"])
def test_a_bad_ongoing_quiet_days_is_a_one_line_error(run, plan, tmp_path, value):
    config(tmp_path, f"[lights]\nongoing_quiet_days = {value}\n")
    result = run("--as-of", EDGE, "list")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "lights.ongoing_quiet_days" in lines[0], lines
    assert "Traceback" not in result.output


def test_the_ongoing_tasks_own_start_moves_its_window_start(run, tmp_path):
    ok(run, "--as-of", "2022-03-01", "import",
       write(tmp_path, PLAN.replace(ONGOING_13, ONGOING_13 + "\nstart = 2022-04-01")))
    assert light(run, "1.1", EDGE)[0] == "behind"
    assert light(run, "1.3", EDGE)[0] == "on_track"
    assert light(run, "1.3", "2022-06-29")[0] == "on_track"   # 2022-04-01 + 89
    assert light(run, "1.3", "2022-06-30")[0] == "behind"     # + 90
    assert light(run, "1.3", "2022-03-15")[0] == "on_track"   # before its start


# ---- lists and counts -------------------------------------------------------------------

def test_a_quiet_ongoing_task_is_lagging_and_counted_behind_and_ongoing(run, plan):
    ok(run, "--as-of", "2022-05-01", "note", "1.3", "收集思想动态")
    assert [r["id"] for r in as_json(ok(run, "--as-of", EDGE, "list", "--lagging",
                                        "-f", "json"))] == ["1.1"]
    got = totals(run, EDGE)
    assert (got["behind"], got["ongoing"], got["tasks"], got["overdue"]) == (1, 2, 3, 0)


def test_the_percent_done_leaves_ongoing_tasks_out_of_its_base(run, tmp_path):
    text = PLAN + '[[sections.items.tasks]]\nno = 4\ntitle = "开展专题培训"\ndue = 2022-10-31\n'
    ok(run, "--as-of", "2022-03-01", "import", write(tmp_path, text))
    ok(run, "--as-of", "2022-04-01", "done", "1.2")
    assert totals(run, "2022-04-01")["percent_done"] == 50   # 1 done of 1.2 and 1.4
    ok(run, "--as-of", "2022-04-02", "done", "1.1")           # an ongoing one closed
    got = totals(run, "2022-04-02")
    assert got["percent_done"] == 50
    assert (got["done"], got["ongoing"]) == (2, 2)


def test_done_closes_an_ongoing_task(run, plan):
    ok(run, "--as-of", "2022-12-20", "done", "1.1", "--note", "全年学习总结")
    r = record(run, "1.1", "2023-02-01")
    assert (r["status"], r["signal"], r["light"]) == ("done", "closed", "grey")


# ---- add and due ------------------------------------------------------------------------

def test_add_ongoing_makes_an_ongoing_task_without_a_due_date(run, plan):
    new_id = ok(run, "--as-of", "2022-04-01", "add", "1", "新任务", "--ongoing").stdout.strip()
    r = record(run, new_id, "2022-04-01")
    assert (r["ongoing"], r["due"], r["title"]) == (True, None, "新任务")
    # its window starts on the day it was added
    assert light(run, new_id, "2022-06-29")[0] == "on_track"
    assert light(run, new_id, "2022-06-30")[0] == "behind"


def test_add_ongoing_with_a_due_date_is_a_usage_error(run, plan, db_path):
    before = dump(db_path)
    result = run("add", "1", "新任务", "--ongoing", "--due", "2022-09-30")
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert dump(db_path) == before


def due_history(run):
    return sorted(((e["field"], e["old"], e["new"]) for e in as_json(
        ok(run, "history", "--format", "json")) if e["target"] == "1.2" and e["action"] == "due"), key=str)


def test_due_ongoing_switches_a_task_and_due_date_switches_it_back(run, plan):
    ok(run, "--as-of", "2022-04-01", "due", "1.2", "--ongoing")
    r = record(run, "1.2", "2022-07-15")   # past its old due date: not overdue
    assert (r["ongoing"], r["due"], r["signal"]) == (True, None, "behind")
    assert light(run, "1.2", EVE)[0] == "on_track"
    assert due_history(run) == [("due", "2022-06-30", None), ("kind", None, "ongoing")]
    ok(run, "--as-of", "2022-04-02", "due", "1.2", "2022-09-30")
    r = record(run, "1.2", "2022-04-02")
    assert (r["ongoing"], r["due"]) == (False, "2022-09-30")
    assert ("kind", "ongoing", None) in due_history(run)


def test_due_with_neither_a_date_nor_ongoing_is_a_one_line_chinese_error(run, plan, db_path):
    before = dump(db_path)
    result = run("due", "1.2")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--ongoing" in lines[0] and "完成时限" in lines[0], lines
    assert dump(db_path) == before


def test_undo_after_due_ongoing_restores_the_kind_and_the_due_date(run, plan):
    ok(run, "--as-of", "2022-04-01", "due", "1.2", "--ongoing")
    ok(run, "--as-of", "2022-04-01", "undo")
    r = record(run, "1.2", "2022-04-01")
    assert (r["ongoing"], r["due"]) == (False, "2022-06-30")


def test_due_ongoing_with_a_unit_is_a_usage_error(run, plan, db_path):
    before = dump(db_path)
    result = run("due", "1.3", "--ongoing", "--unit", "组织科")
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert dump(db_path) == before


# ---- re-import --------------------------------------------------------------------------

SWITCHED = PLAN.replace('title = "召开专题会议"\ndue = 2022-06-30',
                        'title = "召开专题会议"\nkind = "ongoing"')


def test_a_reimport_that_switches_a_task_to_ongoing_keeps_its_state_and_logs_it(
        run, plan, tmp_path, db_path):
    ok(run, "--as-of", "2022-04-01", "note", "1.2", "已筹备")
    ok(run, "--as-of", "2022-04-02", "done", "1.2")
    path = write(tmp_path, SWITCHED, "switched.toml")
    before = dump(db_path)
    dry = ok(run, "--as-of", "2022-04-03", "import", "--dry-run", path)
    assert "1.2" in dry.stdout
    assert dump(db_path) == before
    ok(run, "--as-of", "2022-04-03", "import", path)
    events = {(e["field"], e["old"], e["new"]) for e in as_json(ok(run, "history", "-f", "json"))
              if e["target"] == "1.2" and e["action"] == "import"}
    assert {("kind", None, "ongoing"), ("due", "2022-06-30", None)} <= events
    shown = as_json(ok(run, "--as-of", "2022-04-03", "show", "1.2", "-f", "json"))
    assert (shown["status"], shown["due"]) == ("done", None)
    assert record(run, "1.2", "2022-04-03")["ongoing"]
    assert [n["text"] for n in shown["notes"]] == ["已筹备"]
    # and back again
    ok(run, "--as-of", "2022-04-04", "import", plan)
    r = record(run, "1.2", "2022-04-04")
    assert (r["ongoing"], r["due"], r["status"]) == (False, "2022-06-30", "done")
    events = {(e["field"], e["old"], e["new"]) for e in as_json(ok(run, "history", "-f", "json"))
              if e["target"] == "1.2" and e["action"] == "import"}
    assert {("kind", "ongoing", None), ("due", None, "2022-06-30")} <= events


def test_a_clerks_due_ongoing_stands_when_the_unchanged_file_is_reimported(run, plan):
    ok(run, "--as-of", "2022-04-01", "due", "1.2", "--ongoing")
    ok(run, "--as-of", "2022-04-02", "import", plan)
    r = record(run, "1.2", "2022-04-02")
    assert (r["ongoing"], r["due"]) == (True, None)


# ---- TOML round trip --------------------------------------------------------------------

def test_a_toml_export_with_ongoing_tasks_round_trips_byte_for_byte(
        run, plan, tmp_path, monkeypatch):
    ok(run, "--as-of", "2022-04-01", "note", "1.1", "专题学习")
    ok(run, "--as-of", "2022-04-02", "note", "1.3", "收集动态", "--percent", "30")
    ok(run, "--as-of", "2022-12-20", "done", "1.3")
    first = tmp_path / "first.toml"
    ok(run, "--as-of", "2022-12-31", "export", "--format", "toml", "-o", first)
    text = first.read_text(encoding="utf-8")
    assert text.count('kind = "ongoing"') == 2
    monkeypatch.setenv("JTDJ_DB", str(tmp_path / "other" / "jtdj.db"))
    ok(run, "--as-of", "2022-12-31", "import", first)
    second = tmp_path / "second.toml"
    ok(run, "--as-of", "2022-12-31", "export", "--format", "toml", "-o", second)
    assert second.read_bytes() == first.read_bytes()
    r = record(run, "1.3", "2022-12-31")
    assert (r["ongoing"], r["status"], r["due"]) == (True, "done", None)


# ---- shares -----------------------------------------------------------------------------

def test_each_share_of_an_ongoing_task_is_judged_by_its_own_notes(run, plan):
    ok(run, "units", "add", "甲校")
    ok(run, "units", "add", "乙校")
    ok(run, "--as-of", "2022-03-01", "assign", "1.1", "--each", "甲校", "--each", "乙校")
    ok(run, "note", "1.1", "甲校已学习", "--unit", "甲校", "--as-of", "2022-05-01")
    shown = as_json(ok(run, "--as-of", EDGE, "show", "1.1", "-f", "json"))
    units = {u["unit"]: u for u in shown["units"]}
    assert units["甲校"]["light"] == "green"
    assert units["乙校"]["light"] == "yellow"
    # the task's own light takes the latest note of any share
    assert (shown["signal"], shown["last_note"]) == ("on_track", "2022-05-01")
    mine = {r["id"]: r for r in as_json(ok(run, "--as-of", EDGE, "list", "--owner", "乙校",
                                           "-f", "json"))}
    assert mine["1.1"]["signal"] == "behind"
    mine = {r["id"]: r for r in as_json(ok(run, "--as-of", EDGE, "list", "--owner", "甲校",
                                           "-f", "json"))}
    assert mine["1.1"]["signal"] == "on_track"


def test_a_switch_of_kind_is_history_true_as_of_a_day_before_it(run, plan):
    ok(run, "--as-of", "2022-03-10", "done", "1.2")
    ok(run, "--as-of", "2022-04-01", "due", "1.2", "--ongoing")
    r = record(run, "1.2", "2022-03-15")
    assert (r["ongoing"], r["due"]) == (False, "2022-06-30")
    before, after = totals(run, "2022-03-15"), totals(run, "2022-04-02")
    assert (before["ongoing"], before["percent_done"]) == (2, 100)   # 1.2 done, ordinary
    assert (after["ongoing"], after["percent_done"]) == (3, 0)       # no ordinary task left


def test_a_clerks_due_date_on_a_file_ongoing_task_stands_when_the_file_is_reimported(run, plan):
    ok(run, "--as-of", "2022-04-01", "due", "1.1", "2022-09-30")
    ok(run, "--as-of", "2022-04-02", "import", plan)
    r = record(run, "1.1", "2022-04-02")
    assert (r["ongoing"], r["due"]) == (False, "2022-09-30")
