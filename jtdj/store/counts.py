"""The queries behind summaries and period reports: counts, and the lists a report shows.

Apart from ``Store`` (everyday reads and writes) because they change with the reports, not with
the clerk's commands. Counts follow the rules of `jtdj list` (``tasks.EFFECTIVE_STATUS`` and
``tasks.DUE_LIGHT``) without evaluating them per task: stored statuses are counted per item or
owner from narrow indexes, the overdue and due-soon tasks open now from due-date ranges, and
only the tasks whose status on the day differs from the stored one are corrected, each kind
found by a seek in ``idx_tasks_state`` (migrations.m007). The tasks behind their pace
(``lights``) are counted by the list's own query over the few that reported a percent.
``tests/test_counting.py`` holds them to `jtdj list`.
"""

from __future__ import annotations

from datetime import date

from jtdj.store import Store, history
from jtdj.store.tasks import DUE_LIGHT, EFFECTIVE_STATUS, TaskFilter, as_of_params, task_query

COUNT_FIELDS = ("tasks", "done", "doing", "todo", "dropped", "overdue", "due_soon", "review",
                "behind", "far_behind", "ongoing", "ongoing_done")
_POSITION = {name: i for i, name in enumerate(COUNT_FIELDS)}
LIVE = "t.plan = :plan AND t.archived = 0"  # the plan's live tasks (also ``period_lists``)
_STATE = "tasks t INDEXED BY idx_tasks_state"
# A state date lives only on its status (migrations.m007), so each part below is a seek in
# idx_tasks_state. Tasks whose stored status is not their status as of :d — closed after :d
# (open then), started after :d (todo then), todo with a start on or before :d (doing then):
_CHANGED_SINCE = {
    "done": "t.status = 'done' AND t.done_on > :d",
    "dropped": "t.status = 'dropped' AND t.done_on IS NULL AND t.dropped_on > :d",
    "todo": ("t.status = 'todo' AND t.done_on IS NULL AND t.dropped_on IS NULL"
             " AND t.started_on <= :d"),
    "doing": ("t.status = 'doing' AND t.done_on IS NULL AND t.dropped_on IS NULL"
              " AND t.started_on > :d"),
}
# Reports waiting for review are counted apart from the due tallies (which count 未开始 and
# 推进中): only those reported after their due date have a red light (tasks.LIGHT).
_LATE_REVIEW = "t.status = 'review' AND t.due < t.reported_on AND t.due < :d"
# Tasks open as of :d, with a condition on due: open now (never started, or started), or
# closed after :d. Each part is ordered by (due, item, no) in the index.
_OPEN_PARTS = tuple(
    f"t.status = '{status}' AND t.done_on IS NULL AND t.dropped_on IS NULL AND t.started_on {s}"
    for status in ("todo", "doing") for s in ("IS NULL", "IS NOT NULL")
) + (_CHANGED_SINCE["done"], _CHANGED_SINCE["dropped"], _LATE_REVIEW)
_DUE_WINDOWS = {"overdue": "t.due < :d", "due_soon": "t.due >= :d AND t.due <= :soon"}


def _status_counts(store: Store, plan: str, column: str) -> dict:
    """Stored-status counts per item or owner from the kept tallies (they do not depend on the
    day, so every as-of day of the command shares them)."""
    if (plan, column) not in store.cache:
        table = "item_tally" if column == "item" else "owner_tally"
        key = "item" if column == "item" else "nullif(owner, '')"
        groups: dict = {}
        for k, status, n in store.conn.execute(
                f"SELECT {key}, status, n FROM {table} WHERE plan = :plan AND n > 0", {"plan": plan}):
            acc = groups.setdefault(k, [0] * len(COUNT_FIELDS))
            acc[0] += n
            if status in _POSITION:
                acc[_POSITION[status]] += n
        store.cache[(plan, column)] = groups
    return store.cache[(plan, column)]


def _tally(store: Store, plan: str, as_of: date, column: str | None) -> dict:
    """Counts as of ``as_of`` per key of ``column`` (None: one total): stored-status counts,
    the red and yellow lights of the tasks open now, then the tasks whose status as of that day
    differs, found by seek (none, when the day is today)."""
    params = as_of_params(store, plan, as_of)
    stored = _status_counts(store, plan, column or "item")
    if column is None:  # every item's counts added up, column by column (bench/README.md)
        groups = {None: [sum(col) for col in zip(*stored.values())] if stored
                  else [0] * len(COUNT_FIELDS)}
    else:
        groups = {key: list(acc) for key, acc in stored.items()}
    key = f"t.{column}" if column else "NULL"
    group_by = f" GROUP BY {key}" if column else ""
    def row(k):  # a key the stored counts lack can only come from a damaged tally: count it
        return groups.setdefault(k, [0] * len(COUNT_FIELDS))

    for k, red, n in store.conn.execute(_lights_sql(column), params):
        if not n:
            continue
        acc = row(k)
        acc[5] += red
        acc[6] += n - red
    for k, n in store.conn.execute(f"SELECT {key}, count(*) FROM {_STATE} WHERE {LIVE}"
                                   f" AND {_LATE_REVIEW}{group_by}", params):
        if n:
            row(k)[5] += n
    changed = " UNION ALL ".join(
        f"SELECT '{status}', {key}, count(*), sum(t.started_on <= :d), sum(t.due < :d),"
        f" sum(t.due >= :d AND t.due <= :soon) FROM {_STATE} WHERE {LIVE} AND {cond}{group_by}"
        for status, cond in _CHANGED_SINCE.items())
    done_after = 0
    for status, k, n, started, red, yellow in store.conn.execute(changed, params):
        if not n:
            continue
        if status == "done":
            done_after += n
        acc = row(k)
        acc[_POSITION[status]] -= n
        acc[2] += started or 0  # doing as of the day: started by then
        acc[3] += n - (started or 0)
        if status in ("done", "dropped"):  # open as of the day: a light of their own
            acc[5] += red or 0
            acc[6] += yellow or 0
    # tasks done after the day: two days' figures give a period's check-offs for free
    store.cache[("done_after", plan, as_of)] = done_after
    if history.as_of(store, plan, as_of):
        if history.before_issue(store, plan, as_of):  # only added tasks could be there
            groups = {None: [0] * len(COUNT_FIELDS)} if column is None else {}
        _correct(store, params, column, row, history.before_issue(store, plan, as_of))
        if column is not None:  # a unit or item with no task that day is not listed
            groups = {k: acc for k, acc in groups.items() if acc[0]}
    for k, signal, n in _per_task(store, plan, as_of, column, "lagging", _LAGGING):
        row(k)[_POSITION[signal]] += n
    from jtdj.store.occurrence_counts import counted_once

    for k, field, change in _per_task(store, plan, as_of, column, "counted_once", counted_once):
        row(k)[_POSITION[field]] += change
    for k, ongoing, done in _per_task(store, plan, as_of, column, "ongoing", _ONGOING):
        acc = row(k)
        acc[_POSITION["ongoing"]] += ongoing
        acc[_POSITION["ongoing_done"]] += done
    return groups


def _per_task(store: Store, plan: str, as_of: date, column: str | None, name: str,
              rows) -> list[tuple]:
    """``rows(store, plan, as_of)``, each (item, owner, *values), made once per day and
    command (a summary counts per item, per owner and in total; 13 items: three statements of
    the list's query fewer), with the key of ``column`` (None: the total) for the two."""
    key = (name, plan, as_of)
    if key not in store.cache:
        store.cache[key] = rows(store, plan, as_of)
    at = {"item": 0, "owner": 1, None: None}[column]
    return [(None if at is None else row[at], *row[2:]) for row in store.cache[key]]


def _grouped(f: TaskFilter, select: str):
    """The rows of ``select`` over the list's query of ``f`` (its ``{sql}``), for ``_per_task``."""
    def rows(store: Store, plan: str, as_of: date) -> list[tuple]:
        sql, params = task_query(store, plan, f, as_of, whole=True)
        return store.conn.execute(select.format(sql=sql), params).fetchall()
    return rows


# (item, owner, how many, how many done) of the ongoing tasks (常态推进) not dropped as of the
# day, which count among the tasks but not in the base of the % done: the list's own query over
# the few of that kind (m015)
_ONGOING = _grouped(TaskFilter(status="all", ongoing=True), "SELECT item, owner, count(*),"
                    " sum(eff = 'done') FROM ({sql}) WHERE eff != 'dropped' GROUP BY item, owner")
# (item, owner, signal, how many) of the open tasks behind or far behind the pace of their
# window as of the day (序时进度, ``store.lights``), or ongoing and quiet: the list's own query,
# so its rules and its past days (history) hold here too; with ``pace = "reported"`` only the
# tasks that reported a percent or are ongoing are read, with ``"off"`` only the ongoing ones
_LAGGING = _grouped(TaskFilter(status="open", lagging=True), "SELECT item, owner, signal,"
                    " count(*) FROM ({sql}) GROUP BY item, owner, signal")


def _correct(store: Store, params: dict, column: str | None, row, before_issue: bool) -> None:
    """Count the tasks that were otherwise on the day (``history.as_of``) as they were then,
    in place of how their rows count: the same rules, read off the rows of both tables. Before
    the plan's issue date nothing was counted from the tallies: count the added tasks alone."""
    key = {"item": "t.item", "owner": "t.owner", None: "NULL"}[column]

    def counted(sign: int, source: str, condition: str) -> str:
        return (f"SELECT {sign} AS sign, k, eff, {DUE_LIGHT} AS light FROM (SELECT {key} AS k,"
                f" t.due AS due, t.reported_on AS reported_on, {EFFECTIVE_STATUS} AS eff"
                f" FROM {source} WHERE {condition})")

    then = counted(1, "temp.asof_tasks t", f"t.day = :d AND {LIVE}")
    if before_issue:
        now = counted(1, "main.tasks t INDEXED BY idx_tasks_added",
                      f"{LIVE} AND t.origin != 'plan' AND t.rowid NOT IN"
                      " (SELECT task_rowid FROM temp.asof_tasks WHERE day = :d)")
    else:
        now = counted(-1, "main.tasks t", f"{LIVE} AND t.rowid IN (SELECT task_rowid FROM"
                      " temp.asof_tasks WHERE day = :d)")
    for k, eff, light, n in store.conn.execute(
            f"SELECT k, eff, light, sum(sign) FROM ({now} UNION ALL {then})"
            " GROUP BY k, eff, light", params):
        acc = row(k)
        acc[0] += n
        acc[_POSITION[eff]] += n
        if light == "red":
            acc[5] += n
        elif light == "yellow":
            acc[6] += n


def _lights_sql(column: str | None) -> str:
    """(key, red, red + yellow) of the tasks open now and due by :soon: a range of due dates
    in the kept tallies."""
    table, key = (("owner_due_tally", "nullif(owner, '')") if column == "owner"
                  else ("item_due_tally", "item" if column == "item" else "NULL"))
    return (f"SELECT {key}, coalesce(sum(CASE WHEN due < :d THEN n END), 0), sum(n)"
            f" FROM {table} WHERE plan = :plan AND due <= :soon AND n > 0"
            + (f" GROUP BY {key}" if column else ""))


def count_tasks(store: Store, plan: str, as_of: date, by: str = "total") -> dict:
    """Counts of non-archived tasks as of ``as_of``, by the rules of `jtdj list`: a list of
    (tasks, done, doing, todo, dropped, overdue, due_soon, review) per section, item or owner, in key
    order (no owner last); or, by total, one list under the key None."""
    cache = store.cache
    column = "owner" if by == "owner" else "item"
    if by == "total" and (plan, as_of, "item") not in cache:
        return _tally(store, plan, as_of, None)
    if (plan, as_of, column) not in cache:
        cache[(plan, as_of, column)] = _tally(store, plan, as_of, column)
    groups = cache[(plan, as_of, column)]
    if by == "total":  # the per-item counts of this day are at hand: add them up
        return {None: [sum(col) for col in zip(*groups.values())] if groups
                else [0] * len(COUNT_FIELDS)}
    if by == "section":  # each section's items' counts added up, column by column
        members: dict = {}
        for item, section in store.conn.execute(
                "SELECT no, section FROM items WHERE plan = ?", (plan,)):
            if item in groups:
                members.setdefault(section, []).append(groups[item])
        groups = {section: [sum(col) for col in zip(*of_items)]
                  for section, of_items in members.items()}
    ordered = sorted(groups, key=lambda k: (k is None, k if k is not None else ""))
    return {k: groups[k] for k in ordered}


def _open_rowids(which: str, limit: int | None, otherwise: str = "") -> str:
    """SQL for the rowids of the tasks open as of :d and overdue or due soon, by due date;
    with ``limit``, only the first ones (each part stops early, in index order)."""
    window = _DUE_WINDOWS[which]
    order = " ORDER BY t.due, t.item, t.no" + (f" LIMIT {int(limit)}" if limit is not None else "")
    parts = [f"SELECT * FROM (SELECT t.rowid AS r, t.due, t.item, t.no FROM {_STATE}"
             f" WHERE {LIVE} AND {part} AND {window}{otherwise}{order})" for part in _OPEN_PARTS]
    return " UNION ALL ".join(parts)


def _by_task_order(rows: list[tuple], limit: int | None) -> list[tuple]:
    """(id, title, owner, due) rows by due date, then id; the first ``limit``."""
    rows.sort(key=lambda r: (r[3], *map(int, r[0].partition("@")[0].split("."))))
    return rows if limit is None else rows[:limit]


def due_tasks(store: Store, plan: str, as_of: date, which: str,
              limit: int | None = None) -> list[tuple]:
    """(id, title, owner, due) of the tasks open at ``as_of`` and overdue or due within 14
    days, by due date (the red and yellow lights of `jtdj list`), the first ``limit`` of them;
    a recurring task once, by its earliest such occurrence (as the counts count it). How many
    there are in all is in the day's counts."""
    from jtdj.store.occurrence_counts import due_rows

    rows = _due_tasks(store, plan, as_of, which, limit)
    recurring = due_rows(store, plan, as_of, which)
    return _by_task_order([tuple(r) for r in rows] + recurring, limit) if recurring else rows


def _due_tasks(store: Store, plan: str, as_of: date, which: str,
               limit: int | None = None) -> list[tuple]:
    params = as_of_params(store, plan, as_of)
    otherwise = history.as_of(store, plan, as_of)
    rows = store.conn.execute(
        "SELECT t.id, t.title, t.owner, t.due FROM tasks t JOIN"
        f" ({_open_rowids(which, limit, history.kept_rows(store, plan, as_of))}) o"
        " ON t.rowid = o.r ORDER BY o.due, o.item, o.no"
        + (f" LIMIT {int(limit)}" if limit is not None else ""), params).fetchall()
    if not otherwise:
        return rows
    then = store.conn.execute(
        "SELECT id, title, owner, due FROM (SELECT t.id, t.title, t.owner, t.due,"
        f" t.reported_on, {EFFECTIVE_STATUS} AS eff FROM temp.asof_tasks t WHERE t.day = :d"
        f" AND {LIVE}) WHERE ({DUE_LIGHT}) = :light",
        {**params, "light": "red" if which == "overdue" else "yellow"}).fetchall()
    return _by_task_order([tuple(r) for r in rows + then], limit)


def overdue_by_owner(store: Store, plan: str, as_of: date,
                     limit: int | None = None) -> list[tuple[str | None, int, list[tuple]]]:
    """Overdue tasks per owner: (owner, how many, the first ``limit`` by due date as (id,
    title, owner, due)), the tasks nobody owns first (they need an owner), then by name."""
    params = as_of_params(store, plan, as_of)
    closed_later = " UNION ALL ".join(
        f"SELECT 1 FROM {_STATE} WHERE {LIVE} AND {part} AND t.due < :d" for part in _OPEN_PARTS[4:])
    if (limit is None or history.as_of(store, plan, as_of)
            or store.conn.execute(f"SELECT EXISTS ({closed_later})", params).fetchone()[0]):
        # every overdue task at once: all of them wanted, or some otherwise on the day
        rows = due_tasks(store, plan, as_of, "overdue")
        groups: dict = {}
        for row in rows:
            groups.setdefault(row[2], []).append(row)
        return [(k, len(groups[k]), groups[k] if limit is None else groups[k][:limit])
                for k in sorted(groups, key=lambda k: (k is not None, k or ""))]
    # overdue now = open now and past due: how many per owner from the kept tallies (or a
    # count per owner), then the first ones by a seek per owner in the owner index
    late = (f"FROM tasks t INDEXED BY idx_tasks_owner_state WHERE {LIVE} AND t.owner IS :owner"
            " AND t.status IN ('todo', 'doing') AND t.due < :d")
    counts = store.conn.execute(
        "SELECT nullif(owner, ''), sum(n) FROM owner_due_tally WHERE plan = :plan"
        " AND due < :d AND n > 0 GROUP BY owner ORDER BY owner", params).fetchall()
    from jtdj.store.occurrence_counts import due_rows

    groups: dict = {owner: [count, []] for owner, count in counts if count}
    for owner, group in groups.items():
        group[1] += [tuple(r) for r in store.conn.execute(
            f"SELECT t.id, t.title, t.owner, t.due FROM tasks t JOIN (SELECT t.rowid AS r,"
            f" t.due, t.item, t.no {late} ORDER BY t.due, t.item, t.no LIMIT {int(limit)}) o"
            " ON t.rowid = o.r ORDER BY o.due, o.item, o.no", {**params, "owner": owner})]
    # a recurring task counts as its begun occurrences make it (the tallies count its stored
    # row as never due): its overdue occurrence, one per task, joins its owner's
    for row in due_rows(store, plan, as_of, "overdue"):
        group = groups.setdefault(row[2] or None, [0, []])
        group[0] += 1
        group[1].append(row)
    return [(owner, count, _by_task_order(rows, limit)) for owner, (count, rows)
            in sorted(groups.items(), key=lambda g: (g[0] is not None, g[0] or ""))]
