"""Counts and due lists agree with `jtdj list` whatever happened when, and long lists in the
formats people read stop at --limit with a line saying how many more."""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections import Counter
from datetime import date, timedelta

import pytest
from conftest import as_json, rows

OWNERS = ["组织科", "宣传科", "办公室"]
DAYS = [date(2022, 3, 1) + timedelta(days=n) for n in range(0, 240, 9)]


def _json(run, *args, as_of):
    result = run("--as-of", as_of, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return as_json(result)


def _random_history(run, seed: int) -> None:
    """Owners, due dates, and starts, check-offs, drops and reopenings dated across the year:
    many of them after the days the counts are asked for."""
    rnd = random.Random(seed)
    ids = [r["id"] for r in _json(run, "list", "--status", "all", as_of="2022-12-31")]
    for owner in OWNERS:
        picked = rnd.sample(ids, 25)
        assert run("assign", "--new-unit", *picked, "--to", owner).exit_code == 0
    for task_id in rnd.sample(ids, 30):
        due = rnd.choice(DAYS).isoformat()
        assert run("--as-of", "2022-01-01", "due", task_id, due).exit_code == 0
    # standing requirements, judged by their notes' age: an occurrence of a recurring task
    # (4.11@2022-07) cannot be one, it is due at its period's end
    for task_id in rnd.sample([i for i in ids if "@" not in i], 8):
        assert run("--as-of", "2022-01-01", "due", task_id, "--ongoing").exit_code == 0
    for _ in range(60):
        verb = rnd.choice(["start", "done", "done", "drop", "reopen", "report", "report",
                           "accept", "note", "note"])
        task_id = rnd.choice(ids)
        on = rnd.choice(DAYS).isoformat()
        # a unit's report waits for review (待审核) until an acceptance, dated its own day
        args = {"start": ("start", task_id, "--on", on),
                "done": ("done", task_id, "--on", on),
                "drop": ("drop", task_id, "--reason", "调整", "--on", on),
                "reopen": ("reopen", task_id),
                "report": ("done", task_id, "--reported", "--on", on),
                "accept": ("accept", "--all"),
                # a percent reported: the pace of its window judges it (序时进度)
                "note": ("note", task_id, "进展", "-p", str(rnd.choice([0, 10, 30, 60, 90])))}[verb]
        as_of = on if verb in ("accept", "note") else "2022-12-31"
        assert run("--as-of", as_of, *args).exit_code == 0, args


def _assert_summary_agrees_with_list(run, as_of: str) -> None:
    """Every total, per-item and per-owner count, and both due lists of `summary` equal what
    `list` shows for the same day."""
    listed_rows = _json(run, "list", "--status", "all", as_of=as_of)
    data = _json(run, "summary", as_of=as_of)

    soon = (date.fromisoformat(as_of) + timedelta(days=14)).isoformat()

    def due_soon(r):  # 临期 counts by the due date alone, whatever the pace
        return bool(r["status"] in ("todo", "doing") and r["due"] and as_of <= r["due"] <= soon)

    tasks = _counted_once(run, listed_rows, due_soon, as_of)

    def expected(key=None, value=None):
        mine = [r for r in tasks if key is None or r[key] == value]
        status = Counter(r["status"] for r in mine)
        signal = Counter(f for r in mine for f in r["flags"])
        ongoing = [r for r in mine if r["ongoing"] and r["status"] != "dropped"]
        counted = [r for r in mine if r["status"] != "dropped" and r not in ongoing]
        done = sum(r["status"] == "done" for r in counted)
        return (len(mine), status["done"], status["doing"], status["todo"],
                status["dropped"], signal["overdue"], sum(r["soon"] for r in mine),
                status["review"], signal["behind"], signal["far_behind"], len(ongoing),
                (done * 200 + len(counted)) // (len(counted) * 2) if counted else 0)

    def got(c):
        return (c["tasks"], c["done"], c["doing"], c["todo"], c["dropped"], c["overdue"],
                c["due_soon"], c["review"], c["behind"], c["far_behind"], c["ongoing"],
                c["percent_done"])

    assert got(data["totals"]) == expected(), as_of
    assert [i["item"] for i in data["items"]] == sorted({r["item"] for r in tasks})
    for it in data["items"]:
        assert got(it) == expected("item", it["item"]), (as_of, it["item"])
    assert {o["owner"] for o in data["owners"]} == {r["owner"] for r in tasks}
    for o in data["owners"]:
        assert got(o) == expected("owner", o["owner"]), (as_of, o["owner"])
    for wanted, key in ((lambda r: r["signal"] == "overdue", "overdue"), (due_soon, "due_soon")):
        # a recurring task once, by its earliest occurrence that is so (4.11@2022-05)
        first: dict[str, dict] = {}
        for r in listed_rows:
            task = r["id"].split("@")[0]
            if wanted(r) and (task not in first or r["due"] < first[task]["due"]):
                first[task] = r
        listed = sorted(first.values(), key=lambda r: (
            r["due"], r["item"], int(r["id"].split("@")[0].split(".")[1])))
        assert [r["id"] for r in data[key]] == [r["id"] for r in listed], (as_of, key)


def _rolled_status(statuses: list[str]) -> str:
    """A recurring task's status by its begun occurrences' (docs/reports.md): done when all of
    them are (dropped ones aside), 待审核 when what is left waits for review, under way once
    one is, dropped when all are."""
    active = [s for s in statuses if s != "dropped"]
    if not active:
        return "dropped"
    if all(s == "done" for s in active):
        return "done"
    if all(s in ("done", "review") for s in active):
        return "review"
    return "doing" if any(s in ("doing", "done", "review") for s in active) else "todo"


def _counted_once(run, rows: list[dict], due_soon, as_of: str) -> list[dict]:
    """What the counts count: each row `list` shows, but a recurring task (4.5 and its family,
    listed as its begun occurrences) once, as its occurrences make it — its status rolled up,
    overdue, due soon and behind when one of them is — under its own item and owner."""
    out, begun = [], {}
    for r in rows:
        if r["period"]:
            begun.setdefault(r["id"].split("@")[0], []).append(r)
        else:
            out.append({**r, "flags": {r["signal"]}, "soon": due_soon(r)})
    for task_id, occurrences in begun.items():
        # its owner that day: its own row's (an occurrence assigned alone keeps its own)
        owner = None
        for e in sorted(_json(run, "history", task_id, as_of=as_of), key=lambda e: e["id"]):
            if e["target"] == task_id and e["field"] == "owner" and e["on"] <= as_of:
                owner = e["new"]
        signals = {r["signal"] for r in occurrences}
        lag = next((s for s in ("far_behind", "behind") if s in signals), None)
        out.append({"item": occurrences[0]["item"], "owner": owner, "ongoing": False,
                    "status": _rolled_status([r["status"] for r in occurrences]),
                    "flags": {"overdue"} & signals | ({lag} if lag else set()),
                    "soon": any(map(due_soon, occurrences))})
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_count_agrees_with_list_on_every_day(run, imported, seed):
    _random_history(run, seed)
    waited = lagging = 0
    for day in (DAYS[2], DAYS[9], DAYS[14], DAYS[20], DAYS[-1]):
        _assert_summary_agrees_with_list(run, day.isoformat())
        totals = _json(run, "summary", as_of=day.isoformat())["totals"]
        waited += totals["review"]
        lagging += totals["behind"] + totals["far_behind"]
    assert waited and lagging  # reports waiting for review, and tasks behind their pace


def test_kept_counts_follow_every_writer(run, imported, db_path):
    """The kept tallies (m008) follow commands, undo, and rows another tool inserts, changes
    or deletes."""
    as_of = "2022-07-01"
    for args in (("done", "1.1", "1.2"), ("assign", "--new-unit", "2", "--to", "组织科"),
                 ("drop", "3.1", "--reason", "调整"), ("undo",), ("start", "4.1"),
                 ("due", "6.3", "2022-06-20"), ("reopen", "1.1")):
        assert run("--as-of", as_of, *args).exit_code == 0, args
        _assert_summary_agrees_with_list(run, as_of)
    conn = sqlite3.connect(db_path)
    with conn:  # another tool: a copied task, an archived one, a deleted one
        conn.execute("INSERT INTO tasks (plan, id, item, no, section, title, status, archived,"
                     " origin, owner, due) SELECT plan, '5.99', item, 99, section, title, 'todo',"
                     " 0, origin, '外来', '2022-06-01' FROM tasks WHERE id = '5.1'")
        conn.execute("UPDATE tasks SET due = '2022-06-30' WHERE id = '7.1'")
        conn.execute("UPDATE tasks SET archived = 1 WHERE id = '6.1'")
        conn.execute("DELETE FROM tasks WHERE id = '6.2'")
        conn.execute("INSERT INTO tasks (plan, id, item, no, title, owner, due) VALUES"
                     " ('外来计划', '1.1', 1, 1, '别的计划的任务', '外来', '2022-06-01')")
    conn.close()
    _assert_summary_agrees_with_list(run, as_of)
    # counted again from scratch, plan by plan: a plan jtdj never imported too
    assert rows(db_path, "SELECT owner, status, n FROM owner_tally WHERE plan = '外来计划'") == [
        {"owner": "外来", "status": "todo", "n": 1}]
    # the first command after the other tool's insert counted the new task into the tallies
    assert rows(db_path, "SELECT value FROM settings WHERE key = 'tally_rowid'") == rows(
        db_path, "SELECT CAST(max(rowid) AS TEXT) AS value FROM tasks")
    assert run("--as-of", as_of, "add", "7", "新增的一项任务").exit_code == 0
    _assert_summary_agrees_with_list(run, as_of)
    assert rows(db_path, "SELECT value FROM settings WHERE key = 'tally_rowid'") == rows(
        db_path, "SELECT CAST(max(rowid) AS TEXT) AS value FROM tasks")


@pytest.fixture
def late_plan(run, imported):
    """As of 2023-01-01 every open task of the 2022 plan is overdue; three were checked off in
    the last week of 2022."""
    for task_id in ("1.1", "1.2", "2.1"):
        assert run("--as-of", "2022-12-31", "done", task_id, "--on", "2022-12-28").exit_code == 0
    assert run("--as-of", "2022-12-31", "assign", "--new-unit", "5", "--to", "组织科").exit_code == 0


def test_summary_lists_stop_at_the_limit_and_say_how_many_more(run, late_plan):
    full = _json(run, "summary", as_of="2023-01-01")
    overdue = full["totals"]["overdue"]
    assert overdue > 60 and len(full["overdue"]) == overdue  # JSON: all of them

    md = run("--as-of", "2023-01-01", "summary", "--format", "md").stdout
    assert f"## 滞后事项（{overdue} 项）" in md
    assert f"……另有 {overdue - 50} 项未列出（加 --limit 0 列出全部）" in md

    short = run("--as-of", "2023-01-01", "summary", "--format", "md", "--limit", "3").stdout
    block = short.split("## 滞后事项")[1].split("##")[0]
    listed = [line for line in block.splitlines() if line.startswith("| ") and "编号" not in line]
    assert [line.split(" | ")[0][2:] for line in listed] == [r["id"] for r in full["overdue"][:3]]
    assert f"……另有 {overdue - 3} 项未列出" in block

    everything = run("--as-of", "2023-01-01", "summary", "--format", "md", "--limit", "0").stdout
    assert "另有" not in everything

    capped = _json(run, "summary", "--limit", "4", as_of="2023-01-01")
    assert len(capped["overdue"]) == 4 and capped["totals"]["overdue"] == overdue


def test_report_caps_each_owner_and_each_list(run, late_plan):
    full = _json(run, "report", "--week", "2022-W52", as_of="2023-01-01")
    assert "omitted" not in full
    assert len(full["completed"]) == 3
    groups = {g["owner"]: g["tasks"] for g in full["overdue"]}
    assert list(groups)[0] is None and len(groups["组织科"]) == 6

    capped = _json(run, "report", "--week", "2022-W52", "--limit", "2", as_of="2023-01-01")
    assert [len(g["tasks"]) for g in capped["overdue"]] == [2, 2]
    assert capped["omitted"] == {"completed": 1, "progress": 0,
                                 "overdue": sum(len(t) for t in groups.values()) - 4,
                                 "lagging": 0, "due_soon": 0}
    assert [r["id"] for r in capped["completed"]] == [r["id"] for r in full["completed"][:2]]
    assert capped["overview"] == full["overview"]

    text = run("--as-of", "2023-01-01", "report", "--week", "2022-W52", "--limit", "2").stdout
    assert "组织科（6 项）" in text and "  ……另有 4 项未列出" in text
    assert "本期完成（3 项）" in text and "……另有 1 项未列出（加 --limit 0 列出全部）" in text
    html = run("--as-of", "2023-01-01", "report", "--week", "2022-W52", "--format", "html",
               "--limit", "2").stdout
    assert "另有 1 项未列出" in html


def test_a_negative_limit_is_a_usage_error(run, imported):
    result = run("summary", "--limit", "-1")
    assert result.exit_code == 2
    assert "--limit" in result.stderr and "Traceback" not in result.stderr


def test_state_dates_off_their_status_are_mended_on_upgrade(run, tmp_path, db_path):
    """Schema 1 let a date outlive its status; m007 clears it (the status rules never read it)
    so the counting seeks hold, and summary still agrees with list."""
    db_path.parent.mkdir(parents=True)
    shutil.copy(__import__("test_migrate").V1, db_path)
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE tasks SET done_on = '2022-05-01', dropped_on = '2022-05-02'"
                     " WHERE id = '3.1' AND status = 'todo'")
    conn.close()
    tasks = _json(run, "list", "--status", "all", as_of="2022-07-01")
    assert rows(db_path, "SELECT done_on, dropped_on FROM tasks WHERE id = '3.1'") == [
        {"done_on": None, "dropped_on": None}]
    totals = _json(run, "summary", as_of="2022-07-01")["totals"]
    assert totals["todo"] == sum(r["status"] == "todo" for r in tasks)
    assert totals["overdue"] == sum(r["light"] == "red" for r in tasks)


def test_display_width_counts_every_character_as_unicodedata_does():
    """The bulk count of CJK runs in the plain-text report must give the widths of the
    character-by-character rule, for every character and for mixed titles."""
    from unicodedata import combining, east_asian_width

    from jtdj.render.text import display_width

    def slow(text):
        return sum(0 if combining(ch) else 2 if east_asian_width(ch) in "WF" else 1
                   for ch in text)

    for cp in range(0x20, 0x30000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        assert display_width(ch) == slow(ch), hex(cp)
    for text in ("办好“名师成长营”", "7.7 组织好校科级干部研修（2022-07-01）", "█████░░░░░",
                 "e\u0301té ｱｲｳ ＡＢＣ 한국어 ≥ 𠀀", ""):
        assert display_width(text) == slow(text), text


def test_the_status_rule_in_sql_is_the_rule_in_python_for_every_state_and_date():
    """A task's (and a share's) status on a day, as every list, count and past day reads it in
    SQL (``tasks.effective_status``), is the status ``shares.effective`` gives a share's record:
    each stored status (and one no writer makes), each state date missing, before, on or after
    the day, in every combination."""
    import itertools

    from jtdj import shares
    from jtdj.store.tasks import effective_status

    day = date(2022, 7, 1)
    dates = [None, "2022-06-30", "2022-07-01", "2022-07-02"]
    states = list(itertools.product(["todo", "doing", "done", "dropped", "review", "paused"],
                                    dates, dates, dates))
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE s (status, done_on, dropped_on, started_on)")
    conn.executemany("INSERT INTO s VALUES (?, ?, ?, ?)", states)
    in_sql = conn.execute(f"SELECT {effective_status('s')} FROM s ORDER BY rowid",
                          {"d": day.isoformat()}).fetchall()
    for (status, done_on, dropped_on, started_on), (got,) in zip(states, in_sql):
        share = {"status": status, "done_on": done_on, "dropped_on": dropped_on,
                 "started_on": started_on, "percent": None, "unit_name": "甲校", "unit": 1,
                 "evidence": [], "drop_reason": None}
        assert got == shares.effective(share, None, day)["status"], (status, done_on,
                                                                      dropped_on, started_on)
    assert {s for (s,) in in_sql} == {"todo", "doing", "done", "dropped", "review"}
