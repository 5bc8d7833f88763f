"""Dates as a clerk types them: ISO, 2022/7/1, 2022年7月1日, 7月1日, today, +7d / -7d / 7d.

All dates are local calendar dates; "today" is whatever the CLI resolved from --as-of,
JTDJ_TODAY or the clock, passed in explicitly so nothing here reads the clock.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from jtdj.errors import UsageError
from jtdj.i18n import t

_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MD = re.compile(r"^(\d{1,2})\s*[月/]\s*(\d{1,2})\s*日?$")
_RELATIVE = re.compile(r"^([+-]?)(\d+)\s*([dw天周])$")
_TODAY_WORDS = {"today", "今天", "今日", "now"}


def normalise(text: str) -> str:
    """Full-width digits and punctuation (from a Chinese input method) become ASCII."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_date(text: str, today: date, what: str = "date") -> date:
    """Parse ``text`` or raise a UsageError naming ``what`` (the option or argument)."""
    raw = normalise(str(text)).lower()
    if raw in _TODAY_WORDS:
        return today
    if raw in {"yesterday", "昨天"}:
        return today - timedelta(days=1)
    if raw in {"tomorrow", "明天"}:
        return today + timedelta(days=1)
    try:
        m = _YMD.match(raw)
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = _MD.match(raw)
        if m:
            return date(today.year, int(m[1]), int(m[2]))
    except ValueError:
        raise UsageError(t("error.bad_date_value", what=what, value=text)) from None
    m = _RELATIVE.match(raw)
    if m:
        sign, count, unit = m.groups()
        days = int(count) * (7 if unit in "w周" else 1)
        return today + timedelta(days=days if sign == "+" else -days)
    raise UsageError(t("error.bad_date", what=what, value=text))


def parse_iso(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def iso_week_range(spec: str | None, today: date) -> tuple[date, date]:
    """Monday..Sunday of ISO week ``YYYY-Www``; None: the last complete week before today."""
    if not spec:
        this_monday = today - timedelta(days=today.weekday())
        monday = this_monday - timedelta(days=7)
        return monday, monday + timedelta(days=6)
    m = re.match(r"^(\d{4})-?[Ww](\d{1,2})$", normalise(spec))
    if not m:
        raise UsageError(t("error.bad_week", value=spec))
    try:
        monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
    except ValueError:
        raise UsageError(t("error.bad_week", value=spec)) from None
    return monday, monday + timedelta(days=6)
