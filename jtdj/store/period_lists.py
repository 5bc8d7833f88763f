"""What a period's report lists of what happened in it: the tasks checked off and the notes
written, each with how many there are in all.

Apart from ``counts`` (the figures of a day): these read the event log and the notes between two
days, each list paged in SQL.
"""

from __future__ import annotations

import json
from datetime import date

from jtdj.store import Store, history
from jtdj.store.counts import LIVE
from jtdj.store.tasks import EFFECTIVE_STATUS

_DONE_NOTE = ("(SELECT e.note FROM events e WHERE e.plan = t.plan AND e.target = t.id"
              " AND e.action = 'done' AND e.field = 'status'"
              # "+": look the event up by its task (a handful of rows), never by date, which
              # can hold every task checked off that day
              " AND +e.on_date = t.done_on ORDER BY e.id DESC LIMIT 1) AS note")


def completed_between(store: Store, plan: str, since: date, until: date,
                      limit: int | None = None) -> tuple[list[dict], int]:
    """Tasks done as of ``until`` whose done date is in (since, until], with the note of their
    check-off: the first ``limit`` by date, and how many there are in all."""
    params = {"plan": plan, "since": since.isoformat(), "until": until.isoformat(),
              "d": until.isoformat()}
    otherwise = history.as_of(store, plan, until)
    done = ("SELECT t.rowid AS r, t.done_on, t.item, t.no FROM tasks t INDEXED BY idx_tasks_done"
            f" WHERE {LIVE} AND t.status = 'done' AND t.done_on > :since AND t.done_on <= :until"
            + history.kept_rows(store, plan, until))
    page = (f" ORDER BY done_on, item, no LIMIT {int(limit)}"
            if limit is not None and not otherwise else "")
    sql = (f"SELECT t.id, t.title, t.owner, t.done_on, {_DONE_NOTE}"
           f" FROM tasks t JOIN (SELECT * FROM ({done}){page}) d ON t.rowid = d.r"
           " ORDER BY d.done_on, d.item, d.no")
    rows = [dict(r) for r in store.conn.execute(sql, params)]
    accepted = _accepted_between(store, plan, params)
    if accepted and not otherwise:  # listed with the rest, in the order of their done dates
        rows = sorted(rows + accepted, key=lambda r: (r["done_on"], *map(int, r["id"].split("."))))
        return (rows if limit is None else rows[:limit]), max(len(rows), store.conn.execute(
            f"SELECT count(*) FROM ({done})", params).fetchone()[0] + len(accepted))
    rows += accepted
    if otherwise:  # and the tasks that were otherwise on the day, as they were then
        rows += [dict(r) for r in store.conn.execute(
            f"SELECT t.id, t.title, t.owner, t.done_on, {_DONE_NOTE} FROM temp.asof_tasks t"
            f" WHERE t.day = :d AND {LIVE} AND ({EFFECTIVE_STATUS}) = 'done'"
            " AND t.done_on > :since AND t.done_on <= :until", params)]
        rows.sort(key=lambda r: (r["done_on"], *map(int, r["id"].split("."))))
        return (rows if limit is None else rows[:limit]), len(rows)
    if limit is None or len(rows) < limit:
        return rows, len(rows)
    after_since, after_until = (store.cache.get(("done_after", plan, day)) for day in (since, until))
    if (after_since is not None and after_until is not None  # counted with the day's totals
            and not history.as_of(store, plan, since)):
        return rows, after_since - after_until
    return rows, store.conn.execute(f"SELECT count(*) FROM ({done})", params).fetchone()[0]


def _accepted_between(store: Store, plan: str, params: dict) -> list[dict]:
    """Tasks whose unit's report the office accepted in (since, until] and that are done as of
    until, though their done date (the day reported) is on or before since: done in the
    period, as the period's figures count them (review.accept)."""
    found = store.conn.execute(
        "SELECT DISTINCT target, batch FROM events WHERE plan = :plan AND on_date > :since"
        " AND on_date <= :until AND action = 'accept' AND field = 'status' AND new = 'done'"
        " AND instr(target, '@') = 0", params).fetchall()
    undone = history.undone_batches(store, plan) if found else set()
    ids = sorted({target for target, batch in found if batch not in undone})
    if not ids:
        return []
    source = (f"SELECT t.id, t.title, t.owner, t.done_on, {_DONE_NOTE} FROM tasks t"
              f" WHERE {LIVE} AND t.status = 'done'{history.kept_rows(store, plan, _until(params))}"
              " UNION ALL SELECT t.id, t.title, t.owner, t.done_on, NULL FROM temp.asof_tasks t"
              f" WHERE t.day = :d AND {LIVE} AND ({EFFECTIVE_STATUS}) = 'done'"
              if history.as_of(store, plan, _until(params)) else
              f"SELECT t.id, t.title, t.owner, t.done_on, {_DONE_NOTE} FROM tasks t"
              f" WHERE {LIVE} AND t.status = 'done'")
    return [dict(r) for r in store.conn.execute(
        f"SELECT * FROM ({source}) WHERE id IN (SELECT value FROM json_each(:ids))"
        " AND done_on <= :since", {**params, "ids": json.dumps(ids)})]


def _until(params: dict) -> date:
    return date.fromisoformat(params["until"])


def notes_between(store: Store, plan: str, since: date, until: date,
                  limit: int | None = None) -> tuple[list[dict], int]:
    """Progress notes dated in (since, until], newest first, with the title of their target:
    the first ``limit``, and how many there are in all."""
    params = {"plan": plan, "since": since.isoformat(), "until": until.isoformat()}
    period = "n.plan = :plan AND n.on_date > :since AND n.on_date <= :until"
    sql = ("SELECT n.target, n.on_date, n.actor, n.text, n.percent,"
           " coalesce((SELECT t.title FROM tasks t WHERE t.plan = n.plan AND t.id = n.target),"
           " (SELECT i.title FROM items i WHERE i.plan = n.plan"
           " AND CAST(i.no AS TEXT) = n.target)) AS title"
           f" FROM notes n WHERE {period} ORDER BY n.on_date DESC, n.id DESC"
           + (f" LIMIT {int(limit)}" if limit is not None else ""))
    rows = [dict(r) for r in store.conn.execute(sql, params)]
    if limit is None or len(rows) < limit:
        return rows, len(rows)
    return rows, store.conn.execute(f"SELECT count(*) FROM notes n WHERE {period}",
                                    params).fetchone()[0]
