"""Numbered schema steps, applied in order when a database is opened, and recorded.

Each step is a function ``mNNN_name(db)`` taking a ``sqlite_utils.Database``. Steps only add:
the database is the office's only copy of a year's work, so nothing of it is dropped and
rebuilt (an index, made from it, may be made again: m023).
``PRAGMA user_version`` holds the number of steps applied; a database from newer code (a higher
number than we know) is refused rather than touched.
"""

from __future__ import annotations

from jtdj.store.search_index import m003_task_search, m023_search_reads_tasks
from jtdj.store.tallies import TALLIES, rebuild_tallies


def m001_initial(db) -> None:
    db["settings"].create({"key": str, "value": str}, pk="key")
    db["plans"].create(
        {"key": str, "title": str, "issuer": str, "doc_no": str, "issued": str, "due": str,
         "preamble": str, "source": str, "imported_at": str},
        pk="key",
    )
    db["sections"].create({"plan": str, "no": int, "title": str}, pk=("plan", "no"))
    db["items"].create(
        {"plan": str, "no": int, "section": int, "title": str, "text": str},
        pk=("plan", "no"),
    )
    db["tasks"].create(
        {
            "plan": str, "id": str, "item": int, "no": int, "section": int, "title": str,
            "timing": str, "start": str, "due": str, "owner": str, "support": str, "tags": str,
            "status": str, "percent": int, "started_on": str, "done_on": str,
            "dropped_on": str, "drop_reason": str, "archived": int, "origin": str,
            "evidence": str, "file_values": str,
        },
        pk=("plan", "id"),
        not_null={"plan", "id", "item", "no", "title", "status", "archived", "origin"},
        defaults={"status": "todo", "archived": 0, "origin": "plan", "support": "[]",
                  "tags": "[]", "evidence": "[]"},
    )
    db["tasks"].create_index(["plan", "archived", "item", "no"])
    db["tasks"].create_index(["plan", "owner"])
    db["tasks"].create_index(["plan", "due"])
    db["notes"].create(
        {"id": int, "plan": str, "target": str, "on_date": str, "at": str, "actor": str,
         "text": str, "percent": int, "batch": str},
        pk="id",
    )
    db["notes"].create_index(["plan", "target"])
    db["events"].create(
        {"id": int, "batch": str, "at": str, "on_date": str, "actor": str, "plan": str,
         "target": str, "action": str, "field": str, "old": str, "new": str, "note": str},
        pk="id",
    )
    db["events"].create_index(["plan", "target"])
    db["events"].create_index(["batch"])
    db["events"].create_index(["plan", "on_date"])


def m002_mail_log(db) -> None:
    """Each report mailed or queued: the duplicate-send guard looks here."""
    db["mail_log"].create(
        {"id": int, "at": str, "plan": str, "since": str, "until": str, "recipients": str,
         "message_id": str, "subject": str, "state": str, "outbox": str},
        pk="id", not_null={"at", "plan", "since", "until", "recipients", "message_id", "state"},
    )
    db["mail_log"].create_index(["plan", "since", "until"])
    db["mail_log"].create_index(["message_id"])


def m004_counting_index(db) -> None:
    """Widen the (plan, archived, item, no) index to cover every column the counting rules read,
    so summaries and reports count from the index alone instead of the wide task rows. The
    number of indexes to keep up on import stays the same."""
    db.execute("DROP INDEX IF EXISTS idx_tasks_plan_archived_item_no")
    db.execute("CREATE INDEX idx_tasks_counting ON tasks (plan, archived, item, no, section,"
               " owner, due, status, done_on, dropped_on, started_on)")


def m005_drop_due_index(db) -> None:
    """The (plan, due) index served no query the counting index does not (due filters and
    lights are computed per row), yet every imported task paid for it."""
    db.execute("DROP INDEX IF EXISTS idx_tasks_plan_due")


def m006_owner_counting_index(db) -> None:
    """Make the owner index cover the counting rules too: per-owner counts then read it in
    owner order, without sorting, and `list --owner` finds its rows in it."""
    db.execute("DROP INDEX IF EXISTS idx_tasks_plan_owner")
    db.execute("CREATE INDEX idx_tasks_owner_counting ON tasks (plan, archived, owner, due,"
               " status, done_on, dropped_on, started_on)")


def m007_state_indexes(db) -> None:
    """Count from raw status, correcting only the tasks whose state changed after the as-of day
    (see ``counts``): narrow (item, status) and (owner, status) indexes for the counts,
    a (status, state dates, due) index that finds those few tasks and the due lists by seek,
    and one over the done tasks alone for a period's check-offs.

    The seeks rely on a state date living only on its status (done_on on done tasks, dropped_on
    on dropped ones), which every command keeps; older rows that broke it are mended here. The
    status rules never read a date off its status, so no task's status or light changes.
    """
    db.execute("UPDATE tasks SET done_on = NULL WHERE status != 'done' AND done_on IS NOT NULL")
    db.execute("UPDATE tasks SET dropped_on = NULL"
               " WHERE status != 'dropped' AND dropped_on IS NOT NULL")
    db.execute("DROP INDEX IF EXISTS idx_tasks_counting")
    db.execute("DROP INDEX IF EXISTS idx_tasks_owner_counting")
    db.execute("CREATE INDEX idx_tasks_item_state ON tasks (plan, archived, item, status)")
    db.execute("CREATE INDEX idx_tasks_owner_state ON tasks (plan, archived, owner, status, due,"
               " item, no, done_on, dropped_on)")
    db.execute("CREATE INDEX idx_tasks_state ON tasks (plan, archived, status, done_on,"
               " dropped_on, started_on, due, item, no)")
    # the check-offs of a period in report order, read from the index alone
    db.execute("CREATE INDEX idx_tasks_done ON tasks (plan, archived, done_on, item, no)"
               " WHERE status = 'done'")


def m008_tallies(db) -> None:
    """Kept counts (see TALLIES), so a summary reads a few thousand rows instead of scanning
    every task for each grouping.

    Updates and deletes keep them by trigger (whoever writes). Inserts do not: a per-row
    trigger would slow a large import down. ``bulk.insert_tasks`` adds the new
    rows in bulk instead, and ``tally_rowid`` in settings records the last task counted, so that
    a task inserted by another program is found (``mend_tallies``) and counted in.
    An owner-less task is counted under owner '' (a key column cannot be NULL).
    """
    changes = []  # take the old row out of its counts, put the new one in
    for table, columns, keys, counted in TALLIES:
        names = [c.split()[0] for c in columns]
        db.execute(f"CREATE TABLE {table} (plan TEXT NOT NULL, "
                   + ", ".join(f"{c} NOT NULL" for c in columns)
                   + f", n INTEGER NOT NULL, PRIMARY KEY (plan, {', '.join(names)})) WITHOUT ROWID")
        for sign, row in (("-", "old"), ("+", "new")):
            values = ", ".join(k.format(r=row) for k in keys)
            changes.append((row, f"INSERT INTO {table} SELECT {row}.plan, {values}, {sign}1"
                                 f" WHERE {counted.format(r=row)}"
                                 f" ON CONFLICT DO UPDATE SET n = n {sign} 1;"))
    watched = ("plan", "item", "owner", "status", "archived", "due")
    db.execute(f"CREATE TRIGGER tally_update AFTER UPDATE OF {', '.join(watched)} ON tasks WHEN "
               + " OR ".join(f"old.{c} IS NOT new.{c}" for c in watched)
               + f" BEGIN {' '.join(sql for _row, sql in changes)} END")
    db.execute("CREATE TRIGGER tally_delete AFTER DELETE ON tasks BEGIN "
               + " ".join(sql for row, sql in changes if row == "old") + " END")
    rebuild_tallies(db.conn)


def m009_inclusive_periods(db) -> None:
    """A report's period is now named by its first day (``--since`` includes its day): the
    mail log's periods, kept by the day before, move one day on, so that the duplicate guard
    still knows the reports already mailed."""
    db.execute("UPDATE mail_log SET since = date(since, '+1 day')")


def m010_history_indexes(db) -> None:
    """Small indexes for what a past day needs: the undo steps (undone batches are left out of
    what was true), the changes a period report lists (additions, drops, new due dates and
    owners), the changes a past day replays (history.REPLAYED), and the tasks not from the
    plan file, so none of them reads every row."""
    from jtdj.store.history import CHANGES, REPLAYED

    db.execute("CREATE INDEX idx_events_undo ON events (plan, note) WHERE action = 'undo'")
    db.execute(f"CREATE INDEX idx_events_changes ON events (plan, on_date) WHERE {CHANGES}")
    db.execute(f"CREATE INDEX idx_events_replay ON events (plan, on_date) WHERE {REPLAYED}")
    # the tasks not from the plan file: before its issue date they are the only ones
    db.execute("CREATE INDEX idx_tasks_added ON tasks (plan) WHERE origin != 'plan'")


def m011_units(db) -> None:
    """The register of units (shared by every plan), their groups, the shares of a task handed
    to several units, and the forms sent to units and merged back (see docs/units.md).

    Every owner and supporting unit already named by a task becomes a registered unit; nothing
    else changes. Events gain ``unit`` (the unit a change was made for, by its name that day)
    and ``source`` (``form`` when the change came from a unit's returned form)."""
    import json

    db.execute("CREATE TABLE units (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
               " short TEXT, kind TEXT NOT NULL DEFAULT 'other', contact TEXT, email TEXT,"
               " mobile TEXT, groups TEXT NOT NULL DEFAULT '[]')")
    db.execute("CREATE TABLE unit_groups (name TEXT PRIMARY KEY) WITHOUT ROWID")
    db.execute("CREATE TABLE shares (plan TEXT NOT NULL, task TEXT NOT NULL, unit INTEGER NOT NULL,"
               " status TEXT NOT NULL DEFAULT 'todo', percent INTEGER, started_on TEXT,"
               " done_on TEXT, dropped_on TEXT, drop_reason TEXT, evidence TEXT NOT NULL"
               " DEFAULT '[]', due TEXT, PRIMARY KEY (plan, task, unit))")
    db.execute("CREATE INDEX idx_shares_unit ON shares (unit, plan)")
    db.execute("CREATE TABLE forms (id INTEGER PRIMARY KEY, plan TEXT NOT NULL, unit INTEGER"
               " NOT NULL, collect TEXT NOT NULL, at TEXT NOT NULL, as_of TEXT NOT NULL,"
               " reply_by TEXT NOT NULL, rows TEXT NOT NULL DEFAULT '{}', merged_at TEXT,"
               " merged_on TEXT, filled_on TEXT)")
    db.execute("CREATE INDEX idx_forms_unit ON forms (plan, unit, at)")
    db.execute("ALTER TABLE events ADD COLUMN unit TEXT")
    db.execute("ALTER TABLE events ADD COLUMN source TEXT")
    names: dict[str, None] = {}
    for owner, support in db.execute("SELECT owner, support FROM tasks"):
        for name in [owner, *(json.loads(support) if support else [])]:
            if isinstance(name, str) and name.strip():
                names.setdefault(name.strip())
    db.conn.executemany("INSERT OR IGNORE INTO units (name, kind) VALUES (?, ?)",
                        [(n, guess_kind(n)) for n in sorted(names)])


def guess_kind(name: str) -> str:
    """A unit's kind from how its name ends (组织科 is an office, …党支部 a party organisation);
    the clerk corrects it with `units edit --kind`."""
    if name.endswith(("党委", "党总支", "党支部", "支部", "党组", "党组织")):
        return "party_org"
    if name.endswith(("科", "室", "办", "办公室", "组", "处", "中心")):
        return "office"
    return "other"


def m012_bulletins(db) -> None:
    """The 通报's issue numbers (「第N期」), kept per plan: one row per period a 通报 was made
    for, so the same period gets its number again and a new one the last number + 1."""
    db.execute("CREATE TABLE bulletins (plan TEXT NOT NULL, since TEXT NOT NULL, until TEXT"
               " NOT NULL, no INTEGER NOT NULL, at TEXT NOT NULL, PRIMARY KEY (plan, since, until))")


def m013_review(db) -> None:
    """What waits for the office (docs/workflow.md): a unit's report of 已完成 held for review
    (status ``review`` from ``reported_on``), a request for a new date or to drop the task
    (``request``: JSON with kind, due, reason, on), and the office's reason when it sent a
    report back (``returned``), on tasks and on shares alike. Nothing existing changes."""
    for table in ("tasks", "shares"):
        for column in ("reported_on", "request", "returned"):
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")
        # what waits, found without walking the plan (store.reviews)
        db.execute(f"CREATE INDEX idx_{table}_waiting ON {table} (plan)"
                   " WHERE status = 'review' OR request IS NOT NULL")


def m014_reported_percent(db) -> None:
    """The tasks that reported a percent, found without walking the plan: with the config's
    ``pace = "reported"`` (the default) only they can fall behind their pace (store.lights),
    so a summary counts 滞后 from them alone."""
    db.execute("CREATE INDEX idx_tasks_reported ON tasks (plan) WHERE percent IS NOT NULL")


def m015_ongoing(db) -> None:
    """A task's kind: NULL for a task with a due date, ``ongoing`` for a standing requirement
    (常态推进, docs/plan-format.md) that has none and is judged by the age of its last note. The
    few ongoing tasks are found without walking the plan, and so are the tasks whose light the
    pace or the notes can turn (store.lights): those that reported a percent, and these."""
    db.execute("ALTER TABLE tasks ADD COLUMN kind TEXT")
    db.execute("CREATE INDEX idx_tasks_ongoing ON tasks (plan) WHERE kind IS NOT NULL")
    db.execute("CREATE INDEX idx_tasks_judged ON tasks (plan)"
               " WHERE percent IS NOT NULL OR kind IS NOT NULL")


def m016_recurring(db) -> None:
    """Recurring obligations (docs/plan-format.md): a task's ``every`` and ``day`` (kept as
    ``due_day``), and one row per occurrence (``parent``: the recurring task, ``period``:
    ``2022-07``, ``2022-Q3``, …).

    An occurrence is a task row of its own, with its own state, dates, notes and shares, so
    every command that changes or replays a task does the same for it. Its ``archived`` is
    ``tasks.OCCURRENCE`` (2; 3 for one no longer in its task's series): the counts, tallies and
    exports of live tasks (``archived = 0``) never see it, and the recurring task counts once
    (store.occurrences); `list` shows the occurrences whose period has begun instead."""
    # (``due_day``, not ``day``: a past day's rows carry a ``day`` of their own, history)
    for column, kind in (("every", "TEXT"), ("due_day", "INTEGER"), ("parent", "TEXT"),
                         ("period", "TEXT")):
        db.execute(f"ALTER TABLE tasks ADD COLUMN {column} {kind}")
    db.execute("CREATE INDEX idx_tasks_recurring ON tasks (plan) WHERE every IS NOT NULL")
    db.execute("CREATE INDEX idx_tasks_occurrences ON tasks (plan, parent, period)"
               " WHERE parent IS NOT NULL")


def m017_plan_notice(db) -> None:
    """The notice's own fields of a plan (docs/plan-format.md): its title, 主送机关, 印发机关 and
    印发日期, and 此件公开发布 (``public``, 0 or 1). Empty (NULL, ``public`` 0) in a plan imported
    before: the next import of its file fills them (a new schema makes even the same bytes a
    real import, ``importer.unchanged_import``)."""
    for column, kind in (("notice_title", "TEXT"), ("addressee", "TEXT"),
                         ("printed_by", "TEXT"), ("printed_on", "TEXT"),
                         ("public", "INTEGER NOT NULL DEFAULT 0")):
        db.execute(f"ALTER TABLE plans ADD COLUMN {column} {kind}")


def m018_task_position(db) -> None:
    """A task's place in its item as the plan file lists it (``pos``), so that tasks are shown
    in the document's order whatever their numbers: a task split in two keeps its number and
    its history, and the new part takes the item's next free number but stands beside it. A
    database from before takes the numbers' order, which was the file's (an added task took
    the next number); the counting index orders by the place, so a full list needs no sort."""
    db.execute("ALTER TABLE tasks ADD COLUMN pos INTEGER")
    db.execute("UPDATE tasks SET pos = no")
    db.execute("DROP INDEX IF EXISTS idx_tasks_counting")
    db.execute("CREATE INDEX idx_tasks_counting ON tasks (plan, archived, item, pos, no,"
               " section, owner, due, status, done_on, dropped_on, started_on)")


def m019_robot_log(db) -> None:
    """The robot log (what went, or waits, to each group robot: the duplicate guard) and the
    send log (each post, for the limit of 20 a minute per robot): ``store.robot_log``.
    (``IF NOT EXISTS``: a database whose migrations were replayed keeps its rows.)"""
    db.execute("CREATE TABLE IF NOT EXISTS robot_log (id INTEGER PRIMARY KEY,"
               " robot TEXT NOT NULL, plan TEXT NOT NULL, since TEXT NOT NULL,"
               " until TEXT NOT NULL, unit TEXT NOT NULL DEFAULT '', key TEXT NOT NULL,"
               " message_id TEXT NOT NULL, state TEXT NOT NULL, outbox TEXT,"
               " queued_at TEXT NOT NULL, sent_at TEXT)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_robot_log_guard ON robot_log"
               " (robot, plan, since, until, unit, key)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_robot_log_message ON robot_log (message_id)")
    db.execute("CREATE TABLE IF NOT EXISTS robot_sends (id INTEGER PRIMARY KEY,"
               " robot TEXT NOT NULL, sent_at TEXT NOT NULL)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_robot_sends ON robot_sends (robot, sent_at)")


def m020_accepted_index(db) -> None:
    """The office's acceptances (``accept`` events, `jtdj accept`) by day, so a period report
    finds the tasks accepted in its period by a seek, not by reading every event of the period
    (a week holding an import of 100,000 tasks: 40 ms; bench/README.md)."""
    db.execute("CREATE INDEX idx_events_accepted ON events (plan, on_date) WHERE action = 'accept'")


def m021_supervision_index(db) -> None:
    """The 催办 (``urge`` events) and the changes of a due date by day, so a 通报 or a period
    report counts a unit's urges and extensions by a seek, not by reading every event of the
    plan (100,000 tasks with shares: 186,000 events, 125 ms of a 1.1 s report; bench/README.md).
    A query naming either term can use it (a term of an OR in a partial index's WHERE)."""
    db.execute("CREATE INDEX idx_events_supervision ON events (plan, on_date)"
               " WHERE action = 'urge' OR field = 'due'")


def m022_open_due_indexes(db) -> None:
    """The kept due-date counts that are not 0 (a closed task leaves its count at 0): a day's
    lights read those, not every count the year ever held (bench/README.md)."""
    for table, key in (("item_due_tally", "item"), ("owner_due_tally", "owner")):
        db.execute(f"CREATE INDEX idx_{table}_open ON {table} (plan, due, {key}, n) WHERE n > 0")


def m024_drop_item_state_index(db) -> None:
    """The (item, status) index of m007 counted tasks per item until the kept tallies (m008)
    did; no query reads it since, yet an import made it again over every task and each
    change kept it up (at 100,000 tasks some 4% of a fresh import; bench/README.md)."""
    db.execute("DROP INDEX IF EXISTS idx_tasks_item_state")


MIGRATIONS = [m001_initial, m002_mail_log, m003_task_search, m004_counting_index,
              m005_drop_due_index, m006_owner_counting_index, m007_state_indexes,
              m008_tallies, m009_inclusive_periods, m010_history_indexes, m011_units,
              m012_bulletins, m013_review, m014_reported_percent,
              m015_ongoing, m016_recurring, m017_plan_notice, m018_task_position,
              m019_robot_log, m020_accepted_index, m021_supervision_index, m022_open_due_indexes,
              m023_search_reads_tasks, m024_drop_item_state_index]


def schema_version(conn) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def pending(conn) -> list:
    return MIGRATIONS[schema_version(conn):]


def apply(conn, at: str) -> list[str]:
    """Apply the steps this database lacks, each in its own transaction, recording each as
    applied ``at``; return their names."""
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    done = []
    for number, step in enumerate(MIGRATIONS, 1):
        if number <= schema_version(conn):
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(conn) >= number:  # another process got here first
                conn.execute("ROLLBACK")
                continue
            if "migrations" not in db.table_names():
                db["migrations"].create({"name": str, "applied_at": str}, pk="name")
            step(db)
            conn.execute(
                "INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                (step.__name__, at),
            )
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        done.append(step.__name__)
    return done
