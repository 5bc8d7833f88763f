"""How a recurring task counts: once, as its occurrences whose period has begun make it on the
day — done when every one of them is done (dropped ones aside), 推进中 once one is under way,
overdue while one past its due date is open, behind its pace while one is — and how its
occurrences count, per task and per unit (the ``occurrences`` block of a summary)."""

from __future__ import annotations

from datetime import date

from jtdj.store import lights
from jtdj.store import occurrences as db
from jtdj.store.tasks import TaskFilter, select_tasks


def counted_once(store, plan: str, as_of: date, column: str | None) -> list[tuple]:
    """(key, count field, change) corrections to the day's counts per item or owner
    (``column``; None: the total), so that each live recurring task counts as its begun
    occurrences make it, not as its stored row (which the tallies count as 未开始, never due):
    its status, and overdue, due soon and behind by the worst of them."""
    if not db.has_recurring(store, plan):
        return []
    parents = [r["id"] for r in db.recurring_tasks(store, plan) if r["archived"] == 0]
    if not parents:
        return []
    begun: dict[str, list[dict]] = {p: [] for p in parents}
    for r in select_tasks(store, plan, TaskFilter(status="all", parents=parents), as_of):
        begun[r["id"].split("@")[0]].append(r)
    out = []
    for own in select_tasks(store, plan, TaskFilter(status="all", ids=parents), as_of):
        key = {"item": own["item"], "owner": own["owner"], None: None}[column]
        status, flags = rolled_up(begun[own["id"]], store.lights, as_of)
        out += [(key, own["status"], -1), (key, status, 1)] + [(key, f, 1) for f in flags]
    return out


def rolled_up(records: list[dict], rules, day: date) -> tuple[str, list[str]]:
    """The status a recurring task has by its begun occurrences' records, and what it counts
    as besides: ``overdue`` and ``due_soon`` when one of them is, the worst lag of theirs."""
    active = [r["status"] for r in records if r["status"] != "dropped"]
    if not records:
        status = "todo"
    elif not active:
        status = "dropped"
    elif all(s == "done" for s in active):
        status = "done"
    elif any(s in ("doing", "done", "review") for s in active):
        status = "doing"
    else:
        status = "todo"
    marks = [lights.counted(r, rules, day) for r in records]
    flags = [name for name, hit in (("overdue", any(m[0] for m in marks)),
                                    ("due_soon", any(m[1] for m in marks))) if hit]
    lags = {m[2] for m in marks}
    lag = "far_behind" if "far_behind" in lags else "behind" if "behind" in lags else None
    return status, flags + ([lag] if lag else [])
