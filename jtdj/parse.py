"""The clerk's text turned into values: ids, dates, weeks, periods and numbers.

Everything typed on the command line is read here, so one rule gives one answer: full-width
digits and the punctuation of a Chinese input method are accepted everywhere; dates are local
calendar dates read against the as-of day the caller passes in (nothing here reads the clock).
A malformed value is a UsageError (exit 2) naming the option or argument it came from; whether
an id exists is the store's business.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, timedelta

from jtdj.errors import UsageError
from jtdj.i18n import t
from jtdj.tuples import named_tuple

# Patterns as text: re compiles each on first use (and keeps it), so a command that reads no
# date or id does not pay for them.
_YMD = r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$"
_MD = r"^(\d{1,2})\s*[月/]\s*(\d{1,2})\s*日?$"
_RELATIVE = r"^([+-]?)(\d+)\s*([dw天周])$"
_TODAY_WORDS = {"today", "今天", "今日", "now"}

# The one range of dates jtdj accepts, typed or reached by adding days (docs/output.md).
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(9000, 12, 31)
# Numbers typed: ids have at most 6 digits; counts of days and tasks stay far inside SQLite's
# 64-bit integers and the date range.
MAX_NUMBER = 999_999
MAX_DAYS = 36_500  # --due-within: a hundred years


def in_range(day: date, what: str, value: object) -> date:
    """``day`` if it lies in FIRST_DATE..LAST_DATE, else a UsageError naming ``what``."""
    if not FIRST_DATE <= day <= LAST_DATE:
        raise UsageError(t("error.date_range", what=what, value=value,
                           first=FIRST_DATE.isoformat(), last=LAST_DATE.isoformat()))
    return day


def add_days(day: date, days: int, what: str, value: object) -> date:
    """``day`` moved by ``days``, refused (not overflowing) when it leaves the date range."""
    ordinal = day.toordinal() + days  # plain integers: no date arithmetic can overflow
    if not FIRST_DATE.toordinal() <= ordinal <= LAST_DATE.toordinal():
        return in_range(date.max, what, value)
    return date.fromordinal(ordinal)


def normalise(text: str) -> str:
    """Full-width digits and punctuation (from a Chinese input method) become ASCII. ASCII
    text is its own normal form: most of what is typed needs no table (nor ``unicodedata``
    loaded on start, 0.3 to 1.5 ms)."""
    if text.isascii():
        return text.strip()
    from unicodedata import normalize

    return normalize("NFKC", text).strip()


def parse_date(text: str, today: date, what: str = "date") -> date:
    """Parse ``text`` or raise a UsageError naming ``what`` (the option or argument)."""
    raw = normalise(str(text)).lower()
    if raw in _TODAY_WORDS:
        return in_range(today, what, text)
    if raw in {"yesterday", "昨天"}:
        return add_days(today, -1, what, text)
    if raw in {"tomorrow", "明天"}:
        return add_days(today, 1, what, text)
    try:
        m = re.match(_YMD, raw)
        if m:
            return in_range(date(int(m[1]), int(m[2]), int(m[3])), what, text)
        m = re.match(_MD, raw)
        if m:
            return in_range(date(today.year, int(m[1]), int(m[2])), what, text)
    except ValueError:
        raise UsageError(t("error.bad_date_value", what=what, value=text)) from None
    m = re.match(_RELATIVE, raw)
    if m:
        sign, count, unit = m.groups()
        days = int(count) * (7 if unit in "w周" else 1)
        return add_days(today, days if sign == "+" else -days, what, text)
    raise UsageError(t("error.bad_date", what=what, value=text))


def iso_week_range(spec: str | None, today: date) -> tuple[date, date]:
    """Monday..Sunday of ISO week ``YYYY-Www``; None: the last complete week before today."""
    if not spec:
        this_monday = today - timedelta(days=today.weekday())
        monday = add_days(this_monday, -7, "--week", today.isoformat())
        return monday, add_days(monday, 6, "--week", today.isoformat())
    m = re.match(r"^(\d{4})-?[Ww](\d{1,2})$", normalise(spec))
    if not m:
        raise UsageError(t("error.bad_week", value=spec))
    try:
        monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
    except ValueError:
        raise UsageError(t("error.bad_week", value=spec)) from None
    return in_range(monday, "--week", spec), add_days(monday, 6, "--week", spec)


# --- ids ------------------------------------------------------------------------------------

_ID = r"^(\d{1,6})(?:\.(\d{1,6}))?(?:@(.+))?$"  # 4.5@2022-07: an occurrence (recurrence)


@named_tuple
class Ref:
    """A parsed id: an item (``task is None``) or one task of an item."""

    item: int
    task: int | None = None
    period: str | None = None  # of a recurring task's occurrence, as typed (``7月``, ``Q3``)

    @property
    def is_item(self) -> bool:
        return self.task is None

    def __str__(self) -> str:
        return str(self.item) if self.task is None else f"{self.item}.{self.task}"


# Between ids: 、 ， , ； ; and spaces (after NFKC, ， is "," and ； is ";"). Inside an id the
# decimal mark is . ． or 。 — never 、, which a Chinese input method types between list items.
_ID_SEPARATORS = r"[、,;\s]+"


def split_ids(texts: list[str]) -> list[str]:
    """The ids in the arguments as typed: ``2、5``, ``5.2，5.3`` and ``5.2 5.3`` are two each."""
    return [part for text in texts
            for part in re.split(_ID_SEPARATORS, normalise(text).replace("。", ".")) if part]


def parse_ref(text: str) -> Ref:
    """One id; a list (``2、5``) is not one id, and is refused rather than read as 2.5."""
    cleaned = normalise(text).replace("。", ".")
    m = re.match(_ID, cleaned)
    if (not m or int(m[1]) == 0 or (m[2] is not None and int(m[2]) == 0)
            or (m[3] is not None and m[2] is None)):
        raise UsageError(t("error.bad_id", value=text))
    return Ref(int(m[1]), int(m[2]) if m[2] is not None else None, m[3])


def parse_refs(texts: list[str]) -> list[Ref]:
    """Every id in the arguments (each may hold a list, see ``split_ids``), all parsed first so
    that one bad id changes nothing."""
    bad = []
    refs = []
    for text in split_ids(texts):
        try:
            refs.append(parse_ref(text))
        except UsageError:
            bad.append(text)
    if bad:
        raise UsageError(t("error.bad_ids", values=t("list.sep").join(bad)))
    return refs


def natural_key(task_id: str) -> tuple[int, ...]:
    """Sort key so that 2.10 comes after 2.9."""
    return tuple(int(part) for part in task_id.split("."))


def closest(wanted: str, existing: list[str], n: int = 3) -> list[str]:
    """The existing ids nearest to ``wanted``: same item first, then by spelling."""
    item = wanted.split(".")[0]
    same_item = [e for e in existing if e.split(".")[0] == item and e != item]
    if same_item and "." in wanted:
        want_no = int(wanted.split(".")[1])
        same_item.sort(key=lambda e: abs(int(e.split(".")[1]) - want_no))
        return same_item[:n]
    return difflib.get_close_matches(wanted, existing, n=n, cutoff=0.0)


# --- numbers --------------------------------------------------------------------------------

_CHINESE_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
                     "九": 9, "十": 10}


def positive_number(text: str, what: str) -> int:
    """A whole number from 1 up, full-width digits accepted (``--item ５``)."""
    cleaned = normalise(text)
    if not cleaned.isdigit() or int(cleaned) < 1:
        raise UsageError(t("error.bad_number", what=what, value=text))
    if int(cleaned) > MAX_NUMBER:
        raise UsageError(t("error.number_range", what=what, value=text, most=MAX_NUMBER))
    return int(cleaned)


def section_number(text: str, what: str = "--section") -> int:
    """A section as the plan numbers it (二, 二、) or as a digit."""
    cleaned = text.strip().rstrip("、")
    if cleaned in _CHINESE_NUMERALS:
        return _CHINESE_NUMERALS[cleaned]
    return positive_number(cleaned, what)


def percent(text: str, what: str = "--percent") -> int:
    """A percent as typed: ``40``, ``40%``, ``４０％``; from 0 to 100."""
    cleaned = normalise(str(text)).rstrip("%").strip()
    if not cleaned.isdigit() or int(cleaned) > 100:
        raise UsageError(t("error.bad_percent_text", what=what, value=text))
    return int(cleaned)


STATUS_FILTERS = ("todo", "doing", "review", "done", "dropped", "open", "all")
# the words the tables print, and 未完成 / 全部 for open / all
_STATUS_WORDS = {"未开始": "todo", "推进中": "doing", "待审核": "review", "已完成": "done",
                 "已调整": "dropped", "未完成": "open", "全部": "all"}


def status_filter(text: str) -> str:
    """``--status``: a code (todo … all) or the word a table prints for it (未开始 … 全部)."""
    cleaned = normalise(str(text))
    value = _STATUS_WORDS.get(cleaned, cleaned.lower())
    if value not in STATUS_FILTERS:
        words = [t(f"status.{code}") for code in STATUS_FILTERS[:5]]
        raise UsageError(t("error.bad_status", value=text, choices="|".join(STATUS_FILTERS),
                           words=t("list.sep").join(words)))
    return value


# --- timing words -------------------------------------------------------------------------

# Timing words the plan uses that fix dates (month, day) inside the plan's year.
FIXED_TIMINGS = {
    "“七一”前后": ((6, 15), (7, 15)),
    "七一前后": ((6, 15), (7, 15)),
    "暑期": ((7, 1), (8, 31)),
}


def timing_dates(when: str | None, start: date | None, due: date | None,
                 year: int) -> tuple[date | None, date | None]:
    """Fill start/due from timing words that fix them (“七一”前后, 暑期); given dates win."""
    span = FIXED_TIMINGS.get((when or "").strip())
    if span is None:
        return start, due
    (sm, sd), (dm, dd) = span
    return start or date(year, sm, sd), due or date(year, dm, dd)


def plan_year(due: date | None, issued: date | None, today: date) -> int:
    """The year a timing word without one (暑期) falls in: the plan's, else the as-of day's."""
    return (due or issued or today).year


# --- periods --------------------------------------------------------------------------------

DEFAULT_DAYS = 7


@named_tuple
class Period:
    """The days ``first`` to ``until``, both included; ``week`` is set when it is an ISO week."""

    first: date
    until: date
    week: str | None = None

    @property
    def before(self) -> date:
        """The day before the first: the period starts with the state at its end."""
        return self.first - timedelta(days=1)


def period(today: date, since: str | None = None, until: str | None = None,
           week: str | None = None, week_flag: bool = False) -> Period:
    """The period from the options: --week [YYYY-Www] alone, or --since/--until.

    ``--until`` defaults to the as-of day; ``--since`` is the first day, included; ``Nd`` (or
    ``-Nd``, ``Nw``) is the N days (weeks) ending on until, so ``7d`` is that day and the six
    before, which is also the default. ``--week`` alone is the last complete ISO week;
    ``--since X --until X`` is the one day X.
    """
    if week is not None and not week_flag:
        raise UsageError(t("report.week_needs_flag", value=week))
    if week_flag:
        if since or until:
            raise UsageError(t("report.week_and_range"))
        monday, sunday = iso_week_range(week, today)
        iso = monday.isocalendar()
        return Period(monday, sunday, f"{iso[0]}-W{iso[1]:02d}")
    end = parse_date(until, today, "--until") if until else today
    start = _first_day(since, end) if since else add_days(end, 1 - DEFAULT_DAYS, "--until", end)
    if start > end:
        raise UsageError(t("report.empty_period", since=start.isoformat(), until=end.isoformat()))
    return Period(start, end)


def _first_day(since: str, until: date) -> date:
    relative = re.match(_RELATIVE, normalise(str(since)).lower())
    if relative and relative[1] != "+":
        days = int(relative[2]) * (7 if relative[3] in "w周" else 1)
        if days < 1:
            raise UsageError(t("error.bad_date", what="--since", value=since))
        return add_days(until, 1 - days, "--since", since)
    return parse_date(since, until, "--since")


def working_days_after(day: date, count: int, holidays: set[date] = frozenset(),
                       workdays: set[date] = frozenset()) -> date:
    """The day ``count`` working days after ``day``: Saturdays and Sundays off, ``holidays``
    off, ``workdays`` (the make-up working days of a public holiday) on."""
    while count > 0:
        day = add_days(day, 1, "--reply-by", day)
        if day in workdays or (day.weekday() < 5 and day not in holidays):
            count -= 1
    return day
