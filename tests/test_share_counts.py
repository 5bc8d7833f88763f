"""A summary and a report count the shares of the tasks that do not recur in SQL, and list
those behind their pace from SQL (``store.share_counts``, for a day no later share change
reaches back to), making no record of the others; the figures and lists are those made from
each share's record (``shares.effective``, the way of a day that needs its shares put back):
every status, overdue and due soon, behind and far behind, a unit's own due date, a report
waiting for review on time and late, dropped shares, an ongoing task's shares quiet and not,
and a recurring task's occurrence shares next to them; and a shared task's lead, whose own
record of it is taken off its count."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import as_json, ok
from jtdj.store import units as db

PLAN = """format = 1
[plan]
key = "sc"
title = "测试计划"
issued = 2022-01-10
due = 2022-12-31
[[sections]]
no = 1
title = "一、组织"
[[sections.items]]
no = 1
title = "条目一"
[[sections.items.tasks]]
no = 1
title = "各校按期完成"
due = 2022-06-30
each = ["甲校", "乙校", "丙校"]
[[sections.items.tasks]]
no = 2
title = "有起点的任务"
start = 2022-03-01
due = 2022-09-30
each = ["甲校", "乙校", "丙校"]
[[sections.items.tasks]]
no = 3
title = "常态推进"
kind = "ongoing"
each = ["甲校", "乙校", "丙校", "丁校"]
[[sections.items.tasks]]
no = 4
title = "每月一次"
every = "month"
each = ["甲校", "乙校"]
[[sections.items.tasks]]
no = 5
title = "全年推进"
due = 2022-12-31
each = ["甲校", "乙校", "丙校"]
[[sections.items.tasks]]
no = 6
title = "科室自办"
due = 2022-05-31
owner = "组织科"
[[sections.items.tasks]]
no = 7
title = "科室牵头、各校落实"
due = 2022-10-31
owner = "组织科"
each = ["甲校", "乙校"]
"""
# each on or after the last change to a share (so SQLite counts), the lights differing
DAYS = ["2022-09-01", "2022-09-20", "2022-10-01", "2022-12-20", "2022-12-31", "2023-01-05"]


@pytest.fixture
def ledger(run, tmp_path):
    path = tmp_path / "sc.toml"
    path.write_text(PLAN, encoding="utf-8")
    ok(run, "--as-of", "2022-01-10", "import", str(path))
    for day, *argv in [
            ("2022-03-05", "start", "1.1", "--unit", "甲校"),
            ("2022-03-06", "note", "1.1", "过半", "--percent", "55", "--unit", "甲校"),
            ("2022-03-07", "note", "1.2", "起步", "--percent", "5", "--unit", "乙校"),
            ("2022-04-01", "done", "1.1", "--unit", "乙校"),
            ("2022-04-02", "drop", "1.2", "--unit", "丙校", "--reason", "不承担"),
            ("2022-04-03", "due", "1.2", "--unit", "甲校", "2022-05-15"),
            ("2022-07-05", "done", "1.1", "--unit", "丙校", "--reported"),
            ("2022-08-01", "done", "1.2", "--unit", "乙校", "--reported"),
            ("2022-02-10", "note", "1.3", "一次交流", "--unit", "甲校"),
            ("2022-06-01", "drop", "1.3", "--unit", "丙校", "--reason", "并入他校"),
            ("2022-08-20", "note", "1.3", "再交流", "--unit", "甲校"),
            ("2022-05-10", "done", "1.4@2022-04", "--unit", "甲校"),
            ("2022-09-01", "note", "1.3", "又一次", "--unit", "乙校"),
            ("2022-09-01", "note", "1.5", "两成", "--percent", "20", "--unit", "甲校"),
            ("2022-09-01", "note", "1.5", "六成", "--percent", "60", "--unit", "乙校"),
            # the lead's own record of a shared task: behind its pace, then due earlier
            ("2022-03-10", "note", "1.7", "起步", "--percent", "5"),
            ("2022-09-25", "due", "1.7", "2022-09-28")]:
        ok(run, "--as-of", day, *argv)


def _figures(run, day):
    summary = as_json(ok(run, "--as-of", day, "summary", "-f", "json"))
    report = as_json(ok(run, "--as-of", day, "report", "--until", day, "-f", "json"))
    bulletin = as_json(ok(run, "--as-of", day, "report", "--until", day, "--by-unit", "-f",
                          "json"))
    return summary, report, bulletin


@pytest.mark.parametrize("day", DAYS)
def test_the_shares_counted_by_sqlite_are_the_counts_of_their_records(
        ledger, run, monkeypatch, day):
    counted_by_sqlite = _figures(run, day)
    # the other way: every share put back as it was that day, a record made of each
    monkeypatch.setattr(db, "latest_share_day", lambda store, plan: date.max)
    assert _figures(run, day) == counted_by_sqlite


def test_the_ledger_reaches_every_count_the_rules_tell_apart(ledger, run):
    """So that the comparison is not of zeros: on 2022-10-01 the shares are done, dropped,
    waiting for review (one late: overdue), overdue, behind and far behind, ongoing and
    recurring; 甲校's ongoing share has two notes, and is quiet only by the older one."""
    summary = as_json(ok(run, "--as-of", "2022-10-01", "summary", "-f", "json"))
    shares = summary["shares"]
    for name in ("done", "dropped", "review", "overdue", "behind", "far_behind"):
        assert shares[name] > 0, (name, shares)
    assert shares["tasks"] == 6 and "occurrences" in summary
    units = {o["owner"]: o for o in summary["owners"]}
    assert units["甲校"]["ongoing"] == 1 and units["乙校"]["ongoing"] == 1
    assert units["丙校"]["ongoing"] == 0  # its share of 1.3 dropped
    assert units["丁校"]["tasks"] == 1 and units["丁校"]["due_soon"] == 0  # no due date at all
    report = as_json(ok(run, "--as-of", "2022-10-01", "report", "--until", "2022-10-01",
                        "-f", "json"))
    behind = {(g["owner"], t["id"], t["signal"]) for g in report["lagging"] for t in g["tasks"]}
    assert {("甲校", "1.5", "far_behind"), ("乙校", "1.5", "behind")} <= behind, behind
    last = as_json(ok(run, "--as-of", "2022-12-31", "summary", "-f", "json"))["shares"]
    assert last["due_soon"] > 0  # 丙校's 1.5, due that very day
