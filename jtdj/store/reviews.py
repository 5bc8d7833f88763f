"""The reads of 审核: what waits for the office, on tasks and on shares (migrations.m013).

A task or share waits when a unit reported it 已完成 (status ``review``) or asked for a new
date or to drop it (``request``). Both tables have a partial index of the waiting rows, so
these reads never walk the plan.
"""

from __future__ import annotations

import json
from datetime import date

from jtdj.store import Store

_WAITING = "(x.status = 'review' OR x.request IS NOT NULL)"
# a task handed to units is 待审核 as their roll-up: what waits is each unit's share
_OWN = ("(x.request IS NOT NULL OR NOT EXISTS (SELECT 1 FROM shares s WHERE s.plan = x.plan"
        " AND s.task = x.id))")


def waiting(store: Store, plan: str) -> list[dict]:
    """Every live task and share of the plan that waits now, in the plan's order. Each row:
    id, title, unit (the share's unit, or the task's lead), unit_id (None for a task),
    status, reported_on, request and evidence (JSON text, as kept), percent, due (a share's
    own date, else its task's), target (of its events and notes)."""
    params: dict = {"plan": plan}
    rows = store.conn.execute(
        "SELECT x.id, x.title, x.owner AS unit, NULL AS unit_id, x.status, x.reported_on,"
        " x.request, x.percent, x.evidence, x.due, x.item, x.pos, x.no, x.id AS target"
        " FROM tasks x INDEXED BY idx_tasks_waiting"
        f" WHERE x.plan = :plan AND x.archived = 0 AND {_WAITING} AND {_OWN}"
        " UNION ALL SELECT x.task, t.title, u.name, x.unit, x.status, x.reported_on,"
        " x.request, x.percent, x.evidence, coalesce(x.due, t.due), t.item, t.pos, t.no,"
        " x.task || '@' || x.unit FROM shares x INDEXED BY idx_shares_waiting"
        " JOIN tasks t ON t.plan = x.plan AND t.id = x.task JOIN units u ON u.id = x.unit"
        f" WHERE x.plan = :plan AND t.archived = 0 AND {_WAITING}"
        " ORDER BY item, pos, no, unit", params).fetchall()
    return [dict(r) for r in rows]


def last_notes(store: Store, plan: str, targets: list[str],
               day: date | None = None) -> dict[str, dict]:
    """The latest note of each target (a task id or ``<task>@<unit id>``) by ``day`` (None:
    any day): its text, day and who wrote it; one query for them all."""
    out: dict[str, dict] = {}
    for target, text, on_date, actor in store.conn.execute(
            "SELECT target, text, on_date, actor FROM notes WHERE plan = ? AND target IN"
            " (SELECT value FROM json_each(?)) AND on_date <= ? ORDER BY on_date, id",
            (plan, json.dumps(targets), day.isoformat() if day else "9999-12-31")):
        out[target] = {"text": text, "on": on_date, "actor": actor}
    return out


def rows_of(store: Store, plan: str, targets: list[str]) -> list[dict]:
    """The rows of ``waiting`` for the tasks and shares named (``<task>`` or ``<task>@<unit
    id>``), whether they wait now or not: a past day replays them. A share's ``due`` is its
    own (None: it works to its task's, which the caller replays too)."""
    rows = store.conn.execute(
        "SELECT x.id, x.title, x.owner AS unit, NULL AS unit_id, x.status, x.reported_on,"
        " x.request, x.percent, x.evidence, x.due, x.item, x.pos, x.no, x.id AS target FROM tasks x"
        " WHERE x.plan = :plan AND x.archived = 0 AND x.id IN (SELECT value FROM json_each(:ids))"
        " UNION ALL SELECT x.task, t.title, u.name, x.unit, x.status, x.reported_on,"
        " x.request, x.percent, x.evidence, x.due, t.item, t.pos, t.no,"
        " x.task || '@' || x.unit FROM shares x JOIN tasks t ON t.plan = x.plan"
        " AND t.id = x.task JOIN units u ON u.id = x.unit WHERE x.plan = :plan"
        " AND t.archived = 0 AND x.task || '@' || x.unit IN (SELECT value FROM json_each(:ids))"
        " ORDER BY item, pos, no, unit", {"plan": plan, "ids": json.dumps(targets)}).fetchall()
    return [dict(r) for r in rows]


# the fields a past day's waiting list is replayed from
REPLAYED_FIELDS = ("status", "reported_on", "request", "percent", "evidence", "due")


def changes_after(store: Store, plan: str, day: str) -> list[tuple]:
    """(target, field, old, batch) of the changes to what waits dated after ``day``, newest
    first (undo steps left out: the caller leaves out the batches they undid)."""
    return store.conn.execute(
        "SELECT target, field, old, batch FROM events WHERE plan = ? AND on_date > ?"
        " AND action != 'undo' AND field IN (SELECT value FROM json_each(?)) ORDER BY id DESC",
        (plan, day, json.dumps(REPLAYED_FIELDS))).fetchall()
