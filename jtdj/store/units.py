"""The register of units and groups, the shares of tasks handed to several units, and the forms
sent to units: their SQL.

The register is shared by every plan, so its events are kept under the plan key ``''`` with
the target ``unit:<id>`` (or ``group:<name>``); a share's events are kept under its plan with
the target ``<task>@<unit id>``, so a unit renamed later keeps its history, and each event
names the unit as it was called that day (``events.unit``).
"""

from __future__ import annotations

import json
from datetime import date

from jtdj.store import Batch, Store, to_text

REGISTER = ""  # the plan key of the register's events
UNIT_COLUMNS = ("name", "short", "kind", "contact", "email", "mobile", "groups")
SHARE_COLUMNS = ("status", "percent", "started_on", "done_on", "dropped_on", "drop_reason",
                 "evidence", "due", "reported_on", "request", "returned")
_JSON_COLUMNS = {"groups", "evidence"}


def _unit(row) -> dict:
    unit = dict(row)
    unit["groups"] = json.loads(unit["groups"] or "[]")
    return unit


# --- the register ----------------------------------------------------------------------------

def units(store: Store) -> list[dict]:
    """Every registered unit, in the order they were registered."""
    return [_unit(r) for r in store.conn.execute(
        f"SELECT id, {', '.join(UNIT_COLUMNS)} FROM units ORDER BY id")]


def unit(store: Store, unit_id: int) -> dict | None:
    row = store.conn.execute(f"SELECT id, {', '.join(UNIT_COLUMNS)} FROM units WHERE id = ?",
                             (unit_id,)).fetchone()
    return _unit(row) if row else None


def group_names(store: Store) -> list[str]:
    return [r[0] for r in store.conn.execute("SELECT name FROM unit_groups ORDER BY name")]


def add_group(store: Store, batch: Batch, name: str, action: str = "group_add") -> bool:
    """Register a group name (False when it is there already)."""
    if store.conn.execute("SELECT 1 FROM unit_groups WHERE name = ?", (name,)).fetchone():
        return False
    store.conn.execute("INSERT INTO unit_groups (name) VALUES (?)", (name,))
    batch.event(f"group:{name}", action, "name", None, name)
    return True


def delete_group(store: Store, name: str) -> None:
    store.conn.execute("DELETE FROM unit_groups WHERE name = ?", (name,))


def insert_unit(store: Store, batch: Batch, values: dict, unit_id: int | None = None,
                action: str = "unit_add") -> int:
    """Register a unit (``values`` by UNIT_COLUMNS); one event per field given (``action``
    ``import`` when a plan file's import registers it: part of the import's line)."""
    stored = {c: (to_text(values.get(c) or []) if c in _JSON_COLUMNS else values.get(c))
              for c in UNIT_COLUMNS}
    stored["kind"] = stored["kind"] or "other"
    cursor = store.conn.execute(
        f"INSERT INTO units (id, {', '.join(UNIT_COLUMNS)}) VALUES (?{', ?' * len(UNIT_COLUMNS)})",
        (unit_id, *stored.values()))
    new_id = cursor.lastrowid
    for column, value in stored.items():
        if value not in (None, "[]") or column == "name":
            batch.event(f"unit:{new_id}", action, column, None, value, unit=stored["name"])
    return new_id


def set_unit(store: Store, batch: Batch, unit_id: int, column: str, value,
             action: str = "unit_edit") -> bool:
    """Set one field of a unit and log it; False when it is so already."""
    old, name = store.conn.execute(f"SELECT {column}, name FROM units WHERE id = ?",
                                   (unit_id,)).fetchone()
    stored = to_text(value or []) if column in _JSON_COLUMNS else value
    if old == stored:
        return False
    store.conn.execute(f"UPDATE units SET {column} = ? WHERE id = ?", (stored, unit_id))
    batch.event(f"unit:{unit_id}", action, column, old, stored,
                unit=stored if column == "name" else name)
    return True


def delete_unit(store: Store, batch: Batch, unit_id: int) -> None:
    """Remove a unit from the register; its fields are kept in the events, for undo."""
    row = store.conn.execute(f"SELECT {', '.join(UNIT_COLUMNS)} FROM units WHERE id = ?",
                             (unit_id,)).fetchone()
    for column in UNIT_COLUMNS:
        if row[column] not in (None, "[]") or column == "name":
            batch.event(f"unit:{unit_id}", "unit_remove", column, row[column], None,
                        unit=row["name"])
    store.conn.execute("DELETE FROM units WHERE id = ?", (unit_id,))


def restore_unit(store: Store, unit_id: int, values: dict) -> None:
    """Put back a removed unit under its old id (undo of `units remove`)."""
    columns = [c for c in UNIT_COLUMNS if c in values]
    store.conn.execute(
        f"INSERT OR IGNORE INTO units (id, {', '.join(columns)}) VALUES (?{', ?' * len(columns)})",
        (unit_id, *(values[c] for c in columns)))


def raw_set_unit(store: Store, unit_id: int, column: str, value) -> None:
    """Set a field without an event (undo writes its own)."""
    store.conn.execute(f"UPDATE units SET {column} = ? WHERE id = ?", (value, unit_id))


def forget_unit(store: Store, unit_id: int) -> None:
    """Delete a unit without an event (undo of `units add`)."""
    store.conn.execute("DELETE FROM units WHERE id = ?", (unit_id,))


def task_counts(store: Store, plan: str | None) -> dict[str, dict]:
    """Per unit name: the plan's tasks it leads, supports, and its shares (open ones too)."""
    counts: dict[str, dict] = {}
    if plan is None:
        return counts

    def add(name, key, n):
        counts.setdefault(name, {"lead": 0, "support": 0, "shares": 0, "open_shares": 0})[key] += n

    for name, n in store.conn.execute(
            "SELECT owner, count(*) FROM tasks WHERE plan = ? AND archived = 0 AND owner IS NOT NULL"
            " GROUP BY owner", (plan,)):
        add(name, "lead", n)
    for name, n in store.conn.execute(
            "SELECT j.value, count(*) FROM tasks t, json_each(t.support) j WHERE t.plan = ?"
            " AND t.archived = 0 AND t.support != '[]' GROUP BY j.value", (plan,)):
        add(name, "support", n)
    for name, n, open_n in store.conn.execute(
            "SELECT u.name, count(*), sum(s.status IN ('todo', 'doing', 'review')) FROM shares s"
            " JOIN units u ON u.id = s.unit JOIN tasks t ON t.plan = s.plan AND t.id = s.task"
            " WHERE s.plan = ? AND t.archived = 0 GROUP BY u.name", (plan,)):
        add(name, "shares", n)
        add(name, "open_shares", open_n)
    return counts


def references(store: Store, name: str, unit_id: int) -> list[tuple[str, str]]:
    """(plan, task id) of every task, in any plan, that names the unit as lead or support or
    hands it a share: a unit so named cannot be removed."""
    return [tuple(r) for r in store.conn.execute(
        "SELECT plan, id FROM tasks WHERE owner = :name"
        " UNION SELECT t.plan, t.id FROM tasks t, json_each(t.support) j"
        " WHERE t.support != '[]' AND j.value = :name"
        " UNION SELECT plan, task FROM shares WHERE unit = :id ORDER BY 1, 2",
        {"name": name, "id": unit_id})]


def rename_in_tasks(store: Store, batch: Batch, old: str, new: str) -> None:
    """A renamed unit's name in the tasks of every plan (lead and support), each change an
    event of its task's plan in the same batch."""
    rows = store.conn.execute(
        "SELECT plan, id, owner, support FROM tasks WHERE owner = :old OR (support != '[]' AND"
        " EXISTS (SELECT 1 FROM json_each(support) WHERE value = :old))", {"old": old}).fetchall()
    for plan, task_id, owner, support in rows:
        task_batch = batch.for_plan(plan)
        if owner == old:
            task_batch.set_task(task_id, "owner", new, "rename")
        names = json.loads(support or "[]")
        if old in names:
            task_batch.set_task(task_id, "support", [new if n == old else n for n in names],
                                "rename")


# --- shares ----------------------------------------------------------------------------------

def shares(store: Store, plan: str, task_ids: list[str] | None = None,
           unit_id: int | None = None) -> dict[str, list[dict]]:
    """The shares of the plan's tasks (or of some, or one unit's), by task, in the order the
    units were handed them, each with its unit's name as it is now."""
    sql = ("SELECT s.task, s.unit, u.name AS unit_name, u.short AS unit_short, "
           + ", ".join(f"s.{c}" for c in SHARE_COLUMNS)
           + " FROM shares s JOIN units u ON u.id = s.unit WHERE s.plan = ?")
    params: list = [plan]
    if task_ids is not None:
        sql += " AND s.task IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(task_ids))
    if unit_id is not None:
        sql += " AND s.unit = ?"
        params.append(unit_id)
    by_task: dict[str, list[dict]] = {}
    # plain tuples zipped with the column names, and no JSON parse of an empty value: a plan's
    # every share is read for a summary (3,360 shares: 33 -> 19 ms, bench/README.md)
    cursor = store.conn.cursor()
    cursor.row_factory = None
    cursor.execute(sql + " ORDER BY s.rowid", params)
    keys = [column[0] for column in cursor.description]
    for row in cursor:
        share = dict(zip(keys, row))
        evidence, request = share["evidence"], share["request"]
        share["evidence"] = json.loads(evidence) if evidence and evidence != "[]" else []
        share["request"] = json.loads(request) if request else None
        by_task.setdefault(row[0], []).append(share)
    _note_days(store, plan, by_task)
    return by_task


def _note_days(store: Store, plan: str, by_task: dict[str, list[dict]]) -> None:
    """Give each share its task's ``kind`` and, a share of an ongoing task (常态推进), the
    days of its notes (``note_days``, oldest first), whose age judges its light: one read for
    the ongoing tasks among them, one for their shares' notes."""
    ongoing = {r[0] for r in store.conn.execute(
        "SELECT id FROM tasks INDEXED BY idx_tasks_ongoing WHERE plan = ? AND kind IS NOT NULL"
        " AND id IN (SELECT value FROM json_each(?))", (plan, json.dumps(list(by_task))))}
    targets = {}
    for task, ss in by_task.items():
        for share in ss:
            share["kind"] = "ongoing" if task in ongoing else None
            if task in ongoing:
                share["note_days"] = []
                targets[share_target(task, share["unit"])] = share
    if targets:
        for target, day in store.conn.execute(
                "SELECT target, on_date FROM notes WHERE plan = ? AND target IN"
                " (SELECT value FROM json_each(?)) ORDER BY on_date", (plan, json.dumps(list(targets)))):
            targets[target]["note_days"].append(day)


def tasks_with_shares(store: Store, plan: str) -> set[str]:
    return {r[0] for r in store.conn.execute("SELECT DISTINCT task FROM shares WHERE plan = ?",
                                             (plan,))}


def share_target(task_id: str, unit_id: int) -> str:
    return f"{task_id}@{unit_id}"


def split_target(target: str) -> tuple[str, int | None]:
    """An event's or note's target as (task, unit id): a share's is ``task@unit`` (the unit a
    number), a task's or an occurrence's (``4.5@2022-07``) has no unit."""
    task, _, unit = target.rpartition("@")
    return (task, int(unit)) if task and unit.isdigit() else (target, None)


def add_share(store: Store, batch: Batch, task_id: str, unit_id: int, unit_name: str,
              on: date | None = None) -> bool:
    """Hand the task to the unit (False when it holds a share already)."""
    cursor = store.conn.execute("INSERT OR IGNORE INTO shares (plan, task, unit) VALUES (?, ?, ?)",
                                (batch.plan, task_id, unit_id))
    if not cursor.rowcount:
        return False
    batch.event(share_target(task_id, unit_id), "share", "status", None, "todo", on=on,
                unit=unit_name)
    return True


def share_has_events(store: Store, plan: str, task_id: str, unit_id: int) -> bool:
    """Whether anything but handing it out happened to the share."""
    return store.conn.execute(
        "SELECT 1 FROM events WHERE plan = ? AND target = ? AND action NOT IN ('share', 'undo')"
        " LIMIT 1", (plan, share_target(task_id, unit_id))).fetchone() is not None


def delete_share(store: Store, batch: Batch, task_id: str, unit_id: int, unit_name: str) -> None:
    store.conn.execute("DELETE FROM shares WHERE plan = ? AND task = ? AND unit = ?",
                       (batch.plan, task_id, unit_id))
    batch.event(share_target(task_id, unit_id), "unshare", "status", "todo", None, unit=unit_name)


def set_share(store: Store, batch: Batch, task_id: str, unit_id: int, unit_name: str,
              column: str, value, action: str, on: date | None = None,
              note: str | None = None) -> bool:
    """Set one field of a share and log it; False (no event) when it is so already."""
    row = store.conn.execute(f"SELECT {column} FROM shares WHERE plan = ? AND task = ? AND unit = ?",
                             (batch.plan, task_id, unit_id)).fetchone()
    old = row[0] if row else None
    stored = to_text(value or []) if column in _JSON_COLUMNS else (
        value.isoformat() if isinstance(value, date) else value)
    if old == stored:
        return False
    store.conn.execute(f"UPDATE shares SET {column} = ? WHERE plan = ? AND task = ? AND unit = ?",
                       (stored, batch.plan, task_id, unit_id))
    batch.event(share_target(task_id, unit_id), action, column, old, stored, on=on, note=note,
                unit=unit_name)
    return True


def raw_set_share(store: Store, plan: str, task_id: str, unit_id: int, column: str, value) -> None:
    """Set a share's field without an event (undo writes its own)."""
    store.conn.execute(f"UPDATE shares SET {column} = ? WHERE plan = ? AND task = ? AND unit = ?",
                       (value, plan, task_id, unit_id))


def raw_share_exists(store: Store, plan: str, task_id: str, unit_id: int, exists: bool) -> None:
    """Create or delete a share without an event (undo of handing out or taking back)."""
    if exists:
        store.conn.execute("INSERT OR IGNORE INTO shares (plan, task, unit) VALUES (?, ?, ?)",
                           (plan, task_id, unit_id))
    else:
        store.conn.execute("DELETE FROM shares WHERE plan = ? AND task = ? AND unit = ?",
                           (plan, task_id, unit_id))


def share_events_after(store: Store, plan: str, day: date) -> list[tuple]:
    """(target, field, old, batch) of the share events dated after ``day``, newest first: what
    a past day's shares are replayed from."""
    return store.conn.execute(
        "SELECT target, field, old, batch, action FROM events WHERE plan = ? AND on_date > ?"
        " AND target LIKE '%@%' AND field IS NOT NULL AND action != 'undo' ORDER BY id DESC",
        (plan, day.isoformat())).fetchall()


def latest_share_day(store: Store, plan: str) -> date:
    """The day of the latest change to any share: a past day after it needs no replay. Kept
    for the command (it reads the plan's events; a report asks three times)."""
    key = ("latest_share_day", plan)
    if key not in store.cache:
        row = store.conn.execute("SELECT max(on_date) FROM events WHERE plan = ?"
                                 " AND target LIKE '%@%'", (plan,)).fetchone()
        store.cache[key] = date.fromisoformat(row[0]) if row and row[0] else date.min
    return store.cache[key]


def versions(store: Store, plan: str, targets: list[str]) -> dict[str, int]:
    """The id of the last event of each target: a form row's version."""
    return {r[0]: r[1] for r in store.conn.execute(
        "SELECT target, max(id) FROM events WHERE plan = ? AND target IN"
        " (SELECT value FROM json_each(?)) GROUP BY target", (plan, json.dumps(targets)))}


# --- undo ------------------------------------------------------------------------------------

def owns(target: str) -> bool:
    """Whether an event's target is the register's or a share's (undone here, not as a task)."""
    return target.startswith(("unit:", "group:")) or split_target(target)[1] is not None


def undo_event(store: Store, batch: Batch, e: dict, note: str) -> bool:
    """Put back what one register or share event changed, logging the undo step; False when
    there was nothing to put back."""
    target, field, old = e["target"], e["field"], e["old"]
    if target.startswith("group:"):
        if e["action"] in ("group_add", "import"):
            delete_group(store, target[len("group:"):])
            batch.event(target, "undo", field, e["new"], None, note=note)
            return True
        return False
    if target.startswith("unit:"):
        unit_id = int(target[len("unit:"):])
        if e["action"] in ("unit_add", "import"):
            if field == "name":
                forget_unit(store, unit_id)
                batch.event(target, "undo", field, e["new"], None, note=note, unit=e["unit"])
            return field == "name"
        if e["action"] == "unit_remove":
            if store.conn.execute("SELECT 1 FROM units WHERE id = ?", (unit_id,)).fetchone():
                raw_set_unit(store, unit_id, field, old)
            else:  # the whole row at once (its name is NOT NULL)
                restore_unit(store, unit_id, {r[0]: r[1] for r in store.conn.execute(
                    "SELECT field, old FROM events WHERE batch = ? AND target = ?"
                    " AND action = 'unit_remove'", (e["batch"], target))})
            batch.event(target, "undo", field, None, old, note=note, unit=e["unit"])
            return True
        raw_set_unit(store, unit_id, field, old)
        batch.event(target, "undo", field, e["new"], old, note=note, unit=e["unit"])
        return True
    task_id, unit_id = target.rsplit("@", 1)
    if e["action"] == "note" and field is None:
        store.conn.execute("DELETE FROM notes WHERE batch = ? AND target = ?", (e["batch"], target))
        batch.event(target, "undo", None, e["note"], None, note=note, unit=e["unit"])
        return True
    if e["action"] in ("share", "unshare"):
        raw_share_exists(store, e["plan"], task_id, int(unit_id), e["action"] == "unshare")
    elif field in SHARE_COLUMNS:
        raw_set_share(store, e["plan"], task_id, int(unit_id), field, old)
    else:
        return False
    batch.event(target, "undo", field, e["new"], old, note=note, unit=e["unit"])
    return True


def last_notes(store: Store, plan: str, targets: list[str], until: date) -> dict[str, dict]:
    """Per target (a task or a share ``<task>@<unit id>``), its last note dated on or before
    ``until`` (``on_date``, ``at``, ``actor``, ``text``, ``percent``, as ``Store.notes`` gives
    each): one query for every row of a notice or every share of a task."""
    out: dict[str, dict] = {}
    if targets:
        for row in store.conn.execute(
                "SELECT target, on_date, at, actor, text, percent FROM notes WHERE plan = ?"
                " AND target IN (SELECT value FROM json_each(?)) AND on_date <= ?"
                " ORDER BY on_date, id",
                (plan, json.dumps(list(targets), ensure_ascii=False), until.isoformat())):
            out[row[0]] = {k: row[k] for k in ("on_date", "at", "actor", "text", "percent")}
    return out
