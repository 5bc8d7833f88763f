"""The shares of a day counted, for summaries, reports and the 通报: per unit, the tasks handed
to units and what their leads' own counts hold of them, with the rules of ``shares.effective``.

Apart from ``report`` because they have a way of their own: from each share's record where a
day needs its shares put back, else by SQLite with no record made (``store.share_counts``).
"""

from __future__ import annotations

from datetime import date

from jtdj.store import Store
from jtdj.store import counts as st
from jtdj.store import unit_counts as uc
from jtdj.store.lights import Lights, counted
from jtdj.tuples import named_tuple

SHARE_KEYS = ("tasks", "total", "done", "doing", "todo", "review", "dropped", "overdue",
              "due_soon", "behind", "far_behind")


def shared(store: Store, plan: str, as_of: date) -> tuple[dict, dict]:
    """The live tasks handed to units as of ``as_of`` (their records as `list` shows them that
    day) and each one's shares as they were that day (``shares.effective``): the web view's
    rows, and what ``share_tally`` counts on a day whose shares are put back. Kept for the
    command: treat it as read-only."""
    if not uc.plan_has_shares(store, plan):
        return {}, {}
    key = ("shared", plan, as_of)
    if key not in store.cache:
        from jtdj import shares

        store.cache[key] = shares.on_day(store, plan, as_of)
    return store.cache[key]


@named_tuple
class ShareTally:
    """The shares of a day counted (``share_tally``)."""

    titles: dict  # the live tasks handed to units: id -> title
    units: dict  # per unit, the COUNT_FIELDS of its shares
    block: dict  # the ``shares`` block of a summary
    recurring: dict  # the recurring tasks' records per unit (the 周期性工作 block counts them)
    leads: dict  # per owner, the COUNT_FIELDS its own count holds of those tasks
    behind: dict | None  # where SQLite counted the shares: those behind their pace, by task


def share_tally(store: Store, plan: str, as_of: date) -> ShareTally:
    """The shares as of ``as_of`` counted. Counted from the records when they are at hand or
    the day needs its shares put back; else the shares of the tasks that do not recur are
    counted by SQLite (``store.share_counts``), and so are those tasks themselves, with no
    record of either (6,000 shares: bench/README.md). Kept for the command."""
    key = ("share_tally", plan, as_of)
    if key in store.cache:
        return store.cache[key]
    units: dict = {}
    leads: dict = {}
    titles: dict = {}
    behind = None
    if not uc.plan_has_shares(store, plan):
        tasks, recurring = {}, {}
    elif _from_records(store, plan, as_of):
        tasks, by_task = shared(store, plan, as_of)
        recurring = {task: ss for task, ss in by_task.items()
                     if any("occurrences" in s for s in ss)}
        for ss in by_task.values():
            for s in ss:
                add_counts(units, s["unit"], s, 1, store.lights, as_of)
    else:
        from jtdj import shares
        from jtdj.store import share_counts as sc
        from jtdj.store import units as db

        shared_ids = db.tasks_with_shares(store, plan)
        tasks, recurring = shares.recurring_on_day(store, plan, as_of, shared_ids)
        ids = sorted(task for task in shared_ids if "@" not in task and task not in recurring)
        titles, leads, units, behind = sc.on_day(store, plan, as_of, ids)
        for ss in recurring.values():
            for s in ss:
                add_counts(units, s["unit"], s, 1, store.lights, as_of)
    for task, record in tasks.items():
        titles[task] = record["title"]
        add_counts(leads, record["owner"], record, 1, store.lights, as_of)
    block = dict.fromkeys(SHARE_KEYS, 0)
    block["tasks"] = len(titles)
    for of_unit in units.values():
        for name in SHARE_KEYS[1:]:
            block[name] += of_unit[0 if name == "total" else st.COUNT_FIELDS.index(name)]
    store.cache[key] = ShareTally(titles, units, block, recurring, leads, behind)
    return store.cache[key]


def _from_records(store: Store, plan: str, as_of: date) -> bool:
    """Whether the day's shares are counted from their records: at hand already, or the day
    needs each share put back as it was (a later change to one reaches back to it)."""
    from jtdj.store import units as db

    return ("shared", plan, as_of) in store.cache or as_of < db.latest_share_day(store, plan)


def add_counts(rows: dict, key, record: dict, sign: int, rules: Lights, day: date) -> None:
    acc = rows.setdefault(key, [0] * len(st.COUNT_FIELDS))
    acc[0] += sign
    acc[st.COUNT_FIELDS.index(record["status"])] += sign
    overdue, soon, lag = record.get("marks") or counted(record, rules, day)
    acc[5] += sign * overdue
    acc[6] += sign * soon
    if lag:
        acc[st.COUNT_FIELDS.index(lag)] += sign
    if record.get("ongoing") and record["status"] != "dropped":
        acc[st.COUNT_FIELDS.index("ongoing")] += sign
        acc[st.COUNT_FIELDS.index("ongoing_done")] += sign * (record["status"] == "done")
