"""`jtdj summary`: the plan at a glance, counted in SQL, agreeing with `jtdj list`."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import as_json, rows

AS_OF = "2022-07-01"
TOTAL_KEYS = ["tasks", "done", "doing", "todo", "dropped", "open", "overdue", "due_soon",
              "percent_done"]


@pytest.fixture
def scene(run, imported):
    """Owners, due dates and check-offs on known dates around 1 July 2022."""
    for args in (
        ("assign", "--new-unit", "5", "--to", "组织科"), ("assign", "--new-unit", "8.5", "7.6", "--to", "宣传科"),
        ("due", "5.3", "2022-06-25"), ("due", "5.4", "2022-06-28"), ("due", "2.1", "2022-06-20"),
        ("due", "7.6", "2022-07-10"),
    ):
        assert run("--as-of", "2022-06-01", *args).exit_code == 0
    for args in (
        ("done", "5.1", "--on", "2022-06-28"), ("done", "1.1", "--on", "2022-06-20"),
        ("done", "5.6", "--on", "2022-07-05"), ("start", "5.2", "--on", "2022-06-27"),
        ("drop", "4.1", "--reason", "上级取消", "--on", "2022-06-26"),
    ):
        assert run("--as-of", "2022-07-10", *args).exit_code == 0


def summary(run, *args, as_of=AS_OF):
    result = run("--as-of", as_of, "summary", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return as_json(result)


def count(run, *args, as_of=AS_OF):
    """The tasks `list` shows: a recurring task (4.5 and its family) once however many of its
    occurrences (4.11@2022-05 …) are rows, as the summary counts it (docs/reports.md). In these
    scenes no occurrence is touched, so each recurring task's begun occurrences share a status."""
    result = run("--as-of", as_of, "list", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return len({r["id"].partition("@")[0] for r in as_json(result)})


def test_json_shape_and_totals(run, scene):
    data = summary(run)
    # the bundled plan has ongoing tasks (常态推进): the `ongoing` block is there
    # and recurring ones (4.5 and its family): the `occurrences` block
    assert list(data) == ["plan", "as_of", "totals", "shares", "ongoing", "occurrences",
                          "sections", "items", "owners", "overdue", "due_soon"]
    assert data["plan"] == "2022" and data["as_of"] == AS_OF
    # overdue: 2.1, 5.3, 5.4 and the four recurring tasks with a past occurrence open (4.5's
    # second quarter; May and June of 4.11, 4.12, 4.14), each counted once
    assert data["totals"] == {"tasks": 112, "done": 2, "doing": 1, "todo": 108, "review": 0,
                              "dropped": 1, "open": 109, "overdue": 7, "due_soon": 3,
                              "behind": 0, "far_behind": 0, "ongoing": 15, "percent_done": 1}
    # 完成率 leaves the 15 ongoing tasks out: 5.1 of 112 - 1 dropped - 15 = 1/96 (1.1, done,
    # is ongoing)
    # by due date: a recurring task by its first overdue occurrence
    assert [r["id"] for r in data["overdue"]] == ["4.11@2022-05", "4.12@2022-05", "4.14@2022-05",
                                                  "2.1", "5.3", "5.4", "4.5@2022-Q2"]
    assert data["overdue"][4] == {"id": "5.3", "title": data["overdue"][4]["title"],
                                  "owner": "组织科", "due": "2022-06-25"}
    # 8.5's 表彰 is now 8.6 (the 工委's own, not handed to 宣传科), due the same day
    assert [(r["id"], r["owner"], r["due"]) for r in data["due_soon"]] == [
        ("7.6", "宣传科", "2022-07-10"), ("8.5", "宣传科", "2022-07-15"), ("8.6", None, "2022-07-15")]
    assert len(data["sections"]) == 5 and len(data["items"]) == 13
    item5 = next(i for i in data["items"] if i["item"] == 5)
    # 5.6 is done on 5 July: not yet as of 1 July
    assert (item5["section"], item5["tasks"], item5["done"], item5["doing"], item5["overdue"],
            item5["percent_done"]) == (2, 6, 1, 1, 2, 17)
    section2 = next(s for s in data["sections"] if s["section"] == 2)
    # items 4 (15 tasks since the splits: 4.10 and 4.5's five siblings), 5 and 6
    assert (section2["tasks"], section2["done"], section2["dropped"],
            section2["percent_done"]) == (27, 1, 1, 4)  # 1 / (27 - 1 dropped - 1 ongoing: 6.1)
    owners = {o["owner"]: o for o in data["owners"]}
    assert list(owners) == ["宣传科", "组织科", None]
    assert (owners["组织科"]["open"], owners["组织科"]["done"], owners["组织科"]["overdue"]) == (5, 1, 2)
    # no owner: 2.1 and the four recurring tasks are overdue
    assert (owners[None]["open"], owners[None]["done"], owners[None]["overdue"]) == (102, 1, 5)


@pytest.mark.parametrize("as_of", ["2022-06-01", "2022-06-26", AS_OF, "2022-07-06", "2022-12-31"])
def test_counts_agree_with_list(run, scene, as_of):
    data = summary(run, as_of=as_of)
    tot = data["totals"]
    assert tot["tasks"] == count(run, "--status", "all", as_of=as_of)
    for status in ("done", "doing", "todo", "dropped", "open"):
        assert tot[status] == count(run, "--status", status, as_of=as_of), status
    assert tot["overdue"] == count(run, "--overdue", as_of=as_of) == len(data["overdue"])
    assert tot["due_soon"] == count(run, "--due-within", "14", as_of=as_of) == len(data["due_soon"])
    for o in data["owners"]:
        who = ("--owner", o["owner"]) if o["owner"] else ("--unassigned",)
        assert o["open"] == count(run, *who, as_of=as_of)
        assert o["done"] == count(run, *who, "--status", "done", as_of=as_of)
        assert o["overdue"] == count(run, *who, "--overdue", as_of=as_of)
    for s in data["sections"]:
        assert s["done"] == count(run, "--section", str(s["section"]), "--status", "done", as_of=as_of)
        assert s["open"] == count(run, "--section", str(s["section"]), as_of=as_of)


def test_counting_is_a_fixed_number_of_queries(run, scene, db_path):
    """GROUP BY in SQL: adding tasks adds no queries (fast at 100,000 tasks)."""
    from jtdj import report
    from jtdj.store import Store
    from jtdj.store.bulk import insert_tasks

    def queries(store) -> int:
        seen = []
        store.conn.set_trace_callback(seen.append)
        report.summary(store, "2022", date(2022, 7, 1))
        store.conn.set_trace_callback(None)
        return len(seen)

    store = Store.open(db_path)
    before = queries(store)
    base = rows(db_path, "SELECT * FROM tasks WHERE plan = '2022' AND id = '5.3'")[0]
    with store.transaction():
        insert_tasks(store, [{**base, "id": f"5.{n}", "no": n, "owner": f"单位{n % 7}"}
                             for n in range(100, 400)])
    assert queries(store) == before
    assert report.summary(store, "2022", date(2022, 7, 1))["totals"]["overdue"] == 7 + 300
    store.close()


def test_markdown_is_the_default_in_a_pipe(run, scene):
    result = run("--as-of", AS_OF, "summary")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("# 2022年区委教育工委党的建设重点工作要点 总体情况（截至 2022-07-01）\n")
    for heading in ("## 总体情况", "## 分项进度", "## 各条目进度", "## 各责任单位",
                    "## 滞后事项（7 项）", "## 近期到期（3 项）"):
        assert heading + "\n" in out
    assert "| 其中常态推进 | 15 |" in out and "| 完成率 | 1% |" in out  # 1/96: see above
    assert "| 5. | 加强党建品牌阵地建设 | 1/6 | 17% | ██░░░░░░░░ |" in out
    assert "| 组织科 | 5 | 1 | 2 |" in out
    assert "\x1b[" not in out and result.stderr == ""


def test_table_fits_80_columns(run, scene):
    from rich.cells import cell_len

    result = run("--as-of", AS_OF, "summary", "--format", "table")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "任务总数" in result.stdout and "██░░░░░░░░" in result.stdout
    assert all(cell_len(line) <= 80 for line in lines)
    assert "…" not in result.stdout
    assert "\x1b[" not in result.stdout


def test_english_headings(run, scene):
    result = run("--lang", "en", "--as-of", AS_OF, "summary", "--format", "md")
    assert result.exit_code == 0, result.output
    assert "## Overview" in result.stdout and "## By section" in result.stdout
    assert "| % done | 1% |" in result.stdout  # the 14 ongoing tasks are out of its base
    # machine output does not change with the language
    assert summary(run) == as_json(run("--lang", "en", "--as-of", AS_OF, "summary", "-f", "json"))


def test_fail_on_overdue(run, scene):
    late = run("--as-of", AS_OF, "summary", "--format", "json", "--fail-on-overdue")
    assert late.exit_code == 3
    assert as_json(late)["totals"]["overdue"] == 7  # the job was done first
    assert "7" in late.stderr and "--fail-on-overdue" in late.stderr
    # on 06-01 May's branch meetings (4.11@2022-05 …) are already overdue; on 05-20 nothing is
    calm = run("--as-of", "2022-05-20", "summary", "--format", "json", "--fail-on-overdue")
    assert calm.exit_code == 0, calm.output


def test_bad_format_is_a_usage_error(run, scene):
    result = run("summary", "--format", "csv")
    assert result.exit_code == 2
    assert "--format" in result.stderr and result.stdout == ""
