"""The reads and the one small write of the 通报 (`report --by-unit`): the due dates moved later
(延期), the 催办 recorded, and the issue number kept per plan and period (m012).

The core decides whose each event is and leaves out undone batches; here are only the queries.
"""

from __future__ import annotations

from datetime import date

from jtdj.store import Store, utc_text


# a share with no date of its own works to its task's: the task's date when the change was made
# (the task of ``task@unit``: what is left of the target without its unit number)
_TASK = ("substr(rtrim(e.target, '0123456789'), 1,"
         " length(rtrim(e.target, '0123456789')) - 1)")
_TASK_DUE = (
    f"coalesce((SELECT p.new FROM events p WHERE p.plan = e.plan AND p.target = {_TASK}"
    " AND p.field = 'due' AND p.id < e.id ORDER BY p.id DESC LIMIT 1),"
    f" (SELECT n.old FROM events n WHERE n.plan = e.plan AND n.target = {_TASK}"
    " AND n.field = 'due' AND n.id > e.id ORDER BY n.id LIMIT 1),"
    f" (SELECT t.due FROM tasks t WHERE t.plan = e.plan AND t.id = {_TASK}))")


def extensions(store: Store, plan: str, until: date) -> list[tuple]:
    """(target, batch, unit) of each change dated on or before ``until`` that moved a due date
    later: field ``due`` from a date to a later one (a share's from its task's date when it had
    none of its own), never by an import or an undo."""
    return store.conn.execute(
        "SELECT target, batch, unit FROM (SELECT e.id, e.target, e.batch, e.unit, e.new,"
        f" CASE WHEN e.old IS NULL AND e.target LIKE '%@%' THEN {_TASK_DUE} ELSE e.old END"
        " AS was FROM events e WHERE e.plan = ? AND e.field = 'due' AND e.on_date <= ?"
        " AND e.action NOT IN ('import', 'undo') AND e.new IS NOT NULL)"
        " WHERE was IS NOT NULL AND new > was ORDER BY id", (plan, until.isoformat())).fetchall()


def urges(store: Store, plan: str, until: date) -> list[tuple]:
    """(target, batch, unit) of each 催办 (action ``urge``) dated on or before ``until``."""
    return store.conn.execute(
        "SELECT target, batch, unit FROM events WHERE plan = ? AND action = 'urge'"
        " AND on_date <= ? ORDER BY id", (plan, until.isoformat())).fetchall()


def unit_names(store: Store) -> dict[int, str]:
    """Every registered unit's name now, by id."""
    return {r[0]: r[1] for r in store.conn.execute("SELECT id, name FROM units")}


def issue_no(store: Store, plan: str, since: date, until: date, wanted: int | None) -> int:
    """The 通报's number for the period: ``wanted`` when given (kept for the period, and later
    periods go on from it), else the number the period got before, else the last number given
    for the plan + 1 (1 for the first). One transaction; nothing is written for a period
    that has its number already."""
    key = (plan, since.isoformat(), until.isoformat())
    if wanted is None:
        row = store.conn.execute("SELECT no FROM bulletins WHERE plan = ? AND since = ?"
                                 " AND until = ?", key).fetchone()
        if row:
            return row[0]
    with store.transaction():
        if wanted is None:
            row = store.conn.execute("SELECT no FROM bulletins WHERE plan = ? AND since = ?"
                                     " AND until = ?", key).fetchone()
            if row:  # another jtdj numbered it meanwhile
                return row[0]
            last = store.conn.execute("SELECT no FROM bulletins WHERE plan = ?"
                                      " ORDER BY rowid DESC LIMIT 1", (plan,)).fetchone()
            wanted = (last[0] if last else 0) + 1
        # REPLACE gives the row a new rowid: the number set last is the one later ones follow
        store.conn.execute("INSERT OR REPLACE INTO bulletins (plan, since, until, no, at)"
                           " VALUES (?, ?, ?, ?, ?)", (*key, wanted, utc_text(store.clock())))
    return wanted
