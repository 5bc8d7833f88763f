"""How recurring tasks (``every``, issue 17 §3) count in the summary, the period report, the
通报 and a unit's own report: once in the totals, once per unit under each unit it is handed
to (as that unit's begun occurrence shares make it), and the 周期性工作 block (JSON
``occurrences``), per task and per unit, history-true on a past day."""

from __future__ import annotations

import pytest

from conftest import RECURRING_PLAN, as_json, ok

# issued 2022-04-15, imported 2022-05-10: 4.1 monthly, led by 组织科; 4.2 quarterly, day 20, no
# owner; 4.3 monthly, each occurrence handed to 甲校 and 乙校 (registered by the import); 4.4 an
# ordinary task
PLAN = RECURRING_PLAN
DAY = "2022-07-05"
LATER = "2022-07-20"


@pytest.fixture
def plan(run, tmp_path):
    """Imported on 2022-05-10; on DAY 4.1's April is done, 甲校 has done all four begun
    occurrences of 4.3 (April to July), 乙校 April's alone."""
    path = tmp_path / "rc.toml"
    path.write_text(PLAN, encoding="utf-8")
    ok(run, "--as-of", "2022-05-10", "import", path)
    ok(run, "--as-of", DAY, "done", "4.1")
    ok(run, "--as-of", DAY, "done", *[f"4.3@2022-0{m}" for m in (4, 5, 6, 7)], "--unit", "甲校")
    ok(run, "--as-of", DAY, "done", "4.3@2022-04", "--unit", "乙校")
    return path


def summary(run, day):
    return as_json(ok(run, "--as-of", day, "summary", "-f", "json"))


def by_owner(data) -> dict:
    return {o["owner"]: (o["tasks"], o["done"], o["doing"], o["todo"], o["overdue"],
                         o["percent_done"]) for o in data["owners"]}


def test_a_recurring_task_handed_to_units_counts_once_in_the_totals_and_once_under_each_unit(
        run, plan):
    data = summary(run, DAY)
    t = data["totals"]
    # 4.1 and 4.3 under way (one begun occurrence done), 4.2 and 4.4 not begun; 4.1, 4.2 and
    # 4.3 overdue by their past open occurrences
    assert (t["tasks"], t["done"], t["doing"], t["todo"], t["overdue"]) == (4, 0, 2, 2, 3)
    # (tasks, done, doing, todo, overdue, % done): 4.3 once under each unit, as its begun
    # occurrence shares make it there, and no longer among the tasks without an owner
    assert by_owner(data) == {"乙校": (1, 0, 1, 0, 1, 0), "甲校": (1, 1, 0, 0, 0, 100),
                              "组织科": (1, 0, 1, 0, 1, 0), None: (2, 0, 0, 2, 1, 0)}
    assert sum(o["tasks"] for o in data["owners"]) == t["tasks"] + 1  # 4.3: two units
    shares = data["shares"]
    assert (shares["tasks"], shares["total"], shares["done"], shares["overdue"]) == (1, 2, 1, 1)


def test_the_bulletin_and_a_units_report_count_a_recurring_task_once_for_each_unit(run, plan):
    units = as_json(ok(run, "--as-of", DAY, "report", "--until", DAY, "--by-unit", "-f",
                       "json"))["units"]
    got = {u["unit"]: (u["rank"], u["tasks"], u["done"], u["percent_done"], u["overdue"],
                       u["lagging"], u["review"]) for u in units}
    assert got == {"甲校": (1, 1, 1, 100, 0, 0, 0), "乙校": (2, 1, 0, 0, 1, 0, 0),
                   "组织科": (2, 1, 0, 0, 1, 0, 0)}
    figures = as_json(ok(run, "--as-of", DAY, "report", "--until", DAY, "--unit", "乙校", "-f",
                         "json"))["figures"]
    assert {k: figures[k] for k in ("tasks", "done", "percent_done", "overdue", "review")} == {
        "tasks": 1, "done": 0, "percent_done": 0, "overdue": 1, "review": 0}


ON_IMPORT = {
    "tasks": [
        {"id": "4.1", "title": "召开支部委员会", "every": "month", "begun": 2, "done": 0,
         "open": 2, "overdue": 1, "total": 9, "expected_percent": 11, "percent": 0},
        {"id": "4.2", "title": "召开党员大会", "every": "quarter", "begun": 1, "done": 0,
         "open": 1, "overdue": 0, "total": 3, "expected_percent": 0, "percent": 0},
        {"id": "4.3", "title": "开展主题党日", "every": "month", "begun": 2, "done": 0,
         "open": 2, "overdue": 1, "total": 9, "expected_percent": 11, "percent": 0}],
    "units": [{"unit": "乙校", "begun": 2, "done": 0, "open": 2, "overdue": 1},
              {"unit": "甲校", "begun": 2, "done": 0, "open": 2, "overdue": 1}]}
ON_DAY = {
    "tasks": [
        {"id": "4.1", "title": "召开支部委员会", "every": "month", "begun": 4, "done": 1,
         "open": 3, "overdue": 2, "total": 9, "expected_percent": 33, "percent": 11},
        {"id": "4.2", "title": "召开党员大会", "every": "quarter", "begun": 2, "done": 0,
         "open": 2, "overdue": 1, "total": 3, "expected_percent": 33, "percent": 0},
        # an occurrence is done when both units are: April's
        {"id": "4.3", "title": "开展主题党日", "every": "month", "begun": 4, "done": 1,
         "open": 3, "overdue": 2, "total": 9, "expected_percent": 33, "percent": 11}],
    "units": [{"unit": "乙校", "begun": 4, "done": 1, "open": 3, "overdue": 2},
              {"unit": "甲校", "begun": 4, "done": 4, "open": 0, "overdue": 0}]}


def test_the_occurrences_block_counts_each_tasks_and_each_units_occurrences_on_the_day(
        run, plan):
    assert summary(run, "2022-05-10")["occurrences"] == ON_IMPORT
    assert summary(run, DAY)["occurrences"] == ON_DAY
    report = as_json(ok(run, "--as-of", DAY, "report", "--until", DAY, "-f", "json"))
    assert report["occurrences"] == ON_DAY


def test_a_past_days_recurring_counts_are_unchanged_by_a_later_reopen_and_due_date(run, plan):
    before = summary(run, DAY)
    ok(run, "--as-of", LATER, "reopen", "4.3@2022-04", "--unit", "甲校")
    ok(run, "--as-of", LATER, "due", "4.3@2022-05", "2022-08-31", "--unit", "乙校")
    assert summary(run, DAY) == before
    later = summary(run, LATER)
    assert by_owner(later)["甲校"][:5] == (1, 0, 1, 0, 1)
    assert later["occurrences"]["units"] == [
        {"unit": "乙校", "begun": 4, "done": 1, "open": 3, "overdue": 1},
        {"unit": "甲校", "begun": 4, "done": 3, "open": 1, "overdue": 1}]


def test_the_recurring_work_block_reads_at_80_columns_in_text_and_shows_in_md_and_html(
        run, plan):
    from jtdj.render.text import display_width

    text = ok(run, "--as-of", DAY, "report", "--until", DAY).stdout
    lines = text.splitlines()
    start = lines.index("周期性工作（3 项）")
    assert lines[start + 1:start + 3] == [
        "- 4.1 召开支部委员会",
        "  每月，共 9 期：已开始 4，已完成 1，未完成 3，逾期 2；序时进度 33%，完成率 11%"]
    assert lines[start + 8:start + 11] == ["周期性工作（各单位）",
                                           "单位  已开始  已完成  未完成  逾期",
                                           "乙校       4       1       3     2"]
    assert all(display_width(line) <= 80 for line in lines)
    md = ok(run, "--as-of", DAY, "summary", "-f", "md").stdout
    assert "| 4.3 | 开展主题党日（每月） | 1/4 | 2 | 9 | 33% | 11% |" in md
    table = ok(run, "--as-of", DAY, "summary", "-f", "table").stdout.splitlines()
    start = next(n for n, line in enumerate(table) if line.startswith("周期性工作（3 项）"))
    assert "开展主题党日（每月）" in "\n".join(table[start:start + 12])  # not squeezed out
    assert all(display_width(line) <= 80 for line in table)
    html = ok(run, "--as-of", DAY, "report", "--until", DAY, "-f", "html").stdout
    assert "周期性工作（各单位）" in html


def test_a_reports_overdue_lists_with_a_limit_name_a_recurring_task_once_as_the_full_lists_do(
        run, tmp_path):
    """The per-owner overdue lists of a report with --limit come from the owner's tallies and
    a seek per owner; a recurring task's overdue occurrence joins its owner's, counted and
    ordered (by due date, then id) as the full lists, which read every overdue task, have it."""
    path = tmp_path / "rc.toml"
    path.write_text(PLAN + "\n".join(
        f"[[sections.items.tasks]]\nno = {no}\ntitle = \"督查{no}\"\ndue = {due}\nowner = \"组织科\""
        for no, due in ((5, "2022-05-31"), (6, "2022-06-15"))) + "\n", encoding="utf-8")
    ok(run, "--as-of", "2022-05-10", "import", path)
    ok(run, "--as-of", DAY, "done", "4.1@2022-04")

    def overdue(*limit):
        data = as_json(ok(run, "--as-of", DAY, "report", "--until", DAY, "-f", "json", *limit))
        return {g["owner"]: ([t["id"] for t in g["tasks"]], g.get("omitted", 0))
                for g in data["overdue"]}

    full = overdue()
    # 组织科: 4.1 once, by its earliest open overdue occurrence (May), before 4.5 (same day)
    assert full["组织科"] == (["4.1@2022-05", "4.5", "4.6"], 0)
    assert overdue("--limit", "2") == {
        owner: (ids[:2], len(ids) - len(ids[:2])) for owner, (ids, _) in full.items()}
