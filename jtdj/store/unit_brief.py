"""The reads `report --unit` needs beyond the task and share queries: the latest note of each
of a unit's rows (a task it leads, or its share ``<task>@<unit id>``) as of a day, what of the
tasks it leads waited for review or came back then (``review_marks``), and the day each row was
last sent back (``returned_on``)."""

from __future__ import annotations

import json
from datetime import date

from jtdj.store import Store, history


def latest_notes(store: Store, plan: str, targets: list[str], until: date) -> dict[str, str]:
    """Per target, the text of its last note dated on or before ``until``."""
    if not targets:
        return {}
    marks = ",".join("?" * len(targets))
    out: dict[str, str] = {}
    for target, text in store.conn.execute(
            f"SELECT target, text FROM notes WHERE plan = ? AND target IN ({marks})"
            " AND on_date <= ? ORDER BY on_date, id", (plan, *targets, until.isoformat())):
        out[target] = text
    return out


def review_marks(store: Store, plan: str, ids: list[str], day: date) -> dict[str, dict]:
    """Per task id: its reported_on, request (decoded) and returned as they were at the end of
    ``day`` (the rows ``history.as_of`` replays stand for the others)."""
    if not ids:
        return {}
    params = {"plan": plan, "d": day.isoformat(), "ids": json.dumps(ids)}
    columns = "t.id, t.reported_on, t.request, t.returned"
    sql = (f"SELECT {columns} FROM tasks t WHERE t.plan = :plan"
           " AND t.id IN (SELECT value FROM json_each(:ids))")
    if history.as_of(store, plan, day):
        sql += (f"{history.kept_rows(store, plan, day)} UNION ALL SELECT {columns}"
                " FROM temp.asof_tasks t WHERE t.day = :d AND t.plan = :plan"
                " AND t.id IN (SELECT value FROM json_each(:ids))")
    return {r[0]: {"reported_on": r[1], "request": json.loads(r[2]) if r[2] else None,
                   "returned": r[3]} for r in store.conn.execute(sql, params)}


def returned_on(store: Store, plan: str, targets: list[str], day: date) -> dict[str, str]:
    """Per target, the day of the last `return` that set its reason, on or before ``day``
    (undone runs left out)."""
    if not targets:
        return {}
    undone = history.undone_batches(store, plan)
    out: dict[str, str] = {}
    for target, on_date, batch in store.conn.execute(
            "SELECT target, on_date, batch FROM events WHERE plan = ? AND action = 'return'"
            " AND field = 'returned' AND target IN (SELECT value FROM json_each(?))"
            " AND on_date <= ? ORDER BY id", (plan, json.dumps(targets), day.isoformat())):
        if batch not in undone:
            out[target] = on_date
    return out
