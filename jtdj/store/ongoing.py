"""The notes the 常态工作 blocks read: the latest note of each ongoing task (常态推进) on or
before a day, on the task itself or on one of its shares (targets ``<id>@<unit id>``).

One statement for any number of tasks: the ids go in as one JSON list and each one's notes are
a range of the notes' (plan, target) index. A note dated after the day is not read, so a past
day is as it was then.
"""

from __future__ import annotations

import json
from datetime import date

from jtdj.store import Store


def latest_notes(store: Store, plan: str, ids: list[str],
                 day: date) -> tuple[dict[str, dict], dict[str, dict]]:
    """The last note dated on or before ``day`` per target (a task id among ``ids``, or one
    of its shares' ``id@unit``), and per task (the latest of its targets; on one day, the one
    written last). Each: ``task``, ``target``, ``on`` (ISO day), ``text`` and ``unit`` (a
    share's unit, by its name now; None for a note on the task itself)."""
    if not ids:
        return {}, {}
    by_target: dict[str, dict] = {}
    by_task: dict[str, dict] = {}
    for task, target, on, text, unit in store.conn.execute(
            "SELECT j.value, n.target, n.on_date, n.text, u.name FROM json_each(:ids) j"
            " JOIN notes n ON n.plan = :plan AND (n.target = j.value"
            " OR (n.target > j.value || '@' AND n.target < j.value || 'A'))"
            " AND n.on_date <= :d"
            " LEFT JOIN units u ON n.target <> j.value"
            " AND u.id = CAST(substr(n.target, length(j.value) + 2) AS INTEGER)"
            " ORDER BY n.on_date, n.id",
            {"plan": plan, "ids": json.dumps(ids), "d": day.isoformat()}):
        note = {"task": task, "target": target, "on": on, "text": text, "unit": unit}
        by_target[target] = by_task[task] = note
    return by_target, by_task
