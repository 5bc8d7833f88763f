"""Summaries, reports and `list --owner` for tasks handed to many units: each share counted and
listed as it was on the day, each unit's last form and whether it came late."""

from __future__ import annotations

import sqlite3
from collections import Counter

import pytest
from conftest import as_json

BEFORE, AFTER = "2022-06-30", "2022-07-02"


def _json(run, *args, as_of):
    result = run("--as-of", as_of, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return as_json(result)


@pytest.fixture
def handed(run, plan22):
    """Units A and B in group G; 5.2 handed to G and led by A; 5.4 handed to G and led by C
    (which holds no share); 5.3 led by A alone; A's share of 5.2 done on 1 July."""
    for name in ("A", "B"):
        assert run("units", "add", name, "--group", "G").exit_code == 0
    assert run("units", "add", "C").exit_code == 0
    j = ("--as-of", "2022-06-01")
    assert run(*j, "assign", "5.2", "5.4", "--each", "G").exit_code == 0
    assert run(*j, "assign", "5.2", "5.3", "--to", "A").exit_code == 0
    assert run(*j, "assign", "5.4", "--to", "C").exit_code == 0
    result = run("--as-of", "2022-07-05", "done", "5.2", "--unit", "A", "--on", "2022-07-01")
    assert result.exit_code == 0, result.output


def _owners(data):
    return {o["owner"]: o for o in data["owners"]}


def _as_counted(rows: list[dict]) -> tuple[Counter, int, int]:
    """`list`'s rows as the summary counts them (docs/reports.md): a recurring task (4.5 and its
    family, listed as its begun occurrences 4.11@2022-05 …) once, overdue while a past
    occurrence is open and due soon while one is, behind by the worst lag of them (so on
    06-30 4.11 counts overdue for May and due soon for June). The tasks' statuses, and the
    rows' red and yellow lights so counted. No occurrence is touched here, so a recurring
    task's occurrences share a status."""
    tasks: dict[str, list[dict]] = {}
    for r in rows:
        tasks.setdefault(r["id"].partition("@")[0], []).append(r)
    status, red, yellow = Counter(), 0, 0
    for task_id, rs in tasks.items():
        assert len({r["status"] for r in rs}) == 1, rs
        status[rs[0]["status"]] += 1
        if "@" not in rs[0]["id"]:
            red += rs[0]["light"] == "red"
            yellow += rs[0]["light"] == "yellow"
            continue
        signals = {r["signal"] for r in rs}
        red += ("overdue" in signals) + ("far_behind" in signals)
        yellow += ("due_soon" in signals) + ("behind" in signals and "far_behind" not in signals)
    return status, red, yellow


def test_the_summary_counts_each_share_as_it_was_on_the_day(run, handed):
    before, after = (_json(run, "summary", as_of=d) for d in (BEFORE, AFTER))
    assert list(after)[:4] == ["plan", "as_of", "totals", "shares"]
    assert before["shares"] == {"tasks": 2, "total": 4, "done": 0, "doing": 0, "todo": 4, "review": 0,
                                "dropped": 0, "overdue": 0, "due_soon": 0,
                                "behind": 0, "far_behind": 0}
    assert after["shares"] == {"tasks": 2, "total": 4, "done": 1, "doing": 0, "todo": 3, "review": 0,
                               "dropped": 0, "overdue": 0, "due_soon": 0,
                               "behind": 0, "far_behind": 0}
    # the totals stay per task: 5.2 is not done while B's share is open
    assert after["totals"]["done"] == before["totals"]["done"] == 0
    assert (_owners(before)["A"]["done"], _owners(before)["A"]["open"]) == (0, 3)
    assert (_owners(after)["A"]["done"], _owners(after)["A"]["open"]) == (1, 2)
    assert (_owners(after)["B"]["tasks"], _owners(after)["B"]["open"]) == (2, 2)


def test_a_unit_leading_a_task_with_shares_is_counted_only_through_the_shares(run, handed):
    owners = _owners(_json(run, "summary", as_of=AFTER))
    assert "C" not in owners  # C leads 5.4 only, which is handed to A and B
    assert owners["A"]["tasks"] == 3  # its shares of 5.2 and 5.4, and 5.3 it leads
    # tasks with shares: per share (the plan's 112; a recurring task counted once)
    assert sum(o["tasks"] for o in owners.values()) == 112 - 2 + 4


def test_list_owner_shows_the_units_own_share_with_its_status(run, handed):
    rows = {r["id"]: r for r in _json(run, "list", "--owner", "A", "--status", "all",
                                      as_of=AFTER)}
    assert list(rows) == ["5.2", "5.3", "5.4"]
    assert (rows["5.2"]["role"], rows["5.2"]["unit"], rows["5.2"]["status"],
            rows["5.2"]["percent"], rows["5.2"]["done_on"]) == ("share", "A", "done", 100,
                                                                 "2022-07-01")
    assert (rows["5.3"]["role"], rows["5.3"]["status"]) == ("lead", "todo")
    assert list(rows["5.2"])[-2:] == ["unit", "role"]
    before = {r["id"]: r for r in _json(run, "list", "--owner", "A", "--status", "all",
                                        as_of=BEFORE)}
    assert (before["5.2"]["status"], before["5.2"]["done_on"]) == ("todo", None)
    # the status filter reads A's own status: done by A, still open for the task
    assert [r["id"] for r in _json(run, "list", "--owner", "A", as_of=AFTER)] == ["5.3", "5.4"]
    assert [r["id"] for r in _json(run, "list", "--owner", "A", "--status", "done",
                                   as_of=AFTER)] == ["5.2"]
    b = {r["id"]: r for r in _json(run, "list", "--owner", "B", as_of=AFTER)}
    assert {i: (r["role"], r["status"]) for i, r in b.items()} == {
        "5.2": ("share", "todo"), "5.4": ("share", "todo")}
    table = run("--as-of", AFTER, "list", "--owner", "A", "--status", "all", "-f", "table")
    assert "承办" in table.stdout and "牵头" in table.stdout
    plain = _json(run, "list", "--status", "all", as_of=AFTER)
    assert "role" not in plain[0] and "unit" not in plain[0]


def test_unassigned_means_no_lead_and_no_shares_on_the_day(run, handed):
    now = {r["id"] for r in _json(run, "list", "--unassigned", "--status", "all", as_of=AFTER)}
    assert "5.2" not in now and "5.3" not in now
    # a task handed out but with no lead is not unassigned; before the day it was handed, it was
    assert run("--as-of", "2022-06-10", "assign", "5.5", "--each", "G").exit_code == 0
    assert "5.5" not in {r["id"] for r in _json(run, "list", "--unassigned", as_of=AFTER)}
    assert "5.5" in {r["id"] for r in _json(run, "list", "--unassigned", as_of="2022-06-05")}


@pytest.mark.parametrize("as_of", ["2022-06-05", BEFORE, AFTER, "2022-12-31"])
def test_with_shares_the_per_unit_counts_equal_what_list_owner_shows(run, handed, as_of):
    assert run("--as-of", "2022-06-10", "assign", "5.5", "--each", "G").exit_code == 0
    assert run("--as-of", "2022-07-05", "start", "5.5", "--unit", "B",
               "--on", "2022-06-20").exit_code == 0
    data = _json(run, "summary", as_of=as_of)
    shared = {"5.2", "5.4", "5.5"}
    for owner, o in _owners(data).items():
        if owner is None:
            mine = _json(run, "list", "--unassigned", "--status", "all", as_of=as_of)
        else:
            mine = [r for r in _json(run, "list", "--owner", owner, "--status", "all",
                                     as_of=as_of)
                    if r["role"] == "share" or r["id"] not in shared]
        status, red, yellow = _as_counted(mine)
        # a yellow light is due soon or behind the pace; the ongoing tasks (常态推进) of the
        # bundled plan are behind once quiet for 90 days (by 2022-12-31, 14 of the 15: 3.6
        # only began on 10-23), and far behind is red
        assert (o["tasks"], o["done"], o["doing"], o["todo"], o["dropped"],
                o["overdue"] + o["far_behind"], o["due_soon"] + o["behind"]) == (
            status.total(), status["done"], status["doing"], status["todo"], status["dropped"],
            red, yellow), owner
    share_rows = [r for u in ("A", "B") for r in _json(run, "list", "--owner", u, "--status",
                                                       "all", as_of=as_of)
                  if r["role"] == "share"]
    assert data["shares"]["total"] == len(share_rows)
    assert data["shares"]["done"] == sum(r["status"] == "done" for r in share_rows)


def test_the_shares_block_is_shown_only_when_tasks_are_handed_to_units(run, plan22):
    data = _json(run, "summary", as_of=AFTER)
    assert data["shares"]["total"] == 0 and "last_report" not in data["owners"][0]
    assert "分解到单位" not in run("--as-of", AFTER, "summary", "-f", "md").stdout
    assert run("units", "add", "A", "--group", "G").exit_code == 0
    assert run("units", "add", "B", "--group", "G").exit_code == 0
    assert run("--as-of", "2022-06-01", "assign", "5.2", "--each", "G").exit_code == 0
    md = run("--as-of", AFTER, "summary", "-f", "md").stdout
    assert "## 分解到单位" in md and "| 分解的任务 | 1 |" in md and "| 分解项次 | 2 |" in md
    report = run("--as-of", AFTER, "report", "--since", "2022-06-26", "--until", AFTER)
    assert "分解到单位" in report.stdout and "分解项次" in report.stdout
    rj = _json(run, "report", "--since", "2022-06-26", "--until", AFTER, as_of=AFTER)
    assert rj["shares"]["total"] == 2 and {o["owner"] for o in rj["owners"]} >= {"A", "B"}


def test_the_per_unit_table_shows_the_last_form_merged_and_a_late_reply(run, handed, db_path):
    db = sqlite3.connect(db_path)
    ids = dict(db.execute("SELECT name, id FROM units"))
    form = ("INSERT INTO forms (plan, unit, collect, at, as_of, reply_by, merged_at, merged_on,"
            " filled_on) VALUES ('2022', ?, ?, ?, ?, ?, ?, ?, ?)")
    with db:
        # A: merged on time (filled 25 June); then a second form, merged late on 3 July
        db.execute(form, (ids["A"], "c1", "2022-06-20T02:00:00+00:00", "2022-06-20",
                          "2022-06-27", "2022-06-26T02:00:00+00:00", "2022-06-26", "2022-06-25"))
        db.execute(form, (ids["A"], "c2", "2022-06-28T02:00:00+00:00", "2022-06-28",
                          "2022-07-01", "2022-07-03T02:00:00+00:00", "2022-07-03", None))
        # B: never came back; its reply-by date is 27 June
        db.execute(form, (ids["B"], "c1", "2022-06-20T02:00:00+00:00", "2022-06-20",
                          "2022-06-27", None, None, None))
    db.close()
    on_27 = _owners(_json(run, "summary", as_of="2022-06-27"))
    assert (on_27["A"]["last_report"], on_27["A"]["late"]) == ("2022-06-25", False)
    assert (on_27["B"]["last_report"], on_27["B"]["late"]) == (None, False)  # not past yet
    on_2 = _owners(_json(run, "summary", as_of=AFTER))
    assert (on_2["A"]["last_report"], on_2["A"]["late"]) == ("2022-06-25", True)
    assert (on_2["B"]["last_report"], on_2["B"]["late"]) == (None, True)
    assert (on_2[None]["last_report"], on_2[None]["late"]) == (None, False)
    on_4 = _owners(_json(run, "summary", as_of="2022-07-04"))
    assert (on_4["A"]["last_report"], on_4["A"]["late"]) == ("2022-07-03", True)
    md = run("--as-of", AFTER, "summary", "-f", "md").stdout
    assert "| 责任单位 | 未完成 | 已完成 | 逾期 | 最近填报 | 反馈情况 |" in md
    assert "| A | 2 | 1 | 0 | 2022-06-25 | 未按时反馈 |" in md
    assert "| B | 2 | 0 | 0 | — | 未按时反馈 |" in md
    text = run("--as-of", AFTER, "report", "--since", "2022-06-26", "--until", AFTER).stdout
    assert "最近填报" in text and "未按时反馈" in text
