"""The kept counts of tasks (``TALLIES``, made by migrations.m008): what they count, and how
they are counted again in bulk, after an import or when another program inserted tasks.
"""

from __future__ import annotations


# The kept counts: table, its key columns (from a task row r, in primary-key order) and which
# tasks it counts. Stored status per item and per owner; the tasks open now per due date and
# item or owner (their red and yellow lights on any day are a range of due dates).
_OPEN_NOW = "{r}.archived = 0 AND {r}.status IN ('todo', 'doing') AND {r}.due IS NOT NULL"
TALLIES = (
    ("item_tally", ("item INTEGER", "status TEXT"), ("{r}.item", "{r}.status"), "{r}.archived = 0"),
    ("owner_tally", ("owner TEXT", "status TEXT"), ("coalesce({r}.owner, '')", "{r}.status"),
     "{r}.archived = 0"),
    ("item_due_tally", ("due TEXT", "item INTEGER"), ("{r}.due", "{r}.item"), _OPEN_NOW),
    ("owner_due_tally", ("due TEXT", "owner TEXT"), ("{r}.due", "coalesce({r}.owner, '')"),
     _OPEN_NOW),
)


# What a count of a whole plan groups by: its keys in the order of an index that starts with
# (plan, archived), so SQLite reads the groups in index order instead of sorting every task
# (migrations m007, m018; 100,000 tasks: 630 -> 300 ms, bench/README.md). Finer groups than
# the keys add up in the upsert.
_WHOLE_GROUPS = {
    "item_tally": "item, status",  # sorted: no index has the status right after the item
    "owner_tally": "owner, status",  # idx_tasks_owner_state
    "item_due_tally": "status, done_on, dropped_on, started_on, due, item",  # idx_tasks_state
    "owner_due_tally": "owner, status, due",  # idx_tasks_owner_state
}


# The plans that have tasks, each found by one seek in the (plan, id) key: a task another
# program inserted may name a plan that jtdj never imported
_PLANS_OF_TASKS = ("WITH RECURSIVE p (key) AS (SELECT min(plan) FROM tasks UNION ALL"
                   " SELECT (SELECT min(plan) FROM tasks WHERE plan > p.key) FROM p"
                   " WHERE p.key IS NOT NULL) SELECT key FROM p WHERE key IS NOT NULL")


def rebuild_tallies(conn, after_rowid: int = 0) -> None:
    """Count the tasks past ``after_rowid`` (with 0: every task, plan by plan) into the tallies
    and record the last one counted (inside the caller's transaction)."""
    plans = [key for key, in conn.execute(_PLANS_OF_TASKS)] if not after_rowid else ()
    for table, _columns, keys, counted in TALLIES:
        values = ", ".join(k.format(r="tasks") for k in keys)
        counted = counted.format(r="tasks")
        if after_rowid:
            conn.execute(f"INSERT INTO {table} SELECT plan, {values}, count(*) FROM tasks"
                         f" WHERE rowid > ? AND {counted} GROUP BY plan, {values}"
                         " ON CONFLICT DO UPDATE SET n = n + excluded.n", (after_rowid,))
            continue
        for plan in plans:
            conn.execute(f"INSERT INTO {table} SELECT plan, {values}, count(*) FROM tasks"
                         f" WHERE plan = ? AND {counted} GROUP BY {_WHOLE_GROUPS[table]}"
                         " ON CONFLICT DO UPDATE SET n = n + excluded.n", (plan,))
    conn.execute("INSERT INTO settings (key, value) SELECT 'tally_rowid',"
                 " CAST(coalesce(max(rowid), 0) AS TEXT) FROM tasks WHERE true"
                 " ON CONFLICT DO UPDATE SET value = excluded.value")


def tallies_whole(conn) -> bool:
    """Whether the tallies count every task: the last task counted is the last task."""
    counted, last = conn.execute(
        "SELECT (SELECT value FROM settings WHERE key = 'tally_rowid'),"
        " (SELECT coalesce(max(rowid), 0) FROM tasks)").fetchone()
    return counted == str(last)


def mend_tallies(conn) -> None:
    """Count every task again when another program inserted (or deleted the last) tasks since
    jtdj last counted them, so the tallies are always whole when anything reads them."""
    if tallies_whole(conn):
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if not tallies_whole(conn):  # another jtdj may have mended them meanwhile
            for table, *_ in TALLIES:
                conn.execute(f"DELETE FROM {table}")
            rebuild_tallies(conn)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
