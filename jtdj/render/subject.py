"""The subject of the report e-mail, as an office writes it: the plan title, the kind of report,
and the period's days in brackets, e.g. ``…进展周报（2022年第28周，7月11日至17日）``.

Pure: the report data (``jtdj.report.report``) in, one line of text out.
"""

from __future__ import annotations

from datetime import date

from jtdj.i18n import t
from jtdj.render.report import is_weekly


def subject(data: dict) -> str:
    """An ISO week names its number and its Monday to Sunday; seven other days are a weekly
    report too (as the report's own title says); any other period is a progress report."""
    p = data["period"]
    days = days_text(p["first_day"], p["until"])
    if p["week"]:
        year, _, week = p["week"].partition("-W")
        return t("mail.subject_week", title=data["title"], year=year, week=int(week), days=days)
    key = "mail.subject_seven_days" if is_weekly(data) else "mail.subject"
    return t(key, title=data["title"], days=days)


def days_text(first: date, last: date) -> str:
    """``7月11日至17日`` within a month, ``6月27日至7月3日`` across months, the years written
    only when the period crosses one (``2022年12月26日至2023年1月1日``)."""
    if first == last:
        return _day(first)
    if first.year != last.year:
        return t("mail.days", first=_day(first, year=True), last=_day(last, year=True))
    if first.month != last.month:
        return t("mail.days", first=_day(first), last=_day(last))
    return t("mail.days_in_month", month=_month(first), first=first.day, last=last.day)


def _day(day: date, year: bool = False) -> str:
    key = "mail.day_in_year" if year else "mail.day"
    return t(key, year=day.year, month=_month(day), day=day.day)


def _month(day: date) -> str:
    return t("mail.months").split()[day.month - 1]
