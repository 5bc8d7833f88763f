"""The rules of the lights: the due date, and 序时进度 (the pace a task's window sets).

A task or share with a due date has a window: its ``start``, else the plan's issue date (else
the day the plan was first imported; a task added with `jtdj add`: the day it was added), to its
due date. Its expected percent on a day is the part of the window gone by then (0 before it,
100 from its last day); its lag is that minus the percent it last reported (0 if none).

The signal says why a light is what it is, in this order: ``closed`` (done or dropped),
``review`` (a report waiting for the office; ``overdue`` when it came after the due date),
``overdue`` (open past its due date), ``far_behind`` (lag over ``lag_red``), ``behind`` (lag of
at least ``lag_yellow``), ``due_soon`` (due within ``due_soon_days``), else ``on_track``. Pace
judges the tasks that have reported a percent (``pace = "reported"``, the default), every open
task (``"all"``), or none (``"off"``: the lights of the due date alone).

An ongoing task (``kind = "ongoing"``, 常态推进) has no due date and no expected percent: it is
``behind`` when no note came in the last ``ongoing_quiet_days`` days, counted from the later
of its window's start and its last note on or before the day (0: never), else ``on_track``.
The SQL here and ``signal_of`` (for shares, which are judged in Python) are the same rules.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from jtdj.tuples import named_tuple

PACES = ("reported", "all", "off")
SIGNAL_LIGHT = {"closed": "grey", "review": "blue", "overdue": "red", "far_behind": "red",
                "behind": "yellow", "due_soon": "yellow", "on_track": "green"}
LAGGING = ("behind", "far_behind")


@named_tuple
class Lights:
    """``[lights]`` of the config (docs/reports.md)."""

    due_soon_days: int = 14
    lag_yellow: int = 10
    lag_red: int = 30
    pace: str = "reported"
    ongoing_quiet_days: int = 90


def from_config(config: dict) -> Lights:
    """``[lights]`` of the config file, checked: whole days and percentage points of at least
    0 (``lag_yellow`` not above ``lag_red``), and a ``pace`` of PACES."""
    from jtdj.errors import UsageError
    from jtdj.i18n import t

    table = config.get("lights") or {}
    if not isinstance(table, dict):
        raise UsageError(t("lights.bad_table", value=table))
    default = Lights()
    values = {}
    for key in ("due_soon_days", "lag_yellow", "lag_red", "ongoing_quiet_days"):
        value = table.get(key, getattr(default, key))
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 366:
            raise UsageError(t("lights.bad_number", key=f"lights.{key}", value=value))
        values[key] = value
    if values["lag_yellow"] > values["lag_red"]:
        raise UsageError(t("lights.yellow_over_red", yellow=values["lag_yellow"],
                           red=values["lag_red"]))
    pace = table.get("pace", default.pace)
    if pace not in PACES:
        raise UsageError(t("lights.bad_pace", value=pace, allowed="|".join(PACES)))
    return Lights(pace=pace, **values)


def params(lights: Lights, as_of: date, plan_start: str | None) -> dict:
    """The named parameters the SQL below reads (with ``:d``, the day)."""
    return {"soon": (as_of + timedelta(days=lights.due_soon_days)).isoformat(),
            "lag_yellow": lights.lag_yellow, "lag_red": lights.lag_red, "pace": lights.pace,
            "quiet": lights.ongoing_quiet_days, "plan_start": plan_start}


# the window's first day of a task row ``t`` (an added task: the day of its `add`)
WINDOW_START = ("coalesce(t.start, CASE WHEN t.origin = 'added' THEN (SELECT min(e.on_date)"
                " FROM events e WHERE e.plan = t.plan AND e.target = t.id AND e.action = 'add')"
                " END, :plan_start)")
# an ongoing task's last note on or before the day, on itself or on one of its shares
# (targets ``id@unit``: the range after ``id@``); other tasks need none
LAST_NOTE = ("CASE WHEN t.kind IS NOT NULL THEN (SELECT max(n.on_date) FROM notes n"
             " WHERE n.plan = t.plan AND (n.target = t.id OR (n.target > t.id || '@'"
             " AND n.target < t.id || 'A')) AND n.on_date <= :d) END")
# the day number of a window's start: most windows start with the plan, whose day number
# SQLite works out once per statement (a constant), where each row's would be parsed twice
# (a full list at 100,000 tasks: 195 -> 182 ms, bench/README.md)
_WS_DAY = "iif(ws = :plan_start, julianday(:plan_start), julianday(ws))"
# over a row with columns eff, due, ws (window start), percent, reported_on, kind, last_note:
EXPECTED = ("CASE WHEN eff NOT IN ('todo', 'doing') OR due IS NULL OR ws IS NULL THEN NULL"
            " WHEN :d < ws THEN 0 WHEN :d >= due THEN 100"
            f" ELSE CAST(round((julianday(:d) - {_WS_DAY}) * 100.0"
            f" / (julianday(due) - {_WS_DAY})) AS INTEGER) END")
_JUDGED = "(:pace = 'all' OR (:pace = 'reported' AND percent IS NOT NULL))"
_LAG = f"(({EXPECTED}) - coalesce(percent, 0))"
SIGNAL = f"""CASE
  WHEN eff IN ('done', 'dropped') THEN 'closed'
  WHEN eff = 'review' THEN CASE WHEN due < reported_on AND due < :d THEN 'overdue'
                                ELSE 'review' END
  WHEN kind IS NOT NULL THEN CASE WHEN :quiet > 0 AND julianday(:d) - julianday(CASE
    WHEN ws IS NULL OR last_note > ws THEN last_note ELSE ws END) >= :quiet THEN 'behind'
    ELSE 'on_track' END
  WHEN due IS NULL THEN 'on_track'
  WHEN due < :d THEN 'overdue'
  WHEN {_JUDGED} AND {_LAG} > :lag_red THEN 'far_behind'
  WHEN {_JUDGED} AND {_LAG} >= :lag_yellow THEN 'behind'
  WHEN due <= :soon THEN 'due_soon'
  ELSE 'on_track' END"""
LIGHT = ("CASE signal WHEN 'closed' THEN 'grey' WHEN 'review' THEN 'blue'"
         " WHEN 'overdue' THEN 'red' WHEN 'far_behind' THEN 'red' WHEN 'behind' THEN 'yellow'"
         " WHEN 'due_soon' THEN 'yellow' ELSE 'green' END")


def expected_of(status: str, due: str | None, start: str | None, day: date) -> int | None:
    """``EXPECTED`` for one task or share (a share: its due, its task's window start), rounded
    half up in whole numbers as SQLite's ``round`` does for these."""
    return expected_on(status, due, start, day.isoformat(), day.toordinal())


def expected_on(status: str, due: str | None, start: str | None, d: str,
                day_number: int) -> int | None:
    """``expected_of`` with the day given as its ISO text and its day number, which a list
    of 100,000 rows works out once (bench/README.md)."""
    if status not in ("todo", "doing") or due is None or start is None:
        return None
    if d < start:
        return 0
    if d >= due:
        return 100
    first, last = _day_number(start), _day_number(due)
    return (200 * (day_number - first) + (last - first)) // (2 * (last - first))


@lru_cache(maxsize=4096)
def _day_number(iso: str) -> int:
    return date.fromisoformat(iso).toordinal()


def signal_of(lights: Lights, status: str, due: str | None, start: str | None,
              percent: int | None, reported_on: str | None, day: date,
              kind: str | None = None, last_note: str | None = None) -> str:
    """``SIGNAL`` for one task or share (``last_note``: an ongoing one's, on or before the
    day)."""
    d = day.isoformat()
    if status in ("done", "dropped"):
        return "closed"
    if status == "review":
        return "overdue" if due and reported_on and due < reported_on and due < d else "review"
    if kind is not None:
        return "behind" if quiet(lights, start, last_note, day) else "on_track"
    if due is None:
        return "on_track"
    if due < d:
        return "overdue"
    judged = lights.pace == "all" or (lights.pace == "reported" and percent is not None)
    expected = expected_of(status, due, start, day)
    if judged and expected is not None:
        lag = expected - (percent or 0)
        if lag > lights.lag_red:
            return "far_behind"
        if lag >= lights.lag_yellow:
            return "behind"
    if due <= (day + timedelta(days=lights.due_soon_days)).isoformat():
        return "due_soon"
    return "on_track"


def quiet(lights: Lights, start: str | None, last_note: str | None, day: date) -> bool:
    """Whether an ongoing task or share has had no note for ``ongoing_quiet_days`` days,
    counted from the later of its window's start and its last note."""
    since = max((d for d in (start, last_note) if d), default=None)
    return (lights.ongoing_quiet_days > 0 and since is not None
            and (day - date.fromisoformat(since)).days >= lights.ongoing_quiet_days)


def counted(record: dict, lights: Lights, day: date) -> tuple[bool, bool, str | None]:
    """How a task's or share's record (``status``, ``signal``, ``due``) counts: overdue (逾期,
    the due date alone), due soon (临期: open and due within ``due_soon_days``, whatever its
    pace), and its lag (``behind``, ``far_behind`` or None)."""
    due = record["due"]
    soon = (record["status"] in ("todo", "doing") and due is not None
            and day.isoformat() <= due <= (day + timedelta(days=lights.due_soon_days)).isoformat())
    signal = record["signal"]
    return signal == "overdue", soon, signal if signal in LAGGING else None


def percent(part: int, whole: int) -> int:
    """Rounded half up, as offices round: 2/8 -> 25, 1/8 -> 13."""
    return (part * 200 + whole) // (whole * 2) if whole else 0
