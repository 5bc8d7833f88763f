"""What `jtdj notify` and `jtdj urge --robot` post to a group: the messages, from the data the
report and the 催办 already compute (``bulletin.period_report``, ``urge.prepare``), written by
``render.robot`` for each platform's markdown. ``robots.notify_payloads`` fits them to a
platform's limits."""

from __future__ import annotations

from datetime import date

from jtdj import bulletin
from jtdj.parse import Period
from jtdj.render import robot as render
from jtdj.robots import KINDS, NotifyMessage
from jtdj.store import Store


def report_data(store: Store, plan: str, period: Period, as_of: date) -> dict:
    """The period report's data, as `jtdj report` computes it (the lists whole: the message
    takes its first items and says how many more), with ``late``: the overdue work of each
    unit as `report --by-unit` counts it (its own shares and the tasks it leads that were not
    handed to units, as of the period's last day), then the report's other overdue groups
    (a lead that is not a registered unit, or none)."""
    data = bulletin.period_report(store, plan, period, as_of, None)
    data["late"] = late_groups(store, plan, data, period.until)
    return data


def late_groups(store: Store, plan: str, data: dict, until: date) -> list[dict]:
    from jtdj.store.units import units as registered
    from jtdj.urge import units_rows

    late = []
    figures = {u["unit"]: u for u in (data.get("by_unit") or {}).get("units", [])
               if u.get("overdue")}
    units = [u for u in registered(store) if u["name"] in figures]
    for unit, rows in zip(units, units_rows(store, plan, units, until, True, None)
                          if units else []):
        tasks = [{"id": r["id"] + (f"@{r['period']}" if r.get("period") and "@" not in r["id"]
                                   else ""), "title": r["title"], "due": r["due"],
                  "days": r["days"]} for r in rows if r.get("days") and r["days"] > 0]
        count = max(figures[unit["name"]]["overdue"], len(tasks))
        late.append({"owner": unit["name"], "tasks": tasks, "omitted": count - len(tasks)})
    named = {g["owner"] for g in late}
    shown = {task["id"] for g in late for task in g["tasks"]}
    for group in data.get("overdue") or []:  # a task handed to units is listed under them
        if group.get("owner") in named:
            continue
        tasks = [task for task in group.get("tasks") or [] if task.get("id") not in shown]
        if tasks or group.get("omitted"):
            late.append({**group, "tasks": tasks})
    return late


def report_message(data: dict) -> NotifyMessage:
    """The period's message: 总体情况, 本期完成, 滞后事项 per unit, the closing line."""
    return NotifyMessage(render.report_title(data),
                         {kind: render.report_lines(data, kind) for kind in KINDS})


def urge_message(notice_data: dict, mobile: str | None) -> NotifyMessage:
    """One unit's 催办 list, mentioning the unit's contact by the mobile of the register."""
    mobiles = tuple(m for m in (normal_mobile(mobile),) if m)
    return NotifyMessage(render.urge_title(notice_data),
                         {kind: render.urge_lines(notice_data, kind) for kind in KINDS},
                         mobiles, render.urge_mention(notice_data))


def normal_mobile(mobile: str | None) -> str | None:
    """A mobile number as the platforms match it: digits only (a leading +86 dropped)."""
    if not mobile:
        return None
    digits = "".join(ch for ch in str(mobile) if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits or None
