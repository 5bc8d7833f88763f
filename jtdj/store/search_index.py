"""The index of task titles behind ``list --search``: its schema steps and its upkeep.

FTS5's ``trigram`` tokenizer answers a substring of 3 or more characters from its index. The
index reads the lowered titles from a view of the tasks table (an external content table), so
a title is stored once, in its task's row; the index keeps no copy of it, nor the sizes only
a ranking would read (``columnsize=0``): at 100,000 tasks that is 6 MB less to write and half
the time of indexing an import (bench/README.md). Shorter queries (两字词 such as 党建) are
read off the titles themselves (``store.tasks``).

Where SQLite lacks FTS5 or the trigram tokenizer, ``task_search`` is a plain table of the
lowered titles, which every query scans (setting ``search_index``: ``plain``).
"""

from __future__ import annotations

# The view the FTS5 index reads its text from (m023): rowid and lowered title of each task
_TITLES_VIEW = "CREATE VIEW task_search_titles AS SELECT rowid, lower(title) AS title FROM tasks"
_FTS = ("CREATE VIRTUAL TABLE task_search USING fts5(title, tokenize='trigram',"
        " content='task_search_titles', content_rowid='rowid', columnsize=0)")
# An external content index is told what a row held when the row changes: the view shows the
# new title by the time an AFTER trigger runs
_FORGET_OLD = ("INSERT INTO task_search (task_search, rowid, title)"
               " VALUES ('delete', old.rowid, lower(old.title));")


def m003_task_search(db) -> None:
    """A search table over task titles, kept in step with the tasks table (FTS5 trigram, or a
    plain table where SQLite has neither; m023 makes the FTS5 one read the tasks table)."""
    try:
        db.execute("CREATE VIRTUAL TABLE task_search USING fts5(title, tokenize='trigram')")
        db.execute("INSERT INTO settings (key, value) VALUES ('search_index', 'fts5-trigram')")
    except Exception:  # sqlite3.OperationalError: no fts5 or no trigram tokenizer
        db.execute("CREATE TABLE task_search (rowid INTEGER PRIMARY KEY, title TEXT)")
        db.execute("INSERT INTO settings (key, value) VALUES ('search_index', 'plain')")
    db.execute("INSERT INTO task_search (rowid, title) SELECT rowid, lower(title) FROM tasks")
    # New rows are indexed in bulk by index_new_titles (a per-row trigger into FTS5 would
    # slow a large import down); updates and deletes are rare.
    db.execute("CREATE TRIGGER task_search_update AFTER UPDATE OF title ON tasks BEGIN"
               " UPDATE task_search SET title = lower(new.title) WHERE rowid = new.rowid; END")
    db.execute("CREATE TRIGGER task_search_delete AFTER DELETE ON tasks BEGIN"
               " DELETE FROM task_search WHERE rowid = old.rowid; END")


def m023_search_reads_tasks(db) -> None:
    """The FTS5 index made again as an external content table over the tasks' titles (see
    the module's docstring); a plain search table stays as it is."""
    if not _is_fts(db):
        return
    for kind, name in (("TRIGGER", "task_search_update"), ("TRIGGER", "task_search_delete"),
                       ("TABLE", "task_search"), ("VIEW", "task_search_titles")):
        db.execute(f"DROP {kind} IF EXISTS {name}")
    db.execute(_TITLES_VIEW)
    db.execute(_FTS)
    db.execute("INSERT INTO task_search (task_search) VALUES ('rebuild')")
    db.execute("CREATE TRIGGER task_search_update AFTER UPDATE OF title ON tasks BEGIN "
               + _FORGET_OLD + " INSERT INTO task_search (rowid, title)"
               " VALUES (new.rowid, lower(new.title)); END")
    db.execute("CREATE TRIGGER task_search_delete AFTER DELETE ON tasks BEGIN "
               + _FORGET_OLD + " END")


def index_new_titles(conn, after_rowid: int, many: bool) -> None:
    """Index the titles of the tasks past ``after_rowid`` in one statement; with ``many``
    (an import's rows) with FTS5's merging of its segments paused, then its default again."""
    pause = many and _is_fts(conn)
    if pause:
        conn.execute("INSERT INTO task_search (task_search, rank) VALUES ('automerge', 0)")
    conn.execute("INSERT INTO task_search (rowid, title) SELECT rowid, lower(title)"
                 " FROM tasks WHERE rowid > ?", (after_rowid,))
    if pause:
        conn.execute("INSERT INTO task_search (task_search, rank) VALUES ('automerge', 4)")


def _is_fts(conn) -> bool:
    """Whether the index is FTS5's (setting ``search_index``), not the plain table."""
    row = conn.execute("SELECT value FROM settings WHERE key = 'search_index'").fetchone()
    return row is not None and row[0] == "fts5-trigram"
