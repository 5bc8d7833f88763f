"""序时进度 in the reports and the chasing (issue 17 §1): `list --lagging`, the period report's
进度滞后, the 通报's and the ledger's 滞后 column, a unit's own report and `urge --lagging`."""

from __future__ import annotations


import pytest
from conftest import as_json, ok, one_item_plan

W26 = ("--week", "2022-W26")  # 2022-06-27 .. 2022-07-03: 50% of 2022 gone by its last day
MADE = ("--as-of", "2022-07-04")
UNTIL = ("--as-of", "2022-07-03")

PLAN = one_item_plan("p2022", "序时进度试验计划", "2022-01-01", [
    f"due = {due}\n{who}" for due, who in [
        ("2022-12-31", 'owner = "甲科"'), ("2022-12-31", 'owner = "甲科"'),
        ("2022-12-31", 'owner = "乙科"'), ("2022-06-30", 'owner = "乙科"'),
        ("2022-12-31", 'each = ["戊科", "己科"]'), ("2022-12-31", 'owner = "乙科"')]])


@pytest.fixture
def paced(run, tmp_path):
    """As of 2022-07-03 (expected 50%): 1.1 at 10% (严重滞后, lag 40), 1.2 at 35% (滞后, 15),
    1.3 at 60% (on track), 1.4 overdue, 戊科's share of 1.5 at 20% (滞后, 30), 1.6 unreported."""
    path = tmp_path / "p2022.toml"
    path.write_text(PLAN, encoding="utf-8")
    ok(run, "--as-of", "2022-06-01", "import", path)
    on = ("--as-of", "2022-06-20")
    for task, percent in (("1.1", 10), ("1.2", 35), ("1.3", 60)):
        ok(run, *on, "note", task, "进展", "-p", percent)
    ok(run, *on, "note", "1.5", "进展", "-p", 20, "--unit", "戊科")
    return path


def report(run, *args):
    return as_json(ok(run, *MADE, "report", *W26, *args, "-f", "json"))


def test_list_lagging_shows_only_the_tasks_behind_their_pace(run, paced):
    rows = as_json(ok(run, *UNTIL, "list", "--lagging", "-f", "json"))
    assert [(r["id"], r["signal"], r["lag"]) for r in rows] == [
        ("1.1", "far_behind", 40), ("1.2", "behind", 15), ("1.5", "far_behind", 40)]
    mine = as_json(ok(run, *UNTIL, "list", "--lagging", "--owner", "戊科", "-f", "json"))
    assert [(r["id"], r["role"], r["percent"], r["signal"]) for r in mine] == [
        ("1.5", "share", 20, "behind")]
    assert as_json(ok(run, *UNTIL, "list", "--lagging", "--owner", "乙科", "-f", "json")) == []
    tree = as_json(ok(run, *UNTIL, "tree", "--lagging", "-f", "json"))
    assert [t["id"] for s in tree for i in s["items"] for t in i["tasks"]] == ["1.1", "1.2", "1.5"]


def test_the_report_lists_the_tasks_behind_their_pace_per_owner_far_behind_first(run, paced):
    data = report(run)
    assert [(g["owner"], [(r["id"], r["percent"], r["expected_percent"], r["lag"], r["signal"])
                          for r in g["tasks"]]) for g in data["lagging"]] == [
        ("戊科", [("1.5", 20, 50, 30, "behind")]),
        ("甲科", [("1.1", 10, 50, 40, "far_behind"), ("1.2", 35, 50, 15, "behind")])]
    assert [r["id"] for g in data["overdue"] for r in g["tasks"]] == ["1.4"]  # kept as it was
    assert list(data).index("lagging") == list(data).index("overdue") + 1


def test_the_report_text_has_a_lagging_part_right_after_the_overdue_one(run, paced):
    text = ok(run, *MADE, "report", *W26).stdout
    overdue, rest = text.split("四、滞后事项（1 项）\n")[1].split("\n\n", 1)
    assert "1.4 任务4" in overdue
    lagging, after = rest.split("\n\n", 1)
    assert lagging.splitlines() == [
        "进度滞后（3 项）", "戊科（1 项）",
        "  - 1.5 任务5（进度 20%，序时进度 50%，滞后 30 个百分点）", "甲科（2 项）",
        "  - 1.1 任务1（进度 10%，序时进度 50%，严重滞后 40 个百分点）",
        "  - 1.2 任务2（进度 35%，序时进度 50%，滞后 15 个百分点）"]
    assert after.startswith("五、近期到期")
    md = ok(run, *MADE, "report", *W26, "-f", "md").stdout
    assert "## 进度滞后（3 项）" in md and "| 甲科 | 1.1 | 任务1 | 10% | 50% | 严重滞后 40 个百分点 |" in md
    html = ok(run, *MADE, "report", *W26, "-f", "html").stdout
    assert "进度滞后（3 项）" in html and "序时进度" in html


def test_the_lagging_part_respects_limit_and_says_how_many_were_left_out(run, paced):
    data = report(run, "--limit", "1")
    assert [[r["id"] for r in g["tasks"]] for g in data["lagging"]] == [["1.5"], ["1.1"]]
    assert [g["omitted"] for g in data["lagging"]] == [0, 1]
    assert data["omitted"]["lagging"] == 1
    text = ok(run, *MADE, "report", *W26, "--limit", "1").stdout
    assert "进度滞后（3 项）" in text and "  ……另有 1 项未列出" in text.split("进度滞后")[1]


def test_a_past_weeks_lagging_part_does_not_change_when_a_later_note_raises_the_percent(
        run, paced):
    before, units = report(run), report(run, "--by-unit")["units"]
    brief = as_json(ok(run, *MADE, "report", *W26, "--unit", "甲科", "-f", "json"))["lagging"]
    ok(run, "--as-of", "2022-07-10", "note", "1.1", "大有进展", "-p", 90)
    ok(run, "--as-of", "2022-07-10", "note", "1.5", "大有进展", "-p", 90, "--unit", "戊科")
    assert report(run)["lagging"] == before["lagging"]
    assert report(run, "--by-unit")["units"] == units
    assert as_json(ok(run, *MADE, "report", *W26, "--unit", "甲科", "-f", "json"))[
        "lagging"] == brief
    later = as_json(ok(run, "--as-of", "2022-07-11", "report", "--week", "2022-W28", "-f", "json"))
    assert [r["id"] for g in later["lagging"] for r in g["tasks"]] == ["1.2"]
    assert {u["unit"]: u["lagging"] for u in units}["甲科"] == 2


def test_the_bulletin_has_a_lagging_column_per_unit(run, paced, tmp_path):
    data = report(run, "--by-unit")
    assert {u["unit"]: u["lagging"] for u in data["units"]} == {
        "甲科": 2, "乙科": 0, "戊科": 1, "己科": 0}
    keys = list(data["units"][0])
    assert keys.index("lagging") == keys.index("overdue") + 1
    text = ok(run, *MADE, "report", *W26, "--by-unit").stdout
    header = next(line for line in text.splitlines() if line.startswith("位次"))
    assert "逾期  滞后  待审核" in header
    (tmp_path / "config.toml").write_text('[lights]\npace = "off"\n', encoding="utf-8")
    off = ok(run, *MADE, "report", *W26, "--by-unit").stdout
    assert "滞后" not in off  # quiet where no unit lags; JSON keeps the key
    assert {u["lagging"] for u in report(run, "--by-unit")["units"]} == {0}


def test_the_bulletin_text_stays_within_80_columns_with_a_long_unit_name(run, paced, tmp_path):
    from jtdj.render.text import display_width

    long = "华罗庚实验学校第一党支部"  # 12 characters: the longest that fit, with every header broken
    path = tmp_path / "p2022.toml"
    path.write_text(PLAN.replace('owner = "乙科"', f'owner = "{long}"'), encoding="utf-8")
    ok(run, "--as-of", "2022-06-21", "import", path)
    text = ok(run, *MADE, "report", *W26, "--by-unit").stdout
    table = text.split("各单位落实情况及位次\n")[1].split("\n\n")[0].splitlines()
    assert any(long in line for line in table) and "滞" in table[0]  # 滞后, in two lines
    assert max(display_width(line) for line in table) <= 80


def test_the_ledgers_units_sheet_shows_the_lagging_column(run, paced, tmp_path):
    import openpyxl

    out = tmp_path / "台账.xlsx"
    ok(run, *UNTIL, "export", "-f", "xlsx", "-o", out)
    ws = openpyxl.load_workbook(out)["各单位"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(r for r in values if r and r[0] == "位次")
    col = header.index("滞后")
    assert header[col - 1] == "逾期"
    by_unit = {r[1]: r[col] for r in values[values.index(header) + 1:] if r[1]}
    assert by_unit["甲科"] == 2 and by_unit["戊科"] == 1 and by_unit["乙科"] == 0


def test_a_units_report_lists_its_rows_behind_their_pace(run, paced):
    data = as_json(ok(run, *MADE, "report", *W26, "--unit", "甲科", "-f", "json"))
    assert [(r["id"], r["percent"], r["expected_percent"], r["lag"], r["signal"])
            for r in data["lagging"]] == [("1.1", 10, 50, 40, "far_behind"),
                                          ("1.2", 35, 50, 15, "behind")]
    assert data["open"] == []  # listed once, as behind
    text = ok(run, *MADE, "report", *W26, "--unit", "甲科").stdout
    assert "进度滞后事项" in text and "严重滞后 40 个百分点" in text
    quiet = ok(run, *MADE, "report", *W26, "--unit", "乙科").stdout
    assert "进度滞后事项" not in quiet


def test_urge_lagging_chases_the_tasks_and_shares_behind_their_pace(run, paced):
    out = ok(run, *UNTIL, "urge", "--lagging", "--unit", "甲科", "--unit", "戊科", "--unit", "乙科")
    text = out.stdout
    assert "1. 1.1 任务1" in text and "进度 10%，序时进度 50%" in text
    assert "进度 35%，序时进度 50%" in text
    assert "进度 20%，序时进度 50%" in text  # 戊科's share of 1.5
    assert "任务4" not in text and "任务3" not in text  # overdue, or on track: not asked for
    assert "乙科" in out.stderr  # nothing to chase
    both = ok(run, *UNTIL, "urge", "--lagging", "--overdue", "--unit", "乙科", "--force").stdout
    assert "1.4 任务4" in both
    md = ok(run, *UNTIL, "urge", "--lagging", "--unit", "甲科", "-f", "md").stdout
    assert "| 进度 |" in md and "进度 10%，序时进度 50%" in md


def test_urge_lagging_twice_the_same_day_records_nothing_new(run, paced):
    first = ok(run, *UNTIL, "urge", "--lagging", "--unit", "甲科")
    assert "今天已为同样的任务催办过" not in first.stderr
    again = ok(run, *UNTIL, "urge", "--lagging", "--unit", "甲科")
    assert "今天已为同样的任务催办过" in again.stderr
    shown = as_json(ok(run, *UNTIL, "show", "1.1", "-f", "json"))
    assert shown["urged"] == 1
