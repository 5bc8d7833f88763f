"""How a recurring task counts: once, as its occurrences whose period has begun make it on the
day — done when every one of them is done (dropped ones aside), 推进中 once one is under way,
overdue while one past its due date is open, behind its pace while one is — and how its
occurrences count, per task and per unit (the ``occurrences`` block of a summary)."""

from __future__ import annotations

from datetime import date

from jtdj.store import lights
from jtdj.store import occurrences as db
from jtdj.store.tasks import TaskFilter, select_tasks


def counted_once(store, plan: str, as_of: date) -> list[tuple]:
    """(item, owner, count field, change) corrections to the day's counts, so that each live
    recurring task counts as its begun occurrences make it, not as its stored row (which the
    tallies count as 未开始, never due): its status, and overdue, due soon and behind by the
    worst of them."""
    if not db.has_recurring(store, plan):
        return []
    own_rows, occurrence_rows = day_rows(store, plan, as_of)
    begun = by_parent(own_rows, occurrence_rows)
    out = []
    for own in own_rows:
        key = (own["item"], own["owner"])
        status, flags = rolled_up(begun[own["id"]], store.lights, as_of)
        out += [(*key, own["status"], -1), (*key, status, 1)] + [(*key, f, 1) for f in flags]
    return out


def day_rows(store, plan: str, day: date) -> tuple[list[dict], list[dict]]:
    """The records on the day of the plan's live recurring tasks and of their begun
    occurrences, read once per command and day: the counts, the block and the due lists all
    start from them (a summary read each twice). Kept for the command: treat as read-only."""
    key = ("recurring rows", plan, day)
    if key not in store.cache:
        parents = [r["id"] for r in db.recurring_tasks(store, plan) if r["archived"] == 0]
        store.cache[key] = ((
            select_tasks(store, plan, TaskFilter(status="all", ids=parents), day),
            select_tasks(store, plan, TaskFilter(status="all", parents=parents), day))
            if parents else ([], []))
    return store.cache[key]


def by_parent(own_rows: list[dict], occurrence_rows: list[dict]) -> dict[str, list[dict]]:
    """The begun occurrences' records under their recurring task's id."""
    begun: dict[str, list[dict]] = {r["id"]: [] for r in own_rows}
    for r in occurrence_rows:
        parent = r["id"].split("@")[0]
        if parent in begun:
            begun[parent].append(r)
    return begun


def rolled_up(records: list[dict], rules, day: date) -> tuple[str, list[str]]:
    """The status a recurring task has by its begun occurrences' records, and what it counts
    as besides: ``overdue`` and ``due_soon`` when one of them is, the worst lag of theirs."""
    status = rolled_status([r["status"] for r in records])
    marks = [lights.counted(r, rules, day) for r in records]
    flags = [name for name, hit in (("overdue", any(m[0] for m in marks)),
                                    ("due_soon", any(m[1] for m in marks))) if hit]
    lags = {m[2] for m in marks}
    lag = "far_behind" if "far_behind" in lags else "behind" if "behind" in lags else None
    return status, flags + ([lag] if lag else [])


def rolled_status(statuses: list[str]) -> str:
    """The status begun occurrences of these statuses give their recurring task."""
    active = [s for s in statuses if s != "dropped"]
    if not statuses:
        return "todo"
    if not active:
        return "dropped"
    if all(s == "done" for s in active):
        return "done"
    if all(s in ("done", "review") for s in active):
        return "review"  # what is left waits for the office (as ``shares.rollup`` has it)
    if any(s in ("doing", "done", "review") for s in active):
        return "doing"
    return "todo"


OPEN = ("todo", "doing", "review")
PACE = ("signal", "light", "percent", "expected_percent", "lag", "due")


def rolled_record(base: dict, records: list[dict], rules, day: date) -> dict:
    """``base`` (a recurring task's record, or a unit's part of it) as its begun occurrences'
    (or the unit's begun occurrence shares') ``records`` make it on the day: the status of
    ``rolled_up``, ``marks`` (overdue, due soon, lag: what it counts as, in place of
    ``lights.counted``) and the pace fields of the occurrence that weighs most (the worst
    lag, else the earliest overdue, else the earliest open, else the latest)."""
    status, flags = rolled_up(records, rules, day)
    lag = next((f for f in flags if f in lights.LAGGING), None)
    marks = ("overdue" in flags, "due_soon" in flags, lag)
    first = sorted(records, key=lambda r: r["due"] or "")
    pick = (max((r for r in records if r["signal"] == lag), key=lambda r: r["lag"] or 0)
            if lag else next((r for r in first if r["signal"] == "overdue"), None) if marks[0]
            else next((r for r in first if r["status"] in OPEN), None)) or (
        records[-1] if records else None)
    pace = ({k: pick.get(k) for k in PACE} if pick else
            {"signal": "on_track", "light": "green", "percent": None, "expected_percent": None,
             "lag": None, "due": None})
    return {**base, **pace, "status": status, "marks": marks}


BLOCK_TASK_KEYS = ("id", "title", "every", "begun", "done", "open", "overdue", "total",
                   "expected_percent", "percent")


def block(store, plan: str, day: date, unit_shares: dict[str, list[dict]]) -> dict | None:
    """The ``occurrences`` block as of the day (None when the plan has no live recurring
    task): per task, its occurrences begun by then, done, open and overdue among them, all of
    its series (``total``), the occurrences due so far (due before the day, or done) and those
    done, each as a percent of all; per unit (``unit_shares``: each unit's begun occurrence
    shares as of the day, by name), the same of its shares. A fixed number of reads."""
    if not db.has_recurring(store, plan):
        return None
    own, occurrence_rows = day_rows(store, plan, day)
    if not own:
        return None
    series = db.of_tasks(store, plan, [r["id"] for r in own])
    begun = by_parent(own, occurrence_rows)
    every = {r["id"]: r["every"] for r in db.recurring_tasks(store, plan, list(begun))}
    d = day.isoformat()
    tasks = []
    for r in own:
        rows = begun[r["id"]]
        live = [o for o in series.get(r["id"], []) if o["archived"] == db.OCCURRENCE]
        done = {o["id"] for o in rows if o["status"] == "done"}
        due = sum(o["due"] < d or o["id"] in done for o in live)
        c = _counted(rows, store.lights, day)
        tasks.append({"id": r["id"], "title": r["title"], "every": every.get(r["id"]), **c,
                      "total": len(live), "expected_percent": lights.percent(due, len(live)),
                      "percent": lights.percent(len(done), len(live))})
    units = [{"unit": name, **_counted(ss, store.lights, day)}
             for name, ss in sorted(unit_shares.items())]
    return {"tasks": [{k: t[k] for k in BLOCK_TASK_KEYS} for t in tasks], "units": units}


def _counted(records: list[dict], rules, day: date) -> dict:
    return {"begun": len(records), "done": sum(r["status"] == "done" for r in records),
            "open": sum(r["status"] in OPEN for r in records),
            "overdue": sum(lights.counted(r, rules, day)[0] for r in records)}


def due_rows(store, plan: str, as_of: date, which: str) -> list[tuple]:
    """(id, title, owner, due) of each live recurring task with a begun occurrence open and
    overdue (``which`` = "overdue") or due soon ("due_soon") as of the day: its earliest such
    occurrence (4.1@2022-05), so that a list of tasks names a recurring task once, as the
    counts count it (``counted_once``)."""
    if not db.has_recurring(store, plan):
        return []
    first: dict[str, dict] = {}
    for r in day_rows(store, plan, as_of)[1]:
        if r["status"] not in OPEN:  # open as of the day, as TaskFilter(status="open") has it
            continue
        overdue, soon, _lag = lights.counted(r, store.lights, as_of)
        task = r["id"].split("@")[0]
        if (overdue if which == "overdue" else soon) and (
                task not in first or r["due"] < first[task]["due"]):
            first[task] = r
    return [(r["id"], r["title"], r["owner"], r["due"]) for r in first.values()]
