"""Promise 5: upgrades. A database made by the first released schema opens with today's code,
is migrated in place, keeps every task, event and note, and records each step. A database from
a newer jtdj is refused and left byte for byte as it was."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from conftest import as_json, rows

from jtdj.store import migrations

V1 = Path(__file__).resolve().parent / "data" / "schema-v1.db"  # made by data/make_schema_v1.py

TASK_COLUMNS = ["plan", "id", "item", "no", "section", "title", "timing", "start", "due", "owner",
                "support", "tags", "status", "percent", "started_on", "done_on", "dropped_on",
                "drop_reason", "archived", "origin", "evidence", "file_values", "reported_on",
                "request", "returned", "kind", "every", "due_day", "parent", "period", "pos"]
# the columns m013 adds: nothing waits for review in an old database; m015's kind: every
# task of an old database is an ordinary one (NULL)
REVIEW_COLUMNS = ("reported_on", "request", "returned", "kind", "every", "due_day", "parent",
                  "period", "pos")
EVENT_COLUMNS = ["id", "batch", "at", "on_date", "actor", "plan", "target", "action", "field",
                 "old", "new", "note", "unit", "source"]
NOTE_COLUMNS = ["id", "plan", "target", "on_date", "at", "actor", "text", "percent", "batch"]
PLAN_COLUMNS = ["key", "title", "issuer", "doc_no", "issued", "due", "preamble", "source",
                "imported_at", "notice_title", "addressee", "printed_by", "printed_on", "public"]
NOTICE_COLUMNS = PLAN_COLUMNS[-5:]  # m017's: an old plan has none of its notice's fields


def _columns(db: Path, table: str) -> list[str]:
    return [r["name"] for r in rows(db, f"PRAGMA table_info({table})")]


def _everything(db: Path) -> dict:
    return {
        "tasks": [{k: v for k, v in r.items() if k not in REVIEW_COLUMNS}
                  for r in rows(db, "SELECT * FROM tasks ORDER BY plan, id")],
        "events": rows(db, "SELECT id, batch, at, on_date, actor, plan, target, action, field,"
                           " old, new, note FROM events ORDER BY id"),  # as schema 1 had them
        "notes": rows(db, "SELECT * FROM notes ORDER BY id"),
        "plans": rows(db, "SELECT key, title, issuer, doc_no, issued, due, preamble, source,"
                          " imported_at FROM plans"),  # as schema 1 had them
        "items": rows(db, "SELECT * FROM items ORDER BY plan, no"),
    }


def test_the_stored_database_is_schema_1():
    assert rows(V1, "PRAGMA user_version")[0]["user_version"] == 1
    assert [r["name"] for r in rows(V1, "SELECT name FROM migrations")] == ["m001_initial"]
    assert rows(V1, "SELECT count(*) AS n FROM tasks")[0]["n"] == 99
    assert rows(V1, "SELECT count(*) AS n FROM notes")[0]["n"] >= 3


def test_an_old_database_is_migrated_and_keeps_everything(run, tmp_path, db_path):
    db_path.parent.mkdir(parents=True)
    shutil.copy(V1, db_path)
    before = _everything(db_path)

    result = run("list", "--status", "all", "--format", "json", "--as-of", "2022-07-01")
    assert result.exit_code == 0, result.stderr
    assert len(as_json(result)) == 99

    after = _everything(db_path)
    assert after == before  # every task, event, note, plan and item, value for value
    steps = [m.__name__ for m in migrations.MIGRATIONS]
    assert [r["name"] for r in rows(db_path, "SELECT name FROM migrations ORDER BY rowid")] == steps
    assert rows(db_path, "PRAGMA user_version")[0]["user_version"] == len(migrations.MIGRATIONS)
    assert _columns(db_path, "tasks") == TASK_COLUMNS
    assert _columns(db_path, "events") == EVENT_COLUMNS
    assert _columns(db_path, "notes") == NOTE_COLUMNS
    assert _columns(db_path, "plans") == PLAN_COLUMNS
    assert rows(db_path, f"SELECT {', '.join(NOTICE_COLUMNS)} FROM plans") == [
        {"notice_title": None, "addressee": None, "printed_by": None, "printed_on": None,
         "public": 0}]
    assert rows(db_path, "PRAGMA integrity_check")[0]["integrity_check"] == "ok"
    # m018: a task's place in its item is its number's, the order it was shown in before
    assert rows(db_path, "SELECT count(*) AS n FROM tasks WHERE pos IS NOT no")[0]["n"] == 0

    # what the clerk did under schema 1 still shows, and the database takes new work
    done = {r["id"] for r in as_json(run("list", "--status", "done", "--format", "json",
                                         "--as-of", "2022-07-01"))}
    assert done == {"1.1", "1.2", "8.5"}
    assert "已完成一半" in run("show", "2.1", "--format", "json", "--as-of", "2022-07-01").stdout
    assert run("done", "2.1", "--as-of", "2022-07-01").exit_code == 0
    assert rows(db_path, "SELECT status FROM tasks WHERE id = '2.1'")[0]["status"] == "done"


def test_a_second_open_does_not_migrate_again(run, db_path):
    db_path.parent.mkdir(parents=True)
    shutil.copy(V1, db_path)
    assert run("list", "--format", "json", "--as-of", "2022-07-01").exit_code == 0
    applied = rows(db_path, "SELECT name, applied_at FROM migrations ORDER BY rowid")
    assert run("list", "--format", "json", "--as-of", "2022-07-01").exit_code == 0
    assert rows(db_path, "SELECT name, applied_at FROM migrations ORDER BY rowid") == applied


def test_a_database_from_a_newer_jtdj_is_refused_untouched(run, db_path):
    db_path.parent.mkdir(parents=True)
    shutil.copy(V1, db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    before = db_path.read_bytes()

    for argv in (["list"], ["done", "2.1"], ["import"], ["undo"], ["backup"]):
        result = run(*argv)
        assert result.exit_code == 1, (argv, result.output)
        assert "999" in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert db_path.read_bytes() == before
    assert not Path(str(db_path) + "-wal").exists() or Path(str(db_path) + "-wal").stat().st_size == 0


def test_mailed_periods_move_to_their_first_day(run, imported, db_path):
    """m009: the mail log named a period by the day before its first; now by its first day,
    so Monday's cron job still knows last week's report went out."""
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("INSERT INTO mail_log (at, plan, since, until, recipients, message_id, state)"
                     " VALUES ('2022-07-04T00:00:00+00:00', '2022', '2022-06-26', '2022-07-03',"
                     " '[\"leader@example.org\"]', '<m@x>', 'sent')")
        conn.execute("DELETE FROM migrations WHERE name IN ('m009_inclusive_periods',"
                     " 'm010_history_indexes', 'm011_units', 'm012_bulletins', 'm013_review', 'm014_reported_percent', 'm015_ongoing',"
                     " 'm016_recurring', 'm017_plan_notice', 'm018_task_position', 'm019_robot_log',"
                     " 'm020_accepted_index', 'm021_supervision_index', 'm022_open_due_indexes',"
                     " 'm023_search_reads_tasks', 'm024_drop_item_state_index')")
        for table in ("units", "unit_groups", "shares", "forms", "bulletins", "robot_log",
                      "robot_sends"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("ALTER TABLE events DROP COLUMN unit")
        conn.execute("ALTER TABLE events DROP COLUMN source")
        conn.execute("DROP INDEX idx_tasks_waiting")
        conn.execute("DROP INDEX idx_tasks_reported")
        conn.execute("DROP INDEX idx_tasks_ongoing")
        conn.execute("DROP INDEX idx_tasks_judged")
        conn.execute("DROP INDEX idx_tasks_recurring")
        conn.execute("DROP INDEX idx_tasks_occurrences")
        conn.execute("DROP INDEX idx_tasks_counting")  # m018's, over pos
        for column in REVIEW_COLUMNS:
            conn.execute(f"ALTER TABLE tasks DROP COLUMN {column}")
        for column in NOTICE_COLUMNS:
            conn.execute(f"ALTER TABLE plans DROP COLUMN {column}")
        conn.execute("DROP INDEX idx_events_undo")
        conn.execute("DROP INDEX idx_events_changes")
        conn.execute("DROP INDEX idx_tasks_added")
        conn.execute("DROP INDEX idx_events_replay")
        conn.execute("DROP INDEX idx_events_accepted")
        conn.execute("DROP INDEX idx_events_supervision")
        conn.execute("DROP INDEX idx_item_due_tally_open")
        conn.execute("DROP INDEX idx_owner_due_tally_open")
        conn.execute("PRAGMA user_version = 8")
    conn.close()
    assert run("plans").exit_code == 0
    assert rows(db_path, "SELECT since, until FROM mail_log") == [
        {"since": "2022-06-27", "until": "2022-07-03"}]


def test_an_old_database_gets_the_robot_log_and_the_send_log_empty(run, tmp_path, db_path):
    """m019: the robot log (the duplicate guard of `jtdj notify`) and the send log (20 a minute
    per robot) are added empty; nothing else changes."""
    db_path.parent.mkdir(parents=True)
    shutil.copy(V1, db_path)
    assert run("plans").exit_code == 0
    assert _columns(db_path, "robot_log") == [
        "id", "robot", "plan", "since", "until", "unit", "key", "message_id", "state", "outbox",
        "queued_at", "sent_at"]
    assert _columns(db_path, "robot_sends") == ["id", "robot", "sent_at"]
    assert rows(db_path, "SELECT count(*) AS n FROM robot_log") == [{"n": 0}]
    assert {"name": "m019_robot_log"} in rows(db_path, "SELECT name FROM migrations")


def test_a_period_report_finds_the_acceptances_by_their_own_index(imported, db_path):
    """m020: the acceptances of a period are a seek in idx_events_accepted, not a read of every
    event of the period (an import's 100,000 among them): the report's own statement, planned."""
    from datetime import date

    from jtdj import report
    from jtdj.parse import Period
    from jtdj.store import Store

    store = Store.open(db_path)
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    report.report(store, "2022", Period(date(2022, 6, 25), date(2022, 7, 1)), date(2022, 7, 1))
    store.conn.set_trace_callback(None)
    accepted = [sql for sql in seen if "action = 'accept'" in sql and "DISTINCT" in sql]
    assert accepted
    plan = store.conn.execute("EXPLAIN QUERY PLAN " + accepted[0]).fetchall()
    store.close()
    assert any("idx_events_accepted" in row[-1] for row in plan), plan


def test_the_urges_and_extensions_of_a_bulletin_are_sought_by_their_own_index(imported, db_path):
    """m021: the 通报's 催办 and extensions (``store.bulletins``) are a seek in
    idx_events_supervision, not a read of every event of the plan."""
    from datetime import date

    from jtdj.store import Store, bulletins

    store = Store.open(db_path)
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    bulletins.urges(store, "2022", date(2022, 7, 1))
    bulletins.extensions(store, "2022", date(2022, 7, 1))
    store.conn.set_trace_callback(None)
    assert len(seen) == 2
    for sql in seen:
        plan = store.conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
        assert any("idx_events_supervision" in row[-1] for row in plan), (sql, plan)
    store.close()


def test_a_days_lights_read_only_the_due_date_counts_that_are_not_0(run, imported, db_path):
    """m022: a summary's overdue and due-soon figures come from the kept due-date counts by a
    seek in the index of those that are not 0 (each closed task leaves one at 0), the same
    figures as before the tasks were closed and the counts left behind."""
    from datetime import date

    from jtdj import report
    from jtdj.store import Store

    # every task of an item due on one day: their count is left at 0
    dated = [r["id"] for r in rows(db_path, "SELECT id FROM tasks WHERE (item, due) IN (SELECT"
                                            " item, due FROM tasks WHERE status = 'todo' AND due"
                                            " IS NOT NULL GROUP BY item, due LIMIT 1)")]
    assert run("--as-of", "2022-03-01", "done", *dated).exit_code == 0
    store = Store.open(db_path)
    zeros = store.conn.execute("SELECT count(*) FROM item_due_tally WHERE n = 0").fetchone()[0]
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    report.summary(store, "2022", date(2022, 7, 1))
    store.conn.set_trace_callback(None)
    lights = [sql for sql in seen if "_due_tally" in sql and "due <=" in sql]
    assert zeros and len(lights) >= 2
    for sql in lights:
        plan = store.conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
        assert any("_due_tally_open" in row[-1] for row in plan), (sql, plan)
    store.close()
