"""A plan's shares on a day counted per unit by SQLite, for the summary, the report and the
通报; the tasks handed out counted per owner (what their own counts hold of them); and the few
shares behind their pace, which the report lists.

A summary of an office's plan (60 units × 100 tasks: 6,000 shares) wants how many shares each
unit has done, open, overdue or behind, not the shares themselves; making a record of each in
Python (``shares.effective``) and adding them up took most of its time (bench/README.md).
Here one statement applies the same rules (``lights.SIGNAL`` over the columns it reads; the
status on the day as ``shares.effective`` has it) and adds them up per unit.

Only for a day no later change to a share reaches back to (``units.latest_share_day``): on an
earlier day each share is first put back as it was then, in Python.
``tests/test_share_counts.py`` holds the counts to those of the records.
"""

from __future__ import annotations

from datetime import date

from jtdj.store import lights
from jtdj.store.tasks import effective_status
from jtdj.tuples import named_tuple

# the status a share has on :d, by the rules of ``shares.effective``
_EFFECTIVE = effective_status("s")
# the tasks handed to units (``task_query`` of their ids: as `list` has them on the day), built
# once: each with its window for its shares (its own start, else the plan's) and what its
# owner's count holds of it (its status and signal)
_LEADS = ("w AS MATERIALIZED (SELECT id AS task, title, owner, due,"
          " coalesce(start, :plan_start) AS ws, kind, eff, signal FROM ({tasks}))")
# the columns the rules read: eff, due, ws (window start), percent, reported_on, kind, last_note
_ROWS = (f"SELECT s.rowid AS r, u.name AS unit, s.task, {_EFFECTIVE} AS eff,"
         " coalesce(s.due, w.due) AS due, w.ws, w.kind, s.percent, s.reported_on,"
         " CASE WHEN w.kind IS NOT NULL THEN (SELECT max(n.on_date) FROM notes n"
         " WHERE n.plan = s.plan AND n.target = s.task || '@' || s.unit AND n.on_date <= :d)"
         " END AS last_note"
         " FROM w JOIN shares s ON s.plan = :plan AND s.task = w.task"
         " JOIN units u ON u.id = s.unit")
# per unit, in the order of counts.COUNT_FIELDS (a share with no due date is not due soon)
_COUNTED = ("1", "eff = 'done'", "eff = 'doing'", "eff = 'todo'", "eff = 'dropped'",
            "signal = 'overdue'", "eff IN ('todo', 'doing') AND due >= :d AND due <= :soon",
            "eff = 'review'", "signal = 'behind'", "signal = 'far_behind'",
            "kind IS NOT NULL AND eff != 'dropped'", "kind IS NOT NULL AND eff = 'done'")
# the rows built once, and their signals too: as a subquery, SQLite works out the rules again
# for each count that names a column (6,000 shares: 8.4 -> 5.9 ms, bench/README.md). In one
# statement, each row marked by its part (0 to 3): the counts of each unit's shares; the
# counts of each owner's tasks among them; each task's title; and the shares behind their pace
# (an ongoing task's have none), in the shares' order: a summary counts, a report lists those
# behind, and one pass serves all four (bench/README.md).
_COUNTS = ", ".join(f"count(CASE WHEN {condition} THEN 1 END)" for condition in _COUNTED)
_PAD = ", NULL"
_AFTER_LEADS = (f", rows AS MATERIALIZED ({_ROWS}),"
                f" judged AS MATERIALIZED (SELECT *, {lights.SIGNAL} AS signal FROM rows)"
                f" SELECT 0, NULL, unit, {_COUNTS} FROM judged GROUP BY unit"
                f" UNION ALL SELECT 1, NULL, owner, {_COUNTS} FROM w GROUP BY owner"
                " UNION ALL SELECT 2, NULL, task, title" + _PAD * (len(_COUNTED) - 1) + " FROM w"
                " UNION ALL SELECT 3, r, unit, task, due, signal, percent, x,"
                " x - coalesce(percent, 0)" + _PAD * (len(_COUNTED) - 6)
                + f" FROM (SELECT *, {lights.EXPECTED} AS x FROM judged"
                " WHERE signal IN ('behind', 'far_behind') AND kind IS NULL)")
_BEHIND_KEYS = ("due", "signal", "percent", "expected_percent", "lag")


@named_tuple
class DayCounts:
    """``on_day``: what a day's shares of the tasks handed to units count."""

    titles: dict[str, str]  # task id -> title
    leads: dict  # per owner, the counts of its own tasks among them
    units: dict[str, list[int]]  # per unit (its name now), the counts of its shares
    behind: dict[str, list[dict]]  # by task, its shares behind or far behind their pace


def on_day(store, plan: str, day: date, ids: list[str]) -> DayCounts:
    """The tasks of ``ids`` handed to units, live on the day, and their shares, counted in the
    order of ``counts.COUNT_FIELDS`` as ``report`` adds up their records: per unit, and per
    owner what its own count holds of those tasks; their titles; and the shares behind or far
    behind their pace, by task (the keys of their records that the report's 滞后 lists show)."""
    from jtdj.store.tasks import TaskFilter, task_query

    tasks, params = task_query(store, plan, TaskFilter(status="all", ids=ids), day)
    out = DayCounts({}, {}, {}, {})
    sql = "WITH " + _LEADS.format(tasks=tasks) + _AFTER_LEADS
    behind = []
    for part, r, key, *values in store.conn.execute(sql, params):
        if part == 0:
            out.units[key] = values
        elif part == 1:
            out.leads[key] = values
        elif part == 2:
            out.titles[key] = values[0]
        else:
            behind.append((r, key, values))
    # in the shares' order; sorted here, the few of them, not the whole statement's rows
    for _r, unit, values in sorted(behind, key=lambda row: row[0]):
        task, *lag = values[:len(_BEHIND_KEYS) + 1]
        out.behind.setdefault(task, []).append(
            {"unit": unit, **dict(zip(_BEHIND_KEYS, lag)), "ongoing": False})
    return out
