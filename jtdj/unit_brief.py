"""One unit's own report (`jtdj report --unit U`): its figures and its rows, as of the
period's last day (``until``).

History-true: the rows are `list --owner U` as of ``until`` (``unit_list.owner_rows``: its
shares as they were that day, and the tasks it leads that have no shares), the figures are the
通报's row for the unit (``bulletin.figures``: the summary's per-unit counts and its 催办,
未按时反馈) and its last form by ``report.form_marks``, so they never disagree. 「退回」 and
待审核 are not kept yet and so not shown.
"""

from __future__ import annotations

from datetime import date

from jtdj import report
from jtdj.parse import Period
from jtdj.store import Store
from jtdj.store import unit_brief as db
from jtdj.store import unit_counts as uc
from jtdj.store.tasks import TaskFilter

FIGURE_KEYS = ("tasks", "done", "percent_done", "overdue", "urges", "last_report", "late")
ROW_KEYS = ("id", "title", "due", "status", "percent", "note", "role")
LISTS = ("completed", "overdue", "due_soon", "open")


def unit_brief(store: Store, plan: str, unit: str, period: Period, as_of: date) -> dict:
    """The unit's report as data (its JSON); ``unit`` is a registered unit's name."""
    from jtdj import bulletin, unit_list

    until = period.until
    ranked, late = bulletin.figures(store, plan, until)
    mine = next((r for r in ranked if r["unit"] == unit), {})
    issued = uc.forms(store, plan)
    mark = report.form_marks(issued, until).get(unit, {}) if issued else {}
    figures = {k: mine.get(k, 0) for k in ("tasks", "done", "percent_done", "overdue", "urges")}
    figures.update(last_report=mark.get("last_report"), late=unit in late)
    records = unit_list.owner_rows(store, plan, TaskFilter(owner=unit, status="all"), until)
    unit_id = uc.unit_id(store, unit)

    def target(r: dict) -> str:
        return f"{r['id']}@{unit_id}" if r["role"] == "share" else r["id"]

    notes = db.latest_notes(store, plan, [target(r) for r in records], until)
    lists: dict[str, list[dict]] = {k: [] for k in LISTS}
    first = period.first.isoformat()
    for r in records:
        row = {"id": r["id"], "title": r["title"], "due": r["due"], "status": r["status"],
               "percent": r["percent"], "note": notes.get(target(r)), "role": r["role"]}
        if r["status"] == "done":
            if r["done_on"] and first <= str(r["done_on"]) <= until.isoformat():
                lists["completed"].append(row)
        elif r["status"] in ("todo", "doing"):
            which = {"red": "overdue", "yellow": "due_soon"}.get(r["light"], "open")
            lists[which].append(row)
    lists["overdue"].sort(key=lambda r: (r["due"] or "", r["id"]))
    lists["due_soon"].sort(key=lambda r: (r["due"] or "", r["id"]))
    head = report.plan_head(store, plan)
    return {"plan": plan, "title": head["title"], "issuer": head["issuer"],
            "doc_no": head["doc_no"], "unit": unit, "as_of": as_of,
            "period": {"since": period.first, "until": until, "first_day": period.first,
                       "week": period.week},
            "figures": figures, **lists}
