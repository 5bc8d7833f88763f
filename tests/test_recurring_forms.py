"""Recurring tasks handed to units, in the units' round trip: a 填报表 has one row per open
occurrence share whose period has begun (its id 4.3@2022-05, its title with the period in
words), a filled row goes back to that occurrence's share, and the 催办 and `list --owner`
show the occurrences begun by the day. The real CLI; the forms filled with openpyxl."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from conftest import RECURRING_PLAN, as_json, ok, rows
from test_units_roundtrip import fill, share_of

PLAN = RECURRING_PLAN
JUNE = ("--as-of", "2022-06-05")
MERGED = ("--as-of", "2022-06-10")


@pytest.fixture
def rc(run, tmp_path):
    """甲校 and 乙校 registered, /tmp/rc.toml's plan imported on 2022-05-10."""
    plan = tmp_path / "rc.toml"
    plan.write_text(PLAN, encoding="utf-8")
    for unit in ("甲校", "乙校"):
        ok(run, "units", "add", unit)
    ok(run, "--as-of", "2022-05-10", "import", str(plan))
    return tmp_path


def collect(run, folder, *as_of):
    """The forms of a collect, by unit name."""
    result = ok(run, *as_of, "collect", "-o", str(folder))
    paths = [p for p in result.stdout.splitlines() if p]
    return {unit: next((p for p in paths if f"-{unit}-" in p), None)
            for unit in ("甲校", "乙校", "组织科")}


def form_rows(path) -> list[tuple]:
    """(编号, 工作任务) of each row of a form's sheet."""
    sheet = openpyxl.load_workbook(path).worksheets[0]
    return [(sheet.cell(r, 2).value, sheet.cell(r, 3).value) for r in range(5, sheet.max_row + 1)]


def identity_ids(path) -> list[str]:
    sheet = openpyxl.load_workbook(path)["jtdj"]
    table = list(sheet.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(table) if r[0] == "row")
    return [r[1] for r in table[start + 1:] if r[1] is not None]


def test_a_units_form_has_a_row_per_begun_open_occurrence_with_its_period_in_words(run, rc):
    forms = collect(run, rc / "forms", *JUNE)
    assert form_rows(forms["甲校"]) == [("4.3@2022-04", "开展主题党日\n（2022年4月）"),
                                      ("4.3@2022-05", "开展主题党日\n（2022年5月）"),
                                      ("4.3@2022-06", "开展主题党日\n（2022年6月）")]
    assert identity_ids(forms["甲校"]) == ["4.3@2022-04", "4.3@2022-05", "4.3@2022-06"]
    # a recurring task a unit leads: its occurrences, never the task's own row
    assert [i for i, _ in form_rows(forms["组织科"])] == ["4.1@2022-04", "4.1@2022-05",
                                                        "4.1@2022-06"]


def test_a_form_for_a_past_day_has_only_the_occurrences_begun_by_then(run, rc):
    forms = collect(run, rc / "may", "--as-of", "2022-05-10")
    assert [i for i, _ in form_rows(forms["乙校"])] == ["4.3@2022-04", "4.3@2022-05"]


def test_the_period_words_name_a_quarter_a_half_year_and_a_year(run, rc):
    for n, every in enumerate(("quarter", "half-year", "year"), 5):
        (rc / f"{n}.toml").write_text(PLAN.replace('key = "rc"', f'key = "r{n}"').replace(
            'every = "month"\neach', f'every = "{every}"\neach'), encoding="utf-8")
        ok(run, "--as-of", "2022-05-10", "import", str(rc / f"{n}.toml"))
    got = {}
    for n in (5, 6, 7):
        forms = collect(run, rc / f"f{n}", "--plan", f"r{n}", "--as-of", "2022-08-05")
        got[n] = dict(form_rows(forms["甲校"]))
    assert got[5]["4.3@2022-Q3"] == "开展主题党日\n（2022年第三季度）"
    assert got[6]["4.3@2022-H2"] == "开展主题党日\n（2022年下半年）"
    assert got[7] == {"4.3@2022-Y": "开展主题党日\n（2022年度）"}


def test_filled_rows_of_two_occurrences_go_back_to_their_own_shares(run, rc, db_path):
    forms = collect(run, rc / "forms", *JUNE)
    fill(forms["甲校"], filled_on=dt.date(2022, 6, 8), G6="已完成", I6="5月20日开展主题党日",
         G7="推进中", H7=50)
    ok(run, *MERGED, "merge", forms["甲校"], "--yes")
    may = share_of(run, "4.3@2022-05", "甲校", *MERGED)
    june = share_of(run, "4.3@2022-06", "甲校", *MERGED)
    assert may["status"] == "review" and june["status"] == "doing" and june["percent"] == 50
    assert share_of(run, "4.3@2022-05", "乙校", *MERGED)["status"] == "todo"
    notes = rows(db_path, "SELECT target, text FROM notes")
    assert [n["target"] for n in notes if "5月20日" in n["text"]] == [
        f"4.3@2022-05@{rows(db_path, 'SELECT id FROM units WHERE name = ?', '甲校')[0]['id']}"]
    # the occurrences roll up from their shares; the recurring task's own row is untouched
    state = {r["id"]: r["status"] for r in rows(
        db_path, "SELECT id, status FROM tasks WHERE id LIKE '4.3%'")}
    assert (state["4.3@2022-05"], state["4.3@2022-06"], state["4.3"]) == ("doing", "doing",
                                                                          "todo")
    assert rows(db_path, "SELECT count(*) AS n FROM events WHERE target = '4.3'"
                " AND source LIKE 'form:%'")[0]["n"] == 0
    # the next form: the one waiting for review is gone, the one under way is there
    again = collect(run, rc / "again", *MERGED)
    assert [i for i, _ in form_rows(again["甲校"])] == ["4.3@2022-04", "4.3@2022-06"]


def test_a_row_moved_to_another_periods_id_is_refused_and_lands_nowhere(run, rc):
    forms = collect(run, rc / "forms", *JUNE)
    fill(forms["甲校"], B6="4.3@2022-06", G6="已完成")  # 5月's row typed over as 6月's
    result = run(*MERGED, "merge", forms["甲校"], "--yes")
    assert result.exit_code == 2 and "预填内容被改动" in result.stderr
    assert "（2022年6月）" in result.stderr
    for period in ("2022-05", "2022-06"):
        assert share_of(run, f"4.3@{period}", "甲校", *MERGED)["status"] == "todo"


def test_urge_chases_overdue_occurrence_shares_with_their_period(run, rc):
    text = ok(run, *JUNE, "urge", "--unit", "乙校").stdout
    assert "4.3@2022-05 开展主题党日（2022年5月）" in text
    assert "4.3@2022-04 开展主题党日（2022年4月）" in text
    assert "4.3@2022-06" not in text  # not overdue yet
    assert "\n1. 4.3 " not in text  # never the recurring task's own row


def test_urge_due_within_lists_occurrences_due_soon_but_none_not_begun(run, rc):
    text = ok(run, *JUNE, "urge", "--unit", "甲校", "--due-within", "60").stdout
    assert "4.3@2022-06 开展主题党日（2022年6月）" in text
    assert "4.3@2022-07" not in text  # due within the 60 days, but its period has not begun
    assert "4.3@2022-04" not in text  # overdue, not asked for


def test_list_owner_shows_the_units_begun_occurrence_shares(run, rc):
    listed = as_json(ok(run, *JUNE, "list", "--owner", "甲校", "-f", "json"))
    assert [(r["id"], r["unit"], r["role"]) for r in listed] == [
        ("4.3@2022-04", "甲校", "share"), ("4.3@2022-05", "甲校", "share"),
        ("4.3@2022-06", "甲校", "share")]
    led = as_json(ok(run, *JUNE, "list", "--owner", "组织科", "-f", "json"))
    assert [(r["id"], r["role"]) for r in led] == [
        ("4.1@2022-04", "lead"), ("4.1@2022-05", "lead"), ("4.1@2022-06", "lead")]
