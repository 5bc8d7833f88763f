"""Recurring obligations (``every``): each task's occurrences kept as rows, and the occurrence
a clerk means.

A recurring task has one occurrence per period whose due day falls in its window (its
``start``, else the plan's issue date, else the day it was added or first imported, to the
plan's due date; ``recurrence``). ``sync`` keeps the rows: it adds the occurrences a task lacks,
retires those no longer in its series (kept, with their history; one in the series again comes
back) and keeps their copy of the task's words and people equal to the task's, logging each
change, so that every past day replays as it was. An occurrence is a task row of its own
(``store.occurrences``): `done`, `note`, shares and undo treat it as any task.
"""

from __future__ import annotations

from datetime import date

from jtdj import recurrence
from jtdj.errors import NotFound, UsageError
from jtdj.i18n import t
from jtdj.store import occurrences as db
from jtdj.store.bulk import insert_tasks, update_task_columns


def window(store, plan_row: dict, task: dict, today: date) -> tuple[date, date]:
    """A recurring task's window: from its start (else the plan's issue date, else the day it
    was added, else ``today``) to the plan's due date (else the end of the start's year)."""
    first = task["start"] or (db.add_day(store, plan_row["key"], task["id"])
                              if task["origin"] == "added" else None) or plan_row["issued"]
    start = date.fromisoformat(first) if first else today
    end = date.fromisoformat(plan_row["due"]) if plan_row["due"] else date(start.year, 12, 31)
    return start, end


def series(store, plan_row: dict, task: dict, today: date) -> list[recurrence.Occurrence]:
    start, end = window(store, plan_row, task, today)
    return recurrence.occurrences(task["every"], task["due_day"], start, end)


def sync(store, batch, plan_key: str, today: date, action: str = "import") -> set[str]:
    """Make every recurring task's occurrence rows what its ``every``, ``day`` and window say,
    their copied fields the task's; return the ids of the occurrences added."""
    plan_row = store.plan(plan_key)
    parents = db.recurring_tasks(store, plan_key)
    if not parents:
        return set()
    held = db.of_tasks(store, plan_key, [p["id"] for p in parents])
    added = []
    for task in parents:
        rows = {r["period"]: r for r in held.get(task["id"], [])}
        wanted = series(store, plan_row, task, today)
        start = window(store, plan_row, task, today)[0]
        for o in wanted:
            row = rows.pop(o.period, None)
            if row is None:
                added.append(_new_row(task, o, max(o.first, start)))
                continue
            changes = {c: task[c] for c in db.COPIED if row[c] != task[c]}
            if row["archived"] == db.RETIRED:
                changes["archived"] = db.OCCURRENCE
            _change(batch, plan_key, row, changes, action)
        for row in rows.values():  # no longer in the series: kept, not shown
            if row["archived"] != db.RETIRED:
                _change(batch, plan_key, row, {"archived": db.RETIRED}, action)
    if added:
        insert_tasks(store, added)
        for row in added:
            batch.event(row["id"], action, "status", None, "todo")
        store.cache.pop(("has_recurring", plan_key), None)
    return {row["id"] for row in added}


def live(store, plan_key: str) -> dict[str, list[dict]]:
    """The occurrences in each recurring task's series now, by task, each list by period."""
    return {task: [r for r in rows if r["archived"] == db.OCCURRENCE]
            for task, rows in db.of_tasks(store, plan_key).items()}


def ended(occurrence: dict, day: date) -> bool:
    """Whether the occurrence's period was over before ``day``."""
    return recurrence.period_last(occurrence["period"]) < day


def _new_row(task: dict, o: recurrence.Occurrence, start: date) -> dict:
    return {**{c: task[c] for c in ("plan", "item", "no", "section", "title", "timing", "owner",
                                     "support", "tags", "origin")},
            "id": f"{task['id']}@{o.period}", "start": start.isoformat(),
            "due": o.due.isoformat(), "status": "todo", "percent": None, "started_on": None,
            "done_on": None, "dropped_on": None, "drop_reason": None,
            "archived": db.OCCURRENCE, "evidence": "[]", "kind": None, "every": None,
            "due_day": None, "parent": task["id"], "period": o.period, "file_values": None}


def _change(batch, plan_key: str, row: dict, changes: dict, action: str) -> None:
    if not changes:
        return
    update_task_columns(batch.store, plan_key, row["id"], changes)
    for column, new in changes.items():
        batch.event(row["id"], action, column, row[column], new)


# --- the occurrence a clerk means ---------------------------------------------------------

def pick(store, plan_key: str, task_id: str, period_text: str | None, on: date | None,
         today: date) -> str:
    """The occurrence of the recurring task ``task_id`` a command acts on: the one of the
    period typed (``@2022-07``, ``@7月``, ``@三季度`` …), else the one containing ``on``, else
    the earliest open one whose period has begun by ``today``."""
    task = store.task(plan_key, task_id)
    rows = [r for r in db.of_tasks(store, plan_key, [task_id]).get(task_id, [])
            if r["archived"] == db.OCCURRENCE]
    periods = [r["period"] for r in rows]
    if period_text is not None:
        year = int(rows[0]["period"][:4]) if rows else today.year
        period = recurrence.parse_period(period_text, task["every"], year)
        if period is None or period not in periods:
            raise NotFound(t("occurrence.no_period", id=task_id, period=period_text,
                             periods=t("list.sep").join(periods) or "-"))
        return f"{task_id}@{period}"
    if on is not None:
        for r in rows:
            if r["start"] <= on.isoformat() <= r["due"] or (
                    recurrence.period_of(task["every"], on).period == r["period"]):
                return r["id"]
        raise NotFound(t("occurrence.none_on", id=task_id, day=on.isoformat()))
    begun = [r for r in rows if r["start"] <= today.isoformat()]
    for r in begun:
        if r["status"] in ("todo", "doing", "review"):
            return r["id"]
    if not begun:
        raise UsageError(t("occurrence.none_begun", id=task_id, first=periods[0] if periods else "-"))
    raise UsageError(t("occurrence.all_done", id=task_id))
