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

import json
from datetime import date

from jtdj import recurrence
from jtdj.errors import NotFound, UsageError
from jtdj.i18n import t
from jtdj.store import occurrences as db
from jtdj.store.bulk import insert_added_events, insert_tasks, update_task_columns


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


def sync(store, batch, plan_key: str, today: date, action: str = "import",
         states: dict | None = None) -> set[str]:
    """Make every recurring task's occurrence rows what its ``every``, ``day`` and window say,
    their copied fields the task's; return the ids of the occurrences added. An occurrence
    added takes the state the plan file gives it (``states``: task id → ``OccurrenceState``
    list, an export's ``[[…occurrences]]``; those of a unit are its share's, ``importshares``)."""
    plan_row = store.plan(plan_key)
    parents = db.recurring_tasks(store, plan_key)
    if not parents:
        return set()
    held = db.of_tasks(store, plan_key, [p["id"] for p in parents])
    kept_dues = db.clerks_dues(store, plan_key) if held else set()
    added = []
    for task in parents:
        rows = {r["period"]: r for r in held.get(task["id"], [])}
        wanted = series(store, plan_row, task, today)
        start = window(store, plan_row, task, today)[0]
        for o in wanted:
            row = rows.pop(o.period, None)
            if row is None:
                state = next((s for s in (states or {}).get(task["id"], ())
                              if s.period == o.period and s.unit is None), None)
                added.append(_new_row(task, o, max(o.first, start), state))
                continue
            changes = {c: task[c] for c in db.COPIED if row[c] != task[c]}
            given = next((s.due for s in (states or {}).get(task["id"], ())
                          if s.period == o.period and s.unit is None and s.due), None)
            due = (given or o.due).isoformat()
            if row["due"] != due and row["id"] not in kept_dues:  # a new `day` in the file
                changes["due"] = due
            if row["archived"] == db.RETIRED:
                changes["archived"] = db.OCCURRENCE
            _change(batch, plan_key, row, changes, action)
        for row in rows.values():  # no longer in the series: kept, not shown
            if row["archived"] != db.RETIRED:
                _change(batch, plan_key, row, {"archived": db.RETIRED}, action)
    if added:
        notes = [(row["id"], row.pop("_notes")) for row in added]
        before = insert_tasks(store, added)
        # their status events in one statement, as an import writes its tasks'
        insert_added_events(store, (batch.id, batch.at, batch.on.isoformat(), batch.actor),
                            before, action)
        for target, row_notes in notes:
            for n in row_notes:
                store.add_note(batch, target, n.text, n.percent, on=n.on, by=n.by)
        store.cache.pop(("has_recurring", plan_key), None)
    return {row["id"] for row in added}


def live(store, plan_key: str) -> dict[str, list[dict]]:
    """The occurrences in each recurring task's series now, by task, each list by period."""
    return {task: [r for r in rows if r["archived"] == db.OCCURRENCE]
            for task, rows in db.of_tasks(store, plan_key).items()}


def ended(occurrence: dict, day: date) -> bool:
    """Whether the occurrence's period was over before ``day``."""
    return recurrence.period_last(occurrence["period"]) < day


def _new_row(task: dict, o: recurrence.Occurrence, start: date, state=None) -> dict:
    """An occurrence's row, with the state a plan file gives it (``OccurrenceState``)."""
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return {**{c: task[c] for c in ("plan", "item", "no", "section", "title", "timing", "owner",
                                     "support", "tags", "origin", "pos")},
            "id": f"{task['id']}@{o.period}", "start": start.isoformat(),
            "due": iso(state and state.due) or o.due.isoformat(),
            "status": state.status if state else "todo",
            "percent": state.percent if state else None, "started_on": None,
            "done_on": iso(state and state.done_on), "dropped_on": iso(state and state.dropped_on),
            "drop_reason": state.drop_reason if state else None,
            "archived": db.OCCURRENCE,
            "evidence": json.dumps(state.evidence, ensure_ascii=False) if state else "[]",
            "kind": None, "every": None, "due_day": None, "parent": task["id"],
            "period": o.period, "file_values": None, "_notes": state.notes if state else []}


def _change(batch, plan_key: str, row: dict, changes: dict, action: str) -> None:
    if not changes:
        return
    update_task_columns(batch.store, plan_key, row["id"], changes)
    for column, new in changes.items():
        batch.event(row["id"], action, column, row[column], new)


# --- `show` --------------------------------------------------------------------------------

def detail(store, plan_key: str, task_id: str, as_of: date) -> dict:
    """A recurring task as `show` gives it: every occurrence's record (past, current and next),
    the status and worst signal its begun ones give it (``store.occurrence_counts``), and how
    many are done and how many were due by the day (its percent and 序时进度: of all of them)."""
    from jtdj.store import lights
    from jtdj.store.occurrence_counts import rolled_up
    from jtdj.store.tasks import TaskFilter, select_tasks

    ids = [r["id"] for r in live(store, plan_key).get(task_id, [])]
    records = select_tasks(store, plan_key, TaskFilter(status="all", ids=ids, occurrences=True),
                           as_of) if ids else []
    begun = [r for r in records if r["start"] <= as_of.isoformat()]
    status, flags = rolled_up(begun, store.lights, as_of)
    signal = next((f for f in ("overdue", "far_behind", "behind", "due_soon") if f in flags),
                  "closed" if status in ("done", "dropped") else "on_track")
    done = sum(r["status"] == "done" for r in records)
    due = sum(r["due"] < as_of.isoformat() or r["status"] == "done" for r in records)
    return {"status": status, "signal": signal, "light": lights.SIGNAL_LIGHT[signal],
            "done": done, "due_by_now": due, "occurrences": records}


# --- the plan file: what an export writes, what an import applies -------------------------

def export_series(store, plan_row: dict, tasks: dict[int, list[dict]], held: dict[str, list],
                  shares: dict[str, list], book, planned, note) -> dict[str, dict]:
    """Each recurring task's ``each`` (the units holding shares of its occurrences) and
    ``occurrences`` (those, or their units' shares, whose state is not the default), as the
    plan file writes them (``planned``: a status as the file keeps it; ``note``: a note)."""
    from jtdj.store.units import share_target

    out = {}
    for rows in tasks.values():
        for task in rows:
            if not task["every"]:
                continue
            imported = date.fromisoformat(plan_row["imported_at"][:10])  # a window's last resort
            due_of = {o.period: o.due.isoformat()
                      for o in series(store, plan_row, task, imported)}
            units, entries = {}, []
            for occ in held.get(task["id"], []):
                entries.append(_entry(book, occ, None, due_of.get(occ["period"]), planned, note))
                for s in shares.get(occ["id"], []):
                    units.setdefault(s["unit_name"])
                    entries.append(_entry(book, {**s, "id": share_target(occ["id"], s["unit"]),
                                                 "period": occ["period"]},
                                          s["unit_name"], None, planned, note))
            out[task["id"]] = {"each": list(units) or None,
                               "occurrences": [e for e in entries if e] or None}
    return out


def _entry(book, row: dict, unit: str | None, default_due: str | None, planned,
           note) -> dict | None:
    """An occurrence's (or its share's) table, None when its state is the default."""
    status = planned(row["status"])
    evidence = row["evidence"] if isinstance(row["evidence"], list) else json.loads(
        row["evidence"] or "[]")
    state = {"status": status if status != "todo" else None, "percent": row["percent"],
             "due": _day(row["due"]) if row["due"] != default_due else None,
             "done_on": _day(row["done_on"]) if status == "done" else None,
             "dropped_on": _day(row["dropped_on"]) if status == "dropped" else None,
             "drop_reason": row["drop_reason"] if status == "dropped" else None,
             "evidence": evidence or None,
             "notes": [note(n) for n in book.task_notes(row["id"], status)] or None}
    if all(v is None for v in state.values()):
        return None
    return {"period": row["period"], "unit": unit, **state}


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


# --- the occurrence a clerk means ---------------------------------------------------------

def pick(store, plan_key: str, task_id: str, period_text: str | None, on: date | None,
         today: date, units: list[int] | None = None) -> str:
    """The occurrence of the recurring task ``task_id`` a command acts on: the one of the
    period typed (``@2022-07``, ``@7月``, ``@三季度`` …), else the one containing ``on``, else
    the earliest open one whose period has begun by ``today`` (with ``units``: the earliest
    in which one of those units' shares is open)."""
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
    if units:
        from jtdj.store.units import shares

        held = shares(store, plan_key, [r["id"] for r in begun]) if begun else {}
        begun = [{**r, "status": next((sh["status"] for sh in held.get(r["id"], [])
                                       if sh["unit"] in units and sh["status"] in (
                                           "todo", "doing", "review")), "done")} for r in begun]
    for r in begun:
        if r["status"] in ("todo", "doing", "review"):
            return r["id"]
    if not begun:
        raise UsageError(t("occurrence.none_begun", id=task_id, first=periods[0] if periods else "-"))
    raise UsageError(t("occurrence.all_done", id=task_id))
