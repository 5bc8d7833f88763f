"""One unit's own report (`jtdj report --unit U`): its figures and its rows, as of the
period's last day (``until``).

History-true: the rows are `list --owner U` as of ``until`` (``unit_list.owner_rows``: its
shares as they were that day, and the tasks it leads that have no shares), the figures are the
通报's row for the unit (``bulletin.figures``: the summary's per-unit counts and its 催办,
未按时反馈) and its last form by ``report.form_marks``, so they never disagree. What waits for
the office's review (``review``: a report of 已完成, or a request to extend or cancel) and
what the office sent back (``returned``, with its reason) are read as they were that day too:
a share's from ``shares.as_of``, a task's from the replayed rows (``store.unit_brief``).
"""

from __future__ import annotations

from datetime import date

from jtdj import report
from jtdj.parse import Period
from jtdj.store import Store
from jtdj.store import unit_brief as db
from jtdj.store import unit_counts as uc
from jtdj.store.lights import counted
from jtdj.store.tasks import TaskFilter

FIGURE_KEYS = ("tasks", "done", "percent_done", "overdue", "review", "urges", "last_report",
               "late")
ROW_KEYS = ("id", "title", "due", "status", "percent", "note", "role")
PACE_KEYS = ("signal", "expected_percent", "lag")  # and, in ``lagging``, each row's pace
LISTS = ("completed", "overdue", "lagging", "due_soon", "open", "review", "returned")
REVIEW_KEYS = ("id", "title", "kind", "on", "new_due", "reason", "due", "role")


def unit_brief(store: Store, plan: str, unit: str, period: Period, as_of: date) -> dict:
    """The unit's report as data (its JSON); ``unit`` is a registered unit's name."""
    from jtdj import bulletin, unit_list

    until = period.until
    ranked, late = bulletin.figures(store, plan, until)
    mine = next((r for r in ranked if r["unit"] == unit), {})
    issued = uc.forms(store, plan)
    mark = report.form_marks(issued, until).get(unit, {}) if issued else {}
    figures = {k: mine.get(k, 0)
               for k in ("tasks", "done", "percent_done", "overdue", "review", "urges")}
    figures.update(last_report=mark.get("last_report"), late=unit in late)
    records = unit_list.owner_rows(store, plan, TaskFilter(owner=unit, status="all"), until)
    unit_id = uc.unit_id(store, unit)

    def target(r: dict) -> str:
        return f"{r['id']}@{unit_id}" if r["role"] == "share" else r["id"]

    notes = db.latest_notes(store, plan, [target(r) for r in records], until)
    marks = _marks(store, plan, records, unit_id, until)
    back_on = db.returned_on(store, plan, [target(r) for r in records
                                           if marks.get(r["id"], {}).get("returned")], until)
    lists: dict[str, list[dict]] = {k: [] for k in LISTS}
    ongoing: list[tuple[dict, dict]] = []
    first = period.first.isoformat()
    for r in records:
        row = {"id": r["id"], "title": r["title"], "due": r["due"], "status": r["status"],
               "percent": r["percent"], "note": notes.get(target(r)), "role": r["role"]}
        if r["status"] == "done":
            if r["done_on"] and first <= str(r["done_on"]) <= until.isoformat():
                lists["completed"].append(row)
        elif r["status"] in ("todo", "doing") and r.get("ongoing"):
            ongoing.append((r, row))  # 常态推进: no due date, reported by its notes
        elif r["status"] in ("todo", "doing"):
            overdue, soon, lag = counted(r, store.lights, until)  # by the due date alone
            if lag:  # behind its pace (序时进度): listed apart, and as due soon where it is
                lists["lagging"].append({**row, **{k: r[k] for k in PACE_KEYS}})
            if overdue or soon or not lag:
                lists["overdue" if overdue else "due_soon" if soon else "open"].append(row)
        held = marks.get(r["id"], {})
        lists["review"] += _waiting(r, held)
        if held.get("returned") and r["status"] not in ("done", "dropped"):
            lists["returned"].append({"id": r["id"], "title": r["title"],
                                      "reason": held["returned"], "on": back_on.get(target(r)),
                                      "status": r["status"], "role": r["role"]})
    lists["overdue"].sort(key=lambda r: (r["due"] or "", r["id"]))
    lists["due_soon"].sort(key=lambda r: (r["due"] or "", r["id"]))
    lists["lagging"].sort(key=lambda r: (r["signal"] != "far_behind", -r["lag"], r["id"]))
    head = report.plan_head(store, plan)
    if ongoing:  # only where the unit has open ongoing tasks (the JSON keeps its keys else)
        lists["ongoing"] = _ongoing(store, plan, ongoing, target, period)
    return {"plan": plan, "title": head["title"], "issuer": head["issuer"],
            "doc_no": head["doc_no"], "unit": unit, "as_of": as_of,
            "period": {"since": period.first, "until": until, "first_day": period.first,
                       "week": period.week},
            "figures": figures, **lists}


ONGOING_KEYS = ("id", "title", "status", "signal", "last_note", "note", "note_in_period",
                "role")


def _ongoing(store: Store, plan: str, rows: list[tuple[dict, dict]], target,
             period: Period) -> list[dict]:
    """The unit's open ongoing rows (常态推进), each with the day and text of its own latest
    note by ``until`` (a share's: the notes on the unit's share; a task it leads: on the task
    or any of its shares) and whether that note falls in the period."""
    from jtdj.store import ongoing as og

    by_target, by_task = og.latest_notes(store, plan, [r["id"] for r, _row in rows],
                                         period.until)
    out = []
    for r, row in rows:
        n = (by_target.get(target(r)) if r["role"] == "share" else by_task.get(r["id"])) or {}
        out.append({**{k: row[k] for k in ("id", "title", "status", "role")},
                    "signal": r["signal"], "last_note": n.get("on"), "note": n.get("text"),
                    "note_in_period": bool(n) and n["on"] > period.before.isoformat()})
    return [{k: o[k] for k in ONGOING_KEYS} for o in out]


def _marks(store: Store, plan: str, records: list[dict], unit_id: int | None,
           until: date) -> dict[str, dict]:
    """Per row id: reported_on, request and returned as of ``until`` (of the unit's share, or
    of the task it leads)."""
    from jtdj import shares

    held = [r["id"] for r in records if r["role"] == "share"]
    out = db.review_marks(store, plan, [r["id"] for r in records if r["role"] == "lead"], until)
    for task, ss in (shares.as_of(store, plan, until, held) if held else {}).items():
        for s in ss:
            if s["unit"] == unit_id:
                out[task] = {k: s.get(k) for k in ("reported_on", "request", "returned")}
    return out


def _waiting(r: dict, mark: dict) -> list[dict]:
    """What of the row waits for the office's review: a report of 已完成 (kind ``done``, on
    the day reported) and a request (``extend`` to ``new_due``, or ``cancel``, with its
    reason)."""
    base = {"id": r["id"], "title": r["title"], "due": r["due"], "role": r["role"]}
    out = []
    if r["status"] == "review":
        out.append({**base, "kind": "done", "on": mark.get("reported_on"), "new_due": None,
                    "reason": None})
    request = mark.get("request")
    if request and r["status"] not in ("done", "dropped"):
        out.append({**base, "kind": request["kind"], "on": request.get("on"),
                    "new_due": request.get("due"), "reason": request.get("reason")})
    return [{k: row[k] for k in REVIEW_KEYS} for row in out]
