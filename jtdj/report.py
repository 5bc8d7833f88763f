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
from jtdj.views import percent

COUNT_KEYS = ("tasks", "done", "doing", "todo", "dropped", "open", "overdue", "due_soon",
              "percent_done")
TASK_KEYS = ("id", "title", "owner", "due")


def counts(values) -> dict:
    """A count list from the store (tasks, done, doing, todo, dropped, overdue, due_soon) as
    the COUNT_KEYS record, with open and % done added."""
    tasks, done, doing, todo, dropped, overdue, due_soon = values
    return {"tasks": tasks, "done": done, "doing": doing, "todo": todo, "dropped": dropped,
            "open": todo + doing, "overdue": overdue, "due_soon": due_soon,
            "percent_done": percent(done, tasks - dropped)}


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
    """Per owner (null: no owner yet), by name, the tasks without an owner last."""
    return [{"owner": owner, **counts(values)}
            for owner, values in st.count_tasks(store, plan, as_of, "owner").items()]


def task_list(store: Store, plan: str, as_of: date, which: str,
              limit: int | None = None) -> list[dict]:
    """The overdue tasks, or those due within 14 days (the same rules as `jtdj list`), the
    first ``limit`` by due date."""
    return [dict(zip(TASK_KEYS, row)) for row in st.due_tasks(store, plan, as_of, which, limit)]


def plan_head(store: Store, plan: str) -> dict:
    row = store.plan(plan) or {}
    return {"key": plan, "title": row.get("title") or plan, "issuer": row.get("issuer"),
            "doc_no": row.get("doc_no")}


def summary(store: Store, plan: str, as_of: date, limit: int | None = None) -> dict:
    """The plan at a glance as of a date (the JSON of `jtdj summary`). With ``limit``, the
    overdue and due-soon lists hold their first ``limit`` tasks; the totals still count all."""
    sections, items = sections_and_items(store, plan, as_of)
    return {
        "plan": plan, "title": plan_head(store, plan)["title"], "as_of": as_of,
        "totals": totals(store, plan, as_of), "sections": sections, "items": items,
        "owners": owners(store, plan, as_of),
        "overdue": task_list(store, plan, as_of, "overdue", limit),
        "due_soon": task_list(store, plan, as_of, "due_soon", limit),
    }


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
    completed, n_completed = st.completed_between(store, plan, period.before, period.until, limit)
    notes, n_notes = st.notes_between(store, plan, period.before, period.until, limit)
    overdue = []
    for owner, count, rows in st.overdue_by_owner(store, plan, period.until, limit):
        group = {"owner": owner, "tasks": [
            {**dict(zip(TASK_KEYS, r)), "days": (period.until - date.fromisoformat(r[3])).days}
            for r in rows]}
        if limit is not None:
            group["omitted"] = count - len(rows)
        overdue.append(group)
    due_soon = task_list(store, plan, period.until, "due_soon", limit)
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
        "due_soon": due_soon,
        "sections": [{**s, "items": items_by_section.get(s["section"], [])} for s in sections],
        "changes": changes,
    }
    if limit is not None:
        data["omitted"] = {"completed": n_completed - len(completed),
                           "progress": n_notes - len(notes),
                           "overdue": sum(g["omitted"] for g in overdue),
                           "due_soon": end["due_soon"] - len(due_soon)}
    return data


def overdue_count(data: dict) -> int:
    """How many tasks are overdue in a summary or report (for --fail-on-overdue)."""
    if "totals" in data:
        return data["totals"]["overdue"]
    return data["overview"]["end"]["overdue"]
