"""The 通报 (`jtdj report --by-unit`): per unit its tasks, done, % done, overdue, 滞后 (behind
or far behind the pace of their windows, 序时进度), 待审核, extensions, 催办 and forms back on time, ranked, with the issue number 「第N期」.

Every figure is as of the period's last day (``until``), so a 通报 for last week is the same
when it is made again this week: the per-unit counts are the summary's (``report.owners``:
a unit's shares — a recurring task's once, by its occurrence shares — and the tasks it leads
that were not handed to units; a report waiting for
review is 待审核, open and not done), the events counted are those dated on or before ``until``
(an accepted 申请延期 moves a due date as `due` does: an extension), and undone batches are as
if they never ran. ``period_report`` is the period report with the same table as a part.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from jtdj import report
from jtdj.parse import Period
from jtdj.store import Store
from jtdj.store import bulletins as db
from jtdj.store import unit_counts as uc
from jtdj.store.units import split_target

UNIT_KEYS = ("rank", "unit", "tasks", "done", "percent_done", "overdue", "lagging", "review",
             "extensions", "urges", "forms_on_time", "forms_issued")


def bulletin(store: Store, plan: str, period: Period, as_of: date,
             issue_no: int | None = None) -> dict:
    """The 通报 as data (its JSON); numbering a new period writes its number (one small
    transaction)."""
    until = period.until
    units, late = figures(store, plan, until)
    head = report.plan_head(store, plan)
    return {
        "plan": plan, "title": head["title"], "issuer": head["issuer"], "doc_no": head["doc_no"],
        "as_of": as_of, "issue_no": db.issue_no(store, plan, period.first, until, issue_no),
        "period": {"since": period.first, "until": until, "first_day": period.first,
                   "week": period.week},
        "units": units,
        "late": late,
    }


def figures(store: Store, plan: str, until: date) -> tuple[list[dict], list[str]]:
    """Each unit's figures as of ``until``, ranked, and the units whose latest form came late:
    the 通报's table (also the ledger's sheet); reads only."""
    owners = [o for o in report.owners(store, plan, until) if o["owner"] and o["tasks"]]
    extensions, urges = _event_counts(store, plan, until)
    issued = uc.forms(store, plan)
    forms = forms_back(issued, until)
    marks = report.form_marks(issued, until) if issued else {}
    rows = []
    for o in owners:
        on_time, out = forms.get(o["owner"], (0, 0))
        rows.append({"unit": o["owner"], "tasks": o["tasks"], "done": o["done"],
                     "percent_done": o["percent_done"], "overdue": o["overdue"],
                     "lagging": o["behind"] + o["far_behind"], "review": o["review"],
                     "extensions": extensions[o["owner"]], "urges": urges[o["owner"]],
                     "forms_on_time": on_time, "forms_issued": out})
    units = ranked(rows)
    return units, [u["unit"] for u in units if marks.get(u["unit"], {}).get("late")]


def period_report(store: Store, plan: str, period: Period, as_of: date,
                  limit: int | None = None) -> dict:
    """The period report (``report.report``) with the 通报's table as one of its parts
    (``by_unit``: ranked units and the late ones, as of the period's last day) where units
    work on the plan (it has shares, or forms were issued) and some unit has tasks. Reads
    only: no issue number is given."""
    data = report.report(store, plan, period, as_of, limit)
    if uc.plan_has_shares(store, plan) or uc.forms(store, plan):
        units, late = figures(store, plan, period.until)
        if units:
            data["by_unit"] = {"units": units, "late": late}
    return data


def ranked(rows: list[dict]) -> list[dict]:
    """By % done, the highest first; then fewer overdue; full ties share a place and the next
    place skips (competition ranking: 1, 2, 2, 4); within a tie by name."""
    rows = sorted(rows, key=lambda r: (-r["percent_done"], r["overdue"], r["unit"]))
    out, rank, previous = [], 0, None
    for n, r in enumerate(rows, 1):
        key = (r["percent_done"], r["overdue"])
        if key != previous:
            rank, previous = n, key
        out.append({k: ({**r, "rank": rank})[k] for k in UNIT_KEYS})
    return out


def forms_back(issued: list[dict], until: date) -> dict[str, tuple[int, int]]:
    """Per unit: (forms back on time, forms that count) as of ``until``. A form counts once it
    was issued by then and its reply-by date has passed or it came back; it is on time when it
    was merged by then and its 填报日期 (else the day merged) is on or before its reply-by date."""
    day = until.isoformat()
    out: dict[str, list[int]] = {}
    for f in issued:
        if f["as_of"] > day:
            continue
        merged = f["merged_on"] is not None and f["merged_on"] <= day
        if not merged and f["reply_by"] >= day:
            continue  # not due yet
        acc = out.setdefault(f["unit"], [0, 0])
        acc[1] += 1
        acc[0] += merged and (f["filled_on"] or f["merged_on"]) <= f["reply_by"]
    return {unit: (a[0], a[1]) for unit, a in out.items()}


def _event_counts(store: Store, plan: str, until: date) -> tuple[Counter, Counter]:
    """Per unit name: the due dates moved later (of its shares; of the tasks it leads that were
    not handed to units; of a task handed to units, for each share that keeps the task's date)
    and the 催办 (of its shares, or recorded for it), on or before ``until``."""
    from jtdj import shares
    from jtdj.store.history import undone_batches
    from jtdj.store.tasks import TaskFilter, select_tasks

    undone = undone_batches(store, plan)
    moved = [e for e in db.extensions(store, plan, until) if e[1] not in undone]
    chased = [e for e in db.urges(store, plan, until) if e[1] not in undone]
    if not moved and not chased:
        return Counter(), Counter()
    names = db.unit_names(store)
    task_ids = sorted({split_target(e[0])[0] for e in moved + chased})
    held = shares.as_of(store, plan, until, task_ids)
    owner = {r["id"]: r["owner"] for r in select_tasks(
        store, plan, TaskFilter(status="all", ids=task_ids), until)}

    def share_unit(target: str) -> str | None:
        unit = split_target(target)[1]
        return names.get(unit) if unit is not None else None

    extensions: Counter = Counter()
    for target, _batch, _unit in moved:
        if split_target(target)[1] is not None:
            extensions[share_unit(target)] += 1
        elif target in held:  # the task's date: every share without its own moves with it
            for s in held[target]:
                if not s.get("due") and s["status"] != "dropped":
                    extensions[s["unit_name"]] += 1
        elif owner.get(target):
            extensions[owner[target]] += 1
    urges: Counter = Counter()
    for target, _batch, unit in chased:
        who = share_unit(target) or unit or owner.get(target)
        urges[who] += 1
    return extensions, urges
