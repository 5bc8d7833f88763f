"""Summaries and period reports, computed as plain data (dicts and lists; no printing, no formats).

Counts come from ``store.counts.count_tasks`` (the counting rules of ``jtdj list``, in SQL), so
a summary costs a fixed handful of queries however many tasks the plan has. A period holds what
happened from its first day to ``until``, both included; the state shown is the state as of
``until``, and the period starts from the state as of the day before its first.
"""

from __future__ import annotations

from datetime import date

from jtdj.parse import Period
from jtdj.store import Store, history
from jtdj.store import counts as st
from jtdj.store import period_lists as pl
from jtdj.store import unit_counts as uc
from jtdj.share_tally import share_tally, shared
from jtdj.store.lights import percent

COUNT_KEYS = ("tasks", "done", "doing", "todo", "review", "dropped", "open", "overdue",
              "due_soon", "behind", "far_behind", "ongoing", "percent_done")
TASK_KEYS = ("id", "title", "owner", "due")


def counts(values) -> dict:
    """A count list from the store (``counts.COUNT_FIELDS``) as the COUNT_KEYS record, with
    open and % done added. A report waiting for review (待审核) is open, not yet done. The
    ongoing tasks (常态推进) count among the tasks, not in the base of the % done."""
    (tasks, done, doing, todo, dropped, overdue, due_soon, review, behind, far_behind,
     ongoing, ongoing_done) = values
    return {"tasks": tasks, "done": done, "doing": doing, "todo": todo, "review": review,
            "dropped": dropped, "open": todo + doing + review, "overdue": overdue,
            "due_soon": due_soon, "behind": behind, "far_behind": far_behind,
            "ongoing": ongoing,
            "percent_done": percent(done - ongoing_done, tasks - dropped - ongoing)}


def totals(store: Store, plan: str, as_of: date) -> dict:
    return counts(st.count_tasks(store, plan, as_of, "total")[None])


def sections_and_items(store: Store, plan: str, as_of: date) -> tuple[list[dict], list[dict]]:
    """Per-section and per-item counts, in plan order; parts with no tasks are left out."""
    by_section = st.count_tasks(store, plan, as_of, "section")
    by_item = st.count_tasks(store, plan, as_of, "item")
    sections = [{"section": s["no"], "title": s["title"], **counts(by_section[s["no"]])}
                for s in store.sections(plan) if s["no"] in by_section]
    items = [{"item": no, "section": section, "title": title, **counts(by_item[no])}
             for no, section, title in store.item_heads(plan) if no in by_item]
    return sections, items


def owners(store: Store, plan: str, as_of: date) -> list[dict]:
    """Per owner (null: no owner yet), by name, the tasks without an owner last. A task handed
    to units counts through its shares, each under its unit, not under its lead (nor as a task
    without an owner); a recurring one once under each unit, by its occurrence shares
    (``shares.on_day``). Where forms were issued for the plan, each row says the day of the unit's
    last form merged (``last_report``) and whether the latest form issued was late (``late``).
    Kept for the command, as ``shared`` is (a report and its 通报 table both read it)."""
    key = ("owners", plan, as_of)
    if key not in store.cache:
        store.cache[key] = _owners(store, plan, as_of)
    return store.cache[key]


def _owners(store: Store, plan: str, as_of: date) -> list[dict]:
    rows = {owner: list(values)
            for owner, values in st.count_tasks(store, plan, as_of, "owner").items()}
    tally = share_tally(store, plan, as_of)
    if tally.titles:
        for owner, of_owner in tally.leads.items():
            acc = rows.setdefault(owner, [0] * len(st.COUNT_FIELDS))
            for i, n in enumerate(of_owner):
                acc[i] -= n
        for unit, of_unit in tally.units.items():
            acc = rows.setdefault(unit, [0] * len(st.COUNT_FIELDS))
            for i, n in enumerate(of_unit):
                acc[i] += n
        rows = {k: rows[k] for k in sorted((k for k in rows if rows[k][0]),
                                           key=lambda k: (k is None, k or ""))}
    out = [{"owner": owner, **counts(values)} for owner, values in rows.items()]
    issued = uc.forms(store, plan)
    if issued:
        reports = form_marks(issued, as_of)
        for row in out:
            row.update(reports.get(row["owner"], {"last_report": None, "late": False}))
    return out


def form_marks(issued: list[dict], as_of: date) -> dict[str, dict]:
    """Per unit: the day of its last form merged by ``as_of`` (its 填报日期, else the day
    merged), and whether its latest form issued by then came after its reply-by date (by its
    填报日期, else the day merged: a clerk who merges a day late makes no unit late) or has not
    come and the date is past (未按时反馈)."""
    day = as_of.isoformat()
    out: dict[str, dict] = {}
    for f in issued:  # oldest first: the later form of a unit wins
        if f["as_of"] > day:
            continue
        mark = out.setdefault(f["unit"], {"last_report": None, "late": False, "_merged": ""})
        merged = f["merged_on"] is not None and f["merged_on"] <= day
        if merged and f["merged_on"] >= mark["_merged"]:
            mark["_merged"] = f["merged_on"]
            mark["last_report"] = date.fromisoformat(f["filled_on"] or f["merged_on"])
        came = f["filled_on"] or f["merged_on"]
        mark["late"] = came > f["reply_by"] if merged else f["reply_by"] < day
    for mark in out.values():
        del mark["_merged"]
    return out


def task_list(store: Store, plan: str, as_of: date, which: str,
              limit: int | None = None) -> list[dict]:
    """The overdue tasks, or those due within 14 days (the same rules as `jtdj list`), the
    first ``limit`` by due date."""
    return [dict(zip(TASK_KEYS, row)) for row in st.due_tasks(store, plan, as_of, which, limit)]


LAG_KEYS = ("id", "title", "owner", "due", "signal", "percent", "expected_percent", "lag")


def lagging_by_owner(store: Store, plan: str, as_of: date,
                     limit: int | None = None) -> list[dict]:
    """The open tasks behind or far behind the pace of their window as of ``as_of`` (序时进度:
    the list's own query, ``list --lagging``, so a past day is as it was then), per owner as
    the overdue ones are (no owner first, then by name); a task handed to units through its
    shares behind their pace, each under its unit (as ``owners`` counts them). Far behind
    first, the largest lag first, then by id; with ``limit``, the first ``limit`` of each and
    ``omitted``."""
    from jtdj.store.lights import LAGGING
    from jtdj.store.tasks import TaskFilter, select_tasks

    tally = share_tally(store, plan, as_of)
    titles = tally.titles
    if tally.behind is None:
        by_task = shared(store, plan, as_of)[1]
    else:  # only the shares behind, from SQLite, and the recurring tasks' records
        by_task = {**tally.behind, **tally.recurring}
    groups: dict = {}
    # an ongoing task (常态推进) has no pace: a quiet one is in the 常态工作 block (``ongoing``)
    for r in select_tasks(store, plan, TaskFilter(status="open", lagging=True, ongoing=False),
                          as_of):
        if r["id"] not in titles:
            groups.setdefault(r["owner"], []).append({k: r[k] for k in LAG_KEYS})
    for task, ss in by_task.items():
        for s in ss:
            if s["signal"] in LAGGING and not s.get("ongoing"):
                groups.setdefault(s["unit"], []).append(
                    {**{k: s.get(k) for k in LAG_KEYS}, "id": task,
                     "title": titles[task], "owner": s["unit"]})
    out = []
    for owner in sorted(groups, key=lambda k: (k is not None, k or "")):
        rows = sorted(groups[owner], key=lambda r: (r["signal"] != "far_behind", -r["lag"],
                                                    *map(int, r["id"].split("."))))
        group = {"owner": owner, "tasks": rows if limit is None else rows[:limit]}
        if limit is not None:
            group["omitted"] = len(rows) - len(group["tasks"])
        out.append(group)
    return out


ONGOING_KEYS = ("id", "title", "owner", "status", "light", "signal", "last_note", "note", "unit")
OPEN = ("todo", "doing", "review")


def ongoing(store: Store, plan: str, day: date, before: date | None = None) -> dict | None:
    """The ongoing tasks (常态推进) as of ``day``, not dropped, in plan order (the JSON
    ``ongoing`` block; None when the plan has none): how many, how many are quiet (``quiet``:
    signal behind, no note for [lights] ongoing_quiet_days), and each with its latest note on
    or before the day, on itself or on a share (``unit``: the share's unit). With ``before``
    (the day before a period), each row says whether it has a note in the period
    (``note_in_period``) and ``no_note_in_period`` counts the open ones that have none."""
    from jtdj.store import ongoing as og
    from jtdj.store.tasks import TaskFilter, select_tasks

    records = [r for r in select_tasks(store, plan, TaskFilter(status="all", ongoing=True), day)
               if r["status"] != "dropped"]
    if not records:
        return None
    latest = og.latest_notes(store, plan, [r["id"] for r in records], day)[1]
    rows = []
    for r in records:
        n = latest.get(r["id"]) or {}
        row = {**{k: r[k] for k in ONGOING_KEYS[:6]}, "last_note": n.get("on"),
               "note": n.get("text"), "unit": n.get("unit")}
        if before is not None:
            row["note_in_period"] = bool(n) and n["on"] > before.isoformat()
        rows.append(row)
    out = {"tasks": len(rows), "quiet": sum(r["signal"] == "behind" for r in rows)}
    if before is not None:
        out["no_note_in_period"] = sum(not r["note_in_period"] for r in rows
                                       if r["status"] in OPEN)
    return {**out, "rows": rows}


def occurrences(store: Store, plan: str, day: date) -> dict | None:
    """The occurrences of the recurring tasks as of the day, per task and per unit (the JSON
    ``occurrences`` block, 周期性工作; None when the plan has none): ``occurrence_counts.block``
    over each unit's begun occurrence shares (``share_tally``: as they were that day)."""
    from jtdj.store import occurrence_counts as oc

    units: dict[str, list[dict]] = {}
    for ss in share_tally(store, plan, day).recurring.values():
        for s in ss:
            if "occurrences" in s:
                units.setdefault(s["unit"], []).extend(s["occurrences"])
    return oc.block(store, plan, day, units)


def plan_head(store: Store, plan: str) -> dict:
    row = store.plan(plan) or {}
    return {"key": plan, "title": row.get("title") or plan, "issuer": row.get("issuer"),
            "doc_no": row.get("doc_no")}


def summary(store: Store, plan: str, as_of: date, limit: int | None = None) -> dict:
    """The plan at a glance as of a date (the JSON of `jtdj summary`). With ``limit``, the
    overdue and due-soon lists hold their first ``limit`` tasks; the totals still count all."""
    sections, items = sections_and_items(store, plan, as_of)
    data = {
        "plan": plan, "title": plan_head(store, plan)["title"], "as_of": as_of,
        "totals": totals(store, plan, as_of), "shares": share_tally(store, plan, as_of).block,
        "sections": sections, "items": items, "owners": owners(store, plan, as_of),
        "overdue": task_list(store, plan, as_of, "overdue", limit),
        "due_soon": task_list(store, plan, as_of, "due_soon", limit),
    }
    block = ongoing(store, plan, as_of)
    if block:
        data["ongoing"] = block
    block = occurrences(store, plan, as_of)
    return {**data, "occurrences": block} if block else data


CHANGE_KINDS = ("added", "dropped", "rescheduled", "reassigned")
CHANGE_KEYS = ("id", "title", "on", "by", "old", "new")


def report(store: Store, plan: str, period: Period, as_of: date,
           limit: int | None = None) -> dict:
    """The period report (the JSON of `jtdj report`): seven parts, state as of ``until``;
    ``as_of`` is the day it is made for (a rerun for the same day gives the same report).

    With ``limit``, each list holds its first ``limit`` entries (the overdue ones: per owner)
    and ``omitted`` says how many were left out of each; the counts still count everything.
    """
    sections, items = sections_and_items(store, plan, period.until)
    start = totals(store, plan, period.before)
    end = totals(store, plan, period.until)
    items_by_section: dict[int, list[dict]] = {}
    for it in items:
        items_by_section.setdefault(it["section"], []).append(it)
    completed, n_completed = pl.completed_between(store, plan, period.before, period.until, limit)
    notes, n_notes = pl.notes_between(store, plan, period.before, period.until, limit)
    overdue = []
    for owner, count, rows in st.overdue_by_owner(store, plan, period.until, limit):
        group = {"owner": owner, "tasks": [
            {**dict(zip(TASK_KEYS, r)), "days": (period.until - date.fromisoformat(r[3])).days}
            for r in rows]}
        if limit is not None:
            group["omitted"] = count - len(rows)
        overdue.append(group)
    due_soon = task_list(store, plan, period.until, "due_soon", limit)
    lagging = lagging_by_owner(store, plan, period.until, limit)
    head = plan_head(store, plan)
    changes = {kind: [] for kind in CHANGE_KINDS}
    for kind, *values in history.changes_between(store, plan, period.before, period.until):
        changes[kind].append(dict(zip(CHANGE_KEYS, values)))
    data = {
        "plan": plan, "title": head["title"], "issuer": head["issuer"],
        "doc_no": head["doc_no"], "as_of": as_of,
        "period": {"since": period.first, "until": period.until, "first_day": period.first,
                   "week": period.week},
        "overview": {"start": start, "end": end,
                     "change": {k: end[k] - start[k] for k in COUNT_KEYS}},
        "completed": [{"id": r["id"], "title": r["title"], "owner": r["owner"],
                       "on": r["done_on"], "note": r["note"]} for r in completed],
        "progress": [{"id": r["target"], "title": r["title"], "on": r["on_date"],
                      "by": r["actor"], "text": r["text"], "percent": r["percent"]}
                     for r in notes],
        "overdue": overdue,
        "lagging": lagging,
        "due_soon": due_soon,
        "sections": [{**s, "items": items_by_section.get(s["section"], [])} for s in sections],
        "changes": changes,
    }
    block = ongoing(store, plan, period.until, period.before)
    if block:
        data["ongoing"] = block
    block = occurrences(store, plan, period.until)
    if block:
        data["occurrences"] = block
    data["shares"] = share_tally(store, plan, period.until).block
    data["owners"] = owners(store, plan, period.until)
    if limit is not None:
        data["omitted"] = {"completed": n_completed - len(completed),
                           "progress": n_notes - len(notes),
                           "overdue": sum(g["omitted"] for g in overdue),
                           "lagging": sum(g["omitted"] for g in lagging),
                           "due_soon": end["due_soon"] - len(due_soon)}
    return data


def overdue_count(data: dict) -> int:
    """How many tasks are overdue in a summary or report (for --fail-on-overdue)."""
    if "totals" in data:
        return data["totals"]["overdue"]
    return data["overview"]["end"]["overdue"]
