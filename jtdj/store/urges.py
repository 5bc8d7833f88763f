"""The 催办 events (`jtdj urge`, docs/urge.md): their SQL.

A notice is one ``urge`` event on each task and share it lists: field NULL, target the task id
or the share target ``TASK@UNIT_ID``, ``events.unit`` the unit's name, note the reply-by date.
Undone batches do not count.
"""

from __future__ import annotations

import json
from datetime import date

from jtdj.store import Batch, Store
from jtdj.store.bulk import event_rows
from jtdj.store.history import undone_batches

ACTION = "urge"


def record(batch: Batch, targets: list[str], unit_name: str, reply_by: date) -> None:
    """One ``urge`` event per target, in order."""
    record_all(batch, [(targets, unit_name, reply_by)])


def record_all(batch: Batch, notices: list[tuple[list[str], str, date]]) -> None:
    """``record`` of each (targets, unit name, reply-by day), in order, by one statement: one
    ``urge`` run to every unit of a group."""
    rows = [(target, reply_by.isoformat(), unit_name or batch.unit)
            for targets, unit_name, reply_by in notices for target in targets]
    if rows:
        event_rows(batch, ACTION, rows)


def sets_on(store: Store, plan: str, unit_name: str, day: date) -> list[set[str]]:
    """The sets of targets the unit was urged about on ``day``, one per run that still stands."""
    return sets_on_units(store, plan, [unit_name], day).get(unit_name, [])


def sets_on_units(store: Store, plan: str, unit_names: list[str],
                  day: date) -> dict[str, list[set[str]]]:
    """``sets_on`` of each of the units, by name, in one query (a unit not urged that day is
    left out)."""
    if not unit_names:
        return {}
    undone = undone_batches(store, plan)
    by_unit: dict[str, dict[str, set[str]]] = {}
    for unit, batch, target in store.conn.execute(
            "SELECT unit, batch, target FROM events WHERE plan = ? AND action = ? AND unit IN"
            " (SELECT value FROM json_each(?)) AND on_date = ?",
            (plan, ACTION, json.dumps(list(unit_names), ensure_ascii=False), day.isoformat())):
        if batch not in undone:
            by_unit.setdefault(unit, {}).setdefault(batch, set()).add(target)
    return {unit: list(sets.values()) for unit, sets in by_unit.items()}


def count(store: Store, plan: str, task_id: str) -> int:
    """How often the task and its shares were urged (undone runs left out)."""
    undone = undone_batches(store, plan)
    return sum(1 for (batch,) in store.conn.execute(
        "SELECT batch FROM events WHERE plan = ? AND action = ? AND (target = ?"
        " OR substr(target, 1, length(?) + 1) = ? || '@')",
        (plan, ACTION, task_id, task_id, task_id)) if batch not in undone)


def undo_event(batch: Batch, e: dict, note: str) -> None:
    """The undo step of one urge event: nothing to put back, the step marks the run undone."""
    batch.event(e["target"], "undo", None, e["note"], None, note=note, unit=e["unit"])
