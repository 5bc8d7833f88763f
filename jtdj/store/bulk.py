"""The bulk writes of an import (and of `jtdj add`), and the task columns they bind.

Apart from ``Store`` because they write many rows at once, each in the caller's transaction:
positional binding, one statement per table, the search index and the kept tallies updated in
bulk (see store.search_index and migrations.m008) rather than by per-row triggers.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from operator import itemgetter

from jtdj.store import Store, search_index, tallies

# Marks, in a task's file_values, that the last import archived it because the file dropped it.
MISSING = "_missing"

def upsert_plan(store: Store, head: dict, sections: list[dict], items: list[dict]) -> None:
    """Write the plan's heading, sections and items (the caller holds the transaction)."""
    c = store.conn
    c.execute(
        "INSERT INTO plans (key, title, issuer, doc_no, issued, due, preamble, notice_title,"
        " addressee, public, printed_by, printed_on, source, imported_at)"
        " VALUES (:key,:title,:issuer,:doc_no,:issued,:due,:preamble,:notice_title,:addressee,"
        ":public,:printed_by,:printed_on,:source,:imported_at)"
        " ON CONFLICT(key) DO UPDATE SET title=excluded.title, issuer=excluded.issuer,"
        " doc_no=excluded.doc_no, issued=excluded.issued, due=excluded.due,"
        " preamble=excluded.preamble, notice_title=excluded.notice_title,"
        " addressee=excluded.addressee, public=excluded.public, printed_by=excluded.printed_by,"
        " printed_on=excluded.printed_on, source=excluded.source,"
        " imported_at=excluded.imported_at",
        head)
    c.executemany(
        "INSERT INTO sections (plan, no, title) VALUES (:plan,:no,:title)"
        " ON CONFLICT(plan, no) DO UPDATE SET title=excluded.title", sections)
    c.executemany(
        "INSERT INTO items (plan, no, section, title, text) VALUES (:plan,:no,:section,:title,:text)"
        " ON CONFLICT(plan, no) DO UPDATE SET section=excluded.section, title=excluded.title,"
        " text=excluded.text", items)


TASK_COLUMNS = ("plan", "id", "item", "no", "section", "title", "timing", "start", "due", "owner",
                "support", "tags", "status", "percent", "started_on", "done_on", "dropped_on",
                "drop_reason", "archived", "origin", "evidence", "kind", "every", "due_day", "parent",
                "period", "pos", "file_values")


_TASK_VALUES = itemgetter(*TASK_COLUMNS)


def insert_tasks(store: Store, rows: list[dict]) -> int:
    """New tasks, each a dict of TASK_COLUMNS; returns the last row id before them."""
    return insert_task_values(store, map(_TASK_VALUES, rows))


def insert_task_values(store: Store, rows, snapshot: tuple[str, ...] = ()) -> int:
    """New tasks, each a tuple in the order of TASK_COLUMNS (an import's 100,000 rows as tuples
    take a fifth of the memory of dicts). With ``snapshot``, the tuples stop before
    ``file_values``, which SQLite writes as the JSON object of those columns of the row.
    Returns the last row id before them.

    A column with the same value in every row (a plan's key, NULL, '[]' …) is written once, as
    a literal in the statement, not bound in each row (bench/README.md)."""
    rows = list(rows)
    width = len(TASK_COLUMNS) - 1 if snapshot else len(TASK_COLUMNS)
    columns = list(zip(*rows)) if rows else [()] * width
    marks = [_literal(values) for values in columns]
    bound = [i for i, mark in enumerate(marks) if mark is None]
    for n, i in enumerate(bound, 1):
        marks[i] = f"?{n}"
    if snapshot:
        marks.append("json_object(" + ", ".join(
            f"'{name}', {marks[TASK_COLUMNS.index(name)]}" for name in snapshot) + ")")
    if len(bound) < width:
        pick = itemgetter(*bound) if len(bound) > 1 else (
            (lambda row: (row[bound[0]],)) if bound else (lambda row: ()))
        rows = list(map(pick, rows))
    before = store.conn.execute("SELECT coalesce(max(rowid), 0) FROM tasks").fetchone()[0]
    with indexes_made_after(store, "tasks", len(rows)):  # before the tallies, which read them
        store.conn.executemany(
            f"INSERT INTO tasks ({', '.join(TASK_COLUMNS)}) VALUES ({', '.join(marks)})", rows)
    # index the new titles for --search in one statement (store.search_index)
    search_index.index_new_titles(store.conn, before, len(rows) >= INDEX_AFTER_ROWS)
    # count the new tasks into the tallies (migrations.m008); if another program inserted
    # tasks while this command ran, count everything again
    whole = store.setting("tally_rowid") == str(before)
    if not whole:
        for table, *_ in tallies.TALLIES:
            store.conn.execute(f"DELETE FROM {table}")
    tallies.rebuild_tallies(store.conn, before if whole else 0)
    return before


def _literal(values: tuple) -> str | None:
    """The SQL literal of a column whose rows (two or more) all hold one value: None, a string
    or an int (equal to it is an int too, not True nor 1.0); None when they differ."""
    if len(values) < 2 or values.count(values[0]) != len(values):
        return None
    value = values[0]
    if value is None:
        return "NULL"
    if type(value) is str and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    if type(value) is int and all(type(v) is int for v in values):
        return str(value)
    return None


# From how many new rows an empty table's full indexes are made after the insert
INDEX_AFTER_ROWS = 10_000


@contextmanager
def indexes_made_after(store: Store, table: str, rows: int):
    """Around the bulk insert of ``rows`` rows into ``table``: when it is empty, its full
    indexes are dropped first and made again after, in the caller's transaction (a failure
    rolls the drop back with the rest). Sorting such an index once is cheaper than growing it
    row by row; a partial index is not (making it reads the whole table for the few rows it
    holds), nor is a table that has rows (bench/README.md)."""
    made: list[str] = []
    if rows >= INDEX_AFTER_ROWS and not store.conn.execute(
            f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]:
        for name, sql in store.conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
                " AND sql IS NOT NULL AND sql NOT LIKE '% WHERE %' ORDER BY rowid",
                (table,)).fetchall():
            store.conn.execute(f'DROP INDEX "{name}"')
            made.append(sql)
    yield
    for sql in made:
        store.conn.execute(sql)


@contextmanager
def rollback_journal(store: Store, rows: int):
    """Around the transaction that writes ``rows`` tasks into a database that holds none (a new
    database, most often): the rollback journal instead of the WAL. Pages a transaction adds to
    the file need no journal, so the rows are written once; through the WAL they are written
    to it, read back and written again (at 100,000 tasks some 70,000 page writes and 77,000
    reads of the WAL, bench/README.md). The transaction is as safe either way. The WAL comes
    back after, which readers at the same time need; while another connection has the
    database open the mode cannot change (SQLite says so at once, no wait), and the WAL is
    kept. A switch back that fails is done by the next command's ``Store.open``."""
    switched = False
    if rows >= INDEX_AFTER_ROWS and not store.conn.in_transaction and not store.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM tasks)").fetchone()[0]:
        try:
            mode = store.conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
            switched = mode == "delete"
        except sqlite3.OperationalError:  # another connection has it open: "database is locked"
            pass
    try:
        yield
    finally:
        if switched:
            try:
                store.conn.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError:
                pass


def insert_added_events(store: Store, head: tuple, after_rowid: int,
                        action: str = "import") -> None:
    """The ``import status`` event (or ``action``'s) of each task past ``after_rowid``, in row
    order; ``head`` is (batch, at, on_date, actor). One statement instead of 100,000 bound rows
    (bench/README.md)."""
    store.conn.execute(
        "INSERT INTO events (batch, at, on_date, actor, plan, target, action, field, old, new,"
        " note) SELECT ?, ?, ?, ?, plan, id, ?, 'status', NULL, status, NULL FROM tasks"
        " WHERE rowid > ? ORDER BY rowid", (*head, action, after_rowid))


def insert_events(store: Store, rows: list[tuple]) -> None:
    """Rows of (batch, at, on_date, actor, plan, target, action, field, old, new, note)."""
    store.conn.executemany(
        "INSERT INTO events (batch, at, on_date, actor, plan, target, action, field, old, new,"
        " note) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)


def insert_notes(store: Store, rows: list[tuple]) -> None:
    """Rows of (plan, target, on_date, at, actor, text, percent, batch)."""
    store.conn.executemany(
        "INSERT INTO notes (plan, target, on_date, at, actor, text, percent, batch)"
        " VALUES (?,?,?,?,?,?,?,?)", rows)


def next_position(store: Store, plan: str, item: int) -> int:
    """The place after the item's last task: where a task added to it stands."""
    return store.conn.execute("SELECT coalesce(max(pos), 0) + 1 FROM tasks WHERE plan = ?"
                              " AND item = ?", (plan, item)).fetchone()[0]


def move_tasks(store: Store, places: list[tuple[int, str, str]]) -> None:
    """Give tasks their place in their item as the file now lists them: rows of (pos, plan,
    id); a recurring task's occurrences stand where it stands."""
    store.conn.executemany("UPDATE tasks SET pos = ?1 WHERE plan = ?2 AND (id = ?3 OR parent = ?3)",
                           places)


def update_task_columns(store: Store, plan: str, task_id: str, values: dict) -> None:
    unknown = set(values) - set(TASK_COLUMNS)
    if unknown:
        raise ValueError(f"not task columns: {unknown}")
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    store.conn.execute(f"UPDATE tasks SET {assignments} WHERE plan = :_plan AND id = :_id",
                       {**values, "_plan": plan, "_id": task_id})


def all_task_rows(store: Store, plan: str) -> dict[str, sqlite3.Row]:
    """Every task of a plan by id, as read-only rows (``row["title"]``), not dicts: an import
    reads each once."""
    return {r["id"]: r for r in store.conn.execute("SELECT * FROM tasks WHERE plan = ?", (plan,))}


def remember_import(store: Store, plan: str, record: str) -> None:
    """What the last import of ``plan`` was (``importer.unchanged_import`` reads it back)."""
    store.set_setting(f"last_import:{plan}", record)


def remembered_imports(store: Store) -> dict[str, str]:
    rows = store.conn.execute("SELECT key, value FROM settings WHERE key LIKE 'last_import:%'")
    return {key.partition(":")[2]: value for key, value in rows}


def event_mark(store: Store) -> int:
    """The newest event's row id: any change to any task since adds a larger one."""
    return store.conn.execute("SELECT coalesce(max(rowid), 0) FROM events").fetchone()[0]


def touch_plan(store: Store, plan: str, at: str) -> None:
    """An import that found nothing to do still says when the plan was last imported."""
    with store.transaction():
        store.conn.execute("UPDATE plans SET imported_at = ? WHERE key = ?", (at, plan))


def event_rows(batch, action: str, rows: list[tuple]) -> None:
    """``batch.event(target, action, note=note, unit=unit)`` for each (target, note, unit) of
    ``rows``, in order, by one statement: one 催办 run lists dozens of tasks for each unit."""
    batch.store.conn.execute(
        "INSERT INTO events (batch, at, on_date, actor, plan, target, action, field, old, new,"
        " note, unit, source) SELECT ?, ?, ?, ?, ?, json_extract(value, '$[0]'), ?, NULL, NULL,"
        " NULL, json_extract(value, '$[1]'), json_extract(value, '$[2]'), ? FROM json_each(?)"
        " ORDER BY key", (batch.id, batch.at, batch.on.isoformat(), batch.actor, batch.plan,
                          action, batch.source, json.dumps(rows, ensure_ascii=False)))
