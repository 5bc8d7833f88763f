"""The reads of 审核: what waits for the office, on tasks and on shares (migrations.m013).

A task or share waits when a unit reported it 已完成 (status ``review``) or asked for a new
date or to drop it (``request``). Both tables have a partial index of the waiting rows, so
these reads never walk the plan.
"""

from __future__ import annotations

import json

from jtdj.store import Store

_WAITING = "(x.status = 'review' OR x.request IS NOT NULL)"


def waiting(store: Store, plan: str, unit: dict | None = None) -> list[dict]:
    """Every live task and share of the plan that waits (or those of ``unit``: its shares and
    the tasks it leads that are not handed to units), in the plan's order. Each row: id, title,
    unit (name), unit_id (None for a task), status, reported_on, request (decoded), percent,
    evidence (a list), due (a share's own date, else its task's), target (of its events and
    notes)."""
    params: dict = {"plan": plan}
    lead = share = ""
    if unit is not None:
        lead, share = " AND x.owner = :name", " AND x.unit = :unit"
        params.update(name=unit["name"], unit=unit["id"])
    rows = store.conn.execute(
        "SELECT x.id, x.title, x.owner AS unit, NULL AS unit_id, x.status, x.reported_on,"
        " x.request, x.percent, x.evidence, x.due, x.item, x.no, x.id AS target"
        " FROM tasks x INDEXED BY idx_tasks_waiting"
        f" WHERE x.plan = :plan AND x.archived = 0 AND {_WAITING}{lead}"
        " UNION ALL SELECT x.task, t.title, u.name, x.unit, x.status, x.reported_on,"
        " x.request, x.percent, x.evidence, coalesce(x.due, t.due), t.item, t.no,"
        " x.task || '@' || x.unit FROM shares x INDEXED BY idx_shares_waiting"
        " JOIN tasks t ON t.plan = x.plan AND t.id = x.task JOIN units u ON u.id = x.unit"
        f" WHERE x.plan = :plan AND t.archived = 0 AND {_WAITING}{share}"
        " ORDER BY item, no, unit", params).fetchall()
    out = []
    for r in rows:
        row = dict(r)
        row["request"] = json.loads(row["request"]) if row["request"] else None
        row["evidence"] = json.loads(row["evidence"]) if row["evidence"] else []
        out.append(row)
    return out


def last_notes(store: Store, plan: str, targets: list[str]) -> dict[str, dict]:
    """The latest note of each target (a task id or ``<task>@<unit id>``): its text, day and
    who wrote it; one query for them all."""
    out: dict[str, dict] = {}
    for target, text, on_date, actor in store.conn.execute(
            "SELECT target, text, on_date, actor FROM notes WHERE plan = ? AND target IN"
            " (SELECT value FROM json_each(?)) ORDER BY on_date, id", (plan, json.dumps(targets))):
        out[target] = {"text": text, "on": on_date, "actor": actor}
    return out
