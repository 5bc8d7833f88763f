"""The reads of a full export (JSON, CSV), streamed from their cursors: every task with its
state as of a day, its notes and its last status change in one statement, and the event log in
another; nothing is held but the row being read (a 100,000-task export stays flat in memory).
"""

from __future__ import annotations

from datetime import date
from typing import Iterator

from jtdj.store import Store
from jtdj.store.tasks import TaskFilter, task_query
from jtdj.tuples import named_tuple

# the tasks columns an export writes, in this order (ExportTask's first fields)
_TASK_COLUMNS = ("id", "item", "no", "section", "title", "timing", "start", "due", "owner",
                 "support", "tags", "status", "percent", "started_on", "done_on", "dropped_on",
                 "drop_reason", "archived", "origin", "evidence", "kind")


@named_tuple
class ExportTask:
    """A task as an export reads it: its row, its status, light, percent and done day as of
    the day (``None`` for a task that was not there), the last change of its status when that
    was a check-off with a note (``last``: action, note, on_date, at, actor; else ``None``),
    and its notes (dicts of on_date, at, actor, text, percent), by date."""

    id: str
    item: int
    no: int
    section: int
    title: str
    timing: str | None
    start: str | None
    due: str | None
    owner: str | None
    support: str | None
    tags: str | None
    status: str
    percent: int | None
    started_on: str | None
    done_on: str | None
    dropped_on: str | None
    drop_reason: str | None
    archived: int
    origin: str
    evidence: str | None
    kind: str | None
    status_as_of: str | None
    light: str | None
    percent_as_of: int | None
    done_on_as_of: str | None
    last: dict | None
    notes: list


_NOTE_KEYS = ("on_date", "at", "actor", "text", "percent")
_LAST_KEYS = ("action", "note", "on_date", "at", "actor")


def export_tasks(store: Store, plan: str, as_of: date, nested: bool) -> Iterator[ExportTask]:
    """Every task of the plan, archived and added ones too, as ``ExportTask``: in id order
    (item, then number), or ``nested`` in the order of the JSON document (by section, then
    item, then number; only tasks whose item and section exist)."""
    as_of_sql, params = task_query(store, plan, TaskFilter(status="all", archived=None,
                                                           occurrences=True), as_of)
    # the day's state of every task, once, in a temporary table looked up by id: joined as a
    # subquery, the list query of a plan with a recurring task (a UNION ALL, which SQLite
    # cannot flatten into the join) was read through again for every task
    store.conn.execute("DROP TABLE IF EXISTS temp.export_state")
    store.conn.execute("CREATE TEMP TABLE export_state (id TEXT, eff TEXT, light TEXT,"
                       " percent INTEGER, done_on TEXT)")
    store.conn.execute("INSERT INTO temp.export_state SELECT id, eff, light, percent, done_on"
                       f" FROM ({as_of_sql})", params)
    store.conn.execute("CREATE INDEX temp.export_state_id ON export_state (id)")
    columns = ", ".join(f"t.{c}" for c in _TASK_COLUMNS)
    joins = (" JOIN items i ON i.plan = t.plan AND i.no = t.item"
             " JOIN sections s ON s.plan = t.plan AND s.no = i.section") if nested else ""
    order = ("i.section, t.item, t.pos, t.no, t.id" if nested  # the file's order
             else "t.item, t.pos, t.no, t.id")
    sql = (f"SELECT {columns}, a.eff, a.light,"
           " CASE WHEN a.eff = 'done' THEN 100 ELSE a.percent END,"
           " CASE WHEN a.eff = 'done' THEN a.done_on END,"
           " e.action, e.note, e.on_date, e.at, e.actor,"
           " n.id, n.on_date, n.at, n.actor, n.text, n.percent"
           f" FROM tasks t{joins}"
           " LEFT JOIN temp.export_state a ON a.id = t.id"
           # the last status change, kept only when it is a check-off with a note
           " LEFT JOIN events e ON e.id = (SELECT max(x.id) FROM events x WHERE x.plan = t.plan"
           " AND x.target = t.id AND x.field = 'status') AND e.action = 'done'"
           " AND e.note IS NOT NULL AND e.note != ''"
           " LEFT JOIN notes n ON n.plan = t.plan AND n.target = t.id"
           # (an occurrence no longer in its task's series: not written)
           f" WHERE t.plan = :plan AND t.archived IN (0, 1, 2) ORDER BY {order}, n.on_date, n.id")
    cursor = store.conn.cursor()
    cursor.row_factory = None
    rows = cursor.execute(sql, params)
    return _grouped(rows)


def _grouped(rows) -> Iterator[ExportTask]:
    """One ``ExportTask`` per task from the rows of ``export_tasks`` (one per note)."""
    width = len(_TASK_COLUMNS) + 4
    make = ExportTask._make
    task_id, task, notes = None, None, []
    for r in rows:
        if r[0] == task_id:
            notes.append(dict(zip(_NOTE_KEYS, r[width + 6:])))
            continue
        if task is not None:
            yield make(task)
        task_id = r[0]
        notes = [dict(zip(_NOTE_KEYS, r[width + 6:]))] if r[width + 5] is not None else []
        task = r[:width] + (dict(zip(_LAST_KEYS, r[width:width + 5])) if r[width] else None,
                            notes)
    if task is not None:
        yield make(task)


def item_notes(store: Store, plan: str) -> dict[str, list[dict]]:
    """The notes of the plan's items (not its tasks'), by item, each list by date."""
    by_target: dict[str, list[dict]] = {}
    for row in store.conn.execute(
            "SELECT target, on_date, at, actor, text, percent FROM notes WHERE plan = ?"
            " AND instr(target, '.') = 0 ORDER BY target, on_date, id", (plan,)):
        by_target.setdefault(row[0], []).append(dict(row))
    return by_target


def events_in_order(store: Store, plan: str) -> Iterator:
    """The plan's events in the order they were recorded, as rows (``row["id"]``), from the
    cursor."""
    return iter(store.conn.execute("SELECT * FROM events WHERE plan = ? ORDER BY id", (plan,)))


# a share's target in SQL: ``task@unit``, the unit a number (not an occurrence, ``4.5@2022-07``)
SHARE_TARGET = "(rtrim(target, '0123456789') LIKE '%@' AND target NOT LIKE '%@')"


def share_notes(store: Store, plan: str) -> tuple[dict[str, list[dict]], dict[str, dict]]:
    """The notes of the plan's shares by target (``<task>@<unit id>``), each list by date, and
    each share's last status change (where its check-off note is kept): a ``NoteBook``'s two
    halves, for an export, without the notes of the tasks."""
    notes: dict[str, list[dict]] = {}
    for row in store.conn.execute(
            "SELECT target, on_date, at, actor, text, percent FROM notes WHERE plan = ?"
            f" AND {SHARE_TARGET} ORDER BY target, on_date, id", (plan,)):
        notes.setdefault(row[0], []).append(dict(row))
    last = {r["target"]: dict(r) for r in store.conn.execute(
        "SELECT target, action, note, on_date, at, actor FROM events WHERE id IN"
        " (SELECT max(id) FROM events WHERE plan = ? AND field = 'status'"
        f" AND {SHARE_TARGET} GROUP BY target)", (plan,))}
    return notes, last
