"""The 催办 events (`jtdj urge`, docs/urge.md): their SQL.

A notice is one ``urge`` event on each task and share it lists: field NULL, target the task id
or the share target ``TASK@UNIT_ID``, ``events.unit`` the unit's name, note the reply-by date.
Undone batches do not count.
"""

from __future__ import annotations

from datetime import date

from jtdj.store import Batch, Store
from jtdj.store.bulk import same_events
from jtdj.store.history import undone_batches

ACTION = "urge"


def record(batch: Batch, targets: list[str], unit_name: str, reply_by: date) -> None:
    """One ``urge`` event per target, in order."""
    if targets:
        same_events(batch, targets, ACTION, note=reply_by.isoformat(), unit=unit_name)


def sets_on(store: Store, plan: str, unit_name: str, day: date) -> list[set[str]]:
    """The sets of targets the unit was urged about on ``day``, one per run that still stands."""
    undone = undone_batches(store, plan)
    by_batch: dict[str, set[str]] = {}
    for batch, target in store.conn.execute(
            "SELECT batch, target FROM events WHERE plan = ? AND action = ? AND unit = ?"
            " AND on_date = ?", (plan, ACTION, unit_name, day.isoformat())):
        if batch not in undone:
            by_batch.setdefault(batch, set()).add(target)
    return list(by_batch.values())


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
