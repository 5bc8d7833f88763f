"""Summaries and period reports, computed as plain data (dicts and lists; no printing, no formats).

Counts come from ``store_reports.count_tasks`` (the counting rules of ``jtdj list``, in SQL), so
a summary costs a fixed handful of queries however many tasks the plan has. A period holds what
happened with since < date <= until; the state shown is the state as of ``until``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from jtdj import store_reports as st
from jtdj.dates import iso_week_range, parse_date
from jtdj.errors import UsageError
from jtdj.i18n import t
from jtdj.store import Store
from jtdj.views import percent

SUMMARY_KEYS = ("plan", "as_of", "totals", "sections", "items", "owners", "overdue", "due_soon")
COUNT_KEYS = ("tasks", "done", "doing", "todo", "dropped", "open", "overdue", "due_soon",
              "percent_done")
TASK_KEYS = ("id", "title", "owner", "due")
DEFAULT_DAYS = 7


class Period(NamedTuple):
    """Events dated since < on_date <= until; ``week`` is set when it is an ISO week."""

    since: date
    until: date
    week: str | None = None

    @property
    def days(self) -> int:
        return (self.until - self.since).days


def resolve_period(today: date, since: str | None = None, until: str | None = None,
                   week: str | None = None, week_flag: bool = False) -> Period:
    """The period from the options: --week [YYYY-Www] alone, or --since/--until.

    ``--until`` defaults to today; ``--since`` to 7 days before until, and a relative --since
    (``7d``, ``-14d``) counts back from until. ``--week`` alone is the last complete ISO week.
    """
    if week is not None and not week_flag:
        raise UsageError(t("report.week_needs_flag", value=week))
    if week_flag:
        if since or until:
            raise UsageError(t("report.week_and_range"))
        monday, sunday = iso_week_range(week, today)
        iso = monday.isocalendar()
        return Period(monday - timedelta(days=1), sunday, f"{iso[0]}-W{iso[1]:02d}")
    end = parse_date(until, today, "--until") if until else today
    start = parse_date(since, end, "--since") if since else end - timedelta(days=DEFAULT_DAYS)
    if start >= end:
        raise UsageError(t("report.empty_period", since=start.isoformat(), until=end.isoformat()))
    return Period(start, end)


def counts(values) -> dict:
    """A count list from the store (tasks, done, doing, todo, dropped, overdue, due_soon) as
    the COUNT_KEYS record, with open and % done added."""
    tasks, done, doing, todo, dropped, overdue, due_soon = values
    return {"tasks": tasks, "done": done, "doing": doing, "todo": todo, "dropped": dropped,
            "open": todo + doing, "overdue": overdue, "due_soon": due_soon,
            "percent_done": percent(done, tasks - dropped)}


def totals(store: Store, plan: str, as_of: date) -> dict:
    return counts(st.count_tasks(store, plan, as_of, "total")[None])


def sections_and_items(store: Store, plan: str, as_of: date) -> tuple[list[dict], list[dict]]:
    """Per-section and per-item counts, in plan order; parts with no tasks are left out."""
    by_section = st.count_tasks(store, plan, as_of, "section")
    by_item = st.count_tasks(store, plan, as_of, "item")
    sections = [{"section": s["no"], "title": s["title"], **counts(by_section[s["no"]])}
                for s in store.sections(plan) if s["no"] in by_section]
    items = [{"item": no, "section": section, "title": title, **counts(by_item[no])}
             for no, section, title in store.item_heads(plan) if no in by_item]
    return sections, items


def owners(store: Store, plan: str, as_of: date) -> list[dict]:
    """Per owner (null: no owner yet), by name, the tasks without an owner last."""
    return [{"owner": owner, **counts(values)}
            for owner, values in st.count_tasks(store, plan, as_of, "owner").items()]


def task_list(store: Store, plan: str, as_of: date, which: str,
              limit: int | None = None) -> list[dict]:
    """The overdue tasks, or those due within 14 days (the same rules as `jtdj list`), the
    first ``limit`` by due date."""
    return [dict(zip(TASK_KEYS, row)) for row in st.due_tasks(store, plan, as_of, which, limit)]


def plan_head(store: Store, plan: str) -> dict:
    row = store.plan(plan) or {}
    return {"key": plan, "title": row.get("title") or plan}


def summary(store: Store, plan: str, as_of: date, limit: int | None = None) -> dict:
    """The plan at a glance as of a date (the JSON of `jtdj summary`). With ``limit``, the
    overdue and due-soon lists hold their first ``limit`` tasks; the totals still count all."""
    sections, items = sections_and_items(store, plan, as_of)
    return {
        "plan": plan, "title": plan_head(store, plan)["title"], "as_of": as_of.isoformat(),
        "totals": totals(store, plan, as_of), "sections": sections, "items": items,
        "owners": owners(store, plan, as_of),
        "overdue": task_list(store, plan, as_of, "overdue", limit),
        "due_soon": task_list(store, plan, as_of, "due_soon", limit),
    }


def report(store: Store, plan: str, period: Period, limit: int | None = None) -> dict:
    """The period report (the JSON of `jtdj report`): six parts, state as of ``until``.

    With ``limit``, each list holds its first ``limit`` entries (the overdue ones: per owner)
    and ``omitted`` says how many were left out of each; the counts still count everything.
    """
    sections, items = sections_and_items(store, plan, period.until)
    start = totals(store, plan, period.since)
    end = totals(store, plan, period.until)
    items_by_section: dict[int, list[dict]] = {}
    for it in items:
        items_by_section.setdefault(it["section"], []).append(it)
    completed, n_completed = st.completed_between(store, plan, period.since, period.until, limit)
    notes, n_notes = st.notes_between(store, plan, period.since, period.until, limit)
    overdue = []
    for owner, count, rows in st.overdue_by_owner(store, plan, period.until, limit):
        group = {"owner": owner, "tasks": [
            {**dict(zip(TASK_KEYS, r)), "days": (period.until - date.fromisoformat(r[3])).days}
            for r in rows]}
        if limit is not None:
            group["omitted"] = count - len(rows)
        overdue.append(group)
    due_soon = task_list(store, plan, period.until, "due_soon", limit)
    data = {
        "plan": plan, "title": plan_head(store, plan)["title"],
        "period": {"since": period.since.isoformat(), "until": period.until.isoformat(),
                   "first_day": (period.since + timedelta(days=1)).isoformat(),
                   "week": period.week},
        "overview": {"start": start, "end": end,
                     "change": {k: end[k] - start[k] for k in COUNT_KEYS}},
        "completed": [{"id": r["id"], "title": r["title"], "owner": r["owner"],
                       "on": r["done_on"], "note": r["note"]} for r in completed],
        "progress": [{"id": r["target"], "title": r["title"], "on": r["on_date"],
                      "by": r["actor"], "text": r["text"], "percent": r["percent"]}
                     for r in notes],
        "overdue": overdue,
        "due_soon": due_soon,
        "sections": [{**s, "items": items_by_section.get(s["section"], [])} for s in sections],
    }
    if limit is not None:
        data["omitted"] = {"completed": n_completed - len(completed),
                           "progress": n_notes - len(notes),
                           "overdue": sum(g["omitted"] for g in overdue),
                           "due_soon": end["due_soon"] - len(due_soon)}
    return data


def overdue_count(data: dict) -> int:
    """How many tasks are overdue in a summary or report (for --fail-on-overdue)."""
    if "totals" in data:
        return data["totals"]["overdue"]
    return data["overview"]["end"]["overdue"]
