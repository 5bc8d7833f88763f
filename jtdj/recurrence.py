"""Recurring obligations: the periods of ``every = "month" | "quarter" | "half-year" | "year"``.

A recurring task has one occurrence per period whose due day falls in the plan's window (its
``start``, or the plan's issue date, to the plan's due date). An occurrence is due on day ``day``
of its period's last month (clamped to that month's length), or on the period's last day. Its
period is named ``2022-07`` (month), ``2022-Q3``, ``2022-H2`` or ``2022-Y`` (year); the clerk
may type it as an input method gives it: ``2022－07``, ``7月``, ``三季度``/``第三季度``, ``上半年``,
``2022`` or ``2022年``.
Pure dates and text: nothing here reads the database or the clock.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, timedelta

from jtdj.tuples import named_tuple

EVERY = ("month", "quarter", "half-year", "year")
_MONTHS = {"month": 1, "quarter": 3, "half-year": 6, "year": 12}  # a period's length
_CHINESE = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
            "十": 10, "十一": 11, "十二": 12}


@named_tuple
class Occurrence:
    """One period of a recurring task: its name, first and last day, and due day."""

    period: str
    first: date
    last: date
    due: date


def _start_month(every: str, month: int) -> int:
    size = _MONTHS[every]
    return (month - 1) // size * size + 1


def _name(every: str, year: int, first_month: int) -> str:
    if every == "month":
        return f"{year}-{first_month:02d}"
    if every == "quarter":
        return f"{year}-Q{(first_month - 1) // 3 + 1}"
    if every == "half-year":
        return f"{year}-H{1 if first_month == 1 else 2}"
    return f"{year}-Y"  # not the bare year: ``4.5@2022`` would read as a share's target


def period_at(every: str, year: int, first_month: int, day: int | None = None) -> Occurrence:
    """The period of ``every`` that starts in ``first_month`` of ``year``."""
    last_month = first_month + _MONTHS[every] - 1
    first = date(year, first_month, 1)
    last = date(year, last_month, calendar.monthrange(year, last_month)[1])
    due = last if day is None else last.replace(day=min(day, last.day))
    return Occurrence(_name(every, year, first_month), first, last, due)


def period_of(every: str, day: date, due_day: int | None = None) -> Occurrence:
    """The period of ``every`` that contains ``day``."""
    return period_at(every, day.year, _start_month(every, day.month), due_day)


def occurrences(every: str, day: int | None, start: date, end: date) -> list[Occurrence]:
    """The periods whose due day falls from ``start`` to ``end`` (both included), in order."""
    out = []
    current = period_of(every, start, day)
    while current.first <= end:
        if start <= current.due <= end:
            out.append(current)
        following = current.last + timedelta(days=1)
        current = period_of(every, following, day)
    return out


def from_day(occurrences_: list[Occurrence], added: date) -> list[Occurrence]:
    """The occurrences from the period in which ``added`` falls on (a unit handed the task
    later, or a task added mid-year)."""
    return [o for o in occurrences_ if o.last >= added]


_FORMS = (
    # (pattern, which every it names, how to read year and period number from the match)
    (re.compile(r"^(?:(\d{4})[-/.年]?)?q([1-4])$|^(?:(\d{4})年?)?第?([一二三四1-4])季度$"),
     "quarter"),
    (re.compile(r"^(?:(\d{4})[-/.年]?)?h([12])$|^(?:(\d{4})年?)?([上下])半年$"), "half-year"),
    (re.compile(r"^(?:(\d{4})[-/.年])?(\d{1,2})月?$|^(?:(\d{4})年)?([一二三四五六七八九十]{1,2})月$"),
     "month"),
    (re.compile(r"^(\d{4})(?:年度?|-y)?$"), "year"),
)


def period_last(period: str) -> date:
    """The last day of a period named as ``Occurrence.period`` is."""
    year, _, rest = period.partition("-")
    if rest == "Y":
        return date(int(year), 12, 31)
    if rest[0] == "Q":
        return period_at("quarter", int(year), (int(rest[1]) - 1) * 3 + 1).last
    if rest[0] == "H":
        return period_at("half-year", int(year), 1 if rest[1] == "1" else 7).last
    return period_at("month", int(year), int(rest)).last


def parse_period(text: str, every: str, year: int) -> str | None:
    """The period name (``2022-07``, ``2022-Q3``, ``2022-H2``, ``2022-Y``) that ``text`` names
    for a task recurring ``every``; a form without a year takes ``year``. None when the text
    names no period of that kind (a quarter for a monthly task, month 13)."""
    cleaned = unicodedata.normalize("NFKC", text).strip().lower().replace(" ", "")
    for pattern, kind in _FORMS:
        m = pattern.match(cleaned)
        if m is None:
            continue
        if kind != every:
            return None
        groups = [g for g in m.groups()]
        if kind == "year":
            return f"{m[1]}-Y"
        y, n = (groups[0], groups[1]) if groups[1] is not None else (groups[2], groups[3])
        number = {"上": 1, "下": 2}.get(n) or _CHINESE.get(n) or int(n)
        limit = {"month": 12, "quarter": 4, "half-year": 2}[kind]
        if not 1 <= number <= limit:
            return None
        first_month = (number - 1) * _MONTHS[kind] + 1
        return _name(kind, int(y) if y else year, first_month)
    return None
