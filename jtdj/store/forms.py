"""The 填报表 issued to units and merged back (the ``forms`` table, migrations.m011): their SQL.

A collect writes one row per unit (its collect id, when, the form's as-of and reply-by days, and
each row's version: the id of the last event of its task or share then). A merge marks the row
merged (when, on which day, the form's 填报日期), so `collect --missing` and the per-unit
figures know who has reported.
"""

from __future__ import annotations

import json

from jtdj.store import Store


def issue(store: Store, plan: str, unit_id: int, collect: str, at: str, as_of: str,
          reply_by: str, versions: dict[str, int]) -> None:
    store.conn.execute(
        "INSERT INTO forms (plan, unit, collect, at, as_of, reply_by, rows) VALUES (?,?,?,?,?,?,?)",
        (plan, unit_id, collect, at, as_of, reply_by, json.dumps(versions, ensure_ascii=False)))


def issued(store: Store, plan: str, collect: str, unit_id: int) -> dict | None:
    row = store.conn.execute(
        "SELECT * FROM forms WHERE plan = ? AND collect = ? AND unit = ? ORDER BY id DESC LIMIT 1",
        (plan, collect, unit_id)).fetchone()
    return dict(row) if row else None


def mark_merged(store: Store, form_id: int, at: str, on: str, filled_on: str | None) -> None:
    """Record the merge; of two forms of one collect the later-filled one's day is kept."""
    store.conn.execute(
        "UPDATE forms SET merged_at = ?, merged_on = coalesce(merged_on, ?),"
        " filled_on = CASE WHEN filled_on IS NULL OR ? > filled_on THEN ? ELSE filled_on END"
        " WHERE id = ?", (at, on, filled_on, filled_on, form_id))


def latest(store: Store, plan: str) -> list[dict]:
    """Each unit's latest issued form of the plan, with the unit's name: who owes a reply."""
    return [dict(r) for r in store.conn.execute(
        "SELECT f.*, u.name AS unit_name FROM forms f JOIN units u ON u.id = f.unit"
        " WHERE f.id IN (SELECT max(id) FROM forms WHERE plan = ? GROUP BY unit)"
        " ORDER BY f.reply_by, u.name", (plan,))]


def form_events(store: Store, plan: str, targets: list[str], after_id: int) -> list[dict]:
    """The events of ``targets`` after event ``after_id`` that still stand (not undo steps):
    what changed a form's rows in the database after the form was made."""
    return [dict(r) for r in store.conn.execute(
        "SELECT id, target, batch, source, unit, actor, on_date, field FROM events WHERE plan = ?"
        " AND id > ? AND action != 'undo' AND field IS NOT NULL AND target IN"
        " (SELECT value FROM json_each(?)) ORDER BY id",
        (plan, after_id, json.dumps(targets, ensure_ascii=False)))]


def led_open_tasks(store: Store, plan: str, unit_name: str) -> list[dict]:
    """The live tasks the unit leads that are not handed to units (their shares report)."""
    return led_open_tasks_of(store, plan, [unit_name]).get(unit_name, [])


def led_open_tasks_of(store: Store, plan: str, unit_names: list[str]) -> dict[str, list[dict]]:
    """``led_open_tasks`` of each of the units, by name, in one query (a unit leading none is
    left out)."""
    out: dict[str, list[dict]] = {}
    if not unit_names:
        return out
    for r in store.conn.execute(
            "SELECT owner, id, title, due, status, percent, item, no, pos, returned FROM tasks t"
            " WHERE plan = ? AND archived = 0 AND owner IN (SELECT value FROM json_each(?))"
            " AND NOT EXISTS (SELECT 1 FROM shares s WHERE s.plan = t.plan AND s.task = t.id)"
            " ORDER BY item, pos, no", (plan, json.dumps(list(unit_names), ensure_ascii=False))):
        row = dict(r)
        out.setdefault(row.pop("owner"), []).append(row)
    return out


def shares_of_unit(store: Store, plan: str, unit_id: int) -> list[dict]:
    """The unit's shares of the plan's live tasks, with the task's title and due date."""
    return shares_of_units(store, plan, [unit_id]).get(unit_id, [])


def shares_of_units(store: Store, plan: str, unit_ids: list[int]) -> dict[int, list[dict]]:
    """``shares_of_unit`` of each of the units, by unit id, in one query (a unit with no share
    is left out)."""
    out: dict[int, list[dict]] = {}
    if not unit_ids:
        return out
    for r in store.conn.execute(
            "SELECT s.unit AS unit_id, s.task AS id, t.title, coalesce(s.due, t.due) AS due,"
            " s.status, s.percent, t.item, t.no, t.pos, s.returned FROM shares s JOIN tasks t"
            " ON t.plan = s.plan AND t.id = s.task WHERE s.plan = ? AND s.unit IN"
            " (SELECT value FROM json_each(?)) AND t.archived = 0 ORDER BY t.item, t.pos, t.no",
            (plan, json.dumps(list(unit_ids)))):
        row = dict(r)
        out.setdefault(row.pop("unit_id"), []).append(row)
    return out
