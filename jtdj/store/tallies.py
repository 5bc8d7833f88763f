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


def rebuild_tallies(conn, after_rowid: int = 0) -> None:
    """Count the tasks past ``after_rowid`` into the tallies and record the last one counted
    (inside the caller's transaction)."""
    for table, _columns, keys, counted in TALLIES:
        values = ", ".join(k.format(r="tasks") for k in keys)
        conn.execute(f"INSERT INTO {table} SELECT plan, {values}, count(*) FROM tasks"
                     f" WHERE rowid > ? AND {counted.format(r='tasks')} GROUP BY plan, {values}"
                     " ON CONFLICT DO UPDATE SET n = n + excluded.n", (after_rowid,))
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
