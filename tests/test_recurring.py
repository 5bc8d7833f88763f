"""Recurring obligations (``every`` in the plan file, issue 17 §3): one occurrence per period,
each a row of its own with its own status, light and 序时进度; ids with ``@period`` typed as an
input method gives them; check-offs, undo, history, re-import and assignment of occurrences."""

from __future__ import annotations

import pytest

from conftest import RECURRING_PLAN, as_json, dump, ok, rows

# issued 2022-04-15: April's occurrence of a monthly task counts (due 04-30), the second
# quarter's too (due 06-20 or 06-30)
PLAN = RECURRING_PLAN + """\
[[sections.items.tasks]]
no = 5
title = "半年工作总结"
every = "half-year"
[[sections.items.tasks]]
no = 6
title = "年度民主生活会"
every = "year"
"""
TASK_1 = 'every = "month"\nowner = "组织科"'
TASK_PATH = "sections[1].items[1].tasks[1]"


def write(tmp_path, text, name="rc.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def plan(run, tmp_path):
    path = write(tmp_path, PLAN)
    ok(run, "--as-of", "2022-05-10", "import", path)
    return path


def ids(run, day, *args):
    return [r["id"] for r in records(run, day, *args)]


def records(run, day, *args):
    return as_json(ok(run, "--as-of", day, "list", *args, "-f", "json"))


def by_id(run, day, *args):
    return {r["id"]: r for r in records(run, day, "--status", "all", *args)}


def totals(run, day):
    return as_json(ok(run, "--as-of", day, "summary", "-f", "json"))["totals"]


def occurrence_rows(db_path, parent):
    return rows(db_path, "SELECT id, period, start, due, archived, owner, title FROM tasks "
                "WHERE parent = ? ORDER BY period", parent)


def one_task(tmp_path, lines, issued="2022-01-01", name="one.toml"):
    text = (f'format = 1\n[plan]\nkey = "one"\ntitle = "单项"\nissued = {issued}\n'
            'due = 2022-12-31\n[[sections]]\nno = 1\ntitle = "一"\n[[sections.items]]\n'
            f'no = 1\ntitle = "条目"\n[[sections.items.tasks]]\nno = 1\ntitle = "任务"\n{lines}\n')
    return write(tmp_path, text, name)


def a_usage_error(result):
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in result.output
    return lines[0]


# ---- the plan file: which occurrences ---------------------------------------------------

def test_a_monthly_quarterly_half_yearly_and_yearly_task_has_one_occurrence_per_period(
        run, plan, db_path):
    assert [r["id"] for r in occurrence_rows(db_path, "4.1")] == [
        f"4.1@2022-{m:02d}" for m in range(4, 13)]
    assert [(r["id"], r["due"]) for r in occurrence_rows(db_path, "4.2")] == [
        ("4.2@2022-Q2", "2022-06-20"), ("4.2@2022-Q3", "2022-09-20"),
        ("4.2@2022-Q4", "2022-12-20")]
    assert [(r["id"], r["due"]) for r in occurrence_rows(db_path, "4.5")] == [
        ("4.5@2022-H1", "2022-06-30"), ("4.5@2022-H2", "2022-12-31")]
    assert [(r["id"], r["due"]) for r in occurrence_rows(db_path, "4.6")] == [
        ("4.6@2022-Y", "2022-12-31")]
    first = occurrence_rows(db_path, "4.1")[0]
    assert (first["start"], first["due"]) == ("2022-04-15", "2022-04-30")


def test_day_10_is_the_tenth_of_each_periods_last_month(run, tmp_path, db_path):
    ok(run, "import", one_task(tmp_path, 'every = "month"\nday = 10'))
    dues = [r["due"] for r in occurrence_rows(db_path, "1.1")]
    assert dues[:3] == ["2022-01-10", "2022-02-10", "2022-03-10"] and len(dues) == 12


def test_day_31_is_clamped_to_the_length_of_the_month(run, tmp_path, db_path):
    ok(run, "import", one_task(tmp_path, 'every = "month"\nday = 31'))
    dues = {r["period"]: r["due"] for r in occurrence_rows(db_path, "1.1")}
    assert dues["2022-02"] == "2022-02-28"
    assert dues["2022-04"] == "2022-04-30" and dues["2022-05"] == "2022-05-31"


def test_a_plan_issued_mid_month_counts_that_month_when_due_on_its_last_day(
        run, tmp_path, db_path):
    ok(run, "import", one_task(tmp_path, 'every = "month"', issued="2022-03-15"))
    first = occurrence_rows(db_path, "1.1")[0]
    assert (first["period"], first["start"], first["due"]) == (
        "2022-03", "2022-03-15", "2022-03-31")


def test_a_plan_issued_after_the_day_of_its_month_starts_with_the_next_month(
        run, tmp_path, db_path):
    ok(run, "import", one_task(tmp_path, 'every = "month"\nday = 10', issued="2022-03-15"))
    first = occurrence_rows(db_path, "1.1")[0]
    assert (first["period"], first["start"], first["due"]) == (
        "2022-04", "2022-04-01", "2022-04-10")


def test_a_task_start_later_than_the_issue_date_moves_the_first_occurrence(
        run, tmp_path, db_path):
    ok(run, "import", one_task(tmp_path, 'every = "month"\nstart = 2022-06-15'))
    first = occurrence_rows(db_path, "1.1")[0]
    assert (first["period"], first["start"], first["due"]) == (
        "2022-06", "2022-06-15", "2022-06-30")


def test_an_unknown_every_is_a_one_line_error_naming_its_path_and_nothing_is_written(
        run, tmp_path, db_path):
    result = run("import", write(tmp_path, PLAN.replace(TASK_1, 'every = "weekly"')))
    line = a_usage_error(result)
    assert f"{TASK_PATH}.every" in line and "weekly" in line
    assert not db_path.exists() or rows(db_path, "SELECT * FROM tasks") == []


@pytest.mark.parametrize("extra, where", [
    ('kind = "ongoing"', "every"), ("due = 2022-09-30", "due")])
def test_every_with_ongoing_or_with_a_due_date_is_an_error_and_nothing_is_written(
        run, tmp_path, db_path, extra, where):
    result = run("import", write(tmp_path, PLAN.replace(TASK_1, TASK_1 + "\n" + extra)))
    assert f"{TASK_PATH}.{where}" in a_usage_error(result)
    assert not db_path.exists() or rows(db_path, "SELECT * FROM tasks") == []


def test_day_without_every_is_an_error(run, tmp_path, db_path):
    result = run("import", one_task(tmp_path, "day = 10\ndue = 2022-06-30"))
    assert f"{TASK_PATH}.day" in a_usage_error(result)
    assert not db_path.exists() or rows(db_path, "SELECT * FROM tasks") == []


@pytest.mark.parametrize("day", [0, 32])
def test_a_day_outside_1_to_31_is_an_error(run, tmp_path, db_path, day):
    result = run("import", one_task(tmp_path, f'every = "month"\nday = {day}'))
    line = a_usage_error(result)
    assert f"{TASK_PATH}.day" in line and str(day) in line
    assert not db_path.exists() or rows(db_path, "SELECT * FROM tasks") == []


# ---- list ---------------------------------------------------------------------------------

def test_list_shows_one_row_per_open_occurrence_whose_period_has_begun(run, plan):
    listed = ids(run, "2022-07-05", "--item", "4")
    assert [i for i in listed if i.startswith("4.1")] == [
        "4.1@2022-04", "4.1@2022-05", "4.1@2022-06", "4.1@2022-07"]
    assert [i for i in listed if i.startswith("4.2")] == ["4.2@2022-Q2", "4.2@2022-Q3"]
    assert "4.1" not in listed and "4.1@2022-08" not in listed and "4.4" in listed


def test_list_leaves_out_done_occurrences_unless_status_all(run, plan):
    ok(run, "--as-of", "2022-07-05", "done", "4.1@2022-05")
    assert "4.1@2022-05" not in ids(run, "2022-07-05")
    everything = by_id(run, "2022-07-05")
    assert everything["4.1@2022-05"]["status"] == "done"
    assert everything["4.1@2022-05"]["done_on"] == "2022-07-05"


def test_list_shows_no_occurrence_before_its_period_has_begun(run, plan):
    listed = ids(run, "2022-05-10", "--status", "all")
    assert [i for i in listed if i.startswith("4.1")] == ["4.1@2022-04", "4.1@2022-05"]
    assert [i for i in listed if i.startswith("4.5")] == ["4.5@2022-H1"]
    assert "4.2@2022-Q3" not in listed and "4.6@2022-Y" in listed
    # the yearly one's window opens on the plan's issue date
    assert ids(run, "2022-04-15", "--status", "all", "--search", "民主生活会") == ["4.6@2022-Y"]
    assert ids(run, "2022-04-14", "--status", "all", "--search", "民主生活会") == []


def test_an_occurrence_has_its_own_light_and_pace_over_its_period(run, plan):
    got = by_id(run, "2022-07-05")
    june, july = got["4.1@2022-06"], got["4.1@2022-07"]
    assert (june["signal"], june["light"], june["expected_percent"]) == ("overdue", "red", 100)
    assert (july["signal"], july["light"]) == ("on_track", "green")
    assert july["expected_percent"] == round(100 * 4 / 30)  # 07-01 … 07-31, four days gone
    assert (july["period"], july["start"], july["due"]) == ("2022-07", "2022-07-01", "2022-07-31")
    assert got["4.4"]["period"] is None


def test_list_overdue_item_and_search_select_occurrences(run, plan):
    overdue = ids(run, "2022-07-05", "--overdue")
    assert "4.1@2022-06" in overdue and "4.2@2022-Q2" in overdue
    assert "4.1@2022-07" not in overdue and "4.4" not in overdue
    assert all(i.startswith("4.") for i in ids(run, "2022-07-05", "--item", "4"))
    assert ids(run, "2022-07-05", "--search", "党员大会") == ["4.2@2022-Q2", "4.2@2022-Q3"]


# ---- ids ----------------------------------------------------------------------------------

def status(run, task_id, day="2022-12-31"):
    return by_id(run, day)[task_id]["status"]


@pytest.mark.parametrize("typed", ["4.1@2022-07", "4.1＠2022－07", "4.1@7月", "４．１＠２０２２－０７"])
def test_done_names_an_occurrence_as_an_input_method_types_it(run, plan, typed):
    ok(run, "--as-of", "2022-07-05", "done", typed)
    assert status(run, "4.1@2022-07") == "done"
    assert status(run, "4.1@2022-06") == "todo"


@pytest.mark.parametrize("typed", ["4.2@三季度", "4.2@第三季度", "4.2@2022-Q3", "4.2@Q3"])
def test_a_quarter_is_typed_as_its_chinese_name_too(run, plan, typed):
    ok(run, "--as-of", "2022-07-05", "done", typed)
    assert status(run, "4.2@2022-Q3") == "done" and status(run, "4.2@2022-Q2") == "todo"


@pytest.mark.parametrize("typed, period", [("4.5@上半年", "2022-H1"), ("4.5@下半年", "2022-H2")])
def test_a_half_year_is_typed_as_its_chinese_name(run, plan, typed, period):
    ok(run, "--as-of", "2022-07-05", "done", typed)
    assert status(run, f"4.5@{period}") == "done"


@pytest.mark.parametrize("typed", ["4.6@2022", "4.6@2022年", "4.6@2022-Y"])
def test_a_year_task_is_typed_with_its_year_and_its_id_ends_in_y(run, plan, typed):
    ok(run, "--as-of", "2022-07-05", "done", typed)
    assert status(run, "4.6@2022-Y") == "done"


def test_done_without_a_period_checks_off_the_earliest_open_begun_one_and_names_it(run, plan):
    ok(run, "--as-of", "2022-07-05", "done", "4.1@2022-04")
    result = ok(run, "--as-of", "2022-07-05", "-v", "done", "4.1")
    assert "4.1@2022-05" in result.stderr
    assert status(run, "4.1@2022-05") == "done" and status(run, "4.1@2022-06") == "todo"


def test_done_with_on_checks_off_the_occurrence_containing_that_day(run, plan):
    ok(run, "--as-of", "2022-07-05", "done", "4.1", "--on", "2022-06-10")
    got = by_id(run, "2022-07-05")
    assert got["4.1@2022-06"]["status"] == "done"
    assert got["4.1@2022-06"]["done_on"] == "2022-06-10"
    assert got["4.1@2022-04"]["status"] == "todo"


def test_an_unknown_period_is_a_one_line_error_listing_the_periods(run, plan, db_path):
    before = dump(db_path)
    result = run("--as-of", "2022-07-05", "done", "4.2@一月")
    # NotFound: exit 1 (docs/plan-format.md, "Occurrences")
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "2022-Q2" in lines[0] and "2022-Q4" in lines[0], lines
    assert dump(db_path) == before


def test_done_of_an_item_leaves_the_recurring_tasks_out_and_names_them(run, plan):
    result = ok(run, "--as-of", "2022-07-05", "done", "4")
    for task in ("4.1", "4.2", "4.5", "4.6"):
        assert task in result.stderr
    got = by_id(run, "2022-07-05")
    assert got["4.4"]["status"] == "done"
    assert all(r["status"] == "todo" for i, r in got.items() if "@" in i)


def test_done_with_unit_checks_off_that_units_share_of_one_occurrence(run, plan, db_path):
    ok(run, "--as-of", "2022-07-05", "done", "4.3@2022-04", "--unit", "甲校")
    shares = rows(db_path, "SELECT s.task, u.name, s.status FROM shares s JOIN units u "
                  "ON u.id = s.unit WHERE s.task LIKE '4.3@2022-04%' ORDER BY u.name")
    assert sorted((r["name"], r["status"]) for r in shares) == [("乙校", "todo"), ("甲校", "done")]
    assert rows(db_path, "SELECT count(*) AS n FROM shares WHERE task LIKE '4.3@%' "
                "AND status = 'done'")[0]["n"] == 1
    ok(run, "--as-of", "2022-07-05", "done", "4.3", "--unit", "甲校")  # the next open: May
    assert rows(db_path, "SELECT s.status FROM shares s JOIN units u ON u.id = s.unit "
                "WHERE s.task = '4.3@2022-05' AND u.name = '甲校'")[0]["status"] == "done"


# ---- undo ---------------------------------------------------------------------------------

def test_undo_reopens_an_occurrence_checked_off(run, plan, db_path):
    before = rows(db_path, "SELECT * FROM tasks WHERE id = '4.1@2022-06'")
    ok(run, "--as-of", "2022-07-05", "done", "4.1@2022-06", "--note", "已召开")
    ok(run, "--as-of", "2022-07-05", "undo")
    assert rows(db_path, "SELECT * FROM tasks WHERE id = '4.1@2022-06'") == before
    assert status(run, "4.1@2022-06") == "todo"


def test_undo_of_a_shares_check_off_of_an_occurrence_reopens_that_share(run, plan, db_path):
    ok(run, "--as-of", "2022-07-05", "done", "4.3@2022-04", "--unit", "甲校")
    unit = rows(db_path, "SELECT id FROM units WHERE name = '甲校'")[0]["id"]
    target = f"4.3@2022-04@{unit}"
    assert rows(db_path, "SELECT status FROM shares WHERE task = '4.3@2022-04' AND unit = ?",
                unit)[0]["status"] == "done"
    assert rows(db_path, "SELECT count(*) AS n FROM events WHERE target = ?", target)[0]["n"] >= 1
    ok(run, "--as-of", "2022-07-05", "undo")
    assert rows(db_path, "SELECT status FROM shares WHERE task = '4.3@2022-04' AND unit = ?",
                unit)[0]["status"] == "todo"


# ---- history-true -------------------------------------------------------------------------

def test_a_later_check_off_leaves_the_occurrence_open_and_overdue_on_the_days_before(run, plan):
    ok(run, "--as-of", "2022-07-05", "done", "4.1@2022-06")
    before = by_id(run, "2022-07-01")["4.1@2022-06"]
    assert (before["status"], before["light"], before["signal"]) == ("todo", "red", "overdue")
    after = by_id(run, "2022-07-06")["4.1@2022-06"]
    assert (after["status"], after["done_on"]) == ("done", "2022-07-05")


def test_summary_counts_a_recurring_task_once_as_it_was_on_each_day(run, tmp_path):
    one = one_task(tmp_path, 'every = "month"', issued="2022-06-01")
    ok(run, "--as-of", "2022-06-01", "import", one)
    ok(run, "--as-of", "2022-07-05", "done", "1.1@2022-06")
    then = totals(run, "2022-07-01")
    assert (then["tasks"], then["overdue"], then["done"]) == (1, 1, 0)
    now = totals(run, "2022-07-06")
    assert (now["tasks"], now["overdue"], now["done"]) == (1, 0, 0)  # July is still open
    ok(run, "--as-of", "2022-07-06", "start", "1.1@2022-07")
    assert totals(run, "2022-07-06")["doing"] == 1


# ---- re-import ----------------------------------------------------------------------------

def test_importing_the_same_file_again_changes_nothing(run, plan, db_path):
    def kept():  # (the plan row's imported_at says when it was last read: not a change)
        return [rows(db_path, f"SELECT * FROM {table} ORDER BY rowid")
                for table in ("tasks", "events", "notes", "shares")]

    before = kept()
    ok(run, "--as-of", "2022-05-10", "import", plan)
    assert kept() == before


def test_changing_day_retires_the_old_occurrences_and_adds_the_new(run, plan, db_path):
    ok(run, "--as-of", "2022-07-05", "done", "4.2@2022-Q2", "--note", "已召开")
    plan.write_text(PLAN.replace("day = 20", "day = 10"), encoding="utf-8")
    ok(run, "--as-of", "2022-07-05", "import", plan)
    live = [r for r in occurrence_rows(db_path, "4.2") if r["archived"] == 2]
    assert [(r["id"], r["due"]) for r in live] == [
        ("4.2@2022-Q2", "2022-06-10"), ("4.2@2022-Q3", "2022-09-10"),
        ("4.2@2022-Q4", "2022-12-10")]
    assert status(run, "4.2@2022-Q2", "2022-07-05") == "done"  # same period: kept


def test_changing_every_retires_the_old_occurrences_keeping_their_history(run, plan, db_path):
    ok(run, "--as-of", "2022-07-05", "done", "4.2@2022-Q2")
    plan.write_text(PLAN.replace('every = "quarter"\nday = 20', 'every = "half-year"'),
                    encoding="utf-8")
    ok(run, "--as-of", "2022-07-05", "import", plan)
    by_period = {r["period"]: r["archived"] for r in occurrence_rows(db_path, "4.2")}
    assert by_period["2022-Q2"] == 3 and by_period["2022-H1"] == 2 and by_period["2022-H2"] == 2
    listed = ids(run, "2022-07-05", "--status", "all")
    assert "4.2@2022-Q2" not in listed and "4.2@2022-H1" in listed
    assert rows(db_path, "SELECT count(*) AS n FROM events WHERE target = '4.2@2022-Q2' "
                "AND field = 'status' AND new = 'done'")[0]["n"] == 1
    # as of a day before the change, the old series is as it was
    assert "4.2@2022-Q2" in ids(run, "2022-07-04", "--status", "all")


def test_a_new_title_and_owner_in_the_file_reach_the_occurrences_and_are_logged(
        run, plan, db_path):
    changed = PLAN.replace('title = "召开支部委员会"\nevery = "month"\nowner = "组织科"',
                           'title = "按时召开支部委员会"\nevery = "month"\nowner = "宣传科"')
    plan.write_text(changed, encoding="utf-8")
    ok(run, "--as-of", "2022-07-05", "import", plan)
    got = by_id(run, "2022-07-05")
    assert got["4.1@2022-07"]["title"] == "按时召开支部委员会"
    assert got["4.1@2022-04"]["owner"] == "宣传科"
    logged = rows(db_path, "SELECT field, new FROM events WHERE target = '4.1@2022-05' "
                  "AND action = 'import' AND field IN ('title', 'owner')")
    assert sorted((r["field"], r["new"]) for r in logged) == [
        ("owner", "宣传科"), ("title", "按时召开支部委员会")]


def test_a_recurring_task_gone_from_the_file_is_archived_and_its_occurrences_not_listed(
        run, plan, db_path):
    start = PLAN.index("[[sections.items.tasks]]\nno = 2")
    end = PLAN.index("[[sections.items.tasks]]\nno = 3")
    plan.write_text(PLAN[:start] + PLAN[end:], encoding="utf-8")
    ok(run, "--as-of", "2022-07-05", "import", plan)
    assert rows(db_path, "SELECT archived FROM tasks WHERE id = '4.2'")[0]["archived"] == 1
    assert not [i for i in ids(run, "2022-07-05", "--status", "all") if i.startswith("4.2")]
    assert totals(run, "2022-07-05")["tasks"] == 5


# ---- assign -------------------------------------------------------------------------------

def test_assign_to_changes_the_owner_of_the_task_and_all_its_occurrences(run, plan, db_path):
    ok(run, "--as-of", "2022-07-05", "assign", "4.2", "--to", "组织科")
    owners = {r["id"]: r["owner"] for r in occurrence_rows(db_path, "4.2")}
    assert set(owners.values()) == {"组织科"}
    assert rows(db_path, "SELECT owner FROM tasks WHERE id = '4.2'")[0]["owner"] == "组织科"


def test_assign_each_hands_a_unit_the_occurrences_from_todays_period_on(run, plan, db_path):
    ok(run, "--as-of", "2022-07-05", "assign", "4.1", "--each", "丙校", "--new-unit")
    held = rows(db_path, "SELECT s.task FROM shares s JOIN units u ON u.id = s.unit "
                "WHERE u.name = '丙校' ORDER BY s.task")
    assert [r["task"] for r in held] == [f"4.1@2022-{m:02d}" for m in range(7, 13)]


# ---- due ----------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["4.1", "4.1@2022-07"])
def test_due_ongoing_on_a_recurring_task_is_a_one_line_error(run, plan, db_path, typed):
    before = dump(db_path)
    line = a_usage_error(run("--as-of", "2022-07-05", "due", typed, "--ongoing"))
    assert "4.1" in line
    assert dump(db_path) == before
