"""The occurrences of recurring tasks (migrations.m016): reading their rows.

An occurrence is a row of ``tasks`` whose ``parent`` is its recurring task and whose
``archived`` is ``OCCURRENCE``: the counts of live tasks (``archived = 0``) pass it over, so a
recurring task counts once, by its own row (``occurrence_counts`` says how).
"""

from __future__ import annotations

OCCURRENCE = 2  # ``archived`` of an occurrence row
RETIRED = 3  # ``archived`` of an occurrence no longer in its task's series (kept, not shown)
# a recurring task's fields its occurrences keep a copy of (the plan's words and people)
COPIED = ("title", "timing", "owner", "support", "tags", "section")


def has_recurring(store, plan: str) -> bool:
    """Whether the plan has any recurring task (one seek; cached for the command)."""
    key = ("has_recurring", plan)
    if key not in store.cache:
        store.cache[key] = store.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM tasks INDEXED BY idx_tasks_recurring"
            " WHERE plan = ? AND every IS NOT NULL)", (plan,)).fetchone()[0] == 1
    return store.cache[key]


def recurring_tasks(store, plan: str, ids: list[str] | None = None) -> list[dict]:
    """The plan's recurring tasks (or those of ``ids``), live and archived, as row dicts."""
    import json

    sql = ("SELECT * FROM tasks INDEXED BY idx_tasks_recurring WHERE plan = ?"
           " AND every IS NOT NULL")
    params: list = [plan]
    if ids is not None:
        sql += " AND id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(ids))
    return [dict(r) for r in store.conn.execute(sql + " ORDER BY item, pos, no", params)]


def of_tasks(store, plan: str, parents: list[str] | None = None) -> dict[str, list[dict]]:
    """The occurrence rows of the plan's recurring tasks (or of ``parents``), by task, each
    list by period; retired ones included (``archived`` says which)."""
    import json

    sql = ("SELECT * FROM tasks INDEXED BY idx_tasks_occurrences WHERE plan = ?"
           " AND parent IS NOT NULL")
    params: list = [plan]
    if parents is not None:
        sql += " AND parent IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(parents))
    out: dict[str, list[dict]] = {}
    for row in store.conn.execute(sql + " ORDER BY parent, period", params):
        out.setdefault(row["parent"], []).append(dict(row))
    return out


def add_day(store, plan: str, task_id: str) -> str | None:
    """The day a task was added with `jtdj add` (its window starts then), else None."""
    row = store.conn.execute("SELECT min(on_date) FROM events WHERE plan = ? AND target = ?"
                             " AND action = 'add'", (plan, task_id)).fetchone()
    return row[0] if row else None


def clerks_dues(store, plan: str) -> set[str]:
    """The tasks whose due date the office set (`jtdj due`, `extend`, an accepted request: a
    re-import keeps it), from the index of the changes a report lists (m010)."""
    from jtdj.store.history import CHANGES

    return {r[0] for r in store.conn.execute(
        f"SELECT DISTINCT target FROM events INDEXED BY idx_events_changes WHERE plan = ?"
        f" AND {CHANGES} AND field = 'due' AND action NOT IN ('import', 'undo')", (plan,))}
