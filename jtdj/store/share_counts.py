"""A plan's shares on a day counted per unit by SQLite, for the summary, the report and the
通报; and the few behind their pace, which the report lists.

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

import json
from datetime import date

from jtdj.store import lights
from jtdj.store.lights import Lights
from jtdj.store.tasks import effective_status

# the status a share has on :d, by the rules of ``shares.effective``
_EFFECTIVE = effective_status("s")
# :tasks as a table built once: read in place (json_each), each value would be parsed from the
# JSON again wherever the rules name it (6,000 shares: 84 -> 31 ms)
_WINDOWS = ("WITH w (task, due, ws, kind) AS MATERIALIZED (SELECT json_extract(value, '$[0]'),"
            " json_extract(value, '$[1]'), json_extract(value, '$[2]'),"
            " json_extract(value, '$[3]') FROM json_each(:tasks)) ")
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
# for each count that names a column (6,000 shares: 8.4 -> 5.9 ms, bench/README.md). From the
# same rows, after the counts of each unit (r NULL, by unit), the shares behind their pace (an
# ongoing task's have none) in the shares' order: the report lists those, and one pass
# serves both (bench/README.md).
_COUNTS = ", ".join(f"count(CASE WHEN {condition} THEN 1 END)" for condition in _COUNTED)
_SQL = (f"{_WINDOWS}, rows AS MATERIALIZED ({_ROWS}),"
        f" judged AS MATERIALIZED (SELECT *, {lights.SIGNAL} AS signal FROM rows)"
        f" SELECT NULL, unit, {_COUNTS} FROM judged GROUP BY unit"
        " UNION ALL SELECT r, unit, task, due, signal, percent, x, x - coalesce(percent, 0)"
        + ", NULL" * (len(_COUNTED) - 6)
        + f" FROM (SELECT *, {lights.EXPECTED} AS x FROM judged"
        " WHERE signal IN ('behind', 'far_behind') AND kind IS NULL) ORDER BY 1, 2")
_BEHIND_KEYS = ("due", "signal", "percent", "expected_percent", "lag")


def tasks_of(store, plan: str, day: date, ids: list[str]) -> list[tuple]:
    """The live tasks of ``ids`` as `list` has them on the day, each only as (id, title, due,
    start, kind, owner, status, signal): what counting a task handed to units needs of it
    (its window for ``by_unit`` and ``behind``; what its owner's count holds of it), with no
    record made (1,000 such tasks: 6.3 -> 4.5 ms with their counting, bench/README.md)."""
    from jtdj.store.tasks import TaskFilter, task_query

    sql, params = task_query(store, plan, TaskFilter(status="all", ids=ids), day)
    return store.conn.execute("SELECT id, title, due, start, kind, owner, eff, signal"
                              f" FROM ({sql})", params).fetchall()


def _params(plan: str, day: date, windows: dict[str, tuple], rules: Lights,
            plan_start: str | None) -> dict:
    return {**lights.params(rules, day, plan_start), "d": day.isoformat(), "plan": plan,
            "tasks": json.dumps([[task, *window] for task, window in windows.items()])}


def by_unit(store, plan: str, day: date, windows: dict[str, tuple], rules: Lights,
            plan_start: str | None) -> tuple[dict[str, list[int]], dict[str, list[dict]]]:
    """Per unit (its name now), the counts of the shares of the tasks of ``windows`` (task id →
    its due date, window start and kind on the day) in the order of ``counts.COUNT_FIELDS``,
    as ``report`` adds up their records; and those shares behind or far behind their pace, by
    task: the keys of their records that the report's 滞后 lists show."""
    units: dict[str, list[int]] = {}
    behind: dict[str, list[dict]] = {}
    for r, unit, *values in store.conn.execute(_SQL, _params(plan, day, windows, rules,
                                                             plan_start)):
        if r is None:
            units[unit] = values
        else:
            task, *lag = values[:len(_BEHIND_KEYS) + 1]
            behind.setdefault(task, []).append(
                {"unit": unit, **dict(zip(_BEHIND_KEYS, lag)), "ongoing": False})
    return units, behind
