"""The queries behind summaries, period reports and the mail log.

Beside ``store.py`` (everyday reads and writes) because they change with the reports, not with
the clerk's commands. Counting is done with GROUP BY over the same EFFECTIVE_STATUS / LIGHT
expressions that ``Store.select_tasks`` uses, so a summary agrees with `jtdj list`, and costs one
scan of the counting index however many groupings a command asks for.
"""

from __future__ import annotations

from datetime import date

from jtdj.store import EFFECTIVE_STATUS, LIGHT, Store, as_of_params, now_utc
COUNT_FIELDS = ("tasks", "done", "doing", "todo", "dropped", "overdue", "due_soon")


def _count_groups(store: Store, plan: str, as_of: date, column: str) -> list[tuple]:
    """Counts per item (with its section) or per owner, in one scan of a covering index whose
    order matches the grouping, so no sort is needed."""
    params = as_of_params(plan, as_of)
    keys = "item, section" if column == "item" else "owner"
    sql = (f"SELECT {keys}, count(*), sum(eff = 'done'), sum(eff = 'doing'),"
           " sum(eff = 'todo'), sum(eff = 'dropped'), sum(light = 'red'), sum(light = 'yellow')"
           f" FROM (SELECT eff, {LIGHT} AS light, section, item, owner FROM"
           f" (SELECT t.section, t.item, t.owner, t.due, {EFFECTIVE_STATUS} AS eff"
           f" FROM tasks t WHERE t.plan = :plan AND t.archived = 0)) GROUP BY {keys}")
    return store.conn.execute(sql, params).fetchall()


def count_tasks(store: Store, plan: str, as_of: date, by: str = "total") -> list[dict]:
    """Counts of non-archived tasks as of ``as_of``: one row, or one per section/item/owner
    (ordered by that key, no owner last). Each row has tasks, done, doing, todo, dropped,
    overdue, due_soon (and ``key`` when grouped). Totals and sections are added up from the
    per-item counts, and one command's calls share them."""
    cache = store.__dict__.setdefault("_counts", {})
    column = "owner" if by == "owner" else "item"
    if (plan, as_of, column) not in cache:
        cache[(plan, as_of, column)] = _count_groups(store, plan, as_of, column)
    rows = cache[(plan, as_of, column)]
    if by == "owner":
        groups = {row[0]: row[1:] for row in rows}
    else:
        position = {"total": None, "section": 1, "item": 0}[by]
        groups = {}
        for row in rows:
            key = None if position is None else row[position]
            acc = groups.setdefault(key, [0] * len(COUNT_FIELDS))
            for i, value in enumerate(row[2:]):
                acc[i] += value or 0
        if position is None:
            return [dict(zip(COUNT_FIELDS, groups.get(None, [0] * len(COUNT_FIELDS))))]
    ordered = sorted(groups, key=lambda k: (k is None, k if k is not None else ""))
    return [{"key": k, **dict(zip(COUNT_FIELDS, (v or 0 for v in groups[k])))} for k in ordered]


def due_tasks(store: Store, plan: str, as_of: date, which: str) -> list[tuple]:
    """(id, title, owner, due) of the open tasks overdue at ``as_of`` or due within 14 days of
    it, by due date: the red and yellow lights of `jtdj list`, without building whole records."""
    params = as_of_params(plan, as_of)
    window = "t.due < :d" if which == "overdue" else "t.due >= :d AND t.due <= :soon"
    sql = (f"SELECT t.id, t.title, t.owner, t.due FROM tasks t WHERE t.plan = :plan"
           f" AND t.archived = 0 AND {window} AND ({EFFECTIVE_STATUS}) IN ('todo', 'doing')"
           " ORDER BY t.due, t.item, t.no")
    return store.conn.execute(sql, params).fetchall()


def completed_between(store: Store, plan: str, since: date, until: date) -> list[dict]:
    """Tasks done now whose done date is in (since, until], with the note of their check-off."""
    sql = ("SELECT t.id, t.title, t.owner, t.done_on, (SELECT e.note FROM events e"
           " WHERE e.plan = t.plan AND e.target = t.id AND e.action = 'done'"
           # "+": look the event up by its task (a handful of rows), never by date, which
           # can hold every task checked off that day
           " AND e.field = 'status' AND +e.on_date = t.done_on ORDER BY e.id DESC LIMIT 1) AS note"
           " FROM tasks t WHERE t.plan = :plan AND t.archived = 0 AND t.status = 'done'"
           " AND t.done_on > :since AND t.done_on <= :until ORDER BY t.done_on, t.item, t.no")
    return [dict(r) for r in store.conn.execute(
        sql, {"plan": plan, "since": since.isoformat(), "until": until.isoformat()})]


def notes_between(store: Store, plan: str, since: date, until: date) -> list[dict]:
    """Progress notes dated in (since, until], newest first, with the title of their target."""
    sql = ("SELECT n.target, n.on_date, n.actor, n.text, n.percent,"
           " coalesce((SELECT t.title FROM tasks t WHERE t.plan = n.plan AND t.id = n.target),"
           " (SELECT i.title FROM items i WHERE i.plan = n.plan"
           " AND CAST(i.no AS TEXT) = n.target)) AS title"
           " FROM notes n WHERE n.plan = :plan AND n.on_date > :since AND n.on_date <= :until"
           " ORDER BY n.on_date DESC, n.id DESC")
    return [dict(r) for r in store.conn.execute(
        sql, {"plan": plan, "since": since.isoformat(), "until": until.isoformat()})]


def mail_log_add(store: Store, entry: dict) -> None:
    """Record a report mailed or queued: at, plan, since, until, recipients (JSON), message_id,
    subject, state ('sent' or 'queued'), outbox (file name while queued)."""
    with store.transaction():
        store.conn.execute(
            "INSERT INTO mail_log (at, plan, since, until, recipients, message_id, subject, state,"
            " outbox) VALUES (:at, :plan, :since, :until, :recipients, :message_id, :subject,"
            " :state, :outbox)", {"at": now_utc(), "outbox": None, **entry})


def mail_log_last(store: Store, plan: str, since: str, until: str, recipients: str) -> dict | None:
    row = store.conn.execute(
        "SELECT * FROM mail_log WHERE plan = ? AND since = ? AND until = ? AND recipients = ?"
        " ORDER BY id DESC LIMIT 1", (plan, since, until, recipients)).fetchone()
    return dict(row) if row else None


def mail_log_sent(store: Store, message_id: str) -> None:
    """A queued message was accepted by the server."""
    with store.transaction():
        store.conn.execute(
            "UPDATE mail_log SET state = 'sent', outbox = NULL, at = ? WHERE message_id = ?",
            (now_utc(), message_id))
