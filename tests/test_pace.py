"""序时进度: the expected percent a task's window sets, its lag, the lights and words they give,
the [lights] thresholds, and all of it as of a past day."""

from __future__ import annotations

import pytest

from conftest import as_json, ok, one_item_plan

# A 100-day plan: issued 2022-01-01, so a task due 2022-04-11 has a window of 100 days and its
# expected percent is the number of days gone since 01-01.
PLAN = one_item_plan("p2022", "序时进度试验计划", "2022-01-01", [
    'due = 2022-04-11\nowner = "甲科"',                         # 100 days from the issue date
    'due = 2022-04-11\nowner = "乙科"',
    'start = 2022-03-01\ndue = 2022-03-01\nowner = "甲科"',     # a window of one day
    'due = 2022-04-11\nowner = "乙科"',
    'start = 2022-02-01\ndue = 2022-12-31\nowner = "丙科"',     # its window opens later
])


@pytest.fixture
def paced(run, tmp_path):
    path = tmp_path / "p2022.toml"
    path.write_text(PLAN, encoding="utf-8")
    ok(run, "--as-of", "2022-01-01", "import", path)
    return path


def record(run, task_id, day, *args):
    rows = as_json(ok(run, "--as-of", day, "list", "--status", "all", *args, "-f", "json"))
    return next(r for r in rows if r["id"] == task_id)


def pace(run, task_id, day):
    r = record(run, task_id, day)
    return r["expected_percent"], r["lag"], r["signal"], r["light"]


def test_the_expected_percent_runs_from_0_on_the_first_day_to_100_on_the_last(run, paced):
    assert record(run, "1.1", "2022-01-01")["expected_percent"] == 0
    assert record(run, "1.1", "2022-02-20")["expected_percent"] == 50   # 50 of 100 days
    assert record(run, "1.1", "2022-04-11")["expected_percent"] == 100  # the due date
    assert record(run, "1.1", "2022-05-01")["expected_percent"] == 100  # after it: overdue
    assert record(run, "1.1", "2022-05-01")["signal"] == "overdue"
    # a window of one day: 0 before it, 100 from it
    assert record(run, "1.3", "2022-02-28")["expected_percent"] == 0
    assert record(run, "1.3", "2022-03-01")["expected_percent"] == 100
    # a window that opens later than the plan: 0 until its start
    assert record(run, "1.5", "2022-01-15")["expected_percent"] == 0
    # closed: no pace
    ok(run, "--as-of", "2022-02-01", "done", "1.4")
    assert record(run, "1.4", "2022-02-20")["expected_percent"] is None


def test_a_reported_percent_behind_the_pace_turns_the_light(run, paced):
    ok(run, "--as-of", "2022-01-10", "note", "1.1", "起步", "-p", "20")
    ok(run, "--as-of", "2022-01-10", "note", "1.2", "过半", "-p", "45")
    # on 03-02 (60 days gone): 1.1 is 40 points behind, 1.2 is 15 behind, 1.4 never reported
    assert pace(run, "1.1", "2022-03-02") == (60, 40, "far_behind", "red")
    assert pace(run, "1.2", "2022-03-02") == (60, 15, "behind", "yellow")
    assert pace(run, "1.4", "2022-03-02")[2:] == ("on_track", "green")  # pace = reported
    # lag 30 is not more than 30: behind, not far behind
    assert pace(run, "1.1", "2022-02-20")[1:3] == (30, "behind")
    # --overdue stays about the due date: 1.3, due 03-01, not 1.1 however far behind
    assert [r["id"] for r in as_json(ok(run, "--as-of", "2022-03-02", "list", "--overdue",
                                        "-f", "json"))] == ["1.3"]
    totals = as_json(ok(run, "--as-of", "2022-03-02", "summary", "-f", "json"))["totals"]
    assert (totals["behind"], totals["far_behind"], totals["overdue"]) == (1, 1, 1)
    owners = {o["owner"]: o for o in as_json(ok(run, "--as-of", "2022-03-02", "summary",
                                                "-f", "json"))["owners"]}
    assert (owners["甲科"]["far_behind"], owners["乙科"]["behind"]) == (1, 1)


def test_the_thresholds_and_the_pace_come_from_the_config(run, paced, tmp_path):
    ok(run, "--as-of", "2022-01-10", "note", "1.1", "起步", "-p", "20")
    config = tmp_path / "config.toml"  # conftest points JTDJ_CONFIG here
    config.write_text("[lights]\nlag_yellow = 5\nlag_red = 50\n", encoding="utf-8")
    assert pace(run, "1.1", "2022-03-02")[2] == "behind"       # 40 ≤ 50
    config.write_text('[lights]\npace = "all"\n', encoding="utf-8")
    assert pace(run, "1.4", "2022-03-02")[2:] == ("far_behind", "red")  # never reported: 60 behind
    config.write_text('[lights]\npace = "off"\n', encoding="utf-8")
    assert pace(run, "1.1", "2022-03-02")[2] == "on_track"
    config.write_text("[lights]\ndue_soon_days = 60\n", encoding="utf-8")
    ok(run, "--as-of", "2022-01-10", "note", "1.1", "赶上", "-p", "60")
    assert pace(run, "1.1", "2022-03-02")[2:] == ("due_soon", "yellow")  # due within 60 days


@pytest.mark.parametrize("text, word", [
    ("[lights]\nlag_red = -1\n", "lights.lag_red"),
    ('[lights]\nlag_yellow = "十"\n', "lights.lag_yellow"),
    ("[lights]\nlag_yellow = 40\nlag_red = 30\n", "lights.lag_yellow"),
    ('[lights]\npace = "sometimes"\n', "lights.pace"),
])
def test_a_bad_lights_setting_is_a_one_line_error(run, paced, tmp_path, text, word):
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    result = run("--as-of", "2022-03-02", "list")
    assert result.exit_code == 2 and word in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_past_days_lights_use_that_days_percent(run, paced):
    ok(run, "--as-of", "2022-01-10", "note", "1.1", "起步", "-p", "20")
    ok(run, "--as-of", "2022-03-05", "note", "1.1", "赶上", "-p", "70")
    assert pace(run, "1.1", "2022-03-02") == (60, 40, "far_behind", "red")  # before the note
    assert pace(run, "1.1", "2022-03-10") == (68, -2, "on_track", "green")
    before = as_json(ok(run, "--as-of", "2022-03-02", "summary", "-f", "json"))["totals"]
    assert before["far_behind"] == 1
    ok(run, "--as-of", "2022-03-02", "undo")  # the later note undone: as if never given
    assert pace(run, "1.1", "2022-03-10")[2] == "far_behind"


def test_a_units_share_keeps_its_own_pace(run, paced):
    ok(run, "--as-of", "2022-01-01", "assign", "1.2", "--each", "丁科", "--each", "戊科",
       "--new-unit")
    ok(run, "--as-of", "2022-01-10", "note", "1.2", "--unit", "丁科", "起步", "-p", "10")
    ok(run, "--as-of", "2022-01-10", "note", "1.2", "--unit", "戊科", "很快", "-p", "70")
    units = {u["unit"]: u for u in as_json(ok(run, "--as-of", "2022-03-02", "show", "1.2",
                                                "-f", "json"))["units"]}
    assert (units["丁科"]["signal"], units["丁科"]["expected_percent"], units["丁科"]["lag"]) \
        == ("far_behind", 60, 50)
    assert units["戊科"]["signal"] == "on_track"
    shares = as_json(ok(run, "--as-of", "2022-03-02", "summary", "-f", "json"))["shares"]
    assert (shares["far_behind"], shares["behind"]) == (1, 0)
