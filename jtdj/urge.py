"""`jtdj urge`: one 催办通知 per unit for its overdue, due-soon or lagging work (docs/urge.md).

A unit's notice lists the open tasks it leads that are not handed to units (their shares
report) and its own open shares, each with its due date, the days overdue or left, and the
unit's last report on it, and the office's reason where it sent the task or share back
(`return`); what waits for the office's review (待审核) is not chased. A recurring task is
chased by its occurrences whose period has begun (4.3@2022-05, its title with the period in
words), each a row of its own; its own row and the occurrences not begun never are. A row
behind the pace of its window (``--lagging``: 滞后 or 严重滞后 by ``store.lights``, as `list`
judges it) says its percent and its expected one (序时进度); an ongoing task (常态推进, no due
date) is chased there when it is quiet (久未报进展, no note for ``ongoing_quiet_days``). Each
notice produced is an ``urge`` event on each task and share it lists (``store.urges``); the
same notice for the same unit on the same day is a duplicate.
"""

from __future__ import annotations

from datetime import date, timedelta

from jtdj.errors import UsageError
from jtdj.i18n import t
from jtdj.parse import parse_date, working_days_after
from jtdj.store import Store
from jtdj.store import forms as forms_db
from jtdj.store import urges as urges_db
from jtdj.store.lights import LAGGING, expected_of, signal_of
from jtdj.store.units import last_notes, share_target
from jtdj.tuples import named_tuple

REPLY_DAYS = 3  # working days from the as-of day to the default reply-by date


@named_tuple
class Notice:
    """One unit's notice: the unit (a register row) and the data ``render.urge`` writes."""

    unit: dict
    data: dict

    def targets(self) -> list[str]:
        return [r["target"] for r in self.data["rows"]]


def calendar(config: dict, today: date) -> tuple[set[date], set[date]]:
    """The config's ``[calendar] holidays`` and ``workdays`` as days (TOML dates or text)."""
    table = config.get("calendar") or {}
    if not isinstance(table, dict):
        raise UsageError(t("urge.bad_calendar", key="calendar", value=table))
    out = []
    for key in ("holidays", "workdays"):
        values = table.get(key) or []
        if not isinstance(values, list):
            raise UsageError(t("urge.bad_calendar", key=f"calendar.{key}", value=values))
        days = set()
        for value in values:
            if isinstance(value, date):
                days.add(value)
            elif isinstance(value, str):
                days.add(parse_date(value, today, f"calendar.{key}"))
            else:
                raise UsageError(t("urge.bad_calendar", key=f"calendar.{key}", value=value))
        out.append(days)
    return out[0], out[1]


def default_reply_by(as_of: date, config: dict) -> date:
    holidays, workdays = calendar(config, as_of)
    return working_days_after(as_of, REPLY_DAYS, holidays, workdays)


def _wanted(due: str | None, as_of: date, overdue: bool, within: int | None,
            lagging: bool = False, signal: str | None = None) -> bool:
    if lagging and signal in LAGGING:  # an ongoing task (no due date) too, when quiet
        return True
    if due is None:
        return False
    day = as_of.isoformat()
    if overdue and due < day:
        return True
    return within is not None and day <= due <= (as_of + timedelta(days=within)).isoformat()


def unit_rows(store: Store, plan: str, unit: dict, as_of: date, overdue: bool,
              within: int | None, lagging: bool = False) -> list[dict]:
    """The rows of the unit's notice, in the plan's order."""
    return units_rows(store, plan, [unit], as_of, overdue, within, lagging)[0]


def units_rows(store: Store, plan: str, units: list[dict], as_of: date, overdue: bool,
               within: int | None, lagging: bool = False) -> list[list[dict]]:
    """The rows of each unit's notice (one list per unit, in the order of ``units``), each in
    the plan's order: one query of each kind for all the units, grouped here."""
    from jtdj.collect import occurrence_rows, plan_order

    led = forms_db.led_open_tasks_of(store, plan, [u["name"] for u in units])
    shares = forms_db.shares_of_units(store, plan, [u["id"] for u in units])
    # a recurring task is chased by its occurrences begun by the day, never by its own row
    recurring, occurrences = occurrence_rows(store, plan, units, as_of)
    found_of = []
    for unit in units:
        found = [{**r, "target": r["id"]} for r in led.get(unit["name"], [])
                 if r["id"] not in recurring]
        found += [{**r, "target": share_target(r["id"], unit["id"])}
                  for r in shares.get(unit["id"], [])]
        found += occurrences.get(unit["id"], [])
        found.sort(key=plan_order)
        found_of.append(found)
    paces = _paces(store, plan, [r for found in found_of for r in found], as_of)
    wanted_of = [[r for r in found if r["status"] in ("todo", "doing") and _wanted(
        r["due"], as_of, overdue, within, lagging, paces.get(r["target"], {}).get("signal"))]
        for found in found_of]
    targets = list(dict.fromkeys(r["target"] for wanted in wanted_of for r in wanted))
    last = last_notes(store, plan, targets, as_of)
    return [[_row(r, paces.get(r["target"], {}), last.get(r["target"]), as_of) for r in wanted]
            for wanted in wanted_of]


def _row(r: dict, pace: dict, note: dict | None, as_of: date) -> dict:
    return {"id": r["id"], "title": r["title"], "period": r.get("period"), "due": r["due"],
            "target": r["target"],
            "days": (as_of - date.fromisoformat(r["due"])).days if r["due"] else None,
            "ongoing": bool(pace.get("ongoing")),
            "last_report": {"on": note["on_date"], "text": note["text"]} if note else None,
            "returned": r["returned"], "signal": pace.get("signal"), "percent": r["percent"],
            "expected_percent": pace.get("expected_percent")}


def _paces(store: Store, plan: str, found: list[dict], as_of: date) -> dict[str, dict]:
    """Per target: its signal and expected percent as of the day, a led task's as `list` has
    them, a share's as ``shares.effective`` judges it (its task's window)."""
    from jtdj.store.tasks import TaskFilter, plan_start, select_tasks

    if not found:
        return {}
    tasks = {r["id"]: r for r in select_tasks(store, plan, TaskFilter(
        status="all", ids=sorted({r["id"] for r in found}), occurrences=True), as_of)}
    start = plan_start(store, plan)
    # a share of an ongoing task (常态推进) is judged by the age of its own last note
    quiet = last_notes(store, plan, [r["target"] for r in found if r["target"] != r["id"] and (
        tasks.get(r["id"]) or {}).get("ongoing")], as_of)
    out = {}
    for r in found:
        task = tasks.get(r["id"])
        if task is None:
            continue
        if r["target"] == r["id"]:
            out[r["target"]] = {k: task[k] for k in ("signal", "expected_percent", "ongoing")}
            continue
        window = task["start"] or start
        kind = "ongoing" if task["ongoing"] else None
        note = (quiet.get(r["target"]) or {}).get("on_date")
        out[r["target"]] = {
            "signal": signal_of(store.lights, r["status"], r["due"], window, r["percent"],
                                None, as_of, kind, note),
            "expected_percent": expected_of(r["status"], r["due"], window, as_of),
            "ongoing": task["ongoing"]}
    return out


def prepare(store: Store, plan: str, units: list[dict], as_of: date, reply_by: date,
            overdue: bool, within: int | None,
            lagging: bool = False) -> tuple[list[Notice], list[str]]:
    """The notices of ``units`` (and the names of those with nothing to chase)."""
    head = store.plan(plan)
    made, empty = [], []
    for unit, rows in zip(units, units_rows(store, plan, units, as_of, overdue, within,
                                            lagging)):
        if not rows:
            empty.append(unit["name"])
            continue
        made.append(Notice(unit, {
            "plan": plan, "plan_title": head["title"], "doc_no": head["doc_no"],
            "unit": unit["name"], "as_of": as_of.isoformat(), "reply_by": reply_by.isoformat(),
            "rows": rows}))
    return made, empty


def is_duplicate(store: Store, plan: str, notice: Notice, as_of: date) -> bool:
    """Whether the unit was urged about exactly these tasks on this day already."""
    return notice.unit["name"] in duplicates(store, plan, [notice], as_of)


def duplicates(store: Store, plan: str, notices: list[Notice], as_of: date) -> set[str]:
    """The names of the units of ``notices`` urged about exactly these tasks on this day
    already (``is_duplicate`` of each, one query for all)."""
    sets = urges_db.sets_on_units(store, plan, [n.unit["name"] for n in notices], as_of)
    return {n.unit["name"] for n in notices if set(n.targets()) in sets.get(n.unit["name"], [])}


def record(store: Store, plan: str, actor: str, as_of: date, notices: list[Notice]) -> None:
    """The urge events of the notices produced, all in one batch (one undo step)."""
    if not notices:
        return
    with store.batch(plan, actor, as_of) as batch:
        urges_db.record_all(batch, [(n.targets(), n.unit["name"],
                                     date.fromisoformat(n.data["reply_by"])) for n in notices])


def urged(store: Store, plan: str, task_id: str) -> int:
    return urges_db.count(store, plan, task_id)


def mail_subject(notice: Notice) -> str:
    d = notice.data
    return t("urge.subject", plan=d["plan"], title=d["plan_title"], unit=d["unit"],
             count=len(d["rows"]))
