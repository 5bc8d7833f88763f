"""Undo, backups and restore: the storage-side promises that nothing is lost.

Apart from ``Store`` (the everyday queries) because these work on whole batches and whole
database files. Undo never deletes history: it writes a new batch that puts the old
values back, and a later undo skips batches already undone.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
from pathlib import Path

from jtdj.errors import JtdjError, NotFound, StorageError, UsageError
from jtdj.i18n import t
from jtdj.store import Store, create_private, migrations, utc_text
from jtdj.store.folders import is_database_file, make_private, trusted_dir
from jtdj.store.bulk import MISSING, TASK_COLUMNS
from jtdj.store.history import UNDO_NOTE_PREFIX, undone_batches

AUTO_BACKUPS_KEPT = 5
# Task columns a batch may have changed and undo may put back
_REVERTIBLE = (set(TASK_COLUMNS) - {"plan", "id", "no", "file_values"}) | {
    "reported_on", "request", "returned"}  # m013's, which an import never writes


class UndoResult:
    """What an undo put back: the batch undone, who ran it and when, its tasks and actions."""

    def __init__(self, batch: str, actor: str, at: str):
        self.batch, self.actor, self.at = batch, actor, at
        self.targets: list[str] = []
        self.actions: list[str] = []


def last_batch(store: Store, plan: str, actor: str) -> str | None:
    """The actor's most recent batch on this plan that is neither an undo nor undone."""
    from jtdj.store.units import REGISTER

    # the register's changes are shared by every plan: undo reaches them from any plan
    undone = undone_batches(store, plan) | undone_batches(store, REGISTER)
    rows = store.conn.execute(
        "SELECT batch, max(id) AS last FROM events WHERE plan IN (?, ?) AND actor = ?"
        " GROUP BY batch HAVING sum(action = 'undo') = 0 ORDER BY last DESC",
        (plan, REGISTER, actor))
    for batch, _last in rows:
        if batch not in undone:
            return batch
    return None


def undo(store: Store, plan: str, actor: str, today) -> UndoResult:
    """Revert the actor's last command as one step; refuse when a later change touched the same
    task field, so undo never silently throws away someone else's work."""
    with store.transaction():
        batch_id = last_batch(store, plan, actor)
        if batch_id is None:
            raise NotFound(t("undo.nothing", actor=actor, plan=plan))
        events = [dict(r) for r in store.conn.execute(
            "SELECT * FROM events WHERE batch = ? ORDER BY id DESC", (batch_id,))]
        last_id = max(e["id"] for e in events)
        from jtdj.store import units as register

        undone = undone_batches(store, plan) | undone_batches(store, register.REGISTER)
        for e in events:
            if e["action"] != "urge" and (register.owns(e["target"]) or e["field"] in _REVERTIBLE
                                          or e["action"] in ("add", "import")):
                # later changes that still stand: not undo steps, not in batches since undone
                later = [r for r in store.conn.execute(
                    "SELECT actor, batch, on_date FROM events WHERE plan = ? AND target = ?"
                    " AND field IS ? AND id > ? AND batch != ? AND action != 'undo' ORDER BY id",
                    (e["plan"], e["target"], e["field"], last_id, batch_id))
                    if r["batch"] not in undone]
                if later:
                    later = later[0]
                    raise JtdjError(t("undo.conflict", target=e["target"],
                                      field=t(f"field.{e['field']}"), actor=later["actor"],
                                      on=later["on_date"]))
        from jtdj.store import Batch

        batch = Batch(store, plan, actor, today)
        note = UNDO_NOTE_PREFIX + batch_id
        result = UndoResult(batch=batch_id, actor=actor, at=events[0]["at"])
        batches = {plan: batch}
        for e in events:
            target = e["target"]
            plan = e["plan"]  # a rename's task events may be another plan's
            batch = batches.setdefault(plan, batches[next(iter(batches))].for_plan(plan))
            if e["action"] == "urge":  # nothing to put back: the step marks the run undone
                from jtdj.store import urges

                urges.undo_event(batch, e, note)
            elif register.owns(target):
                if not register.undo_event(store, batch, e, note):
                    continue
            elif e["action"] == "note" and e["field"] is None:
                store.conn.execute("DELETE FROM notes WHERE batch = ? AND target = ?",
                                   (batch_id, target))
                batch.event(target, "undo", None, e["note"], None, note=note)
            elif e["action"] in ("add",) or (e["action"] == "import" and e["field"] == "status"
                                             and e["old"] is None):
                # a task this batch created: archive it, never delete it
                _set(store, batch, plan, target, "archived", 1, note)
                if e["action"] == "import":  # as if gone from the file: a re-import brings it back
                    _edit_file_values(store, plan, target, {MISSING: True})
            elif e["field"] in _REVERTIBLE:
                _set(store, batch, plan, target, e["field"], e["old"], note)
                if e["action"] in ("import", "archive", "restore"):
                    # forget what the file said, so importing it again applies it again
                    _edit_file_values(store, plan, target, {e["field"]: None, MISSING: None})
            else:
                continue
            if register.split_target(target)[1] is not None and e["unit"]:
                target = f"{register.split_target(target)[0]} {e['unit']}"  # as people read it
            if target not in result.targets:
                result.targets.append(target)
            if e["action"] not in result.actions:
                result.actions.append(e["action"])
    result.targets.reverse()
    return result


def _set(store: Store, batch, plan: str, task_id: str, column: str, value, note: str) -> None:
    row = store.conn.execute(f"SELECT {column} FROM tasks WHERE plan = ? AND id = ?",
                             (plan, task_id)).fetchone()
    if row is None:
        return
    old = row[0]
    if column == "archived":
        value = int(value)
        old = int(old)
    elif column in ("item", "section", "percent") and value is not None:
        value = int(value)
    if old == value:
        return
    store.conn.execute(f"UPDATE tasks SET {column} = ? WHERE plan = ? AND id = ?",
                       (value, plan, task_id))
    batch.event(task_id, "undo", column, old, value, note=note)


def _edit_file_values(store: Store, plan: str, task_id: str, changes: dict) -> None:
    """Change what the database remembers of the file's values (None: forget the key)."""
    row = store.conn.execute("SELECT file_values FROM tasks WHERE plan = ? AND id = ?",
                             (plan, task_id)).fetchone()
    if row is None or not row[0]:
        return
    values = json.loads(row[0])
    for key, value in changes.items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    store.conn.execute("UPDATE tasks SET file_values = ? WHERE plan = ? AND id = ?",
                       (json.dumps(values, ensure_ascii=False, sort_keys=True), plan, task_id))


# --- backups ---------------------------------------------------------------------------------

def _timestamp(store: Store) -> str:
    return store.clock().astimezone().strftime("%Y%m%d-%H%M%S-%f")


def backup(store: Store, dest: Path | None = None, prefix: str = "jtdj", warn=None) -> Path:
    """A consistent copy made with SQLite's online backup API, safe while others write. The
    ``backups/`` folder beside the database is used only once checked (``trusted_dir``; ``warn``
    hears of a group-writable one); the database itself is never a target."""
    from jtdj.config import backups_dir_for

    folder = backups_dir_for(store.path)
    dest = Path(folder if dest is None else dest)
    name = f"{prefix}-{_timestamp(store)}.db"
    try:
        if os.path.abspath(dest) == os.path.abspath(folder):
            dest = trusted_dir(folder, warn) / name
        elif dest.is_dir():
            dest = dest / name
        if is_database_file(dest, store.path):
            raise UsageError(t("backup.onto_database", path=dest))
        if os.path.abspath(dest.parent) == os.path.abspath(folder):
            trusted_dir(folder, warn)
        else:
            make_private(dest.parent)
        create_private(dest)
        target = sqlite3.connect(str(dest))
        try:
            store.conn.backup(target)
        finally:
            target.close()
    except OSError as exc:
        raise StorageError(t("backup.failed", path=dest, reason=exc.strerror or exc)) from None
    except sqlite3.DatabaseError as exc:
        raise StorageError(t("backup.failed", path=dest, reason=exc)) from None
    return dest


# the names auto_backup gives (see _timestamp): rotation deletes these and nothing else
_AUTO_NAME = re.compile(r"auto-\d{8}-\d{6}-\d{6}\.db")


def auto_backup(store: Store, warn=None) -> Path:
    """Before an import changes anything: keep the previous state, the last few of them.
    Rotation deletes only regular files (not links) named as jtdj names them, in the checked
    backups folder."""
    path = backup(store, prefix="auto", warn=warn)
    olds = sorted(p for p in path.parent.iterdir()
                  if _AUTO_NAME.fullmatch(p.name) and stat.S_ISREG(os.lstat(p).st_mode))
    for old in olds[:-AUTO_BACKUPS_KEPT]:
        old.unlink(missing_ok=True)
    return path


def check_backup(path: Path) -> dict:
    """Open ``path`` read-only and make sure it is a jtdj database we understand."""
    if not path.is_file():
        raise UsageError(t("restore.missing", path=path))
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            version = migrations.schema_version(conn)
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not {"plans", "tasks", "events"} <= tables:
                raise UsageError(t("restore.not_jtdj", path=path))
            if version > len(migrations.MIGRATIONS):
                raise UsageError(t("error.db_too_new", path=path, version=version,
                                   known=len(migrations.MIGRATIONS)))
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise UsageError(t("restore.damaged", path=path))
            tasks = conn.execute("SELECT count(*) FROM tasks").fetchone()[0]
            plans = [r[0] for r in conn.execute("SELECT key FROM plans ORDER BY key")]
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        raise UsageError(t("restore.not_jtdj", path=path)) from None
    return {"tasks": tasks, "plans": plans, "version": version}


def compare(store: Store, path: Path) -> list[dict]:
    """What a restore of ``path`` would replace, per plan: tasks and events now and in the
    backup, and the events now that the backup lacks (matched by batch and time, not by row id,
    which differ between copies), with the newest of them."""
    sql_counts = "SELECT plan, count(*) FROM {} GROUP BY plan"
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        then = {t_: dict(conn.execute(sql_counts.format(t_)).fetchall()) for t_ in ("tasks", "events")}
        then_plans = {r[0] for r in conn.execute("SELECT key FROM plans")}
        kept = set(conn.execute("SELECT DISTINCT plan, batch, at FROM events").fetchall())
    finally:
        conn.close()
    now = {t_: {r[0]: r[1] for r in store.conn.execute(sql_counts.format(t_))}
           for t_ in ("tasks", "events")}
    plans = sorted(then_plans | {r[0] for r in store.conn.execute("SELECT key FROM plans")})
    lost: dict[str, list] = {}  # plan -> [count, (at, id) of the newest]
    for plan, batch, at, count, last in store.conn.execute(
            "SELECT plan, batch, at, count(*), max(id) FROM events GROUP BY plan, batch, at"):
        if (plan, batch, at) not in kept:
            entry = lost.setdefault(plan, [0, ("", 0)])
            entry[0] += count
            entry[1] = max(entry[1], (at, last))
    result = []
    for plan in plans:
        count, (_at, last) = lost.get(plan, [0, ("", 0)])
        newest = None
        if count:
            newest = dict(store.conn.execute(
                "SELECT at, actor, action, target FROM events WHERE id = ?", (last,)).fetchone())
        result.append({"plan": plan, "tasks_now": now["tasks"].get(plan, 0),
                       "tasks_then": then["tasks"].get(plan, 0),
                       "events_now": now["events"].get(plan, 0),
                       "events_then": then["events"].get(plan, 0), "lost": count, "newest": newest})
    return result


def restore(store: Store, path: Path, warn=None) -> Path:
    """Put a backup back in place of the current database (keeping a copy of the current one)."""
    check_backup(path)
    safety_copy = backup(store, prefix="before-restore", warn=warn)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        page_size = store.conn.execute("PRAGMA page_size").fetchone()[0]
        if source.execute("PRAGMA page_size").fetchone()[0] == page_size:
            source.backup(store.conn)
        else:
            _backup_resized(source, store.conn, page_size, safety_copy.parent)
    except OSError as exc:
        raise StorageError(t("backup.failed", path=store.path, reason=exc.strerror or exc)) from None
    except sqlite3.DatabaseError as exc:
        raise StorageError(t("backup.failed", path=store.path, reason=exc)) from None
    finally:
        source.close()
    if migrations.pending(store.conn):
        migrations.apply(store.conn, utc_text(store.clock()))
    return safety_copy


def _backup_resized(source, dest, page_size: int, folder: Path) -> None:
    """SQLite's backup API cannot change the page size of a WAL database: copy the backup into
    a private scratch file, rebuild it there with the database's page size, then copy that."""
    import tempfile  # only here: start-up stays light

    fd, scratch = tempfile.mkstemp(prefix=".restore-", suffix=".db", dir=folder)
    os.close(fd)
    try:
        conn = sqlite3.connect(scratch, isolation_level=None)
        try:
            source.backup(conn)
            conn.execute("PRAGMA journal_mode = DELETE")
            conn.execute(f"PRAGMA page_size = {int(page_size)}")
            conn.execute("VACUUM")
            conn.backup(dest)
        finally:
            conn.close()
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(scratch + suffix).unlink(missing_ok=True)
