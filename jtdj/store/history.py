"""Tasks as they were on a past day, from the event log.

The rows of ``tasks`` hold each task as it is now. For a past day D, a task whose row is not
what it was on D is one with a change dated after D (its own event, on the day the change took
effect), or one that did not exist yet: a task from the plan file exists from the plan's
``issued`` date (or its import, for a plan without one), a task from `jtdj add` from that
command's day. For those few tasks ``as_of`` writes the row as it was on D into the temporary
table ``asof_tasks``, replaying their events backwards (each field takes the old value of its
first change after D; a task not yet there is marked archived). Undone batches and the undo
steps themselves are left out, so an undone command is as if it had never run.

The status rules (``tasks.EFFECTIVE_STATUS``) then read those rows as they read ``tasks``, so
counting and listing add them in place of the rows they stand for; on the as-of day of today no
task has a later change and nothing is written.
"""

from __future__ import annotations

import json
from datetime import date
from itertools import repeat
from typing import Iterator

UNDO_NOTE_PREFIX = "undo:"
# task columns an event may name, and how their old values are kept (events hold text)
_INTEGER_COLUMNS = {"item", "no", "section", "percent", "archived"}
# an import's first event of a task (status: NULL → the file's) and `jtdj add` create the task
_CREATION = ("(e.action = 'add' OR (e.action = 'import' AND e.field = 'status'"
             " AND e.old IS NULL))")


# Changes after the day that the status rules undo by themselves: a task checked off, started
# or dropped after it from an open state is open on the day by its dates (tasks.EFFECTIVE_STATUS),
# so its row needs no replay for them (`e` is the event).
_OPEN_BEFORE = ("(e.old = 'todo' OR (e.old = 'doing' AND (SELECT t.started_on FROM tasks t"
                " WHERE t.plan = e.plan AND t.id = e.target) IS NOT NULL))")
_BY_DATE = (
    "((e.action = 'done' AND ((e.field = 'status' AND " + _OPEN_BEFORE + ")"
    " OR (e.field = 'done_on' AND e.old IS NULL) OR e.field = 'evidence'))"
    " OR (e.action = 'start' AND ((e.field = 'status' AND e.old = 'todo')"
    " OR (e.field = 'started_on' AND e.old IS NULL)))"
    " OR (e.action = 'drop' AND ((e.field = 'status' AND " + _OPEN_BEFORE + ")"
    " OR (e.field IN ('dropped_on', 'drop_reason') AND e.old IS NULL))))")


# A share's events (target ``id@unit``: digits alone after the ``@``) change no task's row. An
# occurrence's period is never all digits (``recurrence``), so no task id reads so; an
# occurrence's share (``id@period@unit``) is passed over by ``as_of``'s row check instead.
_SHARE_TARGET = "(e.target GLOB '*@[0-9]*' AND NOT e.target GLOB '*@*[^0-9]*')"


def kept_rows(store, plan: str, day: date) -> str:
    """The SQL condition on a task row ``t`` of ``tasks`` that keeps the rows standing for
    themselves on ``day`` (call after ``as_of``): not those in ``asof_tasks``, and before the
    plan's issue date none of the plan file's."""
    if not store.cache.get(("as_of", plan, day)):
        return ""
    condition = " AND t.rowid NOT IN (SELECT task_rowid FROM temp.asof_tasks WHERE day = :d)"
    if store.cache.get(("before_issue", plan, day)):
        condition += " AND t.origin != 'plan'"
    return condition


def before_issue(store, plan: str, day: date) -> bool:
    """Whether ``day`` is before the plan's issue date (call after ``as_of``)."""
    return bool(store.cache.get(("before_issue", plan, day)))


# the events a period report lists as changes (migrations.m010 indexes them alone)
CHANGES = ("(action = 'add' OR (field = 'status' AND new = 'dropped')"
           " OR field IN ('due', 'owner'))")


# The events that can make a task's row differ from its past (migrations.m010 indexes them
# alone): neither undo steps, nor an import's first event of a task, nor a check-off, start or
# drop from 未开始, which the status rules undo by their dates. From 推进中 they still count
# here: whether the dates undo them depends on the task (see _BY_DATE).
REPLAYED = ("(field IS NOT NULL AND action != 'undo'"
            " AND NOT (action = 'import' AND field = 'status' AND old IS NULL)"
            " AND NOT ((action = 'done' AND ((field = 'status' AND old = 'todo')"
            " OR (field = 'done_on' AND old IS NULL) OR field = 'evidence'))"
            " OR (action = 'start' AND ((field = 'status' AND old = 'todo')"
            " OR (field = 'started_on' AND old IS NULL)))"
            " OR (action = 'drop' AND ((field = 'status' AND old = 'todo')"
            " OR (field IN ('dropped_on', 'drop_reason') AND old IS NULL)))))")


def undone_batches(store, plan: str) -> set[str]:
    """The batches an undo has reverted (each undo step notes ``undo:<batch>``), read from the
    index of undo steps (migrations.m010)."""
    key = ("undone", plan)
    if key not in store.cache:
        rows = store.conn.execute(
            "SELECT DISTINCT substr(note, ?) FROM events INDEXED BY idx_events_undo"
            " WHERE plan = ? AND action = 'undo' AND note LIKE ?",
            (len(UNDO_NOTE_PREFIX) + 1, plan, UNDO_NOTE_PREFIX + "%"))
        store.cache[key] = {r[0] for r in rows}
    return store.cache[key]


def _ensure_table(store) -> None:
    store.conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS asof_tasks AS"
        " SELECT *, rowid AS task_rowid, '' AS day FROM main.tasks WHERE 0")


def as_of(store, plan: str, day: date) -> bool:
    """Write into ``asof_tasks`` the tasks of ``plan`` whose row differs from what they were
    on ``day``, as they were then; return whether there are any. Once per command and day."""
    key = ("as_of", plan, day)
    if key in store.cache:
        return store.cache[key]
    d = day.isoformat()
    head = store.conn.execute("SELECT issued FROM plans WHERE key = ?", (plan,)).fetchone()
    issued = head[0] if head else None
    not_yet_issued = bool(issued and d < issued)
    # with an issue date, a plan task exists from it, whenever the file was imported; before
    # it, every task of the plan file is absent, so only the others need their events
    creation_counts = "" if issued else f" OR {_CREATION}"
    only_added, added = "", []
    if not_yet_issued:  # only the tasks added by `jtdj add` can have been there
        added = [r[0] for r in store.conn.execute(
            "SELECT DISTINCT target FROM events INDEXED BY idx_events_changes"
            f" WHERE plan = :plan AND {CHANGES} AND action = 'add'", {"plan": plan})]
        only_added = " AND e.target IN (SELECT value FROM json_each(:added))"
    # with an issue date, an import's first events never count: the index holds the others
    source = "events e INDEXED BY idx_events_replay" if issued else "events e"
    replayed = f" AND {REPLAYED.replace('(field', '(e.field', 1)}" if issued else ""
    events = [] if not_yet_issued and not added else store.conn.execute(
        f"SELECT DISTINCT e.target, e.batch FROM {source}"
        " WHERE e.plan = :plan AND e.on_date > :d AND e.field IS NOT NULL"
        f" AND e.action != 'undo' AND (NOT {_CREATION}{creation_counts}"
        f" OR e.action = 'add') AND NOT {_BY_DATE} AND NOT {_SHARE_TARGET}{only_added}{replayed}",
        {"plan": plan, "d": d, "added": _json(added)}).fetchall()
    if events:
        undone = undone_batches(store, plan)
        events = [e for e in events if e[1] not in undone]
    else:
        undone = set()
    if not events and not not_yet_issued:
        store.cache[key] = False
        return False
    _ensure_table(store)
    store.conn.execute("DELETE FROM temp.asof_tasks WHERE plan = ? AND day = ?", (plan, d))
    store.cache[("before_issue", plan, day)] = not_yet_issued
    targets = sorted({e[0] for e in events})
    cursor = store.conn.execute(
        "SELECT rowid, * FROM main.tasks WHERE plan = :plan AND id IN (SELECT value FROM"
        " json_each(:ids))" + (" AND origin != 'plan'" if not_yet_issued else ""),
        {"plan": plan, "ids": _json(targets)})
    names = [c[0] for c in cursor.description]
    rows = {r[2]: dict(zip(names, r)) for r in cursor}  # by id (rowid, plan, id, ...)
    # those with a row to replay (before the issue date only the added tasks have one)
    targets = [target for target in targets if target in rows]
    for target, field, value in _values_then(store, plan, d, targets, undone, bool(issued)):
        row = rows.get(target)
        if row is None:  # a plan task before the plan was issued: absent already
            continue
        if value is _ABSENT:
            row["_absent"] = True
        elif field in row and field not in ("plan", "id", "rowid"):
            row[field] = int(value) if value is not None and field in _INTEGER_COLUMNS else value
    columns = [n for n in names if n != "rowid"]
    out = []
    renamed = current_names(store)
    for row in rows.values():
        if row.pop("_absent", False):
            row["archived"] = 1
        if renamed:  # a unit renamed since: lists show the name it has now
            row["owner"] = renamed.get(row["owner"], row["owner"])
            if row["support"] and row["support"] != "[]":
                row["support"] = _json([renamed.get(n, n) for n in json.loads(row["support"])])
        out.append([row[c] for c in columns] + [row["rowid"], d])
    # one statement for all the rows (a JSON array of rows), not one per task
    values = ", ".join(f"json_extract(value, '$[{k}]')" for k in range(len(columns) + 2))
    if out:
        store.conn.execute(
            f"INSERT INTO temp.asof_tasks ({', '.join(columns)}, task_rowid, day)"
            f" SELECT {values} FROM json_each(?) ORDER BY key", (_json(out),))
    store.cache[key] = bool(out) or not_yet_issued
    return store.cache[key]


_ABSENT = object()


def current_names(store) -> dict[str, str]:
    """Each old name of a unit renamed since (not undone) → the name it has now; a name a
    registered unit bears again is left alone."""
    key = ("current_names",)
    if key not in store.cache:
        undone = undone_batches(store, "")
        names: dict[str, str] = {}
        for old, new, batch in store.conn.execute(
                "SELECT old, new, batch FROM events WHERE plan = '' AND action = 'unit_rename'"
                " AND field = 'name' ORDER BY id"):
            if batch in undone:
                continue
            names = {k: (new if v == old else v) for k, v in names.items()}
            names[old] = new
        if names:
            taken = {r[0] for r in store.conn.execute("SELECT name FROM units")}
            names = {k: v for k, v in names.items() if k not in taken}
        store.cache[key] = names
    return store.cache[key]


def _values_then(store, plan: str, d: str, targets: list[str], undone: set[str],
                 issued: bool):
    """(task, field, value on day d) for every field the events of ``targets`` name.

    Events are applied in the order they were recorded, each on its own effective day, so a
    field on d has the value the last recorded change dated on or before d gave it, or, with
    none, the value it had before its first change; on the day of today that is the row as
    it stands. A task created (added, or imported without an issue date) after d is absent."""
    seen: dict[tuple[str, str], list] = {}  # (task, field) -> [first old, last new by d, set?]
    absent = set()
    for target, action, field, old, new, on, batch in store.conn.execute(
            "SELECT target, action, field, old, new, on_date, batch FROM events"
            " WHERE plan = :plan AND target IN (SELECT value FROM json_each(:ids))"
            " AND field IS NOT NULL AND action != 'undo' ORDER BY id",
            {"plan": plan, "ids": _json(targets)}):
        if batch in undone:
            continue
        creation = action == "add" or (action == "import" and field == "status" and old is None)
        if creation:
            if on > d and (action == "add" or not issued):
                absent.add(target)
            continue
        entry = seen.setdefault((target, field), [old, None, False])
        if on <= d:
            entry[1], entry[2] = new, True
    for (target, field), (first_old, new, changed_by_then) in seen.items():
        yield target, field, new if changed_by_then else first_old
    for target in absent:
        yield target, None, _ABSENT


def _json(values: list) -> str:
    import json

    return json.dumps(values, ensure_ascii=False)


def changes_between(store, plan: str, before: date, until: date) -> list[tuple]:
    """The period's changes a leader asks about, from the event log (undone ones left out):
    (kind, id, title, on, by, old, new) for each task added, dropped (new: the reason),
    rescheduled (old → new due date) or reassigned (old → new owner), by day."""
    undone = undone_batches(store, plan)
    rows = store.conn.execute(
        "SELECT CASE WHEN e.action = 'add' THEN 'added' WHEN e.field = 'status' THEN 'dropped'"
        " WHEN e.field = 'due' THEN 'rescheduled' ELSE 'reassigned' END, e.target,"
        " coalesce(t.title, e.new), e.on_date, e.actor,"
        " CASE WHEN e.field = 'status' THEN NULL ELSE e.old END,"
        " CASE WHEN e.field = 'status' THEN e.note ELSE e.new END, e.batch"
        " FROM events e INDEXED BY idx_events_changes"
        " LEFT JOIN tasks t ON t.plan = e.plan AND t.id = e.target"
        f" WHERE e.plan = :plan AND e.on_date > :before AND e.on_date <= :until AND {CHANGES}"
        " AND e.action != 'undo' ORDER BY e.on_date, e.id",
        {"plan": plan, "before": before.isoformat(), "until": until.isoformat()}).fetchall()
    return [tuple(r[:7]) for r in rows if r[7] not in undone]


# An event as a record of `history` (keys in English, in the machine formats' order) and the
# column each key is read from.
EVENT_KEYS = ("id", "at", "on", "actor", "target", "action", "field", "old", "new", "note",
              "unit", "source", "batch")
_EVENT_COLUMNS = ("id, at, on_date, actor, target, action, field, old, new, note, unit, source,"
                  " batch")


def iter_event_records(store, plan: str, target: str | None = None, since: date | None = None,
                       limit: int | None = None) -> Iterator[dict]:
    """The plan's events (of one task, or of an item and its tasks) from ``since`` (inclusive)
    on, newest first (by the day they took effect, then by id), as records keyed ``EVENT_KEYS``,
    from the cursor as they are read: ``idx_events_plan_on_date`` holds them in that order (its
    entries end with the id), so SQLite neither sorts nor holds them, and a ``limit`` stops the
    reading there. The query runs now; read the stream once."""
    where, params = target_clause(target)
    rows = _event_rows(store, plan, where, params, since, limit)
    if target is None and plan != "":  # the register's changes are every plan's (store.units)
        from heapq import merge
        from itertools import islice

        newest_first = lambda row: (row[2], row[0])  # noqa: E731  (on_date, id)
        rows = merge(rows, _event_rows(store, "", "", [], since, limit), key=newest_first,
                     reverse=True)
        if limit:
            rows = islice(rows, limit)
    return map(dict, map(zip, repeat(EVENT_KEYS), rows))


def _event_rows(store, plan: str, where: str, params: list, since: date | None,
                limit: int | None):
    sql = f"SELECT {_EVENT_COLUMNS} FROM events WHERE plan = ?{where}"
    params = [plan, *params]
    if since is not None:
        sql += " AND on_date >= ?"
        params.append(since.isoformat())
    sql += " ORDER BY on_date DESC, id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    cursor = store.conn.cursor()
    cursor.row_factory = None  # plain tuples, zipped with the keys
    return cursor.execute(sql, params)


def target_clause(target: str | None) -> tuple[str, list]:
    """The events of one task (``5.2``), of an item and its tasks (``5``), or of all."""
    if target is None:
        return "", []
    if "." in target:  # a task and its shares (``<task>@<unit id>``)
        return (" AND (target = ? OR (target > ? AND target < ?))",  # a range: an index seek
                [target, f"{target}@", f"{target}A"])
    return " AND (target = ? OR target LIKE ?)", [target, f"{target}.%"]


def batch_event_records(store, plan: str, batches: list[str]) -> dict[str, list[dict]]:
    """The events of each of ``batches`` (of the plan), oldest first, in one query (the batch
    index): what an undo line of ``history`` says it undid."""
    by_batch: dict[str, list[dict]] = {}
    cursor = store.conn.cursor()
    cursor.row_factory = None
    for row in cursor.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events INDEXED BY idx_events_batch WHERE batch IN"
            " (SELECT value FROM json_each(?)) AND plan = ? ORDER BY id", (_json(batches), plan)):
        by_batch.setdefault(row[-1], []).append(dict(zip(EVENT_KEYS, row)))
    return by_batch


def events_of(store, plan: str, target: str | None = None) -> list[dict]:
    """Every event of one task (and its shares), of an item and its tasks, or of the plan,
    newest first: what `show` lists."""
    where, params = target_clause(target)
    return [dict(r) for r in store.conn.execute(
        f"SELECT * FROM events WHERE plan = ?{where} ORDER BY on_date DESC, id DESC",
        [plan, *params])]
