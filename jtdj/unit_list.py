"""`list --owner U`: the tasks U leads and U's own shares, one row per task.

A task U holds a share of shows U's share as it was on the day (its status, light, percent,
due and done date: ``shares.effective``) with role ``share``; a task U only leads shows the
task with role ``lead`` (a task U leads and holds a share of shows the share). The status
filter and ``--overdue`` apply to what the row shows. Supporting units (配合单位) are not
matched. A recurring task shows as its occurrences whose period has begun, each a row of its
own (4.3@2022-05), U's share of it or the occurrence U leads. The rows of a unit that holds
shares are read whole, merged and sorted as `list` sorts; a unit that holds none (an office
leading a third of a large plan) gets `list`'s own stream, written by SQLite in a machine
format (``owner_list``).
"""

from __future__ import annotations

from datetime import date

from jtdj.store import unit_counts as uc
from jtdj.store.tasks import TaskFilter, iter_placed, plan_start

_STATUS_ORDER = {"todo": 0, "doing": 1, "review": 2, "done": 3, "dropped": 4}


def sort_key(sort: str, places: dict[str, int]):
    """The order of `list --sort`: by the field, then the plan's order — the item, the task's
    place in it (``places``: m018's ``pos`` by id), its number; a recurring task's occurrences
    (4.3@2022-05) by period."""
    def plan_order(r: dict) -> tuple[int, int, int, str]:
        item, _, no = r["id"].partition("@")[0].partition(".")
        return int(item), places.get(r["id"]) or 0, int(no), r.get("period") or ""

    return {
        "due": lambda r: (r["due"] is None, r["due"] or "", *plan_order(r)),
        "owner": lambda r: (r["owner"] is None, r["owner"] or "", *plan_order(r)),
        "status": lambda r: (_STATUS_ORDER[r["status"]], *plan_order(r)),
    }.get(sort, plan_order)


def _shown(f: TaskFilter, record: dict) -> bool:
    if f.status == "open" and record["status"] not in ("todo", "doing", "review"):
        return False
    if f.status not in ("open", "all") and record["status"] != f.status:
        return False
    if f.lagging and record["signal"] not in ("behind", "far_behind"):
        return False
    return not f.overdue or record["signal"] == "overdue"


def _begun(record: dict, day: str) -> bool:
    """Whether a record is shown on ``day``: an occurrence's once its period has begun
    (asked for by id, ``iter_tasks`` gives every occurrence whenever it falls)."""
    return record.get("period") is None or (record["start"] or "") <= day


def owner_list(store, plan: str, f: TaskFilter, as_of: date, sort: str = "id"):
    """The rows of `list --owner f.owner`, to be read once: for a unit that holds no share of
    the plan, the tasks it leads as `list` gives them, each with its unit and role ``lead``
    (``TaskStream``: a machine format written by SQLite, as a full list is); else
    ``owner_rows``."""
    unit_id = uc.unit_id(store, f.owner)
    if f.ids is None and (unit_id is None or not uc.plan_has_shares(store, plan)
                          or not uc.unit_share_tasks(store, plan, unit_id)):
        return store.task_stream(plan, f, as_of, sort, extra={"unit": f.owner, "role": "lead"})
    return owner_rows(store, plan, f, as_of, sort)


def owner_rows(store, plan: str, f: TaskFilter, as_of: date, sort: str = "id") -> list[dict]:
    """The rows of `list --owner f.owner` as of ``as_of``: each task record with ``unit`` (the
    unit asked for) and ``role`` (``lead`` or ``share``)."""
    from jtdj import shares

    unit = f.owner
    held: dict[str, dict] = {}
    unit_id = uc.unit_id(store, unit)
    if unit_id is not None and uc.plan_has_shares(store, plan):
        ids = uc.unit_share_tasks(store, plan, unit_id)
        if f.ids is not None:
            ids = [i for i in ids if i in set(f.ids)]
        held = {task: s for task, ss in shares.as_of(store, plan, as_of, ids).items()
                for s in ss if s["unit"] == unit_id} if ids else {}
    day = as_of.isoformat()
    places: dict[str, int] = {}  # each row's place in its item, to merge leads and shares
    rows = []
    for r, pos in iter_placed(store, plan, f, as_of):
        if r["id"] not in held and _begun(r, day):
            rows.append({**r, "unit": unit, "role": "lead"})
            places[r["id"]] = pos
    if held:
        every = f._replace(owner=None, unassigned=False, status="all", overdue=False,
                           lagging=False, ids=list(held))
        for r, pos in iter_placed(store, plan, every, as_of):
            if not _begun(r, day):  # an occurrence share shows from its period on
                continue
            places[r["id"]] = pos
            e = shares.effective(held[r["id"]], r["due"], as_of, store.lights,
                                 r["start"] or plan_start(store, plan))
            record = {**r, **{k: e[k] for k in ("status", "due", "done_on", "percent", "light",
                                                "signal", "expected_percent", "lag")},
                      "unit": unit, "role": "share"}
            if _shown(f, record):
                rows.append(record)
    rows.sort(key=sort_key(sort, places))
    return rows
