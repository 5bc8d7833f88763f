"""The one read `report --unit` needs beyond the task and share queries: the latest note of
each of a unit's rows (a task it leads, or its share ``<task>@<unit id>``) as of a day."""

from __future__ import annotations

from datetime import date

from jtdj.store import Store


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
