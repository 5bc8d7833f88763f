"""The database: the only package that runs SQL.

``Store`` opens and migrates the file and holds the everyday reads and writes; its companions
are ``tasks`` (the task list query), ``counts`` (counting and the report lists), ``bulk`` (an
import's bulk writes), ``mail_log``, ``safety`` (undo, backups, restore) and ``migrations``.
Every statement is parameterised. Writes go through ``Store.batch()``, which holds a
``BEGIN IMMEDIATE`` transaction (so a cron job and the clerk queue politely behind the busy
timeout instead of failing) and gives each event row the same batch id.
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterator

from jtdj.config import clock as real_clock
from jtdj.errors import StorageError
from jtdj.i18n import t
from jtdj.store import migrations, tallies
from jtdj.store.folders import make_private
from jtdj.store.lights import Lights
from jtdj.store.tasks import TaskFilter, TaskStream, iter_tasks, select_tasks

BUSY_TIMEOUT_S = 60
WAIT_NOTICE_S = 2  # a write waiting longer for the lock is told about once (``Store.on_wait``)
TASK_FIELDS_JSON = ("support", "tags", "evidence")


def utc_text(moment: datetime) -> str:
    """How a moment is kept in the database: UTC, ISO 8601, to the second."""
    return moment.isoformat(timespec="seconds")


def create_private(path: Path) -> None:
    """Create ``path`` empty and owner-only (0600) unless it exists, which keeps its mode."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def to_text(value) -> str | None:
    """How a field value is kept in the events table: lists as JSON, dates ISO."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return json.dumps(list(value), ensure_ascii=False)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class Batch:
    """One command's writes: shares a batch id, actor and effective date across its events."""

    def __init__(self, store: "Store", plan: str, actor: str, on: date):
        self.store, self.plan, self.actor, self.on = store, plan, actor, on
        self.id = os.urandom(8).hex()
        self.at = utc_text(store.clock())
        self.source: str | None = None  # "form:<collect>": from a unit's returned form
        self.unit: str | None = None  # the unit the changes are credited to (a merge)

    def event(self, target: str, action: str, field: str | None = None, old=None, new=None,
              note: str | None = None, on: date | None = None, unit: str | None = None) -> None:
        self.store.conn.execute(
            "INSERT INTO events (batch, at, on_date, actor, plan, target, action, field, old, new,"
            " note, unit, source) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (self.id, self.at, (on or self.on).isoformat(), self.actor, self.plan, target, action,
             field, to_text(old), to_text(new), note, unit or self.unit, self.source),
        )

    def for_plan(self, plan: str) -> "Batch":
        """The same batch (one id, one undo step) writing the events of another plan: a
        register change reaches the tasks of every plan."""
        other = Batch.__new__(Batch)
        other.__dict__.update(self.__dict__, plan=plan)
        return other

    def set_task(self, task_id: str, field: str, new, action: str = "set",
                 on: date | None = None, note: str | None = None) -> bool:
        """Set one field of one task and log it; False (and no event) when already so."""
        row = self.store.conn.execute(
            f"SELECT {field} FROM tasks WHERE plan = ? AND id = ?", (self.plan, task_id)
        ).fetchone()
        old = row[0] if row else None
        stored = to_text(new) if field in TASK_FIELDS_JSON else (
            new.isoformat() if isinstance(new, date) else new)
        if old == stored:
            return False
        self.store.conn.execute(
            f"UPDATE tasks SET {field} = ? WHERE plan = ? AND id = ?", (stored, self.plan, task_id)
        )
        self.event(task_id, action, field, old, stored, note=note, on=on)
        return True


class Store:
    """An open jtdj database."""

    def __init__(self, conn: sqlite3.Connection, path: Path,
                 clock: Callable[[], datetime] = real_clock):
        self.conn = conn
        self.path = path
        self.clock = clock  # event times, backup names: the caller's clock, so tests can pin it
        # Counts computed during this command (see ``counts``); a write makes them stale, so
        # ``transaction()`` empties it.
        self.cache: dict = {}
        # the rules of the lights (the config's [lights]; the Session sets them)
        self.lights = Lights()
        # Called once, the first time a write has waited WAIT_NOTICE_S for the lock (the store
        # never prints: the Session passes a callback that says so on stderr).
        self.on_wait: Callable[[], None] | None = None

    # --- opening -------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, clock: Callable[[], datetime] = real_clock) -> "Store":
        """Open (creating it owner-only if need be) and migrate; make the kept counts whole."""
        path = Path(path)
        try:
            make_private(path.parent)
        except OSError as exc:
            raise StorageError(t("error.db_dir", path=path.parent, reason=exc.strerror or exc)) from None
        try:
            create_private(path)
        except OSError as exc:
            raise StorageError(t("error.db_create", path=path, reason=exc.strerror or exc)) from None
        try:
            conn = _connect(path)
            try:
                version = migrations.schema_version(conn)
            except sqlite3.OperationalError as exc:  # a full disk: no room for the -shm index
                if not no_room(exc):
                    raise
                conn.close()  # EXCLUSIVE before the first read keeps it in memory, for this command
                conn = _connect(path)
                conn.execute("PRAGMA locking_mode = EXCLUSIVE")
                version = migrations.schema_version(conn)
            if version > len(migrations.MIGRATIONS):
                conn.close()
                raise StorageError(t("error.db_too_new", path=path, version=version,
                                     known=len(migrations.MIGRATIONS)))
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            if migrations.pending(conn):
                migrations.apply(conn, utc_text(clock()))
            tallies.mend_tallies(conn)
        except sqlite3.DatabaseError as exc:
            raise StorageError(_explain_db_error(path, exc)) from None
        _opened[:] = [path]
        return cls(conn, path, clock)

    @classmethod
    def open_read_only(cls, path: Path) -> "Store":
        """For tab completion: never creates, migrates or writes (``mode=ro``)."""
        conn = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True, timeout=1)
        conn.row_factory = sqlite3.Row
        if migrations.pending(conn):  # an older schema: its columns may not be there yet
            conn.close()
            raise StorageError(t("error.db_other", path=path, reason="schema"))
        return cls(conn, Path(path))

    def close(self) -> None:
        self.conn.close()

    # --- transactions --------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.cache.clear()
        # 32 MiB of page cache for a write (an import touches 4 indexes); a read keeps 2 MiB
        self.conn.execute("PRAGMA cache_size = -32768")
        try:
            self._begin()
        except sqlite3.DatabaseError as exc:
            raise StorageError(_explain_db_error(self.path, exc)) from None
        try:
            yield
        except sqlite3.DatabaseError as exc:  # e.g. a read-only file: BEGIN works, UPDATE fails
            self._rollback()
            raise StorageError(_explain_db_error(self.path, exc)) from None
        except BaseException:
            self._rollback()
            raise
        self.cache.clear()  # what was counted inside the transaction is stale after it too
        try:
            self.conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self._rollback()
            raise StorageError(_explain_db_error(self.path, exc)) from None
        except KeyboardInterrupt:
            if self.conn.in_transaction:  # Ctrl-C before the commit: nothing is kept
                self._rollback()
                raise
            # Ctrl-C while SQLite committed: the work is saved, so finish the command normally
            # rather than exit 130 claiming nothing changed

    def _begin(self) -> None:
        """BEGIN IMMEDIATE, waiting up to BUSY_TIMEOUT_S for another writer; after
        WAIT_NOTICE_S of waiting, ``on_wait`` is told (once) and the wait goes on."""
        if self.on_wait is None:
            self.conn.execute("BEGIN IMMEDIATE")
            return
        self.conn.execute(f"PRAGMA busy_timeout = {WAIT_NOTICE_S * 1000}")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() and "busy" not in str(exc).lower():
                raise
            said, self.on_wait = self.on_wait, None
            said()
            self.conn.execute(f"PRAGMA busy_timeout = {(BUSY_TIMEOUT_S - WAIT_NOTICE_S) * 1000}")
            self.conn.execute("BEGIN IMMEDIATE")
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")

    def _rollback(self) -> None:
        try:
            self.conn.execute("ROLLBACK")
        except sqlite3.DatabaseError:  # nothing to roll back, or the file is damaged: keep the cause
            pass

    @contextmanager
    def batch(self, plan: str, actor: str, on: date) -> Iterator[Batch]:
        with self.transaction():
            yield Batch(self, plan, actor, on)

    # --- settings and plans --------------------------------------------------------------------
    def setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def plans(self) -> list[dict]:
        rows = self.conn.execute(
            "SELECT p.key, p.title, p.doc_no, p.issued, p.due, p.imported_at, p.source,"
            " (SELECT count(*) FROM tasks t WHERE t.plan = p.key AND t.archived = 0) AS tasks"
            " FROM plans p ORDER BY p.key").fetchall()
        return [dict(r) for r in rows]

    def plan(self, key: str) -> dict | None:
        row = self.conn.execute("SELECT * FROM plans WHERE key = ?", (key,)).fetchone()
        return dict(row) if row else None

    def has_plans(self) -> bool:
        return self.conn.execute("SELECT 1 FROM plans LIMIT 1").fetchone() is not None

    def sections(self, plan: str) -> list[dict]:
        return [dict(r) for r in self.conn.execute(
            "SELECT no, title FROM sections WHERE plan = ? ORDER BY no", (plan,))]

    def items(self, plan: str) -> list[dict]:
        return [dict(r) for r in self.conn.execute(
            "SELECT no, section, title, text FROM items WHERE plan = ? ORDER BY no", (plan,))]

    def item_heads(self, plan: str) -> list[tuple[int, int, str]]:
        """(no, section, title) of each item, in order: what a per-item table shows, without
        the item texts (a 100,000-task plan has a thousand of them)."""
        return self.conn.execute(
            "SELECT no, section, title FROM items WHERE plan = ? ORDER BY no", (plan,)).fetchall()

    def item(self, plan: str, no: int) -> dict | None:
        row = self.conn.execute("SELECT no, section, title, text FROM items WHERE plan = ? AND no = ?",
                                (plan, no)).fetchone()
        return dict(row) if row else None

    def task_ids(self, plan: str, include_archived: bool = True,
                 occurrences: bool = True) -> list[str]:
        """The plan's task ids by number; without ``occurrences``, no occurrence of a
        recurring task (``4.5@2022-07``)."""
        sql = ("SELECT id FROM tasks WHERE plan = ?"
               + ("" if include_archived else " AND archived = 0")
               + ("" if occurrences else " AND parent IS NULL"))
        return [r[0] for r in self.conn.execute(sql + " ORDER BY item, no, period", (plan,))]

    def existing_task_ids(self, plan: str, ids: list[str]) -> set[str]:
        return {r[0] for r in self.conn.execute(
            "SELECT id FROM tasks WHERE plan = ? AND id IN (SELECT value FROM json_each(?))",
            (plan, json.dumps(ids)))} if ids else set()

    def existing_items(self, plan: str, numbers: list[int]) -> set[int]:
        return {r[0] for r in self.conn.execute(
            "SELECT no FROM items WHERE plan = ? AND no IN (SELECT value FROM json_each(?))",
            (plan, json.dumps(numbers)))} if numbers else set()

    def item_task_ids(self, plan: str, item: int) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT id FROM tasks WHERE plan = ? AND item = ? AND archived = 0 ORDER BY pos, no",
            (plan, item))]

    def has_owner(self, plan: str, owner: str) -> bool:
        """Whether any task of the plan has this owner (a seek in the owner index)."""
        return self.conn.execute(
            "SELECT 1 FROM tasks INDEXED BY idx_tasks_owner_state WHERE plan = ?"
            " AND archived IN (0, 1) AND owner = ? LIMIT 1", (plan, owner)).fetchone() is not None

    def owners(self, plan: str) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT owner FROM tasks WHERE plan = ? AND owner IS NOT NULL ORDER BY owner",
            (plan,))]

    # --- tasks ---------------------------------------------------------------------------------
    def select_tasks(self, plan: str, f: TaskFilter, as_of: date, sort: str = "id") -> list[dict]:
        """Tasks matching ``f`` with their status and traffic light as of ``as_of``."""
        return select_tasks(self, plan, f, as_of, sort)

    def iter_tasks(self, plan: str, f: TaskFilter, as_of: date, sort: str = "id"):
        return iter_tasks(self, plan, f, as_of, sort)  # select_tasks from the cursor: read once

    def task_stream(self, plan: str, f: TaskFilter, as_of: date, sort="id", extra=None):
        return TaskStream(self, plan, f, as_of, sort, extra)  # a list's records, or their lines

    def task(self, plan: str, task_id: str) -> dict | None:
        row = self.conn.execute("SELECT * FROM tasks WHERE plan = ? AND id = ?",
                                (plan, task_id)).fetchone()
        return dict(row) if row else None

    def notes(self, plan: str, target: str) -> list[dict]:
        return [dict(r) for r in self.conn.execute(
            "SELECT on_date, at, actor, text, percent FROM notes WHERE plan = ? AND target = ?"
            " ORDER BY on_date, id", (plan, target))]

    def notes_by_target(self, plan: str, target: str | None = None) -> dict[str, list[dict]]:
        """The notes of every task and item of the plan (or of one), by target, each list by
        date: one query for what an export writes of every task."""
        by_target: dict[str, list[dict]] = {}
        for row in self.conn.execute(
                "SELECT target, on_date, at, actor, text, percent FROM notes WHERE plan = ?"
                + (" AND target = ?" if target else "") + " ORDER BY target, on_date, id",
                (plan, target) if target else (plan,)):
            by_target.setdefault(row[0], []).append(dict(row))
        return by_target

    def last_status_changes(self, plan: str, target: str | None = None) -> dict[str, dict]:
        """The last recorded change of each task's status (action, note, on_date, at, actor),
        by task: where the note of its check-off is kept."""
        one = " AND target = :target" if target else ""
        return {r["target"]: dict(r) for r in self.conn.execute(
            "SELECT target, action, note, on_date, at, actor FROM events WHERE id IN"
            " (SELECT max(id) FROM events WHERE plan = :plan AND field = 'status'"
            f"{one} GROUP BY target)", {"plan": plan, "target": target})}

    def add_note(self, batch: Batch, target: str, text: str, percent: int | None,
                 on: date | None = None, by: str | None = None, unit: str | None = None) -> None:
        on = on or batch.on
        self.conn.execute(
            "INSERT INTO notes (plan, target, on_date, at, actor, text, percent, batch)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (batch.plan, target, on.isoformat(), batch.at, by or batch.actor, text, percent, batch.id))
        # the note itself: field NULL, new = its percent; a task's percent change is its own event
        batch.event(target, "note", None, None, percent, note=text, on=on, unit=unit)


def explain_error(exc: sqlite3.DatabaseError) -> str:
    """One line for a SQLite error met outside a transaction (a read of a damaged page), for the
    CLI's edge, naming the database most recently opened."""
    return _explain_db_error(_opened[-1] if _opened else Path("jtdj.db"), exc)


_opened: list[Path] = []


def _connect(path: Path) -> sqlite3.Connection:
    """A connection; temporary tables and sorts stay in memory (small; a read writes nothing)."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
    conn.row_factory = sqlite3.Row  # the busy timeout is sqlite3's own (``timeout``)
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def no_room(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite failed for want of room (SQLITE_FULL; SQLITE_IOERR, as a full -shm gives)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL)
    return str(exc) in ("disk I/O error", "database or disk is full")


def _explain_db_error(path: Path, exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if no_room(exc):
        return t("error.db_full", path=path, reason=text)
    if "not a database" in text or "malformed" in text:
        return t("error.db_corrupt", path=path)
    if "readonly" in text or "read-only" in text:
        return t("error.db_readonly", path=path)
    if "unable to open" in text:
        return t("error.db_open", path=path, reason=text)
    if "locked" in text or "busy" in text:
        return t("error.db_locked", path=path)
    return t("error.db_other", path=path, reason=text)
